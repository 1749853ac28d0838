import Foundation

/// nginx from Debian's package on 127.0.0.1, in a folder of its own: one worker, keep-alive without a request limit,
/// and `www/` as its root, holding `item.json` (about 1 KB of JSON). The caller writes the rest of the `server` block:
/// `listen` is given the port, so `["ssl", "http2"]` serves TLS and HTTP/2 with `certificate`. Each request is logged
/// to `access.log` as `protocol method uri connection session`, the last `r` when a TLS session was resumed.
public final class Nginx: Sendable {
    public let port: Int
    public let folder: URL
    private let process: ChildProcess

    /// - Parameters:
    ///   - listen: what follows the address in `listen` (`ssl`, `http2`).
    ///   - certificate: the certificate and key for `ssl`, PEM files.
    ///   - server: more directives of the `server` block (say a `location` with `proxy_pass`).
    ///   - http: more directives of the `http` block (say an `upstream`).
    ///   - logging: whether requests are logged.
    public init(
        listen: [String] = [], certificate: (certificate: URL, key: URL)? = nil, server: String = "", http: String = "",
        logging: Bool = true
    ) throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/sbin/nginx") else {
            throw ServerFailure("nginx is not installed (apt-get install nginx; the test and benchmark commands install it)")
        }
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("bindery-nginx-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("www"), withIntermediateDirectories: true)
        let item = "{\"id\": 1, \"name\": \"" + String(repeating: "x", count: 1000) + "\"}"
        try item.write(to: folder.appendingPathComponent("www/item.json"), atomically: true, encoding: .utf8)
        port = try freePort()
        let tls = certificate.map { "ssl_certificate \($0.certificate.path); ssl_certificate_key \($0.key.path);" } ?? ""
        let config = """
            worker_processes 1;
            daemon off;
            pid \(folder.path)/nginx.pid;
            error_log \(folder.path)/error.log;
            events { worker_connections 4096; }
            http {
                log_format exchange '$server_protocol $request_method $uri $connection $ssl_session_reused';
                access_log \(logging ? "\(folder.path)/access.log exchange" : "off");
                keepalive_requests 1000000;
                keepalive_timeout 60s;
                default_type application/json;
                client_body_temp_path \(folder.path)/body;
                proxy_temp_path \(folder.path)/proxy;
                \(http)
                server {
                    listen 127.0.0.1:\(port) \(listen.joined(separator: " "));
                    root \(folder.path)/www;
                    \(tls)
                    \(server)
                }
            }
            """
        try config.write(to: folder.appendingPathComponent("nginx.conf"), atomically: true, encoding: .utf8)
        process = try ChildProcess(
            "/usr/sbin/nginx",
            ["-p", folder.path, "-e", folder.appendingPathComponent("error.log").path, "-c", folder.appendingPathComponent("nginx.conf").path])
        for _ in 0..<500 {
            if canConnect(port) { return }
            guard process.isRunning else { break }
            usleep(10_000)
        }
        let log = (try? String(contentsOf: folder.appendingPathComponent("error.log"), encoding: .utf8)) ?? ""
        stop()
        throw ServerFailure("nginx did not start within 5 s:\n\(log)")
    }

    /// The requests logged so far, each `protocol method uri connection session`.
    public var accessLog: [String] {
        let text = (try? String(contentsOf: folder.appendingPathComponent("access.log"), encoding: .utf8)) ?? ""
        return text.split(separator: "\n").map(String.init)
    }

    public func stop() {
        process.signal(SIGTERM)
        process.waitUntilExit()
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(at: folder)
    }
}

/// A port on 127.0.0.1 that nothing listens on now: bound, then closed.
public func freePort() throws -> Int {
    let descriptor = socket(AF_INET, streamSocket, 0)
    defer { close(descriptor) }
    var address = loopback(port: 0)
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) == 0 && getsockname(descriptor, $0, &length) == 0 }
    }
    guard bound else { throw ServerFailure("could not bind a port: errno \(errno)") }
    return Int(UInt16(bigEndian: address.sin_port))
}

private func canConnect(_ port: Int) -> Bool {
    let descriptor = socket(AF_INET, streamSocket, 0)
    defer { close(descriptor) }
    var address = loopback(port: port)
    return withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
    }
}

private func loopback(port: Int) -> sockaddr_in {
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = in_port_t(UInt16(port).bigEndian)
    return address
}

#if canImport(Glibc)
    private let streamSocket = Int32(SOCK_STREAM.rawValue)
#else
    private let streamSocket = SOCK_STREAM
#endif
