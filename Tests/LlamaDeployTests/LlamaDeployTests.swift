import BinderyRuntime
import BinderyTestSupport
import Foundation
import LlamaDeploy
import Testing

/// The LlamaDeploy bindings against the real apiserver of llama-deploy 0.9.2 (Tests/Servers/llamadeploy.py), with the
/// workflows of Tests/LlamaDeploy: `echo` and `hitl` loaded at start, `greeter` created by a test.
@Suite("LlamaDeploy, against the real apiserver", .enabled(if: liveTestsEnabled, "needs the test command (BINDERY_LIVE=1)"))
struct LlamaDeployTests {
    static let apiserver = Task { try await LiveServer(script: "Tests/Servers/llamadeploy.py") }

    struct Received {
        var method: String
        var path: String
        var query: String
        var contentType: String?
        var body: String
    }

    let server: LiveServer
    let client: LlamaDeployClient

    init() async throws {
        server = try await Self.apiserver.value
        client = LlamaDeployClient(baseURL: server.baseURL, options: ClientOptions(environment: [:]))
    }

    func received(_ path: String) async -> [Received] {
        await server.records { record in
            guard record["path"] as? String == path else { return nil }
            return Received(
                method: record["method"] as? String ?? "", path: path, query: record["query"] as? String ?? "",
                contentType: record["content_type"] as? String, body: record["body"] as? String ?? "")
        }
    }

    struct Greeting: Encodable {
        var name: String
    }

    // MARK: The seed's flow

    @Test("Status, create a deployment from YAML, open a session, run a task, stream its events, read its result, delete the session")
    func seedFlow() async throws {
        let status = try await client.apiserver.status()
        #expect(status.status == .healthy)
        #expect(Set(status.deployments ?? []).isSuperset(of: ["echo", "hitl"]))
        #expect(status.statusMessage.hasPrefix("LlamaDeploy is up and running.\nActive deployments:"))
        #expect(status.statusMessage.contains("\n- echo"))

        let folder = Repository.url("Tests/LlamaDeploy/greeter")
        let greeter = try await client.apiserver.deployments.create(
            configFile: folder.appending(path: "deployment.yml"), basePath: folder.path)
        #expect(greeter.deploymentName == "greeter")
        let upload = try #require(await received("/deployments/create").first { $0.body.contains("name: greeter") })
        #expect(upload.contentType?.hasPrefix("multipart/form-data; boundary=") == true)
        #expect(upload.body.contains(#"name="config_file""#))
        #expect(upload.body.contains("name: greeter"))
        // Decoded as the server decodes it, so the checkout's path may hold any character ('.', '-', ' ').
        let items = URLComponents(string: "?" + upload.query)?.queryItems ?? []
        #expect(items.first { $0.name == "base_path" }?.value == folder.path, "\(upload.query)")

        let session = try await greeter.sessions.create()
        let task = try await greeter.tasks.create(TaskDefinition(arguments: Greeting(name: "Ada"), sessionID: session.sessionID))
        #expect(task.sessionID == session.sessionID)

        var events: [JSONValue] = []
        for try await event in try await task.events() { events.append(event) }
        #expect(events == [["msg": "looking up the name"], ["msg": "writing the greeting"], [:]])

        let result = try await task.results()
        #expect(result.result == "Hello, Ada!")
        #expect(result.taskID == task.taskID)

        try await greeter.sessions.delete(sessionID: session.sessionID)
        #expect(try await !greeter.sessions.list().contains { $0.sessionID == session.sessionID })

        let sent = try #require(await received("/deployments/greeter/tasks/create").first)
        #expect(sent.query == "session_id=\(session.sessionID)")
        let body = try JSONSerialization.jsonObject(with: Data(sent.body.utf8)) as? [String: Any]
        #expect(body?["input"] as? String == #"{"name":"Ada"}"#, "the arguments travel as a JSON string")
        let deletion = try #require(await received("/deployments/greeter/sessions/delete").first)
        #expect(deletion.method == "POST")
        #expect(deletion.query == "session_id=\(session.sessionID)")
    }

