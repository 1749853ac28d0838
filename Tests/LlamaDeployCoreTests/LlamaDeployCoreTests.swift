import BinderyRuntime
import BinderyTestSupport
import Foundation
import LlamaDeployCore
import Testing

/// The seed's `Core` client against the real LlamaDeploy 0.6.1 control plane (Tests/Servers/controlplane.py), with its
/// workflow services `echo`, `streamer`, `failing` and `hitl`.
@Suite("LlamaDeploy control plane, against the real llama-deploy 0.6.1", .enabled(if: liveTestsEnabled, "needs the test command (BINDERY_LIVE=1)"))
struct LlamaDeployCoreTests {
    static let controlPlane = Task {
        try await LiveServer(script: "Tests/Servers/controlplane.py", timeout: 120, python: "BINDERY_CONTROL_PLANE_PYTHON")
    }

    struct Received {
        var method: String
        var path: String
        var query: String
        var body: String
    }

    let server: LiveServer
    let core: LlamaDeployCoreClient.Core

    init() async throws {
        server = try await Self.controlPlane.value
        core = LlamaDeployCoreClient(baseURL: server.baseURL, options: ClientOptions(environment: [:])).core
    }

    func received(_ path: String, atLeast count: Int = 1) async -> [Received] {
        await server.records(atLeast: count) { record in
            guard record["path"] as? String == path else { return nil }
            return Received(
                method: record["method"] as? String ?? "", path: path, query: record["query"] as? String ?? "",
                body: record["body"] as? String ?? "")
        }
    }

    /// The task's result, asked for every 0.1 s for at most 60 s.
    func result(of taskID: String, in session: LlamaDeployCoreClient.Core.Session) async throws -> CoreTaskResult {
        for _ in 0..<600 {
            if let result = try await session.getTaskResult(taskID: taskID) { return result }
            try await Task.sleep(nanoseconds: 100_000_000)
        }
        throw ServerFailure("task \(taskID) has no result after 60 s")
    }

