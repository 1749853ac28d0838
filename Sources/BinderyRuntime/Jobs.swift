import Foundation

/// A job's state and progress fields at one poll, for a progress bar or a log.
public struct JobProgress: Sendable, Hashable {
    /// The state field's value; nil when the status carries none.
    public var state: String?
    /// The rule's progress fields by their key path joined with dots, e.g. `progressCurrent`.
    public var fields: [String: JSONValue]
}

/// The answer that started a job, from which its status request is built.
public struct JobStart: Sendable {
    /// The answer's JSON.
    public let body: JSONValue
    /// The start request, named in errors.
    let start: Request<JSONValue>

    /// The start answer's field `name` as text, e.g. the job's `token`.
    public func string(_ name: String) throws -> String {
        switch body[name] {
        case .string(let value)?: return value
        case .integer(let value)?: return String(value)
        default:
            throw BinderyError(
                kind: .decoding, operation: start.operation, method: start.method, url: nil, attempts: 1,
                message: "the answer that started the job has no '\(name)': \(body)")
        }
    }
}

extension APIClient {
    /// Sends `start`, then builds the job's status request from the answer.
    public func startJob<Result>(
        _ start: Request<JSONValue>, rule: JobRule, status: @Sendable (JobStart) throws -> Request<Result>
    ) async throws -> Job<Result> {
        let started = JobStart(body: try await send(start), start: start)
        return Job(client: self, status: try status(started), rule: rule, started: started)
    }

    /// A job already started, e.g. before a restart, to await from its status request alone.
    public func job<Result>(_ status: Request<Result>, rule: JobRule) -> Job<Result> {
        Job(client: self, status: status, rule: rule)
    }
}

/// A running job: await `result()` now or later, as often as needed. Each poll is one request under the client's
/// retry policy.
public struct Job<Result: Sendable>: Sendable {
    let client: APIClient
    /// The request that asks for the job's state.
    public let status: Request<Result>
    /// How the job's state is read.
    public let rule: JobRule
    /// The answer that started the job, e.g. for its id; nil for a job made from its status request alone.
    public var started: JobStart? = nil

    /// Polls until the job ends and returns its result.
    /// - Parameters:
    ///   - timeout: seconds to wait without progress; nil keeps the rule's, `.infinity` waits until the job ends.
    ///     The clock restarts whenever a progress field changes, so a long job that keeps progressing is not given up.
    ///   - overall: the most seconds to wait in all, progress or not; nil for no such limit.
    ///   - progress: called after every poll that changed the job's state or progress.
    public func result(
        timeout: TimeInterval? = nil, overall: TimeInterval? = nil, progress: (@Sendable (JobProgress) -> Void)? = nil
    ) async throws -> Result {
        guard case .whole(let read) = status.reader.body else {
            throw failure(.invalidRequest, "a job's status is read whole, not streamed")
        }
        let rule = self.rule
        let poll = Request<(JSONValue, Result?)>(
            status.operation, status.method, status.path, query: status.query, headers: status.headers,
            body: status.body, options: status.options,
            response: ResponseReader { response, coders in
                let body = try coders.decode(JSONValue.self, from: response.body)
                let state = body[path: rule.state]?.text
                let succeeded = rule.isOutcome(state) && !rule.failed.contains(state ?? "")
                return (body, succeeded ? try read(response, coders) : nil)
            })
        let patience = timeout ?? rule.timeout ?? .infinity
        var lastProgress: JobProgress?
        let clock = client.clock
        var progressedAt = clock.now
        let deadline = overall.map { clock.now + $0 }
        var interval = rule.interval
        while true {
            let (body, result) = try await client.send(poll)
            if let result { return result }
            let state = body[path: rule.state]?.text
            if let state, rule.failed.contains(state) { throw failed(body, state: state) }
            let current = JobProgress(
                state: state,
                fields: rule.progress.reduce(into: [:]) { $0[$1.joined(separator: ".")] = body[path: $1] ?? .null })
            if current != lastProgress {
                if lastProgress != nil { interval = rule.interval }
                lastProgress = current
                progressedAt = clock.now
                progress?(current)
            }
            // The limits are checked at a poll made at them: the last wait is cut short to reach the nearer one.
            let waited = clock.now - progressedAt
            let known = state.map { rule.processing.contains($0) ? $0 : "\($0), which the rule does not list" }
            if waited >= patience - Nanoseconds.tolerance {
                throw failure(
                    .timedOut,
                    "the job made no progress for \(Self.seconds(waited)) s (timeout \(Self.seconds(patience)) s); last state: \(known ?? "none")")
            }
            var wait = min(interval, patience - waited)
            if let deadline, let overall {
                let left = deadline - clock.now
                if left <= Nanoseconds.tolerance {
                    throw failure(.timedOut, "the job did not end within \(Self.seconds(overall)) s; last state: \(known ?? "none")")
                }
                wait = min(wait, left)
            }
            do {
                try await clock.sleep(wait)
            } catch {
                throw failure(.cancelled, "the task was cancelled while waiting for the job")
            }
            interval = min(interval * 1.5, rule.maxInterval)
        }
    }

    private func failed(_ body: JSONValue, state: String) -> BinderyError {
        let message = rule.message.flatMap { body[path: $0]?.text }
        let details = rule.details.flatMap { body[path: $0]?.text }
        var error = failure(
            .jobFailed, [message ?? "the job ended in state \(state)", details].compactMap { $0 }.joined(separator: "\n"))
        error.detail = body
        return error
    }

    private func failure(_ kind: BinderyError.Kind, _ message: String) -> BinderyError {
        BinderyError(
            kind: kind, operation: status.operation, method: status.method, url: try? client.url(for: status),
            attempts: 0, message: message)
    }

    private static func seconds(_ value: TimeInterval) -> String { String(format: "%.1f", value) }
}

extension JSONValue {
    /// The value at a key path of nested objects.
    subscript(path path: [String]) -> JSONValue? {
        path.reduce(Optional(self)) { value, key in value?[key] }
    }

    /// A scalar as text, for states and messages.
    var text: String? {
        switch self {
        case .string(let value): value
        case .integer(let value): String(value)
        case .number(let value): String(value)
        case .bool(let value): String(value)
        default: nil
        }
    }
}
