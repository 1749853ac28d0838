import BinderyRuntime
import BinderyTestSupport
import Foundation
import SageSynapse
import Testing

/// The SageSynapse bindings against the emulator in Tests/Servers/sage.py: agent chat and table jobs that progress,
/// stall, fail and complete over time, behind bearer-token auth.
@Suite("Sage Synapse, against its emulator", .enabled(if: liveTestsEnabled, "needs the test command (BINDERY_LIVE=1)"))
struct SageSynapseTests {
    /// One emulator for the suite; each test works on its own sessions and jobs, and reads the log for those.
    static let emulator = Task { try await LiveServer(script: "Tests/Servers/sage.py") }

    struct Received {
        var method: String
        var path: String
        var authorization: String?
        var body: [String: Any]?
    }

    let server: LiveServer
    let client: SageSynapseClient

    init() async throws {
        server = try await Self.emulator.value
        client = SageSynapseClient(
            baseURL: server.baseURL.appending(path: "repo/v1"), authToken: "sage-token",
            options: ClientOptions(environment: [:]))
    }

    /// What the emulator received whose raw path contains `fragment`, once at least `count` such requests arrived.
    func received(_ fragment: String, atLeast count: Int = 1) async -> [Received] {
        await server.records(atLeast: count) { record in
            guard let path = record["path"] as? String, path.contains(fragment) else { return nil }
            return Received(
                method: record["method"] as? String ?? "", path: path, authorization: record["authorization"] as? String,
                body: record["body"] as? [String: Any])
        }
    }

    func newSession() async throws -> SageSynapseClient.Agent.Session {
        client.agent.session(try await client.agent.startSession(CreateAgentSessionRequest()).sessionID)
    }

    // MARK: The seed's example

    @Test("Start a session, send Hello with tracing on, get the response and the trace")
    func seedExample() async throws {
        let info = try await client.agent.startSession(CreateAgentSessionRequest(agentAccessLevel: .publiclyAccessible))
        let session = client.agent.session(info.sessionID)
        let answer = try await session.prompt("Hello", enableTrace: true)

        #expect(answer.response == "Hello! You said: Hello")
        #expect(answer.sessionID == info.sessionID)
        #expect(answer.trace == "Agent read the prompt 'Hello'")
        let start = try #require(await received("/agent/chat/async/start").first { $0.body?["sessionId"] as? String == info.sessionID })
        #expect(start.method == "POST")
        #expect(start.authorization == "Bearer sage-token")
        #expect(start.body?["concreteType"] as? String == "org.sagebionetworks.repo.model.agent.AgentChatRequest")
        #expect(start.body?["chatText"] as? String == "Hello")
        #expect(start.body?["enableTrace"] as? Bool == true)
        let polls = await received("/agent/chat/async/get/\(answer.id ?? "")")
        #expect(polls.count >= 2, "the job reports progress before answering, so it is polled more than once")
        let trace = try #require(await received("/agent/chat/trace/\(answer.id ?? "")").first)
        #expect(trace.method == "POST")
        #expect(trace.body?["jobId"] as? String == answer.id)
    }

    @Test("The seed's AgentPrompt, built and sent as written: its id, response and trace are filled in")
    func seedAgentPrompt() async throws {
        let session = try await newSession()
        let agentPrompt = AgentPrompt(id: nil, sessionID: session.sessionID, prompt: "Hello", response: nil, enableTrace: true, trace: nil)
        let sent = try await agentPrompt.sendJobAndWait(using: client, newerThan: 1_700_000_000_000)
        #expect(sent.response == "Hello! You said: Hello")
        #expect(sent.trace == "Agent read the prompt 'Hello'")
        let id = try #require(sent.id)
        let trace = try #require(await received("/agent/chat/trace/\(id)").first)
        #expect(trace.body?["newerThanTimestamp"] as? Int64 == 1_700_000_000_000, "post_exchange_args' newer_than")
        #expect(agentPrompt.id == nil && agentPrompt.response == nil, "the prompt itself is a value, left as it was")
    }

