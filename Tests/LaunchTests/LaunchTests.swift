import BinderyRuntime
import BinderyTestSupport
import Foundation
import Launch
import Testing

/// The Launch bindings against the model-engine emulator in Tests/Servers/launch.py (FastAPI with sse-starlette):
/// sync, async and streaming endpoints, behind HTTP Basic auth with the API key as user name.
@Suite("Launch, against a model-engine emulator", .enabled(if: liveTestsEnabled, "needs the test command (BINDERY_LIVE=1)"))
struct LaunchTests {
    static let emulator = Task { try await LiveServer(script: "Tests/Servers/launch.py") }

    struct Received {
        var method: String
        var path: String
        var query: [String: String]
        var authorization: String?
        var headers: [String: String]
        var body: [String: Any]?
    }

    let server: LiveServer
    let client: LaunchClient

    init() async throws {
        server = try await Self.emulator.value
        client = LaunchClient(baseURL: server.baseURL, apiKey: "launch-key", options: ClientOptions(environment: [:]))
    }

    /// The requests the emulator logged that `matches` selects, once at least `count` of them arrived.
    func received(atLeast count: Int = 1, where matches: (Received) -> Bool) async -> [Received] {
        await server.records(atLeast: count) { record in
            let received = Received(
                method: record["method"] as? String ?? "", path: record["path"] as? String ?? "",
                query: record["query"] as? [String: String] ?? [:], authorization: record["authorization"] as? String,
                headers: record["headers"] as? [String: String] ?? [:], body: record["body"] as? [String: Any])
            return matches(received) ? received : nil
        }
    }

    /// A marker to find this test's requests in the shared emulator's log.
    static func marker() -> String { UUID().uuidString }

    func syncEndpoint(_ name: String) async throws -> SyncEndpoint {
        guard case .sync(let endpoint) = try await client.endpoint(named: name) else { throw ServerFailure("\(name) is not sync") }
        return endpoint
    }

    func asyncEndpoint(_ name: String) async throws -> AsyncEndpoint {
        guard case .async(let endpoint) = try await client.endpoint(named: name) else { throw ServerFailure("\(name) is not async") }
        return endpoint
    }

    func streamingEndpoint(_ name: String) async throws -> StreamingEndpoint {
        guard case .streaming(let endpoint) = try await client.endpoint(named: name) else {
            throw ServerFailure("\(name) is not streaming")
        }
        return endpoint
    }

    // MARK: The seed's three flows

    @Test("Sync predict: the answer, Basic auth with the key as user name, the body and extra headers as sent")
    func syncPredict() async throws {
        let marker = Self.marker()
        let endpoint = try await syncEndpoint("echo-sync")
        let response = try await endpoint.predict(
            EndpointRequest(args: ["text": .string(marker)], extraHeaders: ["X-Request-Source": "tests"]), timeout: 30, retries: 2)
        #expect(response.status == .success)
        #expect(response.result == ["echo": ["text": .string(marker)]])
        #expect(response.statusCode == 200)
        #expect(response.traceback == nil)

        let sent = try #require(await received { ($0.body?["args"] as? [String: Any])?["text"] as? String == marker }.first)
        #expect(sent.method == "POST")
        #expect(sent.path == "/v1/sync-tasks")
        #expect(sent.query == ["model_endpoint_id": endpoint.model.id])
        #expect(sent.authorization == "Basic " + Data("launch-key:".utf8).base64EncodedString())
        #expect(sent.headers["x-request-source"] == "tests")
        #expect(sent.body?["return_pickled"] as? Bool == false)
        #expect(sent.body?["timeout_seconds"] as? Double == 30)
        #expect(sent.body?["num_retries"] as? Int == 2)
        #expect(sent.body?["url"] == nil)
    }

