@testable import BinderyRuntime
import BinderyTestSupport
import Foundation
import Testing

/// The socket transport against Tests/Servers/hostile.py, a server that writes broken HTTP/1.1 on purpose: every
/// break is a typed error naming it, never bytes returned as if they were the body, and every wait ends.
@Suite(
    "Socket transport against a hostile server", .enabled(if: liveTestsEnabled, "needs the test command (BINDERY_LIVE=1)"),
    .timeLimit(.minutes(2)))
struct HostileServerTests {
    static func start() async throws -> LiveServer { try await LiveServer(script: "Tests/Servers/hostile.py") }

    static func client(_ server: LiveServer, transport: SocketTransport = SocketTransport(proxy: .none), timeouts: Timeouts? = nil) -> APIClient {
        APIClient(
            api: APIDefinition(name: "Hostile", baseURL: server.baseURL.absoluteString),
            options: ClientOptions(transport: transport, timeouts: timeouts, retry: ExponentialBackoff.never, environment: [:]))
    }

    /// The request heads the server received for `name`, once at least `count` arrived (for up to 5 s).
    static func received(_ server: LiveServer, _ name: String, atLeast count: Int = 1) async -> [[String: Any]] {
        await server.records(atLeast: count) { $0["case"] as? String == name ? $0 : nil }
    }

    @Test(arguments: [
        ("long-chunk", "a chunk's data does not end where its size says"),
        ("no-crlf", "a chunk's data does not end where its size says"),
        ("two-lengths", "the response has conflicting Content-Lengths"),
        ("gzip-chunked", "the transfer coding gzip, chunked is not supported, only chunked"),
        ("te-and-length", "the response has both a Transfer-Encoding and a Content-Length"),
        ("plus-length", "the Content-Length `+12` is not a number of bytes"),
        ("minus-chunk", "a chunk size is not hexadecimal"),
        ("huge-length", "the Content-Length 99999999999999999999999 is too large"),
        ("bad-status", "the status line is not `HTTP/1.x` and a three-digit status"),
    ])
    func brokenFramingIsATypedErrorNamingTheBreak(name: String, reason: String) async throws {
        let server = try await Self.start()
        defer { server.stop() }
        let error = await failure { _ = try await Self.client(server).send(Request<JSONValue>("hostile.get", .get, name, response: .json)) }
        #expect(error?.kind == .connectionLost)
        #expect(error?.message == "the server's response is malformed: \(reason)")
        #expect(error?.operation == "hostile.get" && error?.url?.path == "/\(name)")
        #expect(await Self.received(server, name).count == 1)
    }

    @Test(arguments: ["huge-head", "many-fields"])
    func headsPastTheLimitsAreRefused(name: String) async throws {
        let server = try await Self.start()
        defer { server.stop() }
        let error = await failure { _ = try await Self.client(server).send(Request<JSONValue>("hostile.get", .get, name, response: .json)) }
        #expect(error?.kind == .responseTooLarge, "\(String(describing: error))")
    }

    @Test func foldedHeadersAndInterimAnswersAreReadAsTheRFCSays() async throws {
        let server = try await Self.start()
        defer { server.stop() }
        let transport = SocketTransport(proxy: .none)
        let folded = try await transport.send(HTTPRequest(method: .get, url: server.baseURL.appendingPathComponent("obs-fold")), body: nil, timeouts: Timeouts())
        #expect(folded.headers["X-Folded"] == "first second" && folded.body == Data("{\"ok\": true}".utf8))
        let interim = try await transport.send(HTTPRequest(method: .get, url: server.baseURL.appendingPathComponent("interim")), body: nil, timeouts: Timeouts())
        #expect(interim.status == 201 && interim.body == Data("{\"ok\": true}".utf8))
    }

    /// A head dribbled a byte at a time never ends: the call's deadline does, though bytes keep coming.
    @Test func theDeadlineHoldsInsideAHeadThatNeverEnds() async throws {
        let server = try await Self.start()
        defer { server.stop() }
        let client = Self.client(server, timeouts: Timeouts(connect: 5, read: 30, total: 0.5))
        let error = await failure { _ = try await client.send(Request<JSONValue>("hostile.get", .get, "dribble", response: .json)) }
        #expect(error?.kind == .timedOut, "\(String(describing: error))")
    }