    // MARK: Tasks and events

    @Test("Run answers the workflow's result as JSON; arguments may be a dictionary of JSON values")
    func run() async throws {
        let echo = client.apiserver.deployment("echo")
        let answer = try await echo.tasks.run(TaskDefinition(arguments: ["message": JSONValue.string("hi")]))
        #expect(answer == "echo: hi")
        let noArguments = try await echo.tasks.run(TaskDefinition(input: ""))
        #expect(noArguments == "echo: ")
    }

    @Test("Run and create send the task's own session id; create answers a handle that carries it")
    func theTasksSessionTravels() async throws {
        let echo = client.apiserver.deployment("echo")
        let session = try await echo.sessions.create()
        let marker = UUID().uuidString
        _ = try await echo.tasks.run(TaskDefinition(arguments: ["message": JSONValue.string(marker)], sessionID: session.sessionID))
        let run = try #require(await received("/deployments/echo/tasks/run").first { $0.body.contains(marker) })
        #expect(run.query == "session_id=\(session.sessionID)")

        let task = try await echo.tasks.create(TaskDefinition(arguments: ["message": JSONValue.string("handle")], sessionID: session.sessionID))
        #expect(task.sessionID == session.sessionID)
        #expect(try await task.results().result == "echo: handle")
        let read = try #require(await received("/deployments/echo/tasks/\(task.taskID)/results").first)
        #expect(read.query == "session_id=\(session.sessionID)")

        let withoutSession = try await echo.tasks.create(TaskDefinition(arguments: ["message": JSONValue.string("new")]))
        #expect(withoutSession.sessionID != session.sessionID, "a task without a session gets a new one")
        #expect(try await withoutSession.results().result == "echo: new")
    }

