import Foundation

extension APIClient {
    /// Calls `attempt` until it returns a value, waiting `interval` seconds of the client's clock between calls, for
    /// at most `timeout` seconds in all (nil: no limit): for answers that are "not yet" (a `null` result, a 404
    /// until something exists) rather than a job's states. Errors `attempt` throws end the wait.
    /// - Parameter request: the request being polled, which errors name.
    /// - Throws: `.timedOut` once the next call would come after the deadline; `.cancelled` when the task is.
    public func poll<Value>(
        _ request: Request<some Sendable>, every interval: TimeInterval, timeout: TimeInterval?,
        _ attempt: () async throws -> Value?
    ) async throws -> Value {
        let start = clock.now
        while true {
            if let value = try await attempt() { return value }
            if let timeout, clock.now + interval > start + timeout {
                throw error(.timedOut, request, url: try? url(for: request), attempts: 0,
                            "no result within \(String(format: "%g", timeout)) s")
            }
            do {
                try await clock.sleep(interval)
            } catch {
                throw self.error(.cancelled, request, url: try? url(for: request), attempts: 0, "the task was cancelled")
            }
        }
    }
}
