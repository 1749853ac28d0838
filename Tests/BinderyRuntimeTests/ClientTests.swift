import BinderyRuntime
import BinderyTestSupport
import Foundation
import Testing

/// Records the requests a middleware sees, and adds a header of its own.
final class RecordingMiddleware: Middleware, @unchecked Sendable {
    let name: String
    let seen = Locked<[HTTPHeaders]>([])
    let order: Locked<[String]>

    init(_ name: String, order: Locked<[String]>) {
        self.name = name
        self.order = order
    }

    func intercept(
        _ request: HTTPRequest, body: HTTPBody?, operation: String,
        next: @Sendable (HTTPRequest, HTTPBody?) async throws -> (HTTPResponse, StreamingResponse?)
    ) async throws -> (HTTPResponse, StreamingResponse?) {
        seen.withLock { $0.append(request.headers) }
        order.withLock { $0.append("\(name) out") }
        var request = request
        request.headers.add("X-Trace-\(name)", operation)
        let (response, stream) = try await next(request, body)
        order.withLock { $0.append("\(name) back \(response.status)") }
        return (response, stream)
    }
}

struct Item: Decodable, Sendable {
    var id: Int
    var name: String
}

@Suite("Transport, auth, timeouts, URLs and errors, against the fault server", .enabled(if: liveTestsEnabled, "needs the test command (BINDERY_LIVE=1)"))
struct ClientTests {
    let schemes = [
        AuthScheme(name: "key", kind: .header(name: "X-Key", template: "Token {token}"), environment: ["FAULTS_KEY"]),
        AuthScheme(name: "user", kind: .basic, environment: ["FAULTS_USER"]),
        AuthScheme(name: "tenant", kind: .header(name: "X-Tenant", template: "{token}"), environment: ["FAULTS_TENANT"]),
    ]

    @Test func sendsEverySchemeAndTheDefaultQuery() async throws {
        let server = try await FaultServer()
        defer { server.stop() }
        let id = uniqueID()
        let client = makeClient(
            server, auth: schemes, credentials: ["key": "k1", "user": "api-key"],
            environment: ["FAULTS_TENANT": "acme"],
            defaultQuery: [DefaultParameter(name: "urlHost", wireName: "url_host")], parameters: ["urlHost": "internal"])
        _ = try await client.send(Request<JSONValue>("t", .get, "echo/\(id)?page=2", response: .json))
        let record = try #require(await server.received("echo/\(id)", atLeast: 1).first)
        let headers = server.headers(record)
        #expect(headers["x-key"] == "Token k1")
        #expect(headers["authorization"] == "Basic " + Data("api-key:".utf8).base64EncodedString())
        #expect(headers["x-tenant"] == "acme")
        #expect(headers["accept"] == "application/json")
        #expect(record["query"] as? String == "page=2&url_host=internal")
    }

