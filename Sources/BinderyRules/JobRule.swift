import Foundation

/// How an API reports a long-running job's state, as a spec's job rule describes it: a status body whose `state`
/// field says processing, failed or succeeded. A rule that lists its succeeded states is strict: a status with no
/// state, or with a state the rule does not list, is polled again until the timeout names it. A rule that lists none
/// takes any other status, a missing state included, as done.
public struct JobRule: Sendable, Hashable {
    /// Key path of the state field.
    public var state: [String]
    /// States that mean "poll again".
    public var processing: Set<String>
    /// States that mean the job failed.
    public var failed: Set<String>
    /// States that mean the job succeeded; empty for "any other state".
    public var succeeded: Set<String>
    /// Key path of the failure's message.
    public var message: [String]?
    /// Key path of the failure's details.
    public var details: [String]?
    /// Key paths of the progress fields; a change in any of them restarts the timeout.
    public var progress: [[String]]
    /// Seconds to wait without progress before giving up; nil waits until the job ends.
    public var timeout: TimeInterval?
    /// The first wait between polls; each wait is 1.5 times the last, up to `maxInterval`.
    public var interval: TimeInterval
    /// The longest wait between polls.
    public var maxInterval: TimeInterval

    /// Describes how a job's state is read; the intervals default to the spec language's.
    public init(
        state: [String], processing: Set<String>, failed: Set<String>, succeeded: Set<String> = [], message: [String]? = nil,
        details: [String]? = nil, progress: [[String]] = [], timeout: TimeInterval? = nil, interval: TimeInterval = 0.5,
        maxInterval: TimeInterval = 5
    ) {
        self.state = state
        self.processing = processing
        self.failed = failed
        self.succeeded = succeeded
        self.message = message
        self.details = details
        self.progress = progress
        self.timeout = timeout
        self.interval = interval
        self.maxInterval = maxInterval
    }

    /// Whether a status in `state` (nil: none yet) is the job's outcome, success or failure.
    public func isOutcome(_ state: String?) -> Bool {
        guard let state else { return succeeded.isEmpty }
        guard !processing.contains(state) else { return false }
        return failed.contains(state) || succeeded.isEmpty || succeeded.contains(state)
    }
}