    @Test("A deployment is created from YAML text as well as from a file; an unreadable file is a typed error, nothing sent")
    func createFromText() async throws {
        let folder = Repository.url("Tests/LlamaDeploy/greeter")
        let yaml = try String(contentsOf: folder.appending(path: "deployment.yml"), encoding: .utf8)
            .replacingOccurrences(of: "name: greeter", with: "name: greeter-text")
        let deployment = try await client.apiserver.deployments.create(config: yaml, basePath: folder.path)
        #expect(deployment.deploymentName == "greeter-text")
        let upload = try #require(await received("/deployments/create").first { $0.body.contains("name: greeter-text") })
        #expect(upload.body.contains(#"name="config_file"; filename="config_file""#))
        #expect(try await deployment.tasks.run(TaskDefinition(arguments: Greeting(name: "Bo"))) == "Hello, Bo!")

        let missing = folder.appending(path: "missing.yml")
        let error = try await #require(throws: BinderyError.self) {
            try await client.apiserver.deployments.create(configFile: missing, basePath: folder.path)
        }
        #expect(error.kind == .invalidRequest)
        #expect(error.message.contains("missing.yml"), "\(error)")
        #expect(error.attempts == 0, "nothing was sent")
    }

    @Test("Human in the loop: the question arrives on the stream before the task ends, the answer goes back through the API")
    func humanInTheLoop() async throws {
        let hitl = client.apiserver.deployment("hitl")
        // Created without a session: the server then keeps the running workflow's own context as the task's session,
        // which is the one a sent event must reach (a session made beforehand hands the workflow a copy).
        let handle = try await hitl.tasks.create(TaskDefinition(arguments: ["question": JSONValue.string("Who are you?")]))

        var types: [String] = []
        for try await event in try await handle.typedEvents() {
            types.append(event.qualifiedName)
            if event.qualifiedName.hasSuffix("InputRequiredEvent") {
                #expect(event.value["_data"]?["prefix"] == "Who are you?")
                // The workflow cannot end until this answer arrives, so the stream delivered this event while the
                // task was still running.
                let sent = try await handle.sendEvent(
                    EventDefinition(serviceID: "hitl_workflow", event: "workflows.events.HumanResponseEvent", fields: ["response": "bob"]))
                #expect(sent.serviceID == "hitl_workflow")
            }
        }
        #expect(types.first?.hasSuffix("InputRequiredEvent") == true)
        #expect(types.last == "workflows.events.StopEvent")
        #expect(try await handle.results().result == "hello, bob")
        let event = try #require(await received("/deployments/hitl/tasks/\(handle.taskID)/events").first { $0.method == "POST" })
        #expect(event.query == "session_id=\(handle.sessionID)")
        #expect(event.body.contains(#"\"qualified_name\":\"workflows.events.HumanResponseEvent\""#))
    }

    @Test("Events are not replayed: the server aborts a second stream of an ended task, a typed connection error")
    func eventsNotReplayed() async throws {
        let echo = client.apiserver.deployment("echo")
        let handle = try await echo.tasks.create(TaskDefinition(arguments: ["message": JSONValue.string("once"), "steps": 2]))
        var first: [JSONValue] = []
        for try await event in try await handle.events() { first.append(event) }
        #expect(first == [["msg": "step 0"], ["msg": "step 1"], [:]])
        // llama-index-workflows raises "All the streamed events have already been consumed" inside the response, so
        // the chunked body breaks off.
        let error = try await #require(throws: BinderyError.self) {
            for try await _ in try await handle.events() {}
        }
        #expect(error.kind == .connectionLost)
        #expect(error.operation == "apiserver.deployment.task.events")
    }

    @Test("Tasks, sessions and deployments list as typed values, and a session is got by its own id")
    func typedLists() async throws {
        let echo = client.apiserver.deployment("echo")
        let session = try await echo.sessions.create()
        let task = try await echo.tasks.create(TaskDefinition(arguments: ["message": JSONValue.string("listed")], sessionID: session.sessionID))
        let tasks = try await echo.tasks.list()
        let listed = try #require(tasks.first { $0.taskID == task.taskID })
        let arguments = try JSONSerialization.jsonObject(with: Data(listed.input.utf8)) as? [String: String]
        #expect(arguments == ["message": "listed"])
        #expect(try await echo.sessions.list().contains { $0.sessionID == session.sessionID })
        #expect(try await echo.sessions.get(sessionID: session.sessionID).sessionID == session.sessionID)
        #expect(try await client.apiserver.deployments.list().map(\.name).contains("echo"))
        #expect(try await client.apiserver.deployments.get(deploymentName: "hitl").name == "hitl")
        _ = try await task.results()

        // A listed task, re-attached without the session the caller no longer has, reads its result.
        #expect(listed.sessionID == nil, "0.9.2 lists tasks without their sessions")
        let reattached = try echo.tasks.handle(for: listed)
        #expect(try await reattached.results().result == "echo: listed")
        #expect(throws: BinderyError.self) { try echo.tasks.handle(for: TaskDefinition(input: "{}")) }
    }

    // MARK: The server

    @Test("The root links to the docs; metrics are empty when Prometheus is off")
    func rootAndMetrics() async throws {
        let links = try await client.apiserver.root()
        #expect(links.swaggerDocs.hasSuffix("/docs"))
        #expect(try await client.apiserver.metrics().isEmpty)
    }

    @Test("status() reports an unreachable server as down instead of throwing")
    func statusWhenDown() async throws {
        let nobody = LlamaDeployClient(
            baseURL: URL(string: "http://127.0.0.1:9")!,
            options: ClientOptions(retry: ExponentialBackoff(maxAttempts: 1), environment: [:]))
        let status = try await nobody.apiserver.status()
        #expect(status.status == .down)
        #expect(status.statusMessage == "API Server is down")
        let error = try await #require(throws: BinderyError.self) { try await nobody.apiserver.getStatus() }
        #expect(error.kind == .cannotConnect)
    }

    @Test("status() reports an error status as unhealthy with the server's text")
    func statusWhenUnhealthy() async throws {
        // Our fault server answers everything under /unhealthy/ with a text/plain 500.
        let failing = try await LiveServer(script: "Tests/Servers/faults.py")
        defer { failing.stop() }
        let unhealthy = LlamaDeployClient(
            baseURL: failing.baseURL.appending(path: "unhealthy/server/"), options: ClientOptions(environment: [:]))
        let status = try await unhealthy.apiserver.status()
        #expect(status.status == .unhealthy)
        #expect(status.statusMessage == "the database is gone")
        // The server prints each request before answering it, but its output is read on another thread: wait for
        // the line, then a little longer, so that a retry's line would show too.
        _ = await failing.waitForLines(1)
        try await Task.sleep(nanoseconds: 200_000_000)
        #expect(failing.lines.count == 1, "a 500 is not retried")
    }

    // MARK: Errors

    @Test("An unknown deployment is a typed 404 with the server's detail")
    func unknownDeployment() async throws {
        let error = try await #require(throws: BinderyError.self) {
            try await client.apiserver.deployment("nope").tasks.run(TaskDefinition(input: ""))
        }
        #expect(error.kind == .notFound)
        #expect(error.detail?["detail"]?.stringValue == "Deployment not found")
        #expect(error.operation == "apiserver.deployment.tasks.run")
    }

    @Test("The server's plain-text 500s are typed errors carrying the text, not decoding failures")
    func plainText500() async throws {
        let echo = client.apiserver.deployment("echo")
        let error = try await #require(throws: BinderyError.self) {
            try await echo.task("no-such-task", sessionID: "no-such-session").results()
        }
        #expect(error.kind == .server)
        #expect(error.statusCode == 500)
        #expect(error.detail == nil)
        #expect(String(decoding: error.body ?? Data(), as: UTF8.self) == "Internal Server Error")
        #expect(error.message.contains("Internal Server Error"))

        let duplicate = try await #require(throws: BinderyError.self) {
            try await client.apiserver.deployments.create(
                configFile: Repository.url("Tests/LlamaDeploy/echo.yml"), basePath: Repository.url("Tests/LlamaDeploy").path)
        }
        #expect(duplicate.kind == .server)
        #expect(duplicate.attempts == 1, "a POST whose 500 came back is not sent again")
    }

    /// After an unhandled exception uvicorn answers 500 and closes the connection without announcing it; a write
    /// sent right after on that connection used to wait, unanswered, for the whole read timeout, and then end as
    /// "outcome unknown".
    @Test("Writes right after the server's 500s are answered, each sent once")
    func writesAfterServerErrors() async throws {
        let client = LlamaDeployClient(
            baseURL: server.baseURL, options: ClientOptions(timeouts: Timeouts(connect: 5, read: 10), environment: [:]))
        let marker = UUID().uuidString
        for round in 0..<20 {
            let error = try await #require(throws: BinderyError.self) {
                try await client.apiserver.deployment("echo").tasks.run(TaskDefinition(input: "not json \(marker) \(round)"))
            }
            #expect(error.kind == .server, "round \(round): \(error)")
        }
        // The server logs a request after answering it: wait for all twenty (or ten seconds), then count.
        let runs = await server.records(atLeast: 20, timeout: 10) { record -> String? in
            guard record["path"] as? String == "/deployments/echo/tasks/run", let body = record["body"] as? String,
                body.contains(marker)
            else { return nil }
            return body
        }
        #expect(runs.count == 20, "each write reached the server once")
    }
}

@Suite("LlamaDeploy client, in memory")
struct LlamaDeployInMemoryTests {
    /// The spec's `version` reaches the wire: every request names the API's version and the runtime's.
    @Test func requestsNameTheAPIsVersionInTheirUserAgent() async throws {
        let transport = InMemoryTransport([.json(#"{"status": "Healthy", "deployments": []}"#)])
        let client = LlamaDeployClient(options: ClientOptions(transport: transport, environment: [:]))
        _ = try await client.apiserver.getStatus()
        #expect(transport.received.first?.request.headers["User-Agent"] == "LlamaDeploy/0.9.2 Bindery/\(APIClient.runtimeVersion)")
    }
}
