import BinderyRuntime
import BinderyTestSupport
import Foundation
import SynapseBackend
import Testing

/// The SynapseBackend bindings against the Django REST framework emulator in Tests/Servers/synapse (drf-chunked-upload
/// for chunked uploads, DRF page-number pagination, token auth).
@Suite("Synapse backend, against a DRF emulator", .enabled(if: liveTestsEnabled, "needs the test command (BINDERY_LIVE=1)"))
struct SynapseBackendTests {
    static let emulator = Task { try await LiveServer(script: "Tests/Servers/synapse/serve.py") }
    static let token = "emulator-access-token"

    struct Received {
        var method: String
        var path: String
        var query: String
        var headers: [String: String]
        var body: Any?
    }

    let server: LiveServer
    let client: SynapseBackendClient
    /// Sent by `client` as `X-Bindery-Test`: the tests of this suite run at once against one emulator, and each
    /// looks only at the requests of its own.
    let tag = UUID().uuidString

    /// Tags each request with the test that sent it.
    struct Tagging: Middleware {
        var tag: String
        func intercept(
            _ request: HTTPRequest, body: HTTPBody?, operation: String,
            next: @Sendable (HTTPRequest, HTTPBody?) async throws -> (HTTPResponse, StreamingResponse?)
        ) async throws -> (HTTPResponse, StreamingResponse?) {
            var request = request
            request.headers["X-Bindery-Test"] = tag
            return try await next(request, body)
        }
    }

    init() async throws {
        server = try await Self.emulator.value
        client = SynapseBackendClient(
            baseURL: server.baseURL, apiToken: Self.token, options: ClientOptions(middlewares: [Tagging(tag: tag)], environment: [:]))
    }

