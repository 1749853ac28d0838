import BinderyGenerator
import BinderyRuntime
import BinderyTestSupport
import Foundation
import LlamaDeployImported
import Testing

/// The LlamaDeploy apiserver's own OpenAPI document (Tests/LlamaDeployImport/openapi.json), imported by the plugin
/// with the additions of LlamaDeploy.bindery beside it, against the real apiserver of llama-deploy 0.9.2.
@Suite("LlamaDeploy imported from its OpenAPI document, against the real apiserver",
       .enabled(if: liveTestsEnabled, "needs the test command (BINDERY_LIVE=1)"))
struct LlamaDeployImportTests {
    static let apiserver = Task { try await LiveServer(script: "Tests/Servers/llamadeploy.py") }

    let server: LiveServer
    let client: LlamaDeployClient

    init() async throws {
        server = try await Self.apiserver.value
        client = LlamaDeployClient(baseURL: server.baseURL, options: ClientOptions(environment: [:]))
    }

    func received(_ path: String) async -> [(query: String, body: String, contentType: String)] {
        await server.records { record in
            guard record["path"] as? String == path else { return nil }
            return (record["query"] as? String ?? "", record["body"] as? String ?? "", record["content_type"] as? String ?? "")
        }
    }

    @Test("The document the target is built from is the one the server publishes, and it imports as the target's spec")
    func theDocumentIsTheServers() async throws {
        let data = try await client.send(Request<Data>("openapi", .get, "openapi.json", response: .bytes))
        let published = try Self.withoutSharedOperationIDs(data)
        let committed = try Self.withoutSharedOperationIDs(Data(contentsOf: Repository.url("Tests/LlamaDeployImport/openapi.json")))
        #expect(published.count > 10 && published == committed, "the server publishes another document: import it again")

        let extensions = try String(contentsOf: Repository.url("Tests/LlamaDeployImport/LlamaDeploy.bindery"), encoding: .utf8)
        // As the target reads it: without the UI proxy, whose methods share operationIds.
        let overlay = (try Repository.text("Tests/LlamaDeployImport/no-ui.overlay.yaml"), "no-ui.overlay.yaml")
        let imported = try OpenAPIImporter.importDocument(String(decoding: data, as: UTF8.self), file: "openapi.json", overlays: [overlay])
        let api = try Generator.check([SourceFile(name: "openapi.json", text: imported.spec), SourceFile(name: "LlamaDeploy.bindery", text: extensions)])
        #expect(api.name == "LlamaDeploy")
        let fromCommitted = try OpenAPIImporter.importDocument(
            String(contentsOf: Repository.url("Tests/LlamaDeployImport/openapi.json"), encoding: .utf8), file: "openapi.json", overlays: [overlay])
        #expect(imported.spec == fromCommitted.spec, "the operationIds FastAPI picks at random change the import")
        #expect(!imported.spec.contains("/ui"), "the overlay removed the UI proxy")
    }