    @Test("Async predict, then get: PENDING and STARTED are polled until SUCCESS; callback fields as sent")
    func asyncPredict() async throws {
        let marker = Self.marker()
        let endpoint = try await asyncEndpoint("echo-async")
        let future = try await endpoint.predict(
            EndpointRequest(
                args: ["text": .string(marker)], callbackURL: "https://hooks.example.com/done",
                callbackAuth: .basic(CallbackBasicAuth(username: "hook", password: "hook-secret"))))
        let response = try await future.get(timeout: 30)
        #expect(response.status == .success)
        #expect(response.result == ["echo": ["text": .string(marker)]])
        #expect(response.statusCode == 200)

        let start = try #require(await received { ($0.body?["args"] as? [String: Any])?["text"] as? String == marker }.first)
        #expect(start.path == "/v1/async-tasks")
        #expect(start.query == ["model_endpoint_id": endpoint.model.id])
        #expect(start.body?["callback_url"] as? String == "https://hooks.example.com/done")
        let auth = start.body?["callback_auth"] as? [String: String]
        #expect(auth == ["kind": "basic", "username": "hook", "password": "hook-secret"])
        // The emulator's log is read as it comes: wait (at most 5 s) for the second poll's line, not only the first.
        let polls = await received(atLeast: 2) { $0.path == "/v1/async-tasks/\(future.taskID)" }
        #expect(polls.count >= 2, "the first poll always finds the task PENDING")
    }

    @Test("Streaming predict: one EndpointResponse per event, the first before the server sends the rest")
    func streamingPredict() async throws {
        let key = Self.marker()
        let endpoint = try await streamingEndpoint("echo-stream")
        let stream = try await endpoint.predict(EndpointRequest(args: ["items": ["Hel", "lo", "!"], "hold": .string(key)]))
        var items: [JSONValue] = []
        for try await response in stream {
            #expect(response.status == .success)
            #expect(response.statusCode == 200)
            items.append(response.result?["item"] ?? .null)
            #expect(response.result?["released"] == .bool(true), "the stream went on only once the client had the first event")
            if items.count == 1 {
                _ = try await client.send(Request<JSONValue>("test.release", .post, "test/release/\(key)", response: .json))
            }
        }
        #expect(items == ["Hel", "lo", "!"])
        let sent = try #require(await received { $0.path == "/v1/streaming-tasks" && ($0.body?["args"] as? [String: Any])?["hold"] as? String == key }.first)
        #expect(sent.query == ["model_endpoint_id": endpoint.model.id])
        #expect(sent.authorization?.hasPrefix("Basic ") == true)
    }

    // MARK: Failures reported as results

    @Test("A sync upstream failure is a 200 with status FAILURE, and comes back as such with its traceback")
    func syncFailure() async throws {
        let response = try await syncEndpoint("broken-sync").predict(EndpointRequest(args: ["x": 1]))
        #expect(response.status == .failure)
        #expect(response.result == "ValueError: boom")
        #expect(response.traceback?.hasSuffix("ValueError: boom") == true)
        #expect(response.statusCode == 500)
    }

