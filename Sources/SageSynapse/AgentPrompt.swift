import BinderyRuntime
import Foundation

/// A prompt for a session's agent and, once sent, its answer: the Python client's `AgentPrompt`.
public struct AgentPrompt: Sendable, Hashable {
    /// The job that answered; nil until sent.
    public var id: String?
    /// The session the prompt is sent in.
    public var sessionID: String
    /// The text sent to the agent.
    public var prompt: String
    /// The agent's answer; nil until sent.
    public var response: String?
    /// Records what the agent did, read back into `trace` once the answer is there.
    public var enableTrace: Bool
    /// The first trace event's message, when sent with `enableTrace`.
    public var trace: String?

    /// A prompt; the fields filled in by sending it are usually left out.
    public init(
        id: String? = nil, sessionID: String, prompt: String, response: String? = nil, enableTrace: Bool = false,
        trace: String? = nil
    ) {
        self.id = id
        self.sessionID = sessionID
        self.prompt = prompt
        self.response = response
        self.enableTrace = enableTrace
        self.trace = trace
    }

    /// Sends the prompt as an asynchronous job, waits for the answer and returns this prompt with its `id`,
    /// `response` and `trace` filled in, as the Python client's `send_job_and_wait_async` fills them.
    /// - Parameters:
    ///   - client: the client the job is sent with.
    ///   - newerThan: for the trace, only events newer than this (milliseconds since 1970); what the Python client
    ///     passes as `post_exchange_args={"newer_than": …}`.
    ///   - timeout: seconds to wait without progress (the job rule's 60 s when nil).
    ///   - progress: called whenever the job reports progress.
    public func sendJobAndWait(
        using client: SageSynapseClient, newerThan: Int64? = nil, timeout: TimeInterval? = nil,
        progress: (@Sendable (JobProgress) -> Void)? = nil
    ) async throws -> AgentPrompt {
        try await send(through: client.agent, newerThan: newerThan, timeout: timeout, progress: progress)
    }

    func send(
        through agent: SageSynapseClient.Agent, newerThan: Int64?, timeout: TimeInterval?,
        progress: (@Sendable (JobProgress) -> Void)?
    ) async throws -> AgentPrompt {
        let job = try await agent.chat(AgentChatRequest(sessionID: sessionID, chatText: prompt, enableTrace: enableTrace))
        let answer = try await job.result(timeout: timeout, progress: progress)
        var sent = self
        sent.id = try job.started?.string("token")
        sent.sessionID = answer.sessionID
        sent.response = answer.responseText
        if enableTrace, let id = sent.id {
            sent.trace = try await agent.trace(TraceEventsRequest(jobID: id, newerThanTimestamp: newerThan)).page.first?.message
        }
        return sent
    }
}

extension SageSynapseClient.Agent.Session {
    /// Sends `text` to the session's agent and waits for the answer, as the Python client's `prompt_async`.
    /// - Parameters:
    ///   - text: the prompt.
    ///   - enableTrace: records what the agent did and reads it back into `trace`.
    ///   - newerThan: for the trace, only events newer than this (milliseconds since 1970).
    ///   - timeout: seconds to wait without progress (the job rule's 60 s when nil).
    ///   - progress: called whenever the job reports progress.
    public func prompt(
        _ text: String, enableTrace: Bool = false, newerThan: Int64? = nil, timeout: TimeInterval? = nil,
        progress: (@Sendable (JobProgress) -> Void)? = nil
    ) async throws -> AgentPrompt {
        try await AgentPrompt(sessionID: sessionID, prompt: text, enableTrace: enableTrace)
            .send(through: SageSynapseClient.Agent(runtime: runtime), newerThan: newerThan, timeout: timeout, progress: progress)
    }
}
