import Foundation

extension APIClient {
    /// Calls `attempt` until it returns a value, waiting `interval` seconds of the client's clock between calls, for
    /// at most `timeout` seconds in all (nil: no limit): for answers that are "not yet" (a `null` result, a 404
    /// until something exists) rather than a job's states. Errors `attempt` throws end the wait.
    /// - Parameters:
    ///   - request: the request being polled, which errors name.
    ///   - interval: seconds between calls.
    ///   - timeout: seconds to wait in all; nil waits until a value comes.
    ///   - attempt: asks once; nil means "not yet".
    /// - Throws: `.timedOut` when a call made at the deadline still has no value (the last wait is cut short to
    ///   reach it); `.cancelled` when the task is.
    public func poll<Value>(
        _ request: Request<some Sendable>, every interval: TimeInterval, timeout: TimeInterval?,
        _ attempt: () async throws -> Value?
    ) async throws -> Value {
        let deadline = timeout.map { clock.now + $0 }
        while true {
            if let value = try await attempt() { return value }
            var wait = interval
            if let deadline, let timeout {
                let left = deadline - clock.now
                guard left > Nanoseconds.tolerance else {
                    throw error(.timedOut, request, url: try? url(for: request), attempts: 0,
                                "no result within \(String(format: "%g", timeout)) s")
                }
                wait = min(wait, left)
            }
            do {
                try await clock.sleep(wait)
            } catch {
                throw self.error(.cancelled, request, url: try? url(for: request), attempts: 0, "the task was cancelled")
            }
        }
    }
}