    func json(_ text: String) -> [String: Any]? {
        try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]
    }

    // MARK: Sessions

    @Test("Sessions: create, get, get_or_create, list and delete, as the seed's SessionCollection")
    func sessions() async throws {
        let session = try await core.sessions.create()
        #expect(!session.sessionID.isEmpty, "the server's bare JSON string id")
        #expect(try await core.sessions.get(session.sessionID).sessionID == session.sessionID)
        #expect(try await core.sessions.getOrCreate(session.sessionID).sessionID == session.sessionID)
        #expect(try await core.sessions.list().map(\.sessionID).contains(session.sessionID))
        #expect(try await session.definition().taskIDs.isEmpty)
        // The server's own route, with no trailing slash: no 307 and no second request.
        #expect(await received("/sessions/\(session.sessionID)", atLeast: 3).map(\.method) == ["GET", "GET", "GET"])
        #expect(await received("/sessions/\(session.sessionID)/", atLeast: 0).isEmpty)

        let missing = try await #require(throws: BinderyError.self) { try await core.sessions.get("no-such-session") }
        #expect(missing.kind == .notFound)
        #expect(missing.message == "Session not found")
        let created = try await core.sessions.getOrCreate("no-such-session")
        #expect(created.sessionID != "no-such-session", "a missing session is replaced by a new one with the server's id")

        try await core.sessions.delete(sessionID: session.sessionID)
        try await core.sessions.delete(sessionID: "never-existed")
        #expect(try await !core.sessions.list().map(\.sessionID).contains(session.sessionID))
        let deletion = try #require(await received("/sessions/\(session.sessionID)/delete").first)
        #expect(deletion.method == "POST")
    }

    // MARK: Tasks

    @Test("Session.run sends the arguments as a JSON string to the named service and polls for the result")
    func run() async throws {
        let session = try await core.sessions.create()
        let marker = UUID().uuidString
        let answer = try await session.run("echo", arguments: ["message": JSONValue.string(marker)], timeout: 60, pollInterval: 0.1)
        #expect(answer == marker)

        let created = try #require(await received("/sessions/\(session.sessionID)/tasks").first { $0.method == "POST" })
        let body = try #require(json(created.body))
        #expect(body["agent_id"] as? String == "echo")
        #expect(body["session_id"] as? String == session.sessionID)
        #expect(body["input"] as? String == #"{"message":"\#(marker)"}"#)
        let tasks = try await session.getTasks()
        #expect(tasks.count == 1)
        #expect(tasks.first?.agentID == "echo")
        let polls = await received("/sessions/\(session.sessionID)/tasks/\(tasks[0].taskID ?? "")/result")
        #expect(polls.allSatisfy { $0.method == "GET" } && !polls.isEmpty)
    }

    @Test("run_nowait answers the task id at once; get_task_result is nil until the result is there")
    func runNowait() async throws {
        let session = try await core.sessions.create()
        let taskID = try await session.runNowait("streamer")
        #expect(try await session.getTaskResult(taskID: taskID) == nil, "the workflow takes longer than one request")
        let result = try await self.result(of: taskID, in: session)
        #expect(result.result == "done")
        #expect(result.taskID == taskID)
        #expect(try await session.currentTask()?.taskID == taskID)
    }

    @Test("create_task sets the session's id on a task definition of the caller's")
    func createTask() async throws {
        let session = try await core.sessions.create()
        let taskID = try await session.createTask(
            CoreTaskDefinition(input: #"{"message": "own"}"#, taskID: "task-\(UUID().uuidString)", sessionID: "ignored", agentID: "echo"))
        #expect(taskID.hasPrefix("task-"), "the server keeps the client's task id")
        let sent = try #require(await received("/sessions/\(session.sessionID)/tasks").first { $0.method == "POST" })
        #expect(json(sent.body)?["session_id"] as? String == session.sessionID)
    }

    @Test("A failing workflow's result is its error's text")
    func failingWorkflow() async throws {
        let session = try await core.sessions.create()
        let answer = try await session.run("failing", timeout: 60, pollInterval: 0.1)
        #expect(answer == "Error in step 'run_step': this workflow always fails")
    }

    @Test("run gives up after its timeout, naming the request it polled")
    func runTimeout() async throws {
        let session = try await core.sessions.create()
        // A service nobody runs: the control plane accepts the task, and it never ends.
        let error = try await #require(throws: BinderyError.self) {
            try await session.run("nobody", timeout: 0.6, pollInterval: 0.2)
        }
        #expect(error.kind == .timedOut)
        #expect(error.operation == "core.session.getTaskResult")
        #expect(error.message == "no result within 0.6 s")
    }

    // MARK: Streams and events

    @Test("get_task_result_stream waits out the 404 before the first event, then yields every event the control plane stored")
    func resultStream() async throws {
        let session = try await core.sessions.create()
        let taskID = try await session.runNowait("streamer")
        var events: [JSONValue] = []
        for try await event in try await session.taskResultStream(taskID, timeout: 60, pollInterval: 0.1) { events.append(event) }
        // 0.6.1 stores each event by reading the session's list and writing it back, so under load two events can
        // race and one is lost before any client sees it; the client must yield exactly what the server stored.
        guard case .array(let stored)? = try await session.state()["stream_\(taskID)"] else {
            Issue.record("the session's state has no stream for the task")
            return
        }
        let storedEvents = stored.compactMap { $0["data"] }
        #expect(events.count == storedEvents.count && Set(events) == Set(storedEvents), "the client yields the stored events: \(events), \(storedEvents)")
        #expect(events.first == ["step": 1] && events.count >= 3, "\(events)")
        let opened = await received("/sessions/\(session.sessionID)/tasks/\(taskID)/result_stream")
        #expect(!opened.isEmpty)
    }

    @Test("A stream that never starts ends in .timedOut after its timeout")
    func resultStreamTimeout() async throws {
        let session = try await core.sessions.create()
        let error = try await #require(throws: BinderyError.self) {
            try await session.taskResultStream("no-such-task", timeout: 0.5, pollInterval: 0.2)
        }
        #expect(error.kind == .timedOut)
        #expect(error.operation == "core.session.resultStream")
        // How many times it asked depends on how fast the server answers; the waits are asserted in PolicyTests.
        #expect(await received("/sessions/\(session.sessionID)/tasks/no-such-task/result_stream").allSatisfy { $0.method == "GET" })
    }

    @Test("Human in the loop: the question arrives on the stream, the answer is sent as an event, the task ends")
    func humanInTheLoop() async throws {
        let session = try await core.sessions.create()
        let taskID = try await session.runNowait("hitl")
        var events: [JSONValue] = []
        for try await event in try await session.taskResultStream(taskID, timeout: 60, pollInterval: 0.1) {
            events.append(event)
            if event["_data"]?["prefix"] == "What is your name?" {
                try await session.sendEvent(
                    "hitl", taskID: taskID, event: "llama_index.core.workflow.events.HumanResponseEvent", fields: ["response": "Ada"])
            }
        }
        #expect(events.first?["_data"]?["prefix"] == "What is your name?")
        let result = try await self.result(of: taskID, in: session)
        #expect(result.result == "hello, Ada")
        let sent = try #require(await received("/sessions/\(session.sessionID)/tasks/\(taskID)/send_event").first)
        let body = try #require(json(sent.body))
        #expect(body["agent_id"] as? String == "hitl")
        let event = try #require(json(body["event_obj_str"] as? String ?? ""))
        #expect(event["qualified_name"] as? String == "llama_index.core.workflow.events.HumanResponseEvent")
        #expect((event["value"] as? [String: String]) == ["response": "Ada"])
    }

    @Test("send_event_def sends an event definition as given")
    func sendEventDefinition() async throws {
        let session = try await core.sessions.create()
        try await session.sendEventDef(taskID: "some-task", CoreEventDefinition(agentID: "hitl", eventObjStr: "{}"))
        let sent = try #require(await received("/sessions/\(session.sessionID)/tasks/some-task/send_event").first)
        #expect(json(sent.body)?["event_obj_str"] as? String == "{}")
    }

    // MARK: Services and state

    @Test("Services: list, register, definition and deregister, as the seed's ServiceCollection")
    func services() async throws {
        let listed = try await core.services.list().map(\.id)
        #expect(Set(listed).isSuperset(of: ["echo", "streamer", "failing", "hitl"]))
        #expect(try await core.services.definition(serviceName: "echo").serviceName == "echo")

        let name = "extra-\(UUID().uuidString.prefix(8))"
        let service = try await core.services.register(
            ServiceDefinition(serviceName: name, description: "registered by a test", host: "127.0.0.1", port: 9))
        #expect(service.id == name)
        #expect(try await core.services.definition(serviceName: name).description == "registered by a test")
        try await core.services.deregister(serviceName: name)
        #expect(try await !core.services.list().map(\.id).contains(name))
        let deregistration = try #require(await received("/services/deregister").first { $0.query == "service_name=\(name)" })
        #expect(deregistration.method == "POST")

        let unknown = try await #require(throws: BinderyError.self) { try await core.services.definition(serviceName: "nope") }
        #expect(unknown.kind == .notFound)
    }

    @Test("A session's state is read and merged")
    func state() async throws {
        let session = try await core.sessions.create()
        try await session.updateState(["colour": "blue"])
        #expect(try await session.state()["colour"] == "blue")
        #expect(try await core.home()["running"] == "True")
    }
}

/// An app that talks to both servers, as the seed's single client does, imports both libraries in one file and
/// names each one's types without qualifying them.
@Suite struct BothLibrariesTests {
    @Test func bothLibrariesCoexistInOneFile() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("both-llamadeploy-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try """
            import LlamaDeploy
            import LlamaDeployCore

            let apiServerTask = TaskDefinition(input: "{}", serviceID: "echo")
            let controlPlaneTask = CoreTaskDefinition(input: "{}", agentID: "echo")
            let events = (EventDefinition(serviceID: "hitl", eventObjStr: "{}"), CoreEventDefinition(agentID: "hitl", eventObjStr: "{}"))
            let sessions: [Any.Type] = [SessionDefinition.self, CoreSessionDefinition.self, TaskResult.self, CoreTaskResult.self]
            """.write(to: folder.appendingPathComponent("Both.swift"), atomically: true, encoding: .utf8)
        let result = try await typecheck(folder, module: "Both")
        #expect(result.status == 0, "\(result.output)")
    }
}