    /// What the emulator logged of this test's client (of any client, with `fromAnyClient`) that `matches` selects,
    /// once at least `count` such requests arrived.
    func received(atLeast count: Int = 1, fromAnyClient: Bool = false, where matches: (Received) -> Bool) async -> [Received] {
        await server.records(atLeast: count) { record in
            let body = (record["body"] as? String).flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) }
            let received = Received(
                method: record["method"] as? String ?? "", path: record["path"] as? String ?? "",
                query: record["query"] as? String ?? "", headers: record["headers"] as? [String: String] ?? [:], body: body)
            guard fromAnyClient || received.headers["X-Bindery-Test"] == tag else { return nil }
            return matches(received) ? received : nil
        }
    }

    /// A file of `size` bytes (sparse, all zeros) in a fresh temporary folder.
    static func file(_ size: Int64, named name: String = "data.bin") throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appending(path: "bindery-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let url = folder.appending(path: name)
        _ = FileManager.default.createFile(atPath: url.path, contents: nil)
        let handle = try FileHandle(forWritingTo: url)
        try handle.truncate(atOffset: UInt64(size))
        try handle.close()
        return url
    }

    // MARK: The seed's examples

    @Test("Get a project, walk every task, annotate one, upload 200 MiB in chunks as a data file, run a plugin and follow its job")
    func seedExamples() async throws {
        #expect(try await client.projects.get(id: 1).title == "Street scenes")

        var walked = 0
        for try await _ in client.tasks.listAll(project: 1) { walked += 1 }
        #expect(walked == 230)

        let annotation: JSONValue = ["annotations": [["type": "bbox", "coordinates": [10, 10, 100, 100]]]]
        _ = try await client.tasks.annotateTaskData(id: 3, annotation)
        #expect(try await client.tasks.get(id: 3).data?["index"] == 3)
        let stored = try #require(await received { $0.path == "/tasks/3/annotate_task_data/" }.last?.body as? [String: Any])
        #expect((stored["annotations"] as? [[String: Any]])?.first?["type"] as? String == "bbox")

        let size: Int64 = 200 << 20
        let reports = Locked<[Int64]>([])
        let dataFile = try await client.dataFiles.create(file: try Self.file(size, named: "large.zip")) { progress in
            reports.withLock { $0.append(progress.sent) }
        }
        #expect(dataFile.size == size)
        #expect(reports.withLock { $0 } == [0, 50 << 20, 100 << 20, 150 << 20, 200 << 20])

        let started = try await client.plugins.run(plugin: "yolo", PluginRunRequest(action: "train", params: ["epochs": 1]))
        #expect(started.status == .pending)
        let seen = Locked<[JSONValue]>([])
        let finished = try await client.jobs.follow(id: started.id).result { progress in
            seen.withLock { $0.append(progress.fields["progress_record"] ?? .null) }
        }
        #expect(finished.status == .succeeded)
        #expect(finished.result?["ok"] == true)
        #expect(seen.withLock { $0 }.contains(["percent": 50]))
        #expect(try await client.jobs.consoleLogs(id: started.id).results.map(\.message) == ["started", "finished"])
    }

    @Test("A job that fails is a typed error with its message")
    func failingJob() async throws {
        let started = try await client.plugins.run(plugin: "yolo", PluginRunRequest(action: "fail"))
        let error = try await #require(throws: BinderyError.self) { try await client.jobs.follow(id: started.id).result() }
        #expect(error.kind == .jobFailed)
        #expect(error.message == "CUDA out of memory")
        #expect(error.detail?["status"] == "FAILED")
    }

    // MARK: Client, auth, headers

    @Test("Every credential in its header, url_host on every request, tokens and host from the environment")
    func headersAndEnvironment() async throws {
        let marker = "h\(Int.random(in: 1000...9999))"
        let full = SynapseBackendClient(
            baseURL: server.baseURL, apiToken: Self.token, agentToken: "agent-\(marker)", tenant: "tenant-\(marker)",
            userToken: Self.token, urlHost: "internal", options: ClientOptions(environment: [:]))
        let page = try await full.tasks.list(project: 1, pageSize: 100)
        #expect(page.count == 230)
        let all = try await full.tasks.listAll(project: 1).reduce(into: 0) { count, _ in count += 1 }
        #expect(all == 230)
        let sent = await received(atLeast: 4, fromAnyClient: true) { $0.headers["Synapse-Agent"] == "Token agent-\(marker)" }
        #expect(sent.count == 4, "one page, then three pages walked")
        for request in sent {
            #expect(request.headers["Synapse-Access-Token"] == "Token \(Self.token)")
            #expect(request.headers["Synapse-Tenant"] == "Token tenant-\(marker)")
            #expect(request.headers["Authorization"] == "Token \(Self.token)")
            #expect(request.query.contains("url_host=internal"), "\(request.query)")
        }

        let fromEnvironment = SynapseBackendClient(
            options: ClientOptions(environment: ["SYNAPSE_HOST": server.baseURL.absoluteString, "SYNAPSE_API_TOKEN": Self.token]))
        #expect(try await fromEnvironment.projects.get(id: 1).title == "Street scenes")
        let legacy = SynapseBackendClient(
            options: ClientOptions(environment: ["SYNAPSE_HOST": server.baseURL.absoluteString, "SYNAPSE_ACCESS_TOKEN": Self.token]))
        #expect(try await legacy.projects.get(id: 1).id == 1)
        #expect(SynapseBackendClient.definition.timeouts.connect == 5)
        #expect(SynapseBackendClient.definition.timeouts.read == 30)
    }

    @Test("A missing object is a typed 404 with DRF's detail; a refused body is a typed validation error")
    func errors() async throws {
        let missing = try await #require(throws: BinderyError.self) { try await client.projects.get(id: 999) }
        #expect(missing.kind == .notFound)
        #expect(missing.detail?["detail"] == "Not found.")
        #expect(missing.operation == "projects.get")
        let refused = try await #require(throws: BinderyError.self) {
            try await client.tasks.annotateTaskData(id: 1, ["boxes": []], schema: .unknown("v0"))
        }
        #expect(refused.kind == .validation)
        #expect(refused.detail?["schema"] == [#""v0" is not a valid choice."#])
        let anonymous = SynapseBackendClient(baseURL: server.baseURL, options: ClientOptions(environment: [:]))
        let unauthorized = try await #require(throws: BinderyError.self) { try await anonymous.jobs.get(id: 1) }
        #expect(unauthorized.kind == .unauthorized)
        #expect(unauthorized.detail?["detail"] == "Authentication credentials were not provided.")
    }

    // MARK: Annotation

    @Test("Projects and tasks: get with expand, one page with count, every item, data and files views")
    func projectsAndTasks() async throws {
        let project = try await client.projects.get(id: 1)
        #expect(project.configuration?["classes"] == ["car"])
        let task = try await client.tasks.get(id: 7, expand: ["data_unit"])
        #expect(task.data?["index"] == 7)
        #expect(await received { $0.path == "/tasks/7/" }.first?.query == "expand=data_unit")
        let page = try await client.tasks.list(project: 1, pageSize: 50)
        #expect(page.count == 230)
        #expect(page.items.count == 50)
        let data = try await client.tasks.listData(project: 1).items
        #expect(data.first?.files == nil && data.first?.data?["index"] == 1)
        let files = try await client.tasks.listFiles(project: 1).items
        #expect(files.first?.files?["image"] == "https://files.example.com/tasks/1.png")
        var ids: [Int] = []
        for try await item in client.tasks.listAll(project: 1, pageSize: 100) { ids.append(item.id) }
        #expect(ids.count == 230 && ids.first == 1 && ids.last == 230)
    }

    @Test("File URLs are rewritten on every item of a walked list, not just the first page, and on single objects")
    func urlConversion() async throws {
        let local: @Sendable (String) -> String = { $0.replacingOccurrences(of: "https://files.example.com/", with: "file:///cache/") }
        var converted: [JSONValue] = []
        for try await task in client.tasks.listAll(project: 1, pageSize: 100).rewritingFileURLs(local) {
            converted.append(task.files?["image"] ?? .null)
        }
        #expect(converted.count == 230)
        #expect(converted.last == "file:///cache/tasks/230.png")
        #expect(converted.allSatisfy { $0.stringValue?.hasPrefix("file:///cache/tasks/") == true })
        let unit = try await client.dataUnits.get(id: 1).rewritingFileURLs(local)
        #expect(unit.files?["image"]?["url"] == "file:///cache/units/1.png")
        let model = try await client.models.get(id: 1).rewritingFileURLs(local)
        #expect(model.file == "file:///cache/models/yolo-street.pt")
        let page = try await client.assignments.list(project: 1).rewritingFileURLs(local)
        #expect(page.items.first?.files?["image"] == "file:///cache/tasks/1.png")
    }

    @Test("Create tasks, annotate one, tag and untag several")
    func annotationWrites() async throws {
        let created = try await client.tasks.create(TaskCreateRequest(project: 2, data: [["image": "a.png"], ["image": "b.png"]]))
        #expect(created["created"] == 2)
        guard case .array(let ids)? = created["ids"], case .integer(let first)? = ids.first, case .integer(let second)? = ids.last else {
            Issue.record("no ids in \(created)")
            return
        }
        let annotation: JSONValue = ["annotations": [["type": "bbox", "coordinates": [10, 10, 100, 100]]]]
        let annotated = try await client.tasks.annotateTaskData(id: first, annotation, schema: .dmSchemaV1)
        #expect(annotated["annotation"] == annotation)
        let sent = try #require(await received { $0.path == "/tasks/\(first)/annotate_task_data/" }.first)
        #expect(sent.method == "PUT")
        #expect(sent.query == "schema=dm_schema_v1")

        _ = try await client.tasks.setTags(SetTagsRequest(ids: [first, second], tags: [1, 2]))
        #expect(try await client.tasks.get(id: second).tags == [1, 2])
        _ = try await client.tasks.setTags(SetTagsRequest(ids: [second], tags: [1], action: .remove))
        #expect(try await client.tasks.get(id: second).tags == [2])
        let tagBodies = await received(atLeast: 2) { $0.path == "/tasks/set_tags/" }.compactMap { $0.body as? [String: Any] }
        #expect(tagBodies.contains { $0["action"] as? String == "add" && $0["ids"] as? [Int] == [first, second] })
    }

    @Test("Task tags: get and list")
    func taskTags() async throws {
        #expect(try await client.taskTags.get(id: 2).name == "night")
        #expect(try await client.taskTags.list(project: 1).items.map(\.name) == ["blurry", "night"])
    }

    // MARK: Core and data collections

    @Test("A chunked upload, then its state")
    func chunkedUpload() async throws {
        let file = try Self.file(3 << 20 + 17)
        let finished = try await client.chunkedUploads.create(file: file, chunkSize: 1 << 20).run()
        #expect(finished.completedAt != nil)
        let state = try await client.chunkedUploads.get(id: finished.id)
        #expect(state.offset == 3 << 20 + 17)
        #expect(state.completedAt != nil)
    }

    @Test("Data collections with their file specifications")
    func dataCollections() async throws {
        let collections = try await client.dataCollections.list()
        #expect(collections.items.map(\.name) == ["Street images"])
        let collection = try await client.dataCollections.get(id: 1)
        #expect(collection.fileSpecifications?.map(\.name) == ["image", "meta"])
        let asked = await received { $0.path == "/data_collections/1/" }.map(\.query)
        #expect(asked == ["expand=file_specifications"])
    }

    @Test("A small data file goes in one multipart request; the backend then knows its checksum")
    func smallDataFile() async throws {
        let file = try Self.file(1000, named: "small-\(UUID().uuidString.prefix(6)).bin")
        let created = try await client.dataFiles.create(file: file, useChunkedUpload: nil)
        #expect(created.size == 1000)
        #expect(created.checksum == "ede3d3b685b4e137ba4cb2521329a75e")  // md5 of 1000 zero bytes
        let upload = try #require(await received { $0.path == "/data_files/" && $0.method == "POST" }.last)
        #expect(upload.headers["Content-Type"]?.hasPrefix("multipart/form-data") == true)
        let known = try await client.dataFiles.verifyChecksums(ChecksumsRequest(checksums: [created.checksum, "0" * 32]))
        #expect(known["checksums"]?[created.checksum] == true)
        #expect(known["checksums"]?["0" * 32] == false)
    }

    @Test("A file above 50 MiB goes as a chunked upload by itself, with progress, then becomes a data file")
    func largeDataFile() async throws {
        let size: Int64 = 50 << 20 + 4096
        let file = try Self.file(size, named: "large.bin")
        let reports = Locked<[UploadProgress]>([])
        let created = try await client.dataFiles.create(file: file) { progress in reports.withLock { $0.append(progress) } }
        #expect(created.size == size)
        let progress = reports.withLock { $0 }
        #expect(progress.map(\.sent) == [0, 50 << 20, size])
        #expect(progress.last?.location != nil)
        let finalize = try #require(await received { $0.path == "/data_files/" && $0.body != nil }.last)
        #expect((finalize.body as? [String: Any])?["chunked_upload"] != nil)
    }

    @Test("An interrupted chunked data-file upload resumes from the server's offset, sending no chunk twice")
    func resumedDataFile() async throws {
        let size: Int64 = 3 << 20 + 12345
        let file = try Self.file(size, named: "resumed.bin")
        let location = Locked<URL?>(nil)
        let running = Locked<Task<DataFileResponse, any Error>?>(nil)
        let started = Locked(false)
        // The upload is interrupted right after the server accepted its first chunk.
        let interrupted = Task {
            while !started.withLock({ $0 }) { try await Task.sleep(nanoseconds: 1_000_000) }
            return try await client.dataFiles.create(file: file, useChunkedUpload: true, chunkSize: 1 << 20) { progress in
                guard progress.sent > 0, location.withLock({ $0 }) == nil else { return }
                location.withLock { $0 = progress.location }
                running.withLock { $0?.cancel() }
            }
        }
        running.withLock { $0 = interrupted }
        started.withLock { $0 = true }
        let cancelled = await #expect(throws: BinderyError.self) { try await interrupted.value }
        #expect(cancelled?.kind == .cancelled)

        let saved = try #require(location.withLock { $0 })
        let created = try await client.dataFiles.create(file: file, useChunkedUpload: true, resumingFrom: saved, chunkSize: 1 << 20)
        #expect(created.size == size)
        let uploadID = saved.path.split(separator: "/").last.map(String.init) ?? ""
        #expect(await received { $0.method == "GET" && $0.path == "/chunked_upload/\(uploadID)/" }.count >= 1,
                "the resumed upload asked the server how far it got")
        let stored: [String] = await server.records(atLeast: 4) { record in
            guard record["method"] as? String == "PUT", record["status"] as? Int == 200,
                let range = (record["headers"] as? [String: String])?["Content-Range"], range.hasSuffix("/\(size)")
            else { return nil }
            return range
        }
        #expect(stored.count == 4, "\(stored)")
        #expect(Set(stored).count == stored.count, "no chunk was stored twice: \(stored)")
    }

    @Test("Upload a data unit's files, then create the unit from them")
    func uploadDataFile() async throws {
        let image = try Self.file(300, named: "unit.png")
        let meta = try Self.file(20, named: "unit.json")
        let request = try await client.dataFiles.upload(["image": image, "meta": meta], collection: 1, meta: ["camera": "front"])
        #expect(request.files["image"]?["checksum"] == "4aa09c46db228e7f610ad440cd89c103")  // md5 of 300 zero bytes
        #expect(request.files["meta"]?["path"] == .string(meta.path))
        let created = try await client.dataUnits.create([request])
        guard case .array(let units) = created, let unit = units.first else { Issue.record("\(created)"); return }
        #expect(unit["data_collection"] == 1)
        #expect(unit["files"]?["image"]?["path"] == .string(image.path))
        let uploads = await received(atLeast: 2) { $0.path == "/data_files/" && $0.method == "POST" }
        #expect(uploads.count >= 2)
    }

    @Test("Data units: get, list, create")
    func dataUnits() async throws {
        #expect(try await client.dataUnits.get(id: 2).meta?["n"] == 2)
        #expect(try await client.dataUnits.list(dataCollection: 1).count ?? 0 >= 3)
        let created = try await client.dataUnits.create([
            DataUnitCreateRequest(dataCollection: 1, files: ["image": ["checksum": "abc", "path": "x.png"]], groups: ["city", "seoul"])
        ])
        guard case .array(let units) = created else { Issue.record("\(created)"); return }
        #expect(units.first?["groups"] == ["city", "seoul"])
        let sent = try #require(await received { $0.path == "/data_units/" && $0.method == "POST" }.last)
        #expect((sent.body as? [[String: Any]])?.first?["data_collection"] as? Int == 1)
    }

    // MARK: Human in the loop

    @Test("Assignments: get, pages, every item, data and files views, tags")
    func assignments() async throws {
        #expect(try await client.assignments.get(id: 3).task == 3)
        #expect(try await client.assignments.list(project: 1).count == 120)
        #expect(try await client.assignments.listAll(project: 1, pageSize: 50).reduce(into: 0) { n, _ in n += 1 } == 120)
        #expect(try await client.assignments.listData(project: 1).items.first?.data?["index"] == 1)
        #expect(try await client.assignments.listFiles(project: 1).items.first?.files != nil)
        _ = try await client.assignments.setTags(SetTagsRequest(ids: [100], tags: [7]))
        #expect(try await client.assignments.get(id: 100).tags == [7])
    }

    // MARK: Integration

    @Test("Agents: list and health check")
    func agents() async throws {
        let agent = try #require(try await client.agents.list().items.first)
        #expect(agent.status == "connected")
        #expect(try await client.agents.healthCheck(agentToken: agent.token ?? "")["status"] == "connected")
        #expect(await received { $0.path == "/agents/\(agent.token ?? "")/connect/" }.first?.method == "POST")
    }

    @Test("Plugins: get, create, update, run with the request's defaults")
    func plugins() async throws {
        #expect(try await client.plugins.get(id: 1).code == "yolo")
        let created = try await client.plugins.create(["code": .string("ocr-\(UUID().uuidString.prefix(4))"), "name": "OCR"])
        let updated = try await client.plugins.update(id: created.id, ["description": "Reads text"])
        #expect(updated.description == "Reads text")
        let job = try await client.plugins.run(plugin: "yolo", PluginRunRequest(action: "train", params: ["epochs": 3]))
        #expect(job.status == .pending)
        let run = try #require(await received { $0.path == "/plugins/yolo/run/" }.last)
        let body = try #require(run.body as? [String: Any])
        #expect(body["language"] as? String == "ko", "the default is always sent")
        #expect(body["agent"] == nil, "nil fields are left out")
    }

    @Test("Plugin releases: list, get, look up by code@version, create")
    func pluginReleases() async throws {
        #expect(try await client.pluginReleases.list(plugin: "yolo").items.first?.version == "1.0.0")
        #expect(try await client.pluginReleases.get(id: 1).plugin == 1)
        let found = try await client.pluginReleases.lookup(codeVersion: "yolo@1.0.0")
        #expect(found.plugin["code"] == "yolo")
        let released = try await client.pluginReleases.create(
            PluginReleaseCreateRequest(plugin: "yolo", version: "1.\(Int.random(in: 1...999)).0", requirements: ["numpy"]))
        #expect(released.plugin == 1)
    }

    @Test("Jobs: list, get, update, console logs, and tailing the console as it is written")
    func jobs() async throws {
        #expect(try await client.jobs.list(status: .running).items.contains { $0.id == 1 })
        #expect(try await client.jobs.get(id: 1).action == "train")
        let job = try await client.plugins.run(plugin: "1", PluginRunRequest(action: "deploy"))
        let updated = try await client.jobs.update(
            id: job.id, UpdateJobRequest(status: .succeeded, progressRecord: ["percent": 100], result: ["ok": true]))
        #expect(updated.status == .succeeded)
        #expect(await received { $0.path == "/jobs/\(job.id)/" }.last?.method == "PATCH")
        #expect(try await client.jobs.consoleLogs(id: 1).results.map(\.message) == ["epoch 1", "epoch 2", "epoch 3"])
        var tailed: [String] = []
        for try await line in try await client.jobs.tailConsoleLogs(id: 1) { tailed.append(line.message) }
        #expect(tailed == ["epoch 1", "epoch 2", "epoch 3"])
    }

    @Test("Logs and served applications")
    func logsAndServeApplications() async throws {
        let logged = try await client.logs.create([CreateLogsRequest(message: "started"), CreateLogsRequest(message: "done", level: "debug")])
        guard case .array(let entries) = logged else { Issue.record("\(logged)"); return }
        #expect(entries.last?["level"] == "debug")
        let sent = try #require(await received { $0.path == "/logs/" }.last?.body as? [[String: Any]])
        #expect(sent.first?["level"] as? String == "info")
        let served = try await client.serveApplications.create(ServeApplicationCreateRequest(job: 1, status: "running"))
        #expect(try await client.serveApplications.listAll().reduce(into: [Int]()) { $0.append($1.id) }.contains(served.id))
    }

    @Test("Storages: by category, with configuration, a provider the enum does not know")
    func storages() async throws {
        #expect(try await client.storages.list(category: .internal).items.map(\.name) == ["Default"])
        let external = try await client.storages.get(id: 2)
        #expect(external.category == .external)
        #expect(external.provider == .unknown("seaweedfs"))
        #expect(external.configuration["host"] == "nas.lab")
        #expect(try await client.storages.get(id: 1).provider == .amazonS3)
        #expect(await received { $0.path == "/storages/2/" }.first?.query == "with_configuration=true")
        let created = try await client.storages.create(
            StorageCreateRequest(name: "Scratch", category: .external, provider: .unknown("seaweedfs"), configuration: ["host": "s"]))
        #expect(created.provider == .unknown("seaweedfs"))
        let sent = try #require(await received { $0.path == "/storages/" && $0.method == "POST" }.last?.body as? [String: Any])
        #expect(sent["provider"] as? String == "seaweedfs")
        #expect(sent["is_default"] as? Bool == false)

        // The seed's example: no category; the answer has the one the backend chose.
        let seeds = try await client.storages.create(StorageCreateRequest(name: "My Storage", provider: .amazonS3, configuration: ["bucket": "b"]))
        #expect(seeds.category == .external)
        let body = try #require(await received { $0.path == "/storages/" && $0.method == "POST" }.last?.body as? [String: Any])
        #expect(body["name"] as? String == "My Storage" && body["category"] == nil, "no category is sent")
    }

    // MARK: ML

    @Test("Models: list, get, create from a chunked upload")
    func models() async throws {
        #expect(try await client.models.list().items.first?.name == "yolo-street")
        #expect(try await client.models.get(id: 1).checkpoint == 3)
        let upload = try await client.chunkedUploads.create(file: try Self.file(2048, named: "model.pt")).run()
        let model = try await client.models.create(
            ModelCreateRequest(name: "tiny", plugin: "yolo", version: "1.0.0", chunkedUpload: upload.id))
        #expect(model.name == "tiny")
    }

    @Test("Ground truths: events (all, data, files), ground truths, versions")
    func groundTruths() async throws {
        #expect(try await client.groundTruthEvents.list().count == 150)
        #expect(try await client.groundTruthEvents.listAll(groundTruthDatasetVersion: 2).reduce(into: 0) { n, _ in n += 1 } == 75)
        #expect(try await client.groundTruthEvents.listData().items.first?.files == nil)
        #expect(try await client.groundTruthEvents.listFiles().items.first?.files != nil)
        #expect(try await client.groundTruths.list().count == 5)
        #expect(try await client.groundTruthVersions.list().items.map(\.name) == ["v1", "v2"])
        #expect(try await client.groundTruthVersions.get(id: 2).name == "v2")
    }

    // MARK: The seed's interface, call by call

    /// The seed document's examples, top to bottom, in Swift. Where the seed and the published client differ, the
    /// seed's form is used here; the other tests use the published client's.
    @Test("The seed document's examples, as written, in order")
    func seedDocument() async throws {
        let project = try await client.projects.get(id: 1)
        #expect(project.title == "Street scenes")
        let task = try await client.tasks.get(id: 4, expand: ["data_unit"])
        #expect(task.dataUnit?["id"] == 4)
        _ = try await client.tasks.annotateTaskData(id: 4, ["annotations": [["type": "bbox", "coordinates": [10, 10, 100, 100]]]])
        #expect(try await client.tasks.list(project: 1).count == 230)
        var all = 0
        for try await _ in client.tasks.listAll() { all += 1 }
        #expect(all >= 230)
        let newTasks = try await client.tasks.createMany([NewTask(project: 123, dataUnit: 789), NewTask(project: 123, dataUnit: 790)])
        #expect(newTasks["created"] == 2)
        _ = try await client.tasks.setTags(SetTagsRequest(taskIDs: [4, 5], tagIDs: [1, 2, 3]))

        let collections = try await client.dataCollections.list()
        let collection = try await client.dataCollections.get(id: collections.items[0].id)
        #expect(collection.fileSpecifications?.map(\.name) == ["image", "meta"])
        let image = try Self.file(1000, named: "file.jpg")
        let dataFile = try await client.dataFiles.create(file: image)
        #expect(dataFile.size == 1000)
        let unit = try await client.dataFiles.upload(["image": image], collection: collection.id, meta: ["source": "seed"])
        _ = try await client.dataUnits.create([unit])

        #expect(try await client.assignments.get(id: 7).id == 7)
        #expect(try await client.assignments.list(project: 1).count == 120)
        _ = try await client.assignments.setTags(SetTagsRequest(assignmentIDs: [7, 8], tagIDs: [1, 2]))

        #expect(try await client.agents.healthCheck(agentToken: String(repeating: "a", count: 40))["status"] == "connected")
        #expect(try await client.plugins.get(id: 1).code == "yolo")
        let plugin = try await client.plugins.create(["code": "my-plugin", "name": "My Plugin", "description": "Plugin description"])
        #expect(try await client.plugins.update(id: plugin.id, ["description": "Updated description"]).description == "Updated description")
        let run = try await client.plugins.run(plugin: "1", PluginRunRequest(parameters: ["input": "value"], context: ["from": "seed"]))
        #expect(run.params == ["input": "value"])
        let archive = try Self.file(100, named: "plugin.zip")
        let release = try await client.pluginReleases.createWithFile(plugin: "my-plugin", version: "1.0.0", file: archive)
        #expect(try await client.pluginReleases.get(id: release.id).version == "1.0.0")

        _ = try await client.jobs.list(status: .running)
        let job = try await client.jobs.get(id: 1, expand: ["logs"])
        #expect(try await client.jobs.update(id: job.id, UpdateJobRequest(status: .succeeded)).status == .succeeded)
        #expect(try await client.jobs.consoleLogs(id: job.id).results.count == 3)

        #expect(try await client.storages.list().items.count >= 2)
        #expect(try await client.storages.get(id: 1).name == "Default")
        let storage = try await client.storages.create(StorageCreateRequest(name: "My Storage", category: .external, provider: .amazonS3))
        #expect(storage.name == "My Storage")

        #expect(try await client.models.list(project: 1).items.contains { $0.name == "yolo-street" })
        #expect(try await client.models.get(id: 1, expand: ["metrics"]).name == "yolo-street")
        let weights = try Self.file(2000, named: "model.pkl")
        #expect(try await client.models.create(ModelCreateRequest(name: "My Model", project: 123), file: weights).name == "My Model")

        var events = 0
        for try await _ in client.groundTruthEvents.listAll(groundTruthDatasetVersions: [1]) { events += 1 }
        #expect(events == 75)
        #expect(try await client.groundTruthVersions.get(id: 1).name == "v1")

        let error = try await #require(throws: BinderyError.self) { try await client.projects.get(id: 999) }
        #expect(error.statusCode == 404)
        #expect(error.response == ["detail": "Not found."])

        let firstPage = try await client.tasks.list(page: 1, pageSize: 100)
        #expect(firstPage.items.count == 100)
        var converted: AnnotationTask?
        for try await task in client.tasks.listAll(project: 1).rewritingFileURLs([.files: { @Sendable url in "https://cdn.example.com" + (URL(string: url)?.path ?? "") }]) {
            converted = task
            break
        }
        #expect(converted?.files?["image"] == "https://cdn.example.com/tasks/1.png")
    }

    @Test("get_task and the list calls take the seed's filters, and any call takes extra query items")
    func filtersAndExtraQuery() async throws {
        let project = try await client.projects.get(id: 1)
        #expect(project.category == "image")

        let task = try await client.send(SynapseBackendClient.Tasks.get(id: 5).addingQuery(["expand": "data_unit", "fields": "id"]))
        #expect(task.id == 5)
        let sent = try #require(await received { $0.path == "/tasks/5/" && $0.query.contains("expand=data_unit") }.first)
        #expect(sent.query == "expand=data_unit&fields=id")

        // A filter the spec does not declare, on a walk: the emulator filters by any field, like the backend.
        let projectID = Int.random(in: 1000...999_999)
        let created = try await client.tasks.create(TaskCreateRequest(project: projectID, data: [["n": 1], ["n": 2], ["n": 3]]))
        guard case .array(let values)? = created["ids"] else { Issue.record("no ids in \(created)"); return }
        let ids = values.compactMap { value -> Int? in if case .integer(let id) = value { Int(id) } else { nil } }
        #expect(ids.count == 3)
        _ = try await client.tasks.annotateTaskData(id: ids[0], ["done": true])
        _ = try await client.send(Request<JSONValue>("raw", .patch, "tasks/\(ids[0])/", body: .json(["status": "done"] as JSONValue), response: .json))
        var walked: [Int] = []
        for try await task in client.paginate(SynapseBackendClient.Tasks.list(project: projectID).addingQuery(["status": "new"])) {
            walked.append(task.id)
        }
        #expect(walked == Array(ids.dropFirst()), "the task that is done is filtered out")
        let walk = try #require(await received { $0.path == "/sdk/tasks/" && $0.query.contains("project=\(projectID)") }.first)
        #expect(walk.query == "project=\(projectID)&page_size=100&status=new")

        #expect(try await client.models.list(project: 1).items.map(\.name).contains("yolo-street"))
        #expect(try await !client.models.list(project: 99).items.map(\.name).contains("yolo-street"))
        _ = try await client.models.get(id: 1, expand: ["metrics"])
        #expect(await received { $0.path == "/models/1/" && $0.query == "expand=metrics" }.count == 1)

        let versions = try await client.groundTruthEvents.list(groundTruthDatasetVersions: [1, 2], pageSize: 200)
        #expect(versions.items.count == 150)
        let onlyTwo = try await client.groundTruthEvents.list(groundTruthDatasetVersions: [2], pageSize: 200)
        #expect(onlyTwo.items.count == 75)
        #expect(await received { $0.path == "/sdk/ground_truth_events/" && $0.query.contains("versions=1") }.first?.query
            == "ground_truth_dataset_versions=1&ground_truth_dataset_versions=2&page_size=200")
    }

    @Test("set_tags takes the seed's task_ids/assignment_ids and tag_ids as well as the published client's ids and tags")
    func setTagsBothShapes() async throws {
        _ = try await client.tasks.setTags(SetTagsRequest(taskIDs: [11, 12], tagIDs: [5]))
        #expect(try await client.tasks.get(id: 11).tags.contains(5))
        let tasks = try #require(await received { $0.path == "/tasks/set_tags/" && "\($0.body ?? "")".contains("task_ids") }.first)
        #expect((tasks.body as? [String: Any])?["task_ids"] as? [Int] == [11, 12])
        #expect((tasks.body as? [String: Any])?["ids"] == nil, "nil fields are left out")

        _ = try await client.assignments.setTags(SetTagsRequest(assignmentIDs: [101], tagIDs: [6]))
        #expect(try await client.assignments.get(id: 101).tags.contains(6))
    }

    @Test("get_job by id with expand, or by UUID; list_jobs by status; update_job")
    func jobsByIDAndUUID() async throws {
        let job = try await client.jobs.get(id: 1, expand: ["logs"])
        #expect(await received { $0.path == "/jobs/1/" && $0.query == "expand=logs" }.count == 1)
        let byUUID = try await client.jobs.getByUUID(uuid: UUID(uuidString: "6f1c1e2a-8f7e-4b7e-9d4e-2b1f0a5c9e11")!)
        #expect(byUUID.id == job.id)
        #expect(try await client.jobs.list(status: .running).items.contains { $0.id == 1 })
        let unknown = try await #require(throws: BinderyError.self) { try await client.jobs.getByUUID(uuid: UUID()) }
        #expect(unknown.kind == .notFound)
        // The seed's `e.response`: the error body, as JSON.
        #expect(unknown.response == ["detail": "Not found."])
    }

    @Test("create_plugin_release uploads the plugin's archive with its fields in one multipart request")
    func pluginReleaseWithFile() async throws {
        let archive = try Self.file(3000, named: "plugin.zip")
        let release = try await client.pluginReleases.createWithFile(
            plugin: "yolo", version: "3.0.0", file: archive, config: ["actions": ["infer": [:]]], debug: true)
        #expect(release.version == "3.0.0")
        #expect(release.config == ["actions": ["infer": [:]]])
        #expect(release.debug == true)
        let stored = try await client.pluginReleases.get(id: release.id)
        #expect(stored.version == "3.0.0")
        #expect(await received { $0.path == "/plugin_releases/" && $0.headers["Content-Type"]?.hasPrefix("multipart/form-data") == true }.count == 1)
        let raw = try await client.send(Request<JSONValue>("raw", .get, "plugin_releases/\(release.id)/", response: .json))
        #expect(raw["file"]?["name"] == "plugin.zip")
        #expect(raw["file"]?["size"] == 3000)
        #expect(raw["file"]?["md5"] == "0efa007088f326bbc072c34315f3edb8", "the MD5 of 3,000 zero bytes")
    }

    @Test("create_model sends the file as a chunked upload, then the model naming it")
    func modelWithFile() async throws {
        let weights = try Self.file(1 << 20, named: "model.pkl")
        let model = try await client.models.create(ModelCreateRequest(name: "My Model", project: 1), file: weights)
        #expect(model.name == "My Model")
        let registered = try #require(await received { $0.path == "/models/" && $0.method == "POST" }.last)
        let upload = try #require((registered.body as? [String: Any])?["chunked_upload"] as? String)
        let state = try await client.chunkedUploads.get(id: upload)
        #expect(state.offset == 1 << 20)
    }

    @Test("url_conversion maps each file field to its own rewrite, on one item and on a walk")
    func urlConversionPerField() async throws {
        let model = try await client.models.get(id: 1).rewritingFileURLs([.file: { "/local" + (URL(string: $0)?.path ?? "") }])
        #expect(model.file == "/local/models/yolo-street.pt")
        var first: AnnotationTask?
        for try await task in client.tasks.listAll(project: 1).rewritingFileURLs([.files: { @Sendable in $0.replacingOccurrences(of: "https://files.example.com", with: "https://cdn.example.com") }]) {
            first = task
            break
        }
        #expect(first?.files?["image"] == "https://cdn.example.com/tasks/1.png")
    }
}

private func * (text: String, count: Int) -> String { String(repeating: text, count: count) }

/// Naming a field that holds no file URL in `rewritingFileURLs` is a compile error, where it used to rewrite nothing
/// without a word: `MLModel`'s file field is `file`, not `files`.
@Suite struct FileURLFieldTests {
    @Test func aFieldWithoutFileURLsDoesNotCompile() async throws {
        func typechecked(_ field: String) async throws -> CommandResult {
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("file-url-fields-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: folder) }
            try """
                import SynapseBackend
                func local(_ model: MLModel) -> MLModel { model.rewritingFileURLs([.\(field): { "/local" + $0 }]) }
                """.write(to: folder.appendingPathComponent("Use.swift"), atomically: true, encoding: .utf8)
            return try await typecheck(folder, module: "Use")
        }
        let right = try await typechecked("file")
        #expect(right.status == 0, "\(right.output)")
        let wrong = try await typechecked("files")
        #expect(wrong.status != 0 && wrong.output.contains("has no member 'files'"), "\(wrong.output)")
    }
}