    @Test("A sync timeout on the server is a typed 408")
    func syncTimeout() async throws {
        let error = try await #require(throws: BinderyError.self) {
            try await syncEndpoint("slow-sync").predict(EndpointRequest(args: ["x": 1]))
        }
        #expect(error.kind == .timedOut)
        #expect(error.statusCode == 408)
        #expect(error.detail?["detail"]?.stringValue == "Request timed out.")
        #expect(error.attempts == 1, "408 is not among Launch's retried statuses")
    }

    @Test("An async task that fails comes back as FAILURE with its traceback")
    func asyncFailure() async throws {
        let response = try await asyncEndpoint("broken-async").predict(EndpointRequest(url: "https://files.example.com/in.png")).get()
        #expect(response.status == .failure)
        #expect(response.result == "ValueError: boom")
        #expect(response.traceback?.contains("predict.py") == true)
    }

    @Test("A pickled async result is a result URL")
    func pickledResult() async throws {
        let response = try await asyncEndpoint("echo-async").predict(EndpointRequest(args: ["x": 1], returnPickled: true)).get()
        #expect(response.status == .success)
        #expect(response.resultURL?.hasSuffix(".pkl") == true)
        #expect(response.result == nil)
    }

    @Test("A streaming upstream failure is one FAILURE response")
    func streamingFailure() async throws {
        var responses: [EndpointResponse] = []
        for try await response in try await streamingEndpoint("broken-stream").predict(EndpointRequest(args: ["x": 1])) {
            responses.append(response)
        }
        #expect(responses.map(\.status) == [.failure])
        #expect(responses.first?.traceback?.contains("ValueError") == true)
    }

    // MARK: Futures

    @Test("get(timeout:) on a task that never ends says how long it waited in all")
    func futureTimeout() async throws {
        let future = try await asyncEndpoint("echo-async").predict(EndpointRequest(args: ["stall": true]))
        #expect(future.endpointName == "echo-async")
        let error = try await #require(throws: BinderyError.self) { try await future.get(timeout: 1) }
        #expect(error.kind == .timedOut)
        #expect(error.statusCode == nil)
        #expect(error.message.contains("did not end within 1.0 s; last state: PENDING"), "\(error)")
        // The emulator's log is read as it comes: wait (at most 5 s) for the second poll's line, not only the first.
        let polls = await received(atLeast: 3) { $0.path == "/v1/async-tasks/\(future.taskID)" }
        // A loaded machine can take the whole second over the first poll, which leaves no room for another.
        #expect((1...2).contains(polls.count), "one poll at the start, and the last one cut to the 1 s limit; no poll after it")
    }

    @Test("Cancelling the awaiting task stops polling")
    func futureCancellation() async throws {
        let future = try await asyncEndpoint("echo-async").predict(EndpointRequest(args: ["stall": true]))
        let waiting = Task { try await future.get() }
        let path = "/v1/async-tasks/\(future.taskID)"
        _ = await received(atLeast: 2) { $0.path == path }
        waiting.cancel()
        let error = await #expect(throws: BinderyError.self) { try await waiting.value }
        #expect(error?.kind == .cancelled)
        let polls = await received { $0.path == path }.count
        try await Task.sleep(nanoseconds: 1_500_000_000)
        #expect(await received { $0.path == path }.count == polls)
    }

    @Test("Many futures are awaited together, and a future is rebuilt from its task id")
    func manyFutures() async throws {
        let endpoint = try await asyncEndpoint("echo-async")
        var futures: [EndpointResponseFuture] = []
        for index in 0..<6 { futures.append(try await endpoint.predict(EndpointRequest(args: ["n": .integer(index)]))) }
        let results = try await withThrowingTaskGroup(of: (Int, EndpointResponse).self) { group in
            for (index, future) in futures.enumerated() { group.addTask { (index, try await future.get(timeout: 30)) } }
            return try await group.reduce(into: [Int: EndpointResponse]()) { $0[$1.0] = $1.1 }
        }
        #expect((0..<6).map { results[$0]?.result } == (0..<6).map { ["echo": ["n": .integer($0)]] })
        let again = try await endpoint.future(taskID: futures[0].taskID).get()
        #expect(again.result == ["echo": ["n": 0]])
    }

    // MARK: Endpoints and validation

    /// Marks every request of one client, to tell its requests from other tests' in the shared log.
    struct Tagging: Middleware {
        let marker: String

        func intercept(
            _ request: HTTPRequest, body: HTTPBody?, operation: String,
            next: @Sendable (HTTPRequest, HTTPBody?) async throws -> (HTTPResponse, StreamingResponse?)
        ) async throws -> (HTTPResponse, StreamingResponse?) {
            var request = request
            request.headers.set("X-Marker", marker)
            return try await next(request, body)
        }
    }

    @Test("An endpoint name is resolved once, and its id reused for every prediction")
    func nameResolvedOnce() async throws {
        let marker = Self.marker()
        let tagged = LaunchClient(
            baseURL: server.baseURL, apiKey: "launch-key", options: ClientOptions(middlewares: [Tagging(marker: marker)], environment: [:]))
        guard case .sync(let endpoint) = try await tagged.endpoint(named: "echo-sync") else { Issue.record("echo-sync"); return }
        for index in 0..<3 { _ = try await endpoint.predict(EndpointRequest(args: ["n": .integer(index)])) }
        let paths = await received(atLeast: 4) { $0.headers["x-marker"] == marker }.map(\.path)
        #expect(paths == ["/v1/model-endpoints", "/v1/sync-tasks", "/v1/sync-tasks", "/v1/sync-tasks"])
        #expect(endpoint.model.endpointType == .sync)
        #expect(endpoint.model.createdAt != nil, "a naive Python datetime reads as UTC")
    }

    @Test("Looking up names gives the endpoint of each type, and refuses unknown names and types")
    func endpointTypes() async throws {
        guard case .async = try await client.endpoint(named: "echo-async") else { Issue.record("echo-async"); return }
        guard case .streaming = try await client.endpoint(named: "echo-stream") else { Issue.record("echo-stream"); return }
        let missing = try await #require(throws: BinderyError.self) { try await client.endpoint(named: "nope") }
        #expect(missing.kind == .notFound)
        #expect(missing.message.contains("'nope'"))
        let odd = try await #require(throws: BinderyError.self) { try await client.endpoint(named: "odd-endpoint") }
        #expect(odd.message.contains("'batch'"))
    }

    @Test("Bad requests are refused before anything is sent, each with a clear error")
    func validation() async throws {
        let sync = try await syncEndpoint("echo-sync")
        let async = try await asyncEndpoint("echo-async")
        let marker = Self.marker()
        var cases: [(EndpointRequest, String)] = [
            (EndpointRequest(), "needs exactly one of url and args, and has neither"),
            (EndpointRequest(url: "https://x.example.com/a", args: [:]), "needs exactly one of url and args, and has both"),
            (EndpointRequest(args: [:], callbackAuth: .basic(CallbackBasicAuth(username: "u", password: ""))),
             "basic callback auth needs a user name and a password"),
            (EndpointRequest(args: [:], callbackAuth: .mutualTLS(CallbackMTLSAuth(cert: "", key: "k"))),
             "mTLS callback auth needs a certificate and a key"),
        ]
        for index in cases.indices { cases[index].0.extraHeaders["X-Marker"] = marker }
        for (request, message) in cases {
            let error = try await #require(throws: BinderyError.self) { try await async.predict(request) }
            #expect(error.kind == .invalidRequest)
            #expect(error.message.contains(message), "\(error.message)")
        }
        let callbackOnSync = try await #require(throws: BinderyError.self) {
            try await sync.predict(EndpointRequest(args: [:], callbackURL: "https://hooks.example.com", extraHeaders: ["X-Marker": marker]))
        }
        #expect(callbackOnSync.message == "callbacks are for async endpoints only")
        let badHeader = try await #require(throws: BinderyError.self) {
            try await sync.predict(EndpointRequest(args: [:], extraHeaders: ["X-Marker": marker, "X-Bad": "a\r\nInjected: yes"]))
        }
        #expect(badHeader.kind == .invalidRequest)
        #expect(await received(atLeast: 0) { $0.headers["x-marker"] == marker }.isEmpty, "nothing reached the server")
    }

    @Test("A wrong API key is a typed 401")
    func unauthorized() async throws {
        let stranger = LaunchClient(baseURL: server.baseURL, apiKey: "wrong", options: ClientOptions(environment: [:]))
        let error = try await #require(throws: BinderyError.self) { try await stranger.endpoint(named: "echo-sync") }
        #expect(error.kind == .unauthorized)
        #expect(!error.description.contains("wrong"), "the key never appears in errors")
        let fromEnvironment = LaunchClient(baseURL: server.baseURL, options: ClientOptions(environment: ["LAUNCH_API_KEY": "launch-key"]))
        guard case .sync = try await fromEnvironment.endpoint(named: "echo-sync") else { Issue.record("echo-sync"); return }
    }
}
