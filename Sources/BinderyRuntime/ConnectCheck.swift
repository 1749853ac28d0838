import Foundation

/// Enforces the connect timeout, which URLSession has no setting for: before a request goes to an origin that has
/// not answered lately, a plain TCP connection to it must open within the timeout. Only a connection that times out
/// fails the request (`cannotConnect`, nothing was sent); a refused or unresolvable one is left to URLSession to report.
final class ConnectCheck: @unchecked Sendable {
    /// How long an answer from an origin vouches for it; URLSession likely still holds a live connection to it.
    static let freshness: TimeInterval = 30

    private let lock = NSLock()
    private let clock = SystemClock()
    private var answeredAt: [String: TimeInterval] = [:]

    /// Throws `cannotConnect` when `url`'s origin accepts no TCP connection within `timeout` seconds.
    func check(_ url: URL, timeout: TimeInterval) async throws {
        guard let origin = Self.origin(url) else { return }
        if let answered = answered(origin.key), clock.now - answered < Self.freshness { return }
        let connected = await Self.connects(host: origin.host, port: origin.port, within: timeout)
        if connected == false {
            throw TransportError(.cannotConnect, "could not connect to \(origin.key) within \(Self.seconds(timeout)) s")
        }
    }

    /// Notes that `url`'s origin answered.
    func answered(_ url: URL) {
        guard let origin = Self.origin(url) else { return }
        lock.lock()
        defer { lock.unlock() }
        answeredAt[origin.key] = clock.now
    }

    private func answered(_ key: String) -> TimeInterval? {
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
    /// failed otherwise (refused, unresolvable, cancelled).
    private static func connects(host: String, port: Int, within timeout: TimeInterval) async -> Bool? {
        switch await Socket.open(host: host, port: port, by: Deadline(after: timeout), loop: .shared) {
        case .success(let socket):
            socket.close()
            return true
        case .failure(.timedOut): return false
        case .failure(.failed), .failure(.cancelled): return nil
        }
    }

    private static func seconds(_ value: TimeInterval) -> String { String(format: "%g", value) }
}
