import Foundation

/// Why an attempt failed, as a retry policy sees it.
public enum AttemptFailure: Sendable {
    /// A response arrived with this status and, when sent, this `Retry-After` delay in seconds.
    case status(Int, retryAfter: TimeInterval?)
    /// No connection could be made: the request never reached the server.
    case cannotConnect
    /// The connection failed or went quiet after the request may have been sent.
    case interrupted
}

/// Decides whether and when to try a failed request again. The client never re-sends a write that may already have
/// reached the server, whatever the policy says.
public protocol RetryPolicy: Sendable {
    /// Seconds to wait before attempt `attempt + 1`, or `nil` to give up. `attempt` counts from 1.
    func delay(after failure: AttemptFailure, attempt: Int) -> TimeInterval?
}

/// Backoff with full jitter: a random wait up to the capped doubling, or the capped `Retry-After` when the answer
/// gives one.
extension ExponentialBackoff: RetryPolicy {
    public func delay(after failure: AttemptFailure, attempt: Int) -> TimeInterval? {
        guard attempt < maxAttempts else { return nil }
        let cap = min(maxDelay, initialDelay * pow(2, Double(attempt - 1)), Nanoseconds.longestWait)
        let backoff = cap > 0 ? Double.random(in: 0...cap) : 0
        switch failure {
        case .status(let status, let retryAfter):
            guard retryableStatuses.contains(status) else { return nil }
            if let retryAfter, retryAfter.isFinite, retryAfter >= 0 { return min(retryAfter, maxRetryAfter) }
            return backoff
        case .cannotConnect, .interrupted:
            return backoff
        }
    }
}

extension ExponentialBackoff {
    /// The delay a response asks for: `retry-after-ms` (milliseconds, as OpenAI sends it) or `Retry-After`.
    public static func retryAfter(in headers: HTTPHeaders, now: Date = Date()) -> TimeInterval? {
        if let milliseconds = headers["retry-after-ms"].flatMap({ retryAfter($0, now: now) }) { return milliseconds / 1000 }
        return retryAfter(headers["Retry-After"], now: now)
    }

    /// Reads `Retry-After` as delta-seconds or an HTTP date (RFC 9110 §10.2.3).
    public static func retryAfter(_ value: String?, now: Date = Date()) -> TimeInterval? {
        guard let value = value?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return nil }
        // Delta-seconds are digits (RFC 9110 §10.2.3): "-5", "nan" or "inf" are not a delay, so the backoff applies.
        if value.allSatisfy(\.isASCII), let seconds = TimeInterval(value) {
            return seconds.isFinite && seconds >= 0 && value.allSatisfy({ $0.isNumber || $0 == "." }) ? seconds : nil
        }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        for format in ["EEE, dd MMM yyyy HH:mm:ss zzz", "EEEE, dd-MMM-yy HH:mm:ss zzz", "EEE MMM d HH:mm:ss yyyy"] {
            formatter.dateFormat = format
            if let date = formatter.date(from: value) { return max(0, date.timeIntervalSince(now)) }
        }
        return nil
    }
}

/// Stands for the retry policy the API's spec declares, in `ClientOptions(retry: .spec)`.
public struct SpecRetryPolicy: RetryPolicy {
    /// The policy of each API's spec.
    public init() {}

    /// Never consulted: the client uses the spec's policy instead.
    public func delay(after failure: AttemptFailure, attempt: Int) -> TimeInterval? { nil }
}

extension RetryPolicy where Self == SpecRetryPolicy {
    /// The retry policy the API's spec declares.
    public static var spec: SpecRetryPolicy { SpecRetryPolicy() }
}

extension RetryPolicy where Self == ExponentialBackoff {
    /// No retries: every request is sent once.
    public static var never: ExponentialBackoff { .none }
}
