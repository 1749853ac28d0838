import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Enforces the connect timeout, which URLSession has no setting for: before a request goes to an origin that has
/// not answered lately, a plain TCP connection to it must open within the timeout. Only a connection that times out
/// fails the request (`cannotConnect`, nothing was sent); a refused or unresolvable one is left to URLSession to report.
final class ConnectCheck: @unchecked Sendable {
    /// How long an answer from an origin vouches for it; URLSession likely still holds a live connection to it.
    static let freshness: TimeInterval = 30

    private let lock = NSLock()
    private var answeredAt: [String: Date] = [:]

    /// Throws `cannotConnect` when `url`'s origin accepts no TCP connection within `timeout` seconds.
    func check(_ url: URL, timeout: TimeInterval) async throws {
        guard let origin = Self.origin(url) else { return }
        if let answered = answered(origin.key), Date().timeIntervalSince(answered) < Self.freshness { return }
        let connected = await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(returning: Self.connects(host: origin.host, port: origin.port, within: timeout))
            }
        }
        if connected == false {
            throw TransportError(.cannotConnect, "could not connect to \(origin.key) within \(Self.seconds(timeout)) s")
        }
    }

    /// Notes that `url`'s origin answered.
    func answered(_ url: URL) {
        guard let origin = Self.origin(url) else { return }
        lock.lock()
        defer { lock.unlock() }
        answeredAt[origin.key] = Date()
    }

    private func answered(_ key: String) -> Date? {
        lock.lock()
        defer { lock.unlock() }
        return answeredAt[key]
    }

    private static func origin(_ url: URL) -> (host: String, port: Int, key: String)? {
        guard let host = url.host, let port = url.port ?? ["http": 80, "https": 443][url.scheme?.lowercased() ?? ""] else {
            return nil
        }
        return (host, port, "\(host):\(port)")
    }

    /// Whether a TCP connection to `host:port` opens within `timeout`: true, false when it timed out, nil when it
    /// failed otherwise (refused, unresolvable).
    private static func connects(host: String, port: Int, within timeout: TimeInterval) -> Bool? {
        var hints = addrinfo()
        #if canImport(Glibc) || canImport(Musl)
            hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        #else
            hints.ai_socktype = SOCK_STREAM
        #endif
        var addresses: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(port), &hints, &addresses) == 0 else { return nil }
        defer { freeaddrinfo(addresses) }
        let deadline = Date().addingTimeInterval(timeout)
        var timedOut = false
        var next = addresses
        while let address = next?.pointee {
            next = address.ai_next
            let descriptor = socket(address.ai_family, address.ai_socktype, address.ai_protocol)
            guard descriptor >= 0 else { continue }
            defer { close(descriptor) }
            _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) | O_NONBLOCK)
            if connect(descriptor, address.ai_addr, address.ai_addrlen) == 0 { return true }
            guard errno == EINPROGRESS else { continue }
            var waiting = pollfd(fd: descriptor, events: Int16(POLLOUT), revents: 0)
            let ready = poll(&waiting, 1, Int32(max(0, deadline.timeIntervalSinceNow) * 1000))
            if ready == 0 {
                timedOut = true
                break
            }
            var failure: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            if ready > 0, getsockopt(descriptor, SOL_SOCKET, SO_ERROR, &failure, &length) == 0, failure == 0 { return true }
        }
        return timedOut ? false : nil
    }

    private static func seconds(_ value: TimeInterval) -> String { String(format: "%g", value) }
}