    /// nginx answers 413 as soon as it reads the head of a request too large for it: the answer is read and
    /// returned, not lost as an unknown outcome in the failed write. The server then holds the connection without
    /// reading, so a client that only watched its write would wait past the suite's time limit.
    @Test func anAnswerBeforeTheBodyWentOutIsReturned() async throws {
        let server = try await Self.start()
        defer { server.stop() }
        let body = Data(repeating: 0x61, count: 32 << 20)
        let request = Request<JSONValue>("hostile.upload", .post, "early-413", body: .bytes(body, contentType: "application/octet-stream"), response: .json)
        let error = await failure { _ = try await Self.client(server).send(request) }
        #expect(error?.statusCode == 413 && error?.kind == .unexpectedStatus, "\(String(describing: error))")
        #expect(error?.detail == ["error": "too large!"])
        #expect(await Self.received(server, "early-413").first?["body_length"] as? Int == body.count)
    }

    /// A server that closes kept connections a millisecond after each answer: no request fails for meeting one.
    @Test func connectionsTheServerClosedWhileIdleAreNotUsed() async throws {
        let server = try await Self.start()
        defer { server.stop() }
        let client = Self.client(server)
        for _ in 0..<50 {
            _ = try await client.send(Request<JSONValue>("hostile.get", .get, "idle-close", response: .json))
            try await Task.sleep(nanoseconds: 3_000_000)
        }
        #expect(await Self.received(server, "idle-close", atLeast: 50).count == 50)
    }

    @Test func aServerThatClosesWithoutAnsweringIsALostConnection() async throws {
        let server = try await Self.start()
        defer { server.stop() }
        let error = await failure { _ = try await Self.client(server).send(Request<JSONValue>("hostile.get", .get, "close-now", response: .json)) }
        #expect(error?.kind == .connectionLost && error?.message == "the server closed the connection without answering")
    }
}

/// Many exchanges waiting at once on one transport, as a server-side user has them: they cost descriptors, not
/// threads, and the rest of the process goes on. Asserted by counts, not by time.
@Suite(
    "Socket transport with many waiting exchanges", .enabled(if: liveTestsEnabled, "needs the test command (BINDERY_LIVE=1)"),
    .timeLimit(.minutes(3)))
struct ManyWaitsTests {
    @Test func nineHundredWaitingExchangesHoldNoThreadsAndEndAtOnceWhenCancelled() async throws {
        try raiseDescriptorLimit(to: 4096)
        let server = try await HostileServerTests.start()
        defer { server.stop() }
        let transport = SocketTransport(maximumConnectionsPerOrigin: 1024, proxy: .none)
        let quiet = HTTPRequest(method: .get, url: server.baseURL.appendingPathComponent("quiet"))
        let threadsBefore = threadCount()
        var streams: [StreamingResponse] = []
        for _ in 0..<500 { streams.append(try await transport.open(quiet, body: nil, timeouts: Timeouts(read: 600))) }
        let calls = (0..<400).map { _ in
            Task { () -> String in
                do {
                    _ = try await transport.send(quiet, body: nil, timeouts: Timeouts(read: 600))
                    return "answered"
                } catch let error as TransportError {
                    return "\(error.kind)"
                } catch {
                    return "\(error)"
                }
            }
        }
        _ = await server.waitForLines(900, timeout: 60)
        #expect(server.lines.count == 900, "the server received \(server.lines.count) of 900 requests")

        // With every one of them waiting, other work runs: a request on the same transport, and a task that ticks.
        let ok = try await transport.send(HTTPRequest(method: .get, url: server.baseURL.appendingPathComponent("ok")), body: nil, timeouts: Timeouts())
        #expect(ok.status == 200)
        var ticks = 0
        for _ in 0..<100 {
            try await Task.sleep(nanoseconds: 1_000_000)
            ticks += 1
        }
        #expect(ticks == 100)
        let threads = threadCount()
        #expect(threads - threadsBefore < 16, "\(threads - threadsBefore) threads more for 900 waiting exchanges")

        for call in calls { call.cancel() }
        var outcomes: [String: Int] = [:]
        for call in calls { outcomes[await call.value, default: 0] += 1 }
        #expect(outcomes == ["cancelled": 400])
        let readers = streams.map { stream in
            Task { () -> String in
                do {
                    for try await _ in stream.body {}
                    // A reader cancelled before it asked for a piece ends without one: the runtime's event streams
                    // then throw `.cancelled` themselves.
                    return Task.isCancelled ? "cancelled" : "ended"
                } catch let error as TransportError {
                    return "\(error.kind)"
                } catch {
                    return "\(error)"
                }
            }
        }
        for reader in readers { reader.cancel() }
        var streamOutcomes: [String: Int] = [:]
        for reader in readers { streamOutcomes[await reader.value, default: 0] += 1 }
        #expect(streamOutcomes == ["cancelled": 500])
    }

