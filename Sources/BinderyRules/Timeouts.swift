import Foundation

/// How long a request may take.
public struct Timeouts: Sendable, Hashable {
    /// Seconds to wait for a connection to be established.
    public var connect: TimeInterval
    /// Seconds to wait for the next bytes of the response once connected (an idle timeout, not a deadline).
    public var read: TimeInterval
    /// An overall deadline for the whole call, retries included; `nil` for none.
    public var total: TimeInterval?

    /// Timeouts in seconds; the defaults are the spec language's.
    public init(connect: TimeInterval = 10, read: TimeInterval = 60, total: TimeInterval? = nil) {
        self.connect = connect
        self.read = read
        self.total = total
    }
}