    @Test("Grid jobs: start a session, import, download, synchronize and export it, each typed both ways")
    func gridJobs() async throws {
        let created = try await client.grids.createSession(CreateGridRequest(recordSetID: "syn800")).result()
        let session = try #require(created.gridSession)
        #expect(session.sourceEntityID == "syn800")
        #expect(session.gridJSONSchemaID == "org-schema-1", "a wire name with a $ has a Swift name of its own")
        let start = try #require(await received("/grid/session/async/start").first { $0.body?["recordSetId"] as? String == "syn800" })
        #expect(start.body?["concreteType"] as? String == "org.sagebionetworks.repo.model.grid.CreateGridRequest")

        let imported = try await client.grids.importCSV(GridCSVImportRequest(
            sessionID: session.sessionID, fileHandleID: "fh-1", schema: [ColumnModel(name: "name", columnType: .string)])).result()
        #expect(imported.sessionID == session.sessionID)
        #expect([imported.totalCount, imported.createdCount, imported.updatedCount] == [3, 2, 1])
        let download = try await client.grids.downloadCSV(DownloadFromGridRequest(sessionID: session.sessionID)).result()
        #expect(download.resultsFileHandleID == "fh-" + session.sessionID)
        let sent = try #require(await received("/grid/download/csv/async/start").first { $0.body?["sessionId"] as? String == session.sessionID })
        #expect(sent.body?["writeHeader"] as? Bool == true)
        #expect(try await client.grids.synchronize(SynchronizeGridRequest(gridSessionID: session.sessionID)).result().errorMessages
            == ["row 3: no such column"])
        let export = try await client.grids.exportRecordSet(GridRecordSetExportRequest(sessionID: session.sessionID)).result()
        #expect(export.recordSetID == "syn900" && export.recordSetVersionNumber == 2)
    }

    @Test("The download list's manifest and JSON schemas are typed jobs too")
    func manifestAndSchemas() async throws {
        #expect(try await client.downloadList.manifest(DownloadListManifestRequest()).result().resultFileHandleID == "fh-manifest")
        let validation = try await client.schemas.validationSchema(GetValidationSchemaRequest(schemaID: "org-schema-1")).result()
        #expect(validation.validationSchema == ["$id": "org-schema-1", "type": "object"])
        let sent = try #require(await received("/schema/type/validation/async/start").first)
        #expect(sent.body?["$id"] as? String == "org-schema-1")
        let schema: JSONValue = ["type": "object", "properties": ["name": ["type": "string"]]]
        let created = try await client.schemas.create(CreateSchemaRequest(schema: schema, dryRun: true)).result()
        #expect(created.validationSchema == schema)
        #expect(created.newVersionInfo?["semanticVersion"] == "1.0.0")
    }

    /// The three kinds the published client has no models for, as JSON: started, polled, answered.
    static let jsonKinds: [(String, String)] = [
        ("grid.GridQueryJobRequest", "grid/session/query"), ("search.table.SearchIndexQuery", "search/query"),
        ("curation.ComputeTaskExecutionRequest", "curation/task/task-7/execute"),
    ]

    @Test("Grid queries, search and curation tasks are calls with JSON bodies", arguments: jsonKinds)
    func jsonJobKinds(kind: String, uri: String) async throws {
        let body: JSONValue = ["concreteType": .string("org.sagebionetworks.repo.model." + kind), "marker": .string(uri)]
        let job: Job<JSONValue> = switch kind {
        case "grid.GridQueryJobRequest": try await client.grids.querySession(body)
        case "search.table.SearchIndexQuery": try await client.search.query(body)
        default: try await client.curation.computeTaskExecution(taskID: "task-7", body)
        }
        let answer = try await job.result()
        #expect(answer["request"] == body)
        #expect(answer["concreteType"]?.stringValue?.hasPrefix("org.sagebionetworks.repo.model.") == true)
        let token = try #require(try job.started?.string("token"))
        #expect(await received("/\(uri)/async/get/\(token)").count >= 1)
    }

    @Test("A prompt without tracing reads no trace")
    func promptWithoutTrace() async throws {
        let answer = try await newSession().prompt("Hi")
        #expect(answer.response == "Hello! You said: Hi")
        #expect(answer.trace == nil)
        #expect(await received("/agent/chat/trace/\(answer.id ?? "")", atLeast: 0).isEmpty, "the trace is read before prompt returns")
    }

    // MARK: Registrations and sessions

    @Test("Register an agent, register it again, and get the registration")
    func registrations() async throws {
        let agentID = "agent-\(UUID().uuidString.prefix(8))"
        let first = try await client.agent.register(AgentRegistrationRequest(awsAgentID: agentID))
        let again = try await client.agent.register(AgentRegistrationRequest(awsAgentID: agentID))
        #expect(first.agentRegistrationID == again.agentRegistrationID)
        #expect(first.awsAliasID == "TSTALIASID")
        #expect(first.type == .custom)
        #expect(first.registeredOn != nil)
        let fetched = try await client.agent.registration(registrationID: first.agentRegistrationID)
        #expect(fetched == first)
        let sent = await received("/agent/registration").filter { $0.body?["awsAgentId"] as? String == agentID }
        #expect(sent.map(\.method) == ["PUT", "PUT"])
        #expect(sent.allSatisfy { $0.body?["awsAliasId"] == nil }, "a nil alias is left out for the server's default")

        let session = try await client.agent.startSession(
            CreateAgentSessionRequest(agentAccessLevel: .readYourPrivateData, agentRegistrationID: first.agentRegistrationID))
        #expect(session.agentRegistrationID == first.agentRegistrationID)
        #expect(session.agentAccessLevel == .readYourPrivateData)
    }

    @Test("An unknown registration is a typed 404 with the server's reason")
    func unknownRegistration() async throws {
        let error = try await #require(throws: BinderyError.self) {
            try await client.agent.registration(registrationID: "nope/../1")
        }
        #expect(error.kind == .notFound)
        #expect(error.statusCode == 404)
        #expect(error.detail?["reason"]?.stringValue == "Agent registration nope/../1 does not exist")
        #expect(error.operation == "agent.registration")
        #expect(await received("/agent/registration/nope%2F..%2F1").count == 1, "the id stays one path segment")
    }

    @Test("Get a session and change its access level")
    func sessions() async throws {
        let session = try await newSession()
        let before = try await session.get()
        #expect(before.agentAccessLevel == .publiclyAccessible)
        #expect(before.startedBy == 3350396)
        let after = try await session.update(
            UpdateAgentSessionRequest(sessionID: session.sessionID, agentAccessLevel: .writeYourPrivateData))
        #expect(after.agentAccessLevel == .writeYourPrivateData)
        #expect(after.etag != before.etag)
        #expect(try await session.get().agentAccessLevel == .writeYourPrivateData)
        let update = try #require(await received("/agent/session/\(session.sessionID)").first { $0.method == "PUT" })
        #expect(update.body?["agentAccessLevel"] as? String == "WRITE_YOUR_PRIVATE_DATA")
    }

    // MARK: Waiting for jobs

    @Test("Progress is observable, and a job that keeps progressing outlives a short timeout")
    func progressRestartsTimeout() async throws {
        // Patience is measured on a manual clock, which only the waits between polls move: the 1 s timeout holds
        // however slowly a loaded machine answers each poll.
        let patient = SageSynapseClient(
            baseURL: server.baseURL.appending(path: "repo/v1"), authToken: "sage-token",
            options: ClientOptions(environment: [:], clock: ManualClock()))
        let session = patient.agent.session(try await patient.agent.startSession(CreateAgentSessionRequest()).sessionID)
        let seen = Locked<[Int]>([])
        let answer = try await session.prompt("slow", timeout: 1) { progress in
            if case .integer(let current)? = progress.fields["progressCurrent"] { seen.withLock { $0.append(current) } }
        }
        #expect(answer.response == "Hello! You said: slow")
        let currents = seen.withLock { $0 }
        #expect(currents == Array(0..<12), "every poll brought new progress")
    }

    @Test("A job without progress times out, saying how long it waited")
    func stalledJobTimesOut() async throws {
        let error = try await #require(throws: BinderyError.self) {
            try await newSession().prompt("stall", timeout: 1)
        }
        #expect(error.kind == .timedOut)
        #expect(error.message.contains("made no progress for"))
        #expect(error.message.contains("timeout 1.0 s"))
    }

    @Test("A FAILED job is a typed error with the server's message and details")
    func failedJob() async throws {
        let error = try await #require(throws: BinderyError.self) { try await newSession().prompt("fail") }
        #expect(error.kind == .jobFailed)
        #expect(error.message == "The agent could not answer\nThrottlingException: Rate exceeded")
        #expect(error.detail?["jobState"]?.stringValue == "FAILED")
        #expect(error.operation == "agent.chatResult")
    }

    @Test("Cancelling the task stops polling")
    func cancellation() async throws {
        let session = try await newSession()
        let job = try await client.agent.chat(AgentChatRequest(sessionID: session.sessionID, chatText: "stall"))
        let token = try #require(try job.started?.string("token"))
        let waiting = Task { try await job.result(timeout: .infinity) }
        _ = await received("/agent/chat/async/get/\(token)", atLeast: 2)
        waiting.cancel()
        let error = await #expect(throws: BinderyError.self) { try await waiting.value }
        #expect(error?.kind == .cancelled)
        let pollsAtCancel = await received("/agent/chat/async/get/\(token)").count
        try await Task.sleep(nanoseconds: 1_500_000_000)
        #expect(await received("/agent/chat/async/get/\(token)").count == pollsAtCancel)
    }

    @Test("A job started earlier is awaited later from its token alone, by a new client")
    func awaitLaterFromToken() async throws {
        let session = try await newSession()
        let token = try #require(
            try await client.agent.chat(AgentChatRequest(sessionID: session.sessionID, chatText: "later")).started?.string("token"))
        let restarted = SageSynapseClient(
            baseURL: server.baseURL.appending(path: "repo/v1"),
            options: ClientOptions(environment: ["SYNAPSE_AUTH_TOKEN": "sage-token"]))
        let answer = try await restarted.agent.chatResult(token: token).result()
        #expect(answer.responseText == "Hello! You said: later")
        #expect(await received("/agent/chat/async/get/\(token)").allSatisfy { $0.authorization == "Bearer sage-token" })
    }

    @Test("Without a token the service answers 401, a typed error")
    func unauthorized() async throws {
        let anonymous = SageSynapseClient(baseURL: server.baseURL.appending(path: "repo/v1"), options: ClientOptions(environment: [:]))
        let error = try await #require(throws: BinderyError.self) {
            try await anonymous.agent.startSession(CreateAgentSessionRequest())
        }
        #expect(error.kind == .unauthorized)
        #expect(error.detail?["reason"]?.stringValue == "Invalid access token")
    }

    // MARK: Table jobs

    @Test("A table query fills {entityId} from the body as one encoded segment and decodes the rows")
    func tableQuery() async throws {
        let entityID = "syn 1/\(UUID().uuidString.prefix(6))"
        let job = try await client.tables.query(
            QueryBundleRequest(entityID: entityID, query: Query(sql: "SELECT * FROM syn1", limit: 10), partMask: 0x1 | 0x2 | 0x4))
        let bundle = try await job.result()
        let rows = try #require(bundle.queryResult?.queryResults.rows)
        #expect(rows.map(\.values) == [["Ada", "36"], ["Grace", nil]])
        #expect(bundle.queryResult?.queryResults.tableID == entityID)
        #expect(bundle.selectColumns?.map(\.columnType) == [.string, .integer])
        #expect(bundle.queryCount == 2)
        let encoded = entityID.replacingOccurrences(of: " ", with: "%20").replacingOccurrences(of: "/", with: "%2F")
        let sent = await received("/entity/\(encoded)/table/query/async/")
        let start = try #require(sent.first)
        #expect(start.path == "/repo/v1/entity/\(encoded)/table/query/async/start")
        #expect(start.body?["concreteType"] as? String == "org.sagebionetworks.repo.model.table.QueryBundleRequest")
        #expect((start.body?["query"] as? [String: Any])?["sql"] as? String == "SELECT * FROM syn1")
        #expect(start.body?["partMask"] as? Int == 7)
        #expect(sent.dropFirst().allSatisfy { $0.method == "GET" && $0.path.contains("/async/get/") })
    }

    @Test("A query of a missing table fails with the server's message")
    func tableQueryFails() async throws {
        let job = try await client.tables.query(QueryBundleRequest(entityID: "syn404", query: Query(sql: "SELECT * FROM syn404")))
        let error = try await #require(throws: BinderyError.self) { try await job.result() }
        #expect(error.kind == .jobFailed)
        #expect(error.message == "Table syn404 does not exist\norg.sagebionetworks.repo.web.NotFoundException")
    }

    @Test("A CSV download answers the file handle it wrote")
    func csvDownload() async throws {
        let job = try await client.tables.downloadCSV(
            DownloadFromTableRequest(entityID: "syn5", sql: "SELECT name FROM syn5", csvTableDescriptor: CSVTableDescriptor(separator: "\t")))
        let result = try await job.result()
        #expect(result.resultsFileHandleID == "fh-77")
        #expect(result.tableID == "syn5")
        let start = try #require(await received("/entity/syn5/table/download/csv/async/start").first)
        #expect(start.body?["writeHeader"] as? Bool == true)
        #expect((start.body?["csvTableDescriptor"] as? [String: Any])?["separator"] as? String == "\t")
    }

    @Test("An update transaction's polymorphic changes and results, an unknown concreteType included")
    func updateTransaction() async throws {
        let entityID = "syn\(Int.random(in: 100_000...999_999))"
        let future: JSONValue = ["concreteType": "org.sagebionetworks.repo.model.table.FutureChangeRequest", "entityId": .string(entityID)]
        let job = try await client.tables.update(
            TableUpdateTransactionRequest(
                entityID: entityID,
                changes: [
                    .schemaChange(TableSchemaChangeRequest(entityID: entityID, changes: [ColumnChange(newColumnID: "42")])),
                    .appendRows(AppendableRowSetRequest(entityID: entityID, toAppend: ["rows": []])),
                    .uploadCSV(UploadToTableRequest(tableID: entityID, uploadFileHandleID: "fh-1")),
                    .unknown(future),
                ]))
        let response = try await job.result()
        #expect(response.results.count == 4)
        guard case .schemaChange(let schema) = response.results[0] else { Issue.record("\(response.results[0])"); return }
        #expect(schema.schema.map(\.id) == ["42"])
        guard case .appendRows = response.results[1] else { Issue.record("\(response.results[1])"); return }
        guard case .uploadCSV(let upload) = response.results[2] else { Issue.record("\(response.results[2])"); return }
        #expect(upload.rowsProcessed == 3)
        guard case .unknown(let unknown) = response.results[3] else { Issue.record("\(response.results[3])"); return }
        #expect(unknown["concreteType"]?.stringValue == "org.sagebionetworks.repo.model.table.FutureChangeResponse")
        #expect(unknown["echo"] == future)
        let start = try #require(await received("/entity/\(entityID)/table/transaction/async/start").first)
        let kinds = (start.body?["changes"] as? [[String: Any]])?.map { $0["concreteType"] as? String ?? "" }
        #expect(kinds?.map { $0.split(separator: ".").last.map(String.init) ?? "" }
            == ["TableSchemaChangeRequest", "AppendableRowSetRequest", "UploadToTableRequest", "FutureChangeRequest"])
    }

    @Test("A CSV upload preview suggests columns")
    func csvPreview() async throws {
        let job = try await client.tables.previewCSVUpload(UploadToTablePreviewRequest(uploadFileHandleID: "fh-9", linesToSkip: 0))
        let preview = try await job.result()
        #expect(preview.suggestedColumns.map(\.name) == ["name", "age"])
        #expect(preview.suggestedColumns.first?.maximumSize == 50)
        #expect(preview.sampleRows.first?.values == ["Ada", "36"])
    }

    @Test("A job's full status carries its request and, once done, its response, by concreteType")
    func jobStatus() async throws {
        let session = try await newSession()
        let job = try await client.agent.chat(AgentChatRequest(sessionID: session.sessionID, chatText: "status"))
        let token = try #require(try job.started?.string("token"))
        let running = try await client.jobs.status(jobID: token)
        #expect(running.jobState == .processing)
        #expect(running.progressTotal == 3)
        guard case .agentChat(let request)? = running.requestBody else { Issue.record("\(String(describing: running.requestBody))"); return }
        #expect(request.chatText == "status")
        #expect(running.responseBody == nil)
        _ = try await job.result()
        let done = try await client.jobs.status(jobID: token)
        #expect(done.jobState == .complete)
        guard case .agentChat(let response)? = done.responseBody else { Issue.record("\(String(describing: done.responseBody))"); return }
        #expect(response.responseText == "Hello! You said: status")
    }
}
