import BinderyRuntime
import BinderyTestSupport
import Foundation
import Testing

/// Event streams against Tests/Servers/streams.py (FastAPI with sse-starlette).
@Suite("Event streams, against sse-starlette", .enabled(if: liveTestsEnabled, "needs the test command (BINDERY_LIVE=1)"))
struct StreamTests {
    /// Every stream test runs over both transports: the runtime's sockets (Linux's default for http) and URLSession.
    enum Transports: String, CaseIterable, Sendable {
        case sockets, urlSession
    }

    struct Tick: Decodable, Sendable, Equatable {
        var index: Int
        var text: String
    }

    /// The server, and what it printed as JSON objects.
    struct StreamServer {
        let live: LiveServer

        init() async throws {
            live = try await LiveServer(script: "Tests/Servers/streams.py")
        }

        func client(_ transport: StreamTests.Transports) -> APIClient {
            client(transport: transport == .sockets ? DefaultTransport() : URLSessionTransport())
        }

        func client(transport: any Transport) -> APIClient {
            APIClient(
                api: APIDefinition(
                    name: "Streams", baseURL: live.baseURL.absoluteString,
                    auth: [AuthScheme(name: "key", kind: .header(name: "X-Key", template: "Token {token}"))]),
                credentials: ["key": "s3cret"],
                options: ClientOptions(transport: transport, retry: quickRetries, environment: [:]))
        }

        /// The records the server printed for stream `id`.
        func records(_ id: String) -> [[String: Any]] {
            live.lines.compactMap { line in
                guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                    object["id"] as? String == id
                else { return nil }
                return object
            }
        }

        /// How stream `id` ended on the server, waiting a little for it to notice.
        func ending(_ id: String) async -> String? {
            for _ in 0..<300 {
                if let ended = records(id).lazy.compactMap({ $0["ended"] as? String }).first { return ended }
                try? await Task.sleep(nanoseconds: 10_000_000)
            }
            return nil
        }

        func release(_ id: String) async throws {
            try await client(.sockets).send(Request<Void>("release", .post, "release/\(id)", response: .ignored))
        }
    }

