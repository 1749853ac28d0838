import Foundation

/// Exponential backoff with full jitter and a cap, honouring a capped `Retry-After`.
public struct ExponentialBackoff: Sendable, Hashable {
    /// Total attempts, the first included.
    public var maxAttempts: Int
    /// The backoff before the second attempt; each later one doubles, before jitter.
    public var initialDelay: TimeInterval
    /// The longest backoff, before jitter.
    public var maxDelay: TimeInterval
    /// The statuses worth another try.
    public var retryableStatuses: Set<Int>
    /// The longest `Retry-After` obeyed, so a hostile server cannot pin the client.
    public var maxRetryAfter: TimeInterval

    /// A policy with these settings; the defaults are the spec language's: 4 attempts, waits from 0.5 s doubling up to 8 s.
    public init(
        maxAttempts: Int = 4, initialDelay: TimeInterval = 0.5, maxDelay: TimeInterval = 8,
        retryableStatuses: Set<Int> = [408, 429, 502, 503, 504], maxRetryAfter: TimeInterval = 60
    ) {
        self.maxAttempts = maxAttempts
        self.initialDelay = initialDelay
        self.maxDelay = maxDelay
        self.retryableStatuses = retryableStatuses
        self.maxRetryAfter = maxRetryAfter
    }

    /// Never retries.
    public static let none = ExponentialBackoff(maxAttempts: 1)
}