    @Test("The documents our FastAPI emulators publish are the ones the import's golden tests read",
          arguments: ["github", "openai", "streams"])
    func emulatorDocuments(name: String) async throws {
        let emulator = try await LiveServer(script: "Tests/Servers/\(name).py")
        var headers = HTTPHeaders()
        headers.set("Authorization", "Bearer sk-test")
        let data = try await LlamaDeployClient(baseURL: emulator.baseURL, options: ClientOptions(environment: [:]))
            .send(Request<Data>("openapi", .get, "openapi.json", headers: headers, response: .bytes))
        let committed = try Data(contentsOf: Repository.url("Tests/BinderyGeneratorTests/OpenAPI/\(name).json"))
        #expect(try Self.withoutSharedOperationIDs(data) == Self.withoutSharedOperationIDs(committed),
                "Tests/Servers/\(name).py publishes another document: save it as Tests/BinderyGeneratorTests/OpenAPI/\(name).json")
    }

    /// A document's operations by path and method, without the operationIds FastAPI gives several methods of one
    /// route: it picks which method names them from a set, so they change from one server process to the next.
    static func withoutSharedOperationIDs(_ document: Data) throws -> [String: NSDictionary] {
        let root = try #require(try JSONSerialization.jsonObject(with: document) as? [String: Any])
        let paths = try #require(root["paths"] as? [String: [String: [String: Any]]])
        var operations: [String: [String: Any]] = [:]
        for (path, item) in paths { for (method, operation) in item { operations["\(method) \(path)"] = operation } }
        let ids = operations.values.compactMap { $0["operationId"] as? String }
        let shared = Set(ids.filter { id in ids.filter { $0 == id }.count > 1 })
        var result = operations.mapValues { operation in
            var operation = operation
            if let id = operation["operationId"] as? String, shared.contains(id) { operation["operationId"] = nil }
            return operation as NSDictionary
        }
        result["components"] = root["components"] as? NSDictionary
        return result
    }

    @Test("The seed's scenario: status, a deployment from a file, a session, a task, its events and result, the session deleted")
    func scenario() async throws {
        let status = try await client.status.get()
        #expect(status.status == .healthy)
        #expect(Set(status.deployments ?? []).isSuperset(of: ["echo", "hitl"]))

        let folder = Repository.url("Tests/LlamaDeploy/greeter")
        let created = try await client.deployments.create(configFile: folder.appending(path: "deployment.yml"), basePath: folder.path)
        #expect(created.name == "greeter")
        let upload = try #require(await received("/deployments/create").last { $0.body.contains("name: greeter") })
        #expect(upload.contentType.hasPrefix("multipart/form-data; boundary="))
        #expect(upload.body.contains(#"name="config_file""#))
        #expect(try await client.deployments.list().contains { $0.name == "greeter" })
        #expect(try await client.deployments.get(deploymentName: "greeter").name == "greeter")

        let greeter = client.deployments.deployment("greeter")
        let session = try await greeter.sessions.create()
        let sessionID = try #require(session.sessionID)
        let task = try await greeter.tasks.create(TaskDefinition(input: #"{"name":"Ada"}"#, sessionID: sessionID), sessionID: sessionID)
        let taskID = try #require(task.taskID)

        var events: [JSONValue] = []
        for try await event in try await greeter.tasks.task(taskID).events.stream(sessionID: sessionID) { events.append(event) }
        #expect(events == [["msg": "looking up the name"], ["msg": "writing the greeting"], [:]])

        let result = try #require(try await greeter.tasks.task(taskID).results(sessionID: sessionID))
        #expect(result.result == "Hello, Ada!")
        #expect(result.taskID == taskID)
        #expect(try await greeter.sessions.get(sessionID: sessionID).sessionID == sessionID)

        _ = try await greeter.sessions.delete(sessionID: sessionID)
        #expect(try await !greeter.sessions.list().contains { $0.sessionID == sessionID })

        let sent = try #require(await received("/deployments/greeter/tasks/create").last)
        #expect(sent.query == "session_id=\(sessionID)")
        let body = try JSONSerialization.jsonObject(with: Data(sent.body.utf8)) as? [String: Any]
        #expect(body?["input"] as? String == #"{"name":"Ada"}"#)
        #expect(await received("/deployments/greeter/sessions/delete").last?.query == "session_id=\(sessionID)")
    }

    @Test("Run answers the workflow's result; a failing call is a typed error naming the endpoint and FastAPI's detail")
    func runAndFail() async throws {
        let echo = client.deployments.deployment("echo")
        let answer = try await echo.tasks.run(TaskDefinition(input: #"{"message":"imported"}"#))
        #expect(answer == "echo: imported")
        let error = await #expect(throws: BinderyError.self) { try await client.deployments.get(deploymentName: "nowhere") }
        #expect(error?.kind == .notFound)
        #expect(error?.operation == "deployments.get")
        #expect(error?.message == "Deployment not found", "\(String(describing: error))")
        let invalid = await #expect(throws: BinderyError.self) {
            try await client.send(Request<JSONValue>("tasks.run", .post, "deployments/echo/tasks/run", body: .json(["nothing": 1]), response: .json))
        }
        let validation = try #require(try invalid?.body(as: HTTPValidationError.self))
        #expect(validation.detail?.first?.loc.last == .string("input"), "FastAPI's 422 read as the document's own model")
        #expect(validation.detail?.first?.type == "missing")
        #expect(throws: DecodingError.self, "a body that is not the model asked for") { try invalid?.body(as: [Int].self) }
    }
}
