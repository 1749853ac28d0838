import Foundation

/// Time as the runtime measures it and waits on it: monotonic, so a changed wall clock moves nothing. Every delay
/// the runtime waits out (backoff, `Retry-After`, job polls, stream reconnects) goes through one, which a test can
/// replace to assert on the waits by value.
public protocol BinderyClock: Sendable {
    /// Seconds since a fixed point in the past; never goes back.
    var now: TimeInterval { get }
    /// Waits `seconds`, clamped to `0...Nanoseconds.longestWait`; throws `CancellationError` when the task is
    /// cancelled.
    func sleep(_ seconds: TimeInterval) async throws
}

/// The system's monotonic clock.
public struct SystemClock: BinderyClock {
    /// The system's clock.
    public init() {}

    public var now: TimeInterval { TimeInterval(DispatchTime.now().uptimeNanoseconds) / 1_000_000_000 }

    public func sleep(_ seconds: TimeInterval) async throws {
        try await Task.sleep(nanoseconds: Nanoseconds.clamped(seconds))
    }
}

/// Seconds as nanoseconds, safe for any value a spec or a server may give.
public enum Nanoseconds {
    /// The longest single wait: a day. Longer waits are a misconfiguration or a hostile server.
    public static let longestWait: TimeInterval = 86_400

    /// How near a limit a wait that was cut to reach it may end: a sleep is whole nanoseconds, so the seconds left
    /// after it can be a rounding error above zero, which must count as the limit reached rather than wait again.
    public static let tolerance: TimeInterval = 0.000_001

    /// `seconds` in nanoseconds: NaN and negatives are 0, and nothing is longer than `longestWait`.
    public static func clamped(_ seconds: TimeInterval) -> UInt64 {
        guard seconds > 0 else { return 0 }
        return UInt64(min(seconds, longestWait) * 1_000_000_000)
    }
}
