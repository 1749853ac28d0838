import BinderyRuntime
import Foundation

/// The seed's `Core` client on top of the generated calls: sessions and services as handles, and a session's
/// `run`, `runNowait`, `createTask`, `sendEvent` and `taskResultStream`.
extension LlamaDeployCoreClient.Core.Sessions {
    /// Creates a session and answers a handle to it.
    public func create() async throws -> LlamaDeployCoreClient.Core.Session {
        session(try await createID())
    }

    /// Every session, as handles.
    public func list() async throws -> [LlamaDeployCoreClient.Core.Session] {
        try await definitions().keys.sorted().map(session)
    }

    /// A handle to an existing session; a missing one is `.notFound`.
    public func get(_ id: String) async throws -> LlamaDeployCoreClient.Core.Session {
        let found = session(id)
        _ = try await found.definition()
        return found
    }

    /// A handle to the session `id` if it exists, or else to a new session (whose id the server chooses).
    public func getOrCreate(_ id: String) async throws -> LlamaDeployCoreClient.Core.Session {
        do {
            return try await get(id)
        } catch let error as BinderyError where error.kind == .notFound {
            return try await create()
        }
    }

    private func session(_ id: String) -> LlamaDeployCoreClient.Core.Session {
        LlamaDeployCoreClient.Core.Session(runtime: runtime, sessionID: id)
    }
}

extension LlamaDeployCoreClient.Core {
    /// A service registered with the control plane, by name.
    public struct Service: Sendable, Hashable {
        /// The service's name.
        public let id: String
    }
}

extension LlamaDeployCoreClient.Core.Services {
    /// Every registered service.
    public func list() async throws -> [LlamaDeployCoreClient.Core.Service] {
        try await definitions().keys.sorted().map(LlamaDeployCoreClient.Core.Service.init)
    }

    /// Registers a service and answers it.
    @discardableResult
    public func register(_ service: ServiceDefinition) async throws -> LlamaDeployCoreClient.Core.Service {
        try await registerDefinition(service)
        return LlamaDeployCoreClient.Core.Service(id: service.serviceName)
    }
}

extension LlamaDeployCoreClient.Core.Session {
    /// The Python client's default for the longest wait for a result, in seconds.
    public static let defaultTimeout: TimeInterval = 120
    /// The Python client's default time between polls, in seconds.
    public static let defaultPollInterval: TimeInterval = 0.5

    /// Runs `serviceName` with `arguments` (an `Encodable` value or a `[String: JSONValue]`, the workflow's keyword
    /// arguments) as a task of this session and answers its result, polling for it every `pollInterval` seconds for
    /// at most `timeout` seconds in all (nil: no limit), which ends in `.timedOut`. A failing workflow's result is
    /// its error's text, as the server reports it.
    public func run(
        _ serviceName: String, arguments: some Encodable = [String: JSONValue](),
        timeout: TimeInterval? = defaultTimeout, pollInterval: TimeInterval = defaultPollInterval
    ) async throws -> String {
        let taskID = try await runNowait(serviceName, arguments: arguments)
        let request = Self.getTaskResult(sessionID: sessionID, taskID: taskID)
        let result = try await runtime.poll(request, every: pollInterval, timeout: timeout) {
            try await runtime.send(request)
        }
        return result.result
    }

    /// Starts `serviceName` with `arguments` as a task of this session and answers the task's id at once.
    public func runNowait(_ serviceName: String, arguments: some Encodable = [String: JSONValue]()) async throws -> String {
        try await createTask(CoreTaskDefinition(input: try Self.json(arguments), agentID: serviceName))
    }

    /// Starts a task in this session (its `sessionID` is set to this session's) and answers its id.
    public func createTask(_ task: CoreTaskDefinition) async throws -> String {
        var task = task
        task.sessionID = sessionID
        return try await createTaskID(task)
    }

    /// Sends `serviceName`'s task an event, serialized as the workflow's JSON serializer reads it: its fields and
    /// its Python type, e.g. `llama_index.core.workflow.events.HumanResponseEvent` with `["response": "Ada"]`.
    public func sendEvent(
        _ serviceName: String, taskID: String, event qualifiedName: String, fields: [String: JSONValue]
    ) async throws {
        let event: JSONValue = ["__is_pydantic": true, "value": .object(fields), "qualified_name": .string(qualifiedName)]
        try await sendEventDef(taskID: taskID, CoreEventDefinition(agentID: serviceName, eventObjStr: try Self.json(event)))
    }

    /// A task's events as its service writes them. The server answers 404 until the first event exists; that is
    /// waited out, asking again every `pollInterval` seconds for at most `timeout` seconds in all (then `.timedOut`),
    /// as the Python client's `get_task_result_stream` does. The stream ends once the task has a result.
    public func taskResultStream(
        _ taskID: String, timeout: TimeInterval? = defaultTimeout, pollInterval: TimeInterval = defaultPollInterval
    ) async throws -> EventStream<JSONValue> {
        let request = Self.resultStream(sessionID: sessionID, taskID: taskID)
        return try await runtime.poll(request, every: pollInterval, timeout: timeout) {
            do {
                return try await runtime.send(request)
            } catch let error as BinderyError where error.kind == .notFound {
                return nil
            }
        }
    }

    private static func json(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }
}