    @Test(arguments: [EventFraming.serverSentEvents, .ndjson], Transports.allCases)
    func eventsArriveBeforeTheStreamEnds(framing: EventFraming, transport: Transports) async throws {
        let server = try await StreamServer()
        defer { server.live.stop() }
        let id = uniqueID()
        let path = framing == .serverSentEvents ? "sse/\(id)" : "ndjson/\(id)"
        let request = Request<EventStream<Tick>>(
            "ticks", .get, path, query: [URLQueryItem(name: "count", value: "3"), URLQueryItem(name: "hold", value: "1")],
            options: RequestOptions(readTimeout: 30),
            response: .events(framing))
        var events = try await server.client(transport).send(request).makeAsyncIterator()

        // The server holds the stream open after the first event until it is released.
        let first = try await events.next()
        #expect(first?.index == 0)
        #expect(server.records(id).allSatisfy { $0["ended"] == nil })
        try await server.release(id)
        var rest: [Tick] = []
        while let tick = try await events.next() { rest.append(tick) }

        #expect(rest.map(\.index) == [1, 2])
        if framing == .serverSentEvents { #expect(first?.text == "line one\nline two of 0") }
        #expect(await server.ending(id) == "complete")
        let headers = server.records(id).first?["headers"] as? [String: String]
        #expect(headers?["accept"] == (framing == .serverSentEvents ? "text/event-stream" : "application/x-ndjson"))
        #expect(headers?["x-key"] == "Token s3cret")
    }

    @Test(arguments: Transports.allCases)
    func rawServerSentEventsKeepTheirFields(transport: Transports) async throws {
        let server = try await StreamServer()
        defer { server.live.stop() }
        let id = uniqueID()
        let request = Request<EventStream<ServerSentEvent>>(
            "raw", .get, "sse/\(id)", query: [URLQueryItem(name: "count", value: "2"), URLQueryItem(name: "ping", value: "1")],
            response: .serverSentEvents())
        var events: [ServerSentEvent] = []
        for try await event in try await server.client(transport).send(request) { events.append(event) }
        #expect(events.map(\.id) == ["0", "1"])
        #expect(events.allSatisfy { $0.event == "progress" && $0.retry == 50 })
        #expect(events.first?.data == "{\n \"index\": 0,\n \"text\": \"line one\\nline two of 0\"\n}")
    }

    @Test(arguments: Transports.allCases)
    func breakingTheLoopClosesTheConnection(transport: Transports) async throws {
        let server = try await StreamServer()
        defer { server.live.stop() }
        let id = uniqueID()
        var seen = 0
        for try await _ in try await server.client(transport).send(
            Request<EventStream<Tick>>("endless", .get, "endless/\(id)", response: .events(.serverSentEvents)))
        {
            seen += 1
            if seen == 3 { break }
        }
        #expect(seen == 3)
        #expect(await server.ending(id) == "disconnected")
    }

    @Test(arguments: Transports.allCases)
    func cancellingTheTaskClosesTheConnection(transport: Transports) async throws {
        let server = try await StreamServer()
        defer { server.live.stop() }
        let id = uniqueID()
        let client = server.client(transport)
        let received = Locked(0)
        let reader = Task {
            for try await _ in try await client.send(
                Request<EventStream<Tick>>("endless", .get, "endless/\(id)", response: .events(.serverSentEvents)))
            {
                received.withLock { $0 += 1 }
            }
        }
        for _ in 0..<1_000 where received.withLock({ $0 }) < 2 { try await Task.sleep(nanoseconds: 10_000_000) }
        try #require(received.withLock { $0 } >= 2, "no two events arrived within 10 s")
        reader.cancel()
        // The loop does not end as if the stream had: it throws that it was cancelled.
        guard case .failure(let error as BinderyError) = await reader.result else {
            Issue.record("the cancelled loop ended without a BinderyError")
            return
        }
        #expect(error.kind == .cancelled)
        #expect(await server.ending(id) == "disconnected")
    }

    @Test(arguments: Transports.allCases)
    func reconnectsWithTheLastEventID(transport: Transports) async throws {
        let server = try await StreamServer()
        defer { server.live.stop() }
        let id = uniqueID()
        let request = Request<EventStream<Tick>>(
            "resumable", .get, "sse/\(id)",
            query: [URLQueryItem(name: "count", value: "5"), URLQueryItem(name: "drop_after", value: "2")],
            response: .events(.serverSentEvents, reconnects: true))
        var indices: [Int] = []
        for try await tick in try await server.client(transport).send(request) { indices.append(tick.index) }

        #expect(indices == [0, 1, 2, 3, 4])
        let requests = server.records(id).compactMap { $0["headers"] as? [String: String] }
        #expect(requests.map { $0["last-event-id"] } == [nil, "1"])
        #expect(requests.allSatisfy { $0["x-key"] == "Token s3cret" })
    }

    @Test(arguments: Transports.allCases)
    func aBrokenStreamThatDoesNotReconnectFailsWithItsOperation(transport: Transports) async throws {
        let server = try await StreamServer()
        defer { server.live.stop() }
        let id = uniqueID()
        let request = Request<EventStream<Tick>>(
            "once", .get, "sse/\(id)",
            query: [URLQueryItem(name: "count", value: "5"), URLQueryItem(name: "drop_after", value: "2")],
            response: .events(.serverSentEvents))
        var indices: [Int] = []
        let error = await failure {
            for try await tick in try await server.client(transport).send(request) { indices.append(tick.index) }
        }
        #expect(indices == [0, 1])
        #expect(error?.kind == .connectionLost)
        #expect(error?.operation == "once")
        #expect(server.records(id).filter { $0["headers"] != nil }.count == 1)
    }

    @Test(arguments: Transports.allCases)
    func aRefusedStreamIsAStatusErrorWithItsDetail(transport: Transports) async throws {
        let server = try await StreamServer()
        defer { server.live.stop() }
        let id = uniqueID()
        let error = await failure {
            _ = try await server.client(transport).send(
                Request<EventStream<Tick>>("missing", .get, "missing/\(id)", response: .events(.serverSentEvents)))
        }
        #expect(error?.kind == .notFound)
        #expect(error?.statusCode == 404)
        #expect(error?.detail == .object(["detail": .string("no stream \(id)")]))
    }

    @Test(arguments: Transports.allCases)
    func anEventThatDoesNotDecodeNamesTheTypeAndShowsTheEvent(transport: Transports) async throws {
        struct Strict: Decodable, Sendable { var index: String }
        let server = try await StreamServer()
        defer { server.live.stop() }
        let id = uniqueID()
        let error = await failure {
            for try await _ in try await server.client(transport).send(
                Request<EventStream<Strict>>("strict", .get, "ndjson/\(id)", response: .events(.ndjson)))
            {}
        }
        #expect(error?.kind == .decoding)
        #expect(error?.operation == "strict")
        #expect(error?.message.contains("Strict") == true)
        #expect(error?.message.contains(#"{"index": 0, "text": "line 0"}"#) == true)
    }

    /// A transport that can only return whole responses still yields every event, once the body is complete.
    @Test func aTransportThatCannotStreamStillYieldsEveryEvent() async throws {
        struct WholeBodies: Transport {
            let inner = URLSessionTransport()
            func send(_ request: HTTPRequest, body: HTTPBody?, timeouts: Timeouts) async throws -> HTTPResponse {
                try await inner.send(request, body: body, timeouts: timeouts)
            }
        }
        let server = try await StreamServer()
        defer { server.live.stop() }
        let id = uniqueID()
        var indices: [Int] = []
        for try await tick in try await server.client(transport: WholeBodies()).send(
            Request<EventStream<Tick>>("whole", .get, "sse/\(id)", response: .events(.serverSentEvents)))
        {
            indices.append(tick.index)
        }
        #expect(indices == [0, 1, 2])
    }
}