    @Test func aSchemeWithoutCredentialIsNotSent() async throws {
        let server = try await FaultServer()
        defer { server.stop() }
        let id = uniqueID()
        _ = try await makeClient(server, auth: schemes, environment: ["FAULTS_KEY": "from-env"])
            .send(Request<JSONValue>("t", .get, "echo/\(id)", response: .json))
        let headers = server.headers(try #require(await server.received("echo/\(id)", atLeast: 1).first))
        #expect(headers["x-key"] == "Token from-env")
        #expect(headers["authorization"] == nil)
        #expect(headers["x-tenant"] == nil)
    }

    @Test func middlewaresRunInOrderAndNeverSeeCredentials() async throws {
        let server = try await FaultServer()
        defer { server.stop() }
        let id = uniqueID()
        let order = Locked<[String]>([])
        let outer = RecordingMiddleware("A", order: order)
        let inner = RecordingMiddleware("B", order: order)
        let client = makeClient(server, auth: schemes, credentials: ["key": "k1"], middlewares: [outer, inner])
        _ = try await client.send(Request<JSONValue>("pets.list", .get, "echo/\(id)", response: .json))
        #expect(order.withLock { $0 } == ["A out", "B out", "B back 200", "A back 200"])
        #expect(outer.seen.withLock { $0 }.allSatisfy { $0["X-Key"] == nil })
        #expect(inner.seen.withLock { $0 }.allSatisfy { $0["X-Key"] == nil && $0["X-Trace-A"] == "pets.list" })
        let headers = server.headers(try #require(await server.received("echo/\(id)", atLeast: 1).first))
        #expect(headers["x-trace-a"] == "pets.list" && headers["x-trace-b"] == "pets.list" && headers["x-key"] == "Token k1")
    }

    @Test func secretsStayOutOfDescriptionsAndErrors() async throws {
        let server = try await FaultServer()
        defer { server.stop() }
        let client = makeClient(server, auth: schemes, credentials: ["key": "s3cr3t-value"], retry: ExponentialBackoff.none)
        let error = await failure { _ = try await client.send(Request<JSONValue>("t", .get, "reject/\(uniqueID())", response: .json)) }
        #expect(error?.kind == .unauthorized)
        #expect(error?.message == "token ‹redacted› is not valid")
        #expect(error.map { String(describing: $0) }?.contains("s3cr3t") == false)
        let auth = HeaderAuth(header: "X-Key", secret: Secret("s3cr3t-value"))
        #expect(!String(describing: auth).contains("s3cr3t") && !String(reflecting: Secret("s3cr3t-value")).contains("s3cr3t"))
    }

    /// Requests one after another share a kept connection, and get their own answers, also when the exchanges wait on
    /// an `IOThread` rather than on threads they are handed to.
    @Test(arguments: [false, true])
    func requestsInARowShareOneConnection(onIOThread: Bool) async throws {
        let server = try await FaultServer()
        defer { server.stop() }
        let id = uniqueID()
        let client = makeClient(server, retry: ExponentialBackoff.none)
        let bodies = (0..<20).map { $0.isMultiple(of: 2) ? nil : "{\"index\":\($0)}" }
        let answers = try await running(onIOThread: onIOThread) {
            var answers: [JSONValue] = []
            for body in bodies {
                answers.append(try await client.send(Request<JSONValue>(
                    "t", body == nil ? .get : .post, "echo/\(id)", body: body.map { .bytes(Data($0.utf8), contentType: "application/json") },
                    response: .json)))
            }
            return answers
        }
        #expect(answers.map { $0["attempt"] } == (1...20).map { .integer($0) })
        #expect(answers.map { $0["body"] } == bodies.map { .string($0 ?? "") }, "an answer went to the wrong request")
        let received = await server.received("echo/\(id)", atLeast: 20)
        #expect(received.count == 20)
        #expect(Set(received.compactMap { $0["client_port"] as? Int }).count == 1, "the requests did not share a connection")
    }

    @Test(arguments: [false, true])
    func readTimeoutEndsASilentGet(onIOThread: Bool) async throws {
        let server = try await FaultServer()
        defer { server.stop() }
        let id = uniqueID()
        let client = makeClient(server, retry: ExponentialBackoff.none, timeouts: Timeouts(connect: 5, read: 0.5))
        let error = await failure {
            try await running(onIOThread: onIOThread) {
                _ = try await client.send(Request<Attempt>("t", .get, "slow/\(id)?delay=30", response: .json))
            }
        }
        #expect(error?.kind == .timedOut)
        #expect(error?.message == "the server sent nothing for 0.5 s", "\(String(describing: error))")
    }

    /// The connect timeout holds on its own: a host that never completes the handshake fails at it, not at the
    /// much longer read timeout, and a write that never connected is safe to send again.
    @Test func aConnectionThatNeverOpensFailsAtTheConnectTimeout() async throws {
        let blackhole = try await LiveServer(script: "Tests/Servers/blackhole.py")
        defer { blackhole.stop() }
        let client = APIClient(
            api: APIDefinition(name: "Hole", baseURL: blackhole.baseURL.absoluteString),
            options: ClientOptions(
                timeouts: Timeouts(connect: 1, read: 30),
                retry: ExponentialBackoff(maxAttempts: 2, initialDelay: 0.01, maxDelay: 0.01), environment: [:]))
        let error = await failure { try await client.send(Request<Void>("t.create", .post, "items", body: .json(["a": 1]), response: .ignored)) }
        #expect(error?.kind == .cannotConnect)
        #expect(error?.message.contains("within 1 s") == true, "\(String(describing: error))")
        #expect(error?.attempts == 2, "nothing was sent, so the write was tried again")
    }

    @Test func aPostThatTimesOutHasAnUnknownOutcome() async throws {
        let server = try await FaultServer()
        defer { server.stop() }
        let id = uniqueID()
        let client = makeClient(server, timeouts: Timeouts(connect: 5, read: 0.5))
        let error = await failure { _ = try await client.send(Request<Attempt>("t", .post, "slow/\(id)?delay=2", body: .json(["a": 1]), response: .json)) }
        #expect(error?.kind == .outcomeUnknown)
        // The server may log the request after the client gave up on it; wait for that, then count.
        #expect(await server.received("slow/\(id)", atLeast: 1).count == 1)
    }

    @Test func perRequestReadTimeoutOverridesTheClients() async throws {
        let server = try await FaultServer()
        defer { server.stop() }
        let client = makeClient(server, retry: ExponentialBackoff.none, timeouts: Timeouts(connect: 5, read: 0.3))
        let answer = try await client.send(Request<Attempt>("t", .get, "slow/\(uniqueID())?delay=1", options: RequestOptions(readTimeout: 15), response: .json))
        #expect(answer.attempt == 1)
    }

    @Test func anOverallDeadlineHoldsAcrossRetries() async throws {
        let server = try await FaultServer()
        defer { server.stop() }
        let policy = ExponentialBackoff(maxAttempts: 200, initialDelay: 1, maxDelay: 1)
        let clock = ManualClock()
        let client = makeClient(server, retry: policy, timeouts: Timeouts(connect: 5, read: 30, total: 2.5), clock: clock)
        let error = await failure { _ = try await client.send(Request<Attempt>("t", .get, "status/\(uniqueID())?seq=503", response: .json)) }
        #expect(error?.kind == .timedOut)
        // Each wait is up to 1 s (full jitter): every attempt started within the 2.5 s, and none after them.
        #expect(clock.sleeps.reduce(0, +) < 2.5 && error?.attempts == clock.sleeps.count + 1, "\(clock.sleeps)")
        #expect(error?.message == "the call did not finish within its 2.5 s deadline")
        // Without the deadline, 200 attempts would take about 100 s; the bound leaves room for a loaded machine.
    }

    @Test(arguments: [false, true])
    func cancellingTheTaskCancelsTheRequest(onIOThread: Bool) async throws {
        let server = try await FaultServer()
        defer { server.stop() }
        let client = makeClient(server)
        let id = uniqueID()
        let task = Task {
            try await running(onIOThread: onIOThread) {
                try await client.send(Request<Attempt>("t", .get, "slow/\(id)?delay=60", response: .json))
            }
        }
        // Cancelled only once the server has the request, however loaded the machine: what cancelling must cut short
        // is the wait for an answer a minute away.
        for _ in 0..<600 where await server.received("slow/\(id)").isEmpty { try await Task.sleep(nanoseconds: 100_000_000) }
        #expect(await server.received("slow/\(id)", atLeast: 1).count == 1, "the request reached the server within 60 s")
        task.cancel()
        let error = await failure { _ = try await task.value }
        #expect(error?.kind == .cancelled, "the answer a minute away was not waited for")
    }

    @Test func baseURLJoiningNeitherDoublesNorDropsSlashes() async throws {
        let server = try await FaultServer()
        defer { server.stop() }
        for (slashes, path) in [("/", "/a/"), ("", "a/"), ("//", "//a/")] {
            let id = uniqueID()
            let client = APIClient(
                api: APIDefinition(name: "F", baseURL: "http://127.0.0.1"),
                baseURL: URL(string: server.baseURL.absoluteString + "/echo/" + id + slashes)!,
                options: ClientOptions(environment: [:]))
            _ = try await client.send(Request<JSONValue>("t", .get, path, response: .json))
            #expect(await server.received("echo/\(id)", atLeast: 1).first?["path"] as? String == "/echo/\(id)/a/")
        }
    }

    @Test func pathParametersCannotChangeTheEndpoint() async throws {
        let server = try await FaultServer()
        defer { server.stop() }
        let id = uniqueID()
        _ = try await makeClient(server).send(Request<JSONValue>("t", .get, "echo/\(id)/\(segment: "../../status/x?seq=500")", response: .json))
        #expect(await server.received("echo/\(id)", atLeast: 1).first?["path"] as? String == "/echo/\(id)/..%2F..%2Fstatus%2Fx%3Fseq%3D500")
    }

    @Test func absoluteURLsAreFollowedOnlyOnTheSameOrigin() async throws {
        let server = try await FaultServer()
        let other = try await FaultServer()
        defer { server.stop(); other.stop() }
        let client = makeClient(server, auth: schemes, credentials: ["key": "k1"])
        let id = uniqueID()
        _ = try await client.send(Request<JSONValue>("t", .get, server.baseURL.absoluteString + "/echo/\(id)?page=2", response: .json))
        #expect(server.headers(try #require(await server.received("echo/\(id)", atLeast: 1).first))["x-key"] == "Token k1")

        let error = await failure { _ = try await client.send(Request<JSONValue>("t", .get, other.baseURL.absoluteString + "/echo/\(id)", response: .json)) }
        #expect(error?.kind == .invalidRequest)
        #expect(await other.received("echo/\(id)").isEmpty)
    }

    @Test func aRedirectToAnotherOriginDropsCredentials() async throws {
        let server = try await FaultServer()
        let other = try await FaultServer()
        defer { server.stop(); other.stop() }
        let client = makeClient(server, auth: schemes, credentials: ["key": "k1", "user": "u"])
        let id = uniqueID()
        let target = (other.baseURL.absoluteString + "/echo/\(id)").addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
        _ = try await client.send(Request<JSONValue>("t", .get, "redirect/\(id)?to=\(target)", response: .json))
        let headers = other.headers(try #require(await other.received("echo/\(id)", atLeast: 1).first))
        #expect(headers["x-key"] == nil && headers["authorization"] == nil)

        let same = (server.baseURL.absoluteString + "/echo/\(id)").addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
        _ = try await client.send(Request<JSONValue>("t", .get, "redirect/\(id)?to=\(same)", response: .json))
        #expect(server.headers(try #require(await server.received("echo/\(id)", atLeast: 1).first))["x-key"] == "Token k1")
    }

    @Test func headerValuesWithLineBreaksAreRejectedUnsent() async throws {
        let server = try await FaultServer()
        defer { server.stop() }
        let id = uniqueID()
        var headers = HTTPHeaders()
        headers["X-Note"] = "a\r\nX-Injected: 1"
        let error = await failure { _ = try await makeClient(server).send(Request<JSONValue>("t", .get, "echo/\(id)", headers: headers, response: .json)) }
        #expect(error?.kind == .invalidRequest && error?.attempts == 0)
        #expect(error?.message == "the value of header X-Note holds a line break or another control character")
        #expect(await server.received("echo/\(id)").isEmpty)
    }

    @Test func everyRequestNamesTheAPIAndTheRuntimeInItsUserAgentUnlessItSetsOne() async throws {
        let server = try await FaultServer()
        defer { server.stop() }
        let id = uniqueID()
        let client = APIClient(
            api: APIDefinition(name: "Faults", baseURL: server.baseURL.absoluteString, version: "2024-06-01"),
            options: ClientOptions(environment: [:]))
        _ = try await client.send(Request<JSONValue>("t", .get, "echo/\(id)", response: .json))
        var own = HTTPHeaders()
        own["User-Agent"] = "mine/1"
        _ = try await client.send(Request<JSONValue>("t", .get, "echo/\(id)", headers: own, response: .json))
        let agents = await server.received("echo/\(id)", atLeast: 2).map { server.headers($0)["user-agent"] }
        #expect(agents == ["Faults/2024-06-01 Bindery/\(APIClient.runtimeVersion)", "mine/1"])
    }

    /// The check runs where the head is written, after authentication: a credential read from the environment
    /// cannot add a header either.
    @Test func aCredentialWithALineBreakIsRejectedUnsent() async throws {
        let server = try await FaultServer()
        defer { server.stop() }
        let id = uniqueID()
        let client = makeClient(
            server, auth: [AuthScheme(name: "token", kind: .header(name: "Authorization", template: "Bearer {token}"), environment: ["FAULTS_TOKEN"])],
            environment: ["FAULTS_TOKEN": "abc\r\nX-Injected: yes"])
        let error = await failure { _ = try await client.send(Request<JSONValue>("t", .get, "echo/\(id)", response: .json)) }
        #expect(error?.kind == .invalidRequest)
        #expect(error?.message.contains("abc") == false, "the credential was quoted: \(error?.message ?? "")")
        #expect(await server.received("echo/\(id)").isEmpty)
    }

    @Test func decodingErrorsNameTheModelThePathAndShowTheBody() async throws {
        let server = try await FaultServer()
        defer { server.stop() }
        let body = #"[{"id": 1, "name": "a"}, {"id": "two", "name": "b"}]"#.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
        let error = await failure { _ = try await makeClient(server).send(Request<[Item]>("items.list", .get, "json/\(uniqueID())?body=\(body)", response: .json)) }
        #expect(error?.kind == .decoding)
        #expect(error?.statusCode == 200)
        #expect(error?.message.hasPrefix("reading Array<Item>: expected Int at $[1].id; body: [{\"id\": 1") == true)
        #expect(error?.description.hasPrefix("items.list (GET http://127.0.0.1:") == true)
    }

    @Test func malformedJSONIsADecodingError() async throws {
        let server = try await FaultServer()
        defer { server.stop() }
        let error = await failure { _ = try await makeClient(server).send(Request<Item>("t", .get, "malformed/\(uniqueID())", response: .json)) }
        #expect(error?.kind == .decoding)
        #expect(error?.message.contains(#"body: {"id": 1, "name": 42"#) == true)
    }

    @Test func aTruncatedBodyIsALostConnectionNotAnIncompleteValue() async throws {
        let server = try await FaultServer()
        defer { server.stop() }
        let id = uniqueID()
        let error = await failure { _ = try await makeClient(server).send(Request<Item>("t", .get, "truncated/\(id)", response: .json)) }
        #expect(error?.kind == .connectionLost)
        #expect(await server.received("truncated/\(id)", atLeast: 4).count == 4)
    }

    @Test func readsAHugeResponse() async throws {
        let server = try await FaultServer()
        defer { server.stop() }
        let items = try await makeClient(server).send(Request<[Item]>("t", .get, "huge/\(uniqueID())?mb=32", response: .json))
        #expect(items.count > 250_000)
        #expect(items.allSatisfy { $0.id == 123456 })
        let bytes = try await makeClient(server).send(Request<Data>("t", .get, "bytes/\(uniqueID())?size=1000000", response: .bytes))
        #expect(bytes.count == 1_000_000 && bytes[1000] == UInt8(1000 % 251))
    }

    /// A body past the transport's limit is refused as it arrives, not read whole first.
    @Test func aResponseLargerThanTheLimitIsRefused() async throws {
        let server = try await FaultServer()
        defer { server.stop() }
        let client = makeClient(server, transport: DefaultTransport(maximumResponseSize: 1 << 20))
        let error = await failure { _ = try await client.send(Request<[Item]>("t", .get, "huge/\(uniqueID())?mb=8", response: .json)) }
        #expect(error?.kind == .responseTooLarge, "\(String(describing: error))")
        #expect(error?.message == "the response body is larger than 1048576 bytes")
    }
}
