import Foundation

/// The HTTP proxy `http://` requests go through, if any. By default it is read from the environment as curl reads
/// it; `.none` sends every request directly.
///
///     ClientOptions(proxy: .http(URL(string: "http://proxy.internal:3128")!, bypass: ["localhost", ".internal"]))
public struct Proxy: Sendable, Hashable {
    /// The proxy: `http://[user:password@]host[:port]`; nil for none.
    public var url: URL?
    /// Hosts reached directly, as `NO_PROXY` lists them: a host and its subdomains (`example.com`, `.example.com`),
    /// an address, or `*` for every host.
    public var bypass: [String]

    /// Every request goes directly.
    public static let none = Proxy(url: nil, bypass: [])

    /// Every `http://` request through the proxy at `url`, but to the hosts in `bypass`.
    public static func http(_ url: URL, bypass: [String] = []) -> Proxy { Proxy(url: url, bypass: bypass) }

    /// The proxy the environment names, as curl reads it: `http_proxy`, or `HTTP_PROXY` unless the process is a
    /// CGI script (where that variable can come from a request's `Proxy:` header), or else `all_proxy` /
    /// `ALL_PROXY`; `no_proxy` / `NO_PROXY` lists the hosts reached directly. A value without a scheme is `http://`.
    public static func environment(_ variables: [String: String] = ProcessInfo.processInfo.environment) -> Proxy {
        var names = ["http_proxy"]
        if variables["REQUEST_METHOD"] == nil { names.append("HTTP_PROXY") }
        names += ["all_proxy", "ALL_PROXY"]
        guard var text = names.lazy.compactMap({ variables[$0] }).first(where: { !$0.isEmpty }) else { return .none }
        if !text.contains("://") { text = "http://" + text }
        let bypass = (variables["no_proxy"] ?? variables["NO_PROXY"] ?? "").split(separator: ",").map {
            $0.trimmingCharacters(in: .whitespaces)
        }
        return Proxy(url: URL(string: text), bypass: bypass.filter { !$0.isEmpty })
    }

    /// The proxy for a request to `host`, or nil to go directly.
    public func url(for host: String) -> URL? {
        guard let url else { return nil }
        let host = host.lowercased()
        for entry in bypass.map({ $0.lowercased() }) {
            if entry == "*" { return nil }
            let domain = entry.hasPrefix(".") ? String(entry.dropFirst()) : entry
            if host == domain || host.hasSuffix("." + domain) { return nil }
        }
        return url
    }

    /// `Proxy-Authorization` for a proxy URL with a user, as Basic credentials.
    static func authorization(_ url: URL) -> String? {
        guard let components = URLComponents(url: url, resolvingAgainstBaseURL: false), let user = components.user else {
            return nil
        }
        let password = components.password ?? ""
        return "Basic " + Data("\(user):\(password)".utf8).base64EncodedString()
    }
}