    /// Requests past the per-origin limit wait their turn, in order, and all complete on that many connections.
    @Test func requestsPastTheLimitWaitForAConnection() async throws {
        let server = try await HostileServerTests.start()
        defer { server.stop() }
        let transport = SocketTransport(maximumConnectionsPerOrigin: 2, proxy: .none)
        let ok = HTTPRequest(method: .get, url: server.baseURL.appendingPathComponent("ok"))
        let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
            // A wait for a connection is bounded by the connect timeout: generous here, for a loaded machine.
            for _ in 0..<40 { group.addTask { try await transport.send(ok, body: nil, timeouts: Timeouts(connect: 60)).status } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(statuses == Array(repeating: 200, count: 40))
        _ = await server.waitForLines(40, timeout: 5)
        let ports = Set(server.lines.compactMap { line in
            (try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])?["client_port"] as? Int
        })
        #expect(ports.count <= 2, "\(ports.count) connections for a limit of 2")
    }
}

extension ManyWaitsTests {
    /// A body refused as too large gives its connection back once: the pool's count stays true, so the limit holds
    /// for the requests after it.
    @Test func aBodyRefusedAsTooLargeKeepsThePoolsCountTrue() async throws {
        let server = try await HostileServerTests.start()
        defer { server.stop() }
        let transport = SocketTransport(maximumResponseSize: 4, maximumConnectionsPerOrigin: 1, proxy: .none)
        let ok = HTTPRequest(method: .get, url: server.baseURL.appendingPathComponent("ok"))
        await #expect(throws: TransportError.self) { try await transport.send(ok, body: nil, timeouts: Timeouts()) }
        // Streams are not held to the limit on whole bodies; ten at once must still share the one connection.
        let bodies = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<10 {
                group.addTask {
                    let stream = try await transport.open(ok, body: nil, timeouts: Timeouts(connect: 60))
                    var count = 0
                    for try await piece in stream.body { count += piece.count }
                    return count
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(bodies == Array(repeating: 12, count: 10))
        let ports = await HostileServerTests.received(server, "ok", atLeast: 11).compactMap { $0["client_port"] as? Int }
        #expect(Set(ports.dropFirst()).count == 1, "the ten streams after the refused body used \(Set(ports.dropFirst()).count) connections")
    }
}

/// The threads of this process, from /proc.
func threadCount() -> Int {
    (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task").count) ?? 0
}

/// Raises the soft limit on open descriptors to `count`, or fails saying why.
func raiseDescriptorLimit(to count: Int) throws {
    var limit = rlimit()
    #if canImport(Glibc)
        let resource = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
    #else
        let resource = RLIMIT_NOFILE
    #endif
    guard getrlimit(resource, &limit) == 0 else { throw ServerFailure("cannot read the descriptor limit") }
    if limit.rlim_cur >= rlim_t(count) { return }
    guard limit.rlim_max >= rlim_t(count) else {
        throw ServerFailure("this test opens \(count) descriptors; the hard limit is \(limit.rlim_max)")
    }
    limit.rlim_cur = rlim_t(count)
    guard setrlimit(resource, &limit) == 0 else { throw ServerFailure("cannot raise the descriptor limit to \(count)") }
}

/// Proxies as curl reads them, against the hostile server playing an HTTP proxy: it receives the whole URL.
@Suite("Socket transport through a proxy", .enabled(if: liveTestsEnabled, "needs the test command (BINDERY_LIVE=1)"))
struct ProxyTests {
    @Test func requestsGoToTheEnvironmentsProxyInAbsoluteFormWithItsCredentials() async throws {
        let proxy = try await HostileServerTests.start()
        defer { proxy.stop() }
        let client = APIClient(
            api: APIDefinition(name: "Proxied", baseURL: "http://api.example.invalid:8080"),
            options: ClientOptions(retry: ExponentialBackoff.never, environment: ["http_proxy": "user:p%40ss@127.0.0.1:\(proxy.port)"]))
        let answer = try await client.send(Request<JSONValue>("proxied.get", .get, "ok", query: [URLQueryItem(name: "q", value: "1")], response: .json))
        #expect(answer == ["ok": true])
        let record = try #require(await HostileServerTests.received(proxy, "ok").first)
        #expect(record["target"] as? String == "http://api.example.invalid:8080/ok?q=1")
        let headers = record["headers"] as? [String: String] ?? [:]
        #expect(headers["Host"] == "api.example.invalid:8080")
        #expect(headers["Proxy-Authorization"] == "Basic " + Data("user:p@ss".utf8).base64EncodedString())
    }

    @Test func noProxyAndNoneGoDirectly() async throws {
        let server = try await HostileServerTests.start()
        defer { server.stop() }
        let unreachable = "http://127.0.0.1:9"
        for options in [
            ClientOptions(retry: ExponentialBackoff.never, environment: ["http_proxy": unreachable, "NO_PROXY": "example.com, 127.0.0.1"]),
            ClientOptions(proxy: Proxy.none, retry: ExponentialBackoff.never, environment: ["http_proxy": unreachable]),
        ] {
            let client = APIClient(api: APIDefinition(name: "Direct", baseURL: server.baseURL.absoluteString), options: options)
            #expect(try await client.send(Request<JSONValue>("direct.get", .get, "ok", response: .json)) == ["ok": true])
        }
        let record = try #require(await HostileServerTests.received(server, "ok", atLeast: 2).first)
        #expect(record["target"] as? String == "/ok")
    }
}

/// Which proxy the environment names for which host, as curl reads it.
@Suite("Proxy settings")
struct ProxySettingTests {
    @Test func theEnvironmentIsReadAsCurlReadsIt() {
        let proxy = URL(string: "http://proxy:3128")!
        #expect(Proxy.environment(["http_proxy": "http://proxy:3128", "HTTP_PROXY": "http://other:1"]).url == proxy)
        #expect(Proxy.environment(["HTTP_PROXY": "http://proxy:3128"]).url == proxy)
        #expect(Proxy.environment(["HTTP_PROXY": "http://proxy:3128", "REQUEST_METHOD": "GET"]).url == nil, "a CGI script's HTTP_PROXY can come from a request")
        #expect(Proxy.environment(["ALL_PROXY": "proxy:3128"]).url == proxy)
        #expect(Proxy.environment(["http_proxy": ""]).url == nil)
        #expect(Proxy.environment([:]) == .none)
    }

    @Test(arguments: [
        ("api.example.com", false), ("example.com", false), ("notexample.com", true), ("internal", false),
        ("a.internal", false), ("10.0.0.1", false), ("10.0.0.2", true),
    ])
    func noProxyListsHostsAndTheirSubdomains(host: String, proxied: Bool) {
        let proxy = Proxy.environment(["http_proxy": "proxy:3128", "no_proxy": "example.com, .internal,10.0.0.1"])
        #expect((proxy.url(for: host) != nil) == proxied)
        #expect(Proxy.environment(["http_proxy": "proxy:3128", "NO_PROXY": "*"]).url(for: host) == nil)
    }
}
