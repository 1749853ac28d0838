import BinderyRuntime
import Foundation

/// A prompt sent to a session's agent, with its answer: what `AgentSession.prompt` gives in the Python client.
public struct AgentPrompt: Sendable, Hashable {
    /// The job that answered, whose trace `trace` was read from.
    public var jobID: String
    public var sessionID: String
    public var prompt: String
    public var response: String
    /// The first trace event's message, when the prompt was sent with tracing on.
    public var trace: String?
}

extension SageSynapseClient.Agent.Session {
    /// Sends `text` to the session's agent and waits for the answer.
    /// - Parameters:
    ///   - enableTrace: records what the agent did and reads it back into `trace`.
    ///   - timeout: seconds to wait without progress (the job rule's 60 s when nil).
    ///   - progress: called whenever the job reports progress.
    public func prompt(
        _ text: String, enableTrace: Bool = false, timeout: TimeInterval? = nil,
        progress: (@Sendable (JobProgress) -> Void)? = nil
    ) async throws -> AgentPrompt {
        let agent = SageSynapseClient.Agent(runtime: runtime)
        let job = try await agent.chat(AgentChatRequest(sessionID: sessionID, chatText: text, enableTrace: enableTrace))
        let answer = try await job.result(timeout: timeout, progress: progress)
        let jobID = try job.started?.string("token") ?? ""
        var trace: String?
        if enableTrace {
            trace = try await agent.trace(TraceEventsRequest(jobID: jobID)).page.first?.message
        }
        return AgentPrompt(jobID: jobID, sessionID: answer.sessionID, prompt: text, response: answer.responseText, trace: trace)
    }
}
