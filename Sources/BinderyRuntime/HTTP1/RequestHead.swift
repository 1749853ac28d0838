import Foundation

/// The head of an HTTP/1.1 request as it goes on the wire (RFC 9112 §3), written only once every byte was checked:
/// whatever set a header (the caller, a middleware, an auth scheme reading the environment), a name that is not a
/// token or a value holding a control character is refused here as `.invalidRequest`, so no header can split into
/// two. The framing is the transport's: a `Content-Length` or `Transfer-Encoding` set above it is replaced.
public enum RequestHead {
    /// The head of `request`, with a body of `bodyLength` bytes. With `absoluteForm`, the target is the whole URL,
    /// as an HTTP proxy takes it.
    static func encode(_ request: HTTPRequest, bodyLength: Int?, absoluteForm: Bool = false) throws -> [UInt8] {
        // URL's host, unlike URLComponents', has no brackets around an IPv6 address.
        guard let components = URLComponents(url: request.url, resolvingAgainstBaseURL: false), let host = request.url.host,
            !host.isEmpty
        else { throw TransportError(.invalidRequest, "\(request.url.absoluteString) is not a valid http URL") }
        try validate(request)
        let hostField = (host.utf8.contains(UInt8(ascii: ":")) ? "[\(host)]" : host) + (components.port.map { ":\($0)" } ?? "")
        var target = components.percentEncodedPath.isEmpty ? "/" : components.percentEncodedPath
        if let query = components.percentEncodedQuery { target += "?" + query }
        if absoluteForm { target = "http://\(hostField)\(target)" }
        guard target.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            throw TransportError(.invalidRequest, "the request target \(target) holds a space or a control character")
        }
        var head = [UInt8]()
        head.reserveCapacity(256)
        func line(_ parts: String...) {
            for part in parts { head.append(contentsOf: part.utf8) }
            head.append(contentsOf: [.carriageReturn, .lineFeed])
        }
        line(request.method.rawValue, " ", target, " HTTP/1.1")
        if request.headers["Host"] == nil { line("Host: ", hostField) }
        for (name, value) in request.headers
        where !HTTPHeaders.sameName(name, "Content-Length") && !HTTPHeaders.sameName(name, "Transfer-Encoding") {
            line(name, ": ", value)
        }
        if let bodyLength {
            line("Content-Length: ", String(bodyLength))
        } else if [.post, .put, .patch].contains(request.method) {
            line("Content-Length: 0")
        }
        line()
        return head
    }

    /// Throws `.invalidRequest` unless the method is a token, every header name a token and every value free of
    /// control characters other than tab (RFC 9110 §5.5): what makes the head safe to write.
    public static func validate(_ request: HTTPRequest) throws {
        guard !request.method.rawValue.isEmpty, request.method.rawValue.utf8.allSatisfy(\.isTokenCharacter) else {
            throw TransportError(.invalidRequest, "the method \(quoted(request.method.rawValue)) is not a token")
        }
        for (name, value) in request.headers {
            guard !name.isEmpty, name.utf8.allSatisfy(\.isTokenCharacter) else {
                throw TransportError(.invalidRequest, "the header name \(quoted(name)) is not a token")
            }
            guard value.utf8.allSatisfy({ $0 == .tab || !$0.isControl }) else {
                throw TransportError(
                    .invalidRequest, "the value of header \(name) holds a line break or another control character")
            }
        }
    }

    /// `text` with control characters shown as escapes, so a message quoting it stays one line.
    private static func quoted(_ text: String) -> String {
        "`" + text.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7F ? $0.escaped(asASCII: true) : String($0) }.joined() + "`"
    }
}
