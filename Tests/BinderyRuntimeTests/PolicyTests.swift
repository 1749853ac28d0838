@testable import BinderyRuntime
import BinderyTestSupport
import Foundation
import Testing

/// The runtime's policies asserted by value, through an in-memory transport and a manual clock: no network, no
/// Python, no time passing.
@Suite("Policies, in memory")
struct PolicyTests {
    /// A policy whose every wait is `seconds`, so waits can be asserted exactly.
    struct FixedDelay: RetryPolicy {
        var seconds: TimeInterval
        var attempts = 100
        func delay(after failure: AttemptFailure, attempt: Int) -> TimeInterval? {
            if case .status(_, let retryAfter?) = failure { return retryAfter }
            return attempt < attempts ? seconds : nil
        }
    }

    func client(
        _ transport: InMemoryTransport, clock: ManualClock, retry: any RetryPolicy = FixedDelay(seconds: 1),
        timeouts: Timeouts = Timeouts(connect: 5, read: 30), credentials: [String: String?] = [:]
    ) -> APIClient {
        APIClient(
            api: APIDefinition(
                name: "Memory", baseURL: "https://memory.example.com/v1",
                auth: [AuthScheme(name: "key", kind: .header(name: "X-Key", template: "{token}"))]),
            credentials: credentials,
            options: ClientOptions(transport: transport, timeouts: timeouts, retry: retry, environment: [:], clock: clock))
    }

    struct Item: Codable, Equatable, Sendable { var id: Int }

    /// The message of an error is the text in the body, wherever the common API shapes or the spec put it.
    @Test(arguments: [
        (#"{"detail": "Not found."}"#, 404, "Not found."),
        (#"{"detail": [{"loc": ["body", "messages", 0, "role"], "msg": "Field required", "type": "missing"}, {"loc": ["query", "limit"], "msg": "Input should be a valid integer", "type": "int_parsing"}]}"#,
         422, "body.messages[0].role: Field required; query.limit: Input should be a valid integer"),
        (#"{"message": "Bad credentials", "documentation_url": "https://docs.github.com/rest"}"#, 401, "Bad credentials"),
        (#"{"error": {"message": "Incorrect API key provided", "type": "invalid_request_error"}}"#, 401, "Incorrect API key provided"),
        (#"{"reason": "Invalid access token"}"#, 401, "Invalid access token"),
        (#"{"errors": ["x"]}"#, 400, #"{"errors":["x"]}"#),
        ("", 304, "the response has no body (not modified)"),
        ("Internal Server Error", 500, "Internal Server Error"),
    ] as [(String, Int, String)])
    func errorMessagesComeFromTheBody(body: String, status: Int, message: String) async throws {
        let transport = InMemoryTransport([.json(body, status: status)])
        let error = await failure {
            _ = try await client(transport, clock: ManualClock(), retry: ExponentialBackoff.never).send(Request<Item>("t", .get, "x", response: .json))
        }
        #expect(error?.message == message)
        #expect(error?.statusCode == status)
    }

    struct Problem: Decodable, Equatable { var title: String; var at: Date }

    @Test("An error's body reads as the API's error model, with the API's date format; nil without a body")
    func errorBodyAsTheAPIsModel() async throws {
        let transport = InMemoryTransport([.json(#"{"title": "Out of stock", "at": 1700000000}"#, status: 409), .json("", status: 500)])
        let client = APIClient(
            api: APIDefinition(name: "Memory", baseURL: "https://memory.example.com/v1", dateFormat: .secondsSince1970),
            options: ClientOptions(transport: transport, retry: ExponentialBackoff.never, environment: [:], clock: ManualClock()))
        let conflict = await failure { _ = try await client.send(Request<Item>("t", .get, "x", response: .json)) }
        #expect(try conflict?.body(as: Problem.self) == Problem(title: "Out of stock", at: Date(timeIntervalSince1970: 1_700_000_000)))
        let empty = await failure { _ = try await client.send(Request<Item>("t", .get, "x", response: .json)) }
        #expect(try empty?.body(as: Problem.self) == nil)
    }

    @Test func theSpecSaysWhereAnAPIsErrorMessageIs() async throws {
        let transport = InMemoryTransport([.json(#"{"detail": "generic", "problem": {"title": "The real one"}}"#, status: 400)])
        let client = APIClient(
            api: APIDefinition(name: "Memory", baseURL: "https://memory.example.com/v1", errorMessage: [["problem", "title"]]),
            options: ClientOptions(transport: transport, retry: ExponentialBackoff.never, environment: [:], clock: ManualClock()))
        let error = await failure { _ = try await client.send(Request<Item>("t", .get, "x", response: .json)) }
        #expect(error?.message == "The real one")
        #expect("\(error?.detail ?? .null)" == #"{"detail":"generic","problem":{"title":"The real one"}}"#, "JSON prints as JSON")
    }

    @Test func retriesWaitAsThePolicySays() async throws {
        let transport = InMemoryTransport([.json("{}", status: 503), .json("{}", status: 502), .json(#"{"id": 7}"#)])
        let clock = ManualClock()
        let item = try await client(transport, clock: clock).send(Request<Item>("items.get", .get, "items/7", response: .json))
        #expect(item == Item(id: 7))
        #expect(transport.received.count == 3)
        #expect(clock.sleeps == [1, 1])
    }

    @Test func exponentialBackoffStaysWithinItsCaps() async throws {
        let transport = InMemoryTransport([.json("{}", status: 503)])
        let clock = ManualClock()
        let policy = ExponentialBackoff(maxAttempts: 6, initialDelay: 0.5, maxDelay: 3)
        let error = await failure { _ = try await client(transport, clock: clock, retry: policy).send(Request<Item>("t", .get, "x", response: .json)) }
        #expect(error?.kind == .server && error?.attempts == 6)
        #expect(clock.sleeps.count == 5)
        for (index, sleep) in clock.sleeps.enumerated() {
            #expect(sleep >= 0 && sleep <= min(3, 0.5 * pow(2, Double(index))), "wait \(index + 1) was \(sleep) s")
        }
    }

    @Test(arguments: [("2", 2.0), ("0", 0.0), ("99999", 60.0)])
    func retryAfterIsObeyedAndCapped(header: String, wait: TimeInterval) async throws {
        let transport = InMemoryTransport([.json("{}", status: 429, headers: [("Retry-After", header)]), .json(#"{"id": 1}"#)])
        let clock = ManualClock()
        let policy = ExponentialBackoff(maxAttempts: 2, initialDelay: 0.5, maxDelay: 0.5, maxRetryAfter: 60)
        _ = try await client(transport, clock: clock, retry: policy).send(Request<Item>("t", .get, "x", response: .json))
        #expect(clock.sleeps == [wait])
    }

    /// A hostile `Retry-After` (negative, not a number, infinite) does not remove the backoff.
    @Test(arguments: ["-5", "nan", "inf", "1e400", "soon"])
    func aHostileRetryAfterFallsBackToTheBackoff(header: String) async throws {
        let transport = InMemoryTransport([.json("{}", status: 503, headers: [("Retry-After", header)])])
        let clock = ManualClock()
        let policy = ExponentialBackoff(maxAttempts: 4, initialDelay: 2, maxDelay: 2)
        _ = await failure { _ = try await client(transport, clock: clock, retry: policy).send(Request<Item>("t", .get, "x", response: .json)) }
        #expect(transport.received.count == 4)
        #expect(ExponentialBackoff.retryAfter(header) == nil)
        #expect(clock.sleeps.allSatisfy { $0 >= 0 && $0 <= 2 } && clock.sleeps.count == 3)
    }

    @Test func aDeadlineEndsTheRetriesAndNamesTheRequest() async throws {
        let transport = InMemoryTransport([.json("{}", status: 503)])
        let clock = ManualClock()
        let error = await failure {
            _ = try await client(transport, clock: clock, timeouts: Timeouts(connect: 5, read: 30, total: 4.5))
                .send(Request<Item>("items.get", .get, "items/1", response: .json))
        }
        #expect(error?.kind == .timedOut)
        #expect(error?.attempts == 5, "attempts at 0, 1, 2, 3 and 4 s; the next would start past the deadline")
        #expect(error?.description.hasPrefix("items.get (GET https://memory.example.com/v1/items/1): the call did not finish within its 4.5 s deadline") == true,
                "\(String(describing: error))")
        // Each attempt may wait only what is left of the deadline.
        #expect(transport.received.map(\.timeouts.read) == [4.5, 3.5, 2.5, 1.5, 0.5])
    }

    /// A deadline too long to wait, or infinite, is no deadline to trap on.
    @Test(arguments: [1.8e10, .infinity])
    func anEndlessDeadlineIsHarmless(total: TimeInterval) async throws {
        let transport = InMemoryTransport([.json(#"{"id": 3}"#)])
        let item = try await client(transport, clock: ManualClock(), timeouts: Timeouts(connect: 5, read: 30, total: total))
            .send(Request<Item>("t", .get, "x", response: .json))
        #expect(item == Item(id: 3))
    }

    @Test func aWriteWhoseAnswerWasLostIsNotSentAgain() async throws {
        let transport = InMemoryTransport([.failure(TransportError(.connectionLost, "the server closed the connection without answering"))])
        let clock = ManualClock()
        let error = await failure {
            _ = try await client(transport, clock: clock).send(Request<Item>("items.create", .post, "items", body: .json(Item(id: 1)), response: .json))
        }
        #expect(error?.kind == .outcomeUnknown && error?.attempts == 1)
        #expect((error?.underlying as? TransportError)?.message == "the server closed the connection without answering")
        #expect(transport.received.count == 1 && clock.sleeps.isEmpty)
        // Declared idempotent, the same write is tried again.
        let again = await failure {
            _ = try await client(transport, clock: clock).send(
                Request<Item>("items.create", .post, "items", body: .json(Item(id: 1)), options: RequestOptions(idempotent: true), response: .json))
        }
        #expect(again?.kind == .connectionLost && again?.attempts == 100)
    }

    /// With an idempotency key, a write whose answer was lost is sent again, with the same key, for the server to
    /// recognise; each call has a key of its own; a key the caller set is kept.
    @Test func anIdempotencyKeyIsMadeOncePerCallAndKeptAcrossRetries() async throws {
        let transport = InMemoryTransport([
            .failure(TransportError(.connectionLost, "dropped")), .json("{}", status: 503), .json(#"{"id": 1}"#),
            .json(#"{"id": 2}"#), .json(#"{"id": 3}"#),
        ])
        let client = APIClient(
            api: APIDefinition(name: "Memory", baseURL: "https://memory.example.com/v1", idempotencyHeader: "Idempotency-Key"),
            options: ClientOptions(transport: transport, retry: FixedDelay(seconds: 1), environment: [:], clock: ManualClock()))
        let create = Request<Item>("items.create", .post, "items", body: .json(["name": "a"] as JSONValue), response: .json)
        #expect(try await client.send(create) == Item(id: 1))
        #expect(try await client.send(create) == Item(id: 2))
        var own = create
        own.headers.set("Idempotency-Key", "mine")
        #expect(try await client.send(own) == Item(id: 3))
        let keys = transport.received.map { $0.request.headers["Idempotency-Key"] ?? "" }
        #expect(keys.count == 5)
        #expect(Set(keys[0...2]).count == 1, "three attempts of one call carry one key")
        #expect(keys[3] != keys[0] && !keys[3].isEmpty, "another call, another key")
        #expect(keys[4] == "mine")
    }

    @Test func aTypedCallCanAnswerItsStatusAndHeaders() async throws {
        let transport = InMemoryTransport([
            .json(#"{"id": 4}"#, status: 201, headers: [("ETag", "\"v1\""), ("x-request-id", "req-9")]),
            .stream(status: 200, headers: HTTPHeaders([("x-request-id", "req-10")]), pieces: [Data("data: {\"id\": 5}\n\n".utf8)]),
        ])
        let api = client(transport, clock: ManualClock())
        let created = try await api.sendWithResponse(Request<Item>("items.create", .post, "items", response: .json))
        #expect(created.value == Item(id: 4) && created.status == 201)
        #expect(created.headers["etag"] == "\"v1\"" && created.headers["X-Request-Id"] == "req-9")
        let stream = try await api.sendWithResponse(
            Request<EventStream<Item>>("events", .get, "events", response: .events(.serverSentEvents)))
        #expect(stream.headers["x-request-id"] == "req-10")
        var items: [Item] = []
        for try await item in stream.value { items.append(item) }
        #expect(items == [Item(id: 5)])
    }

    /// Request signing, written by a user as the client's auth: it sees the request as it will be sent, default
    /// headers and body included, last before the transport.
    struct Signing: Middleware {
        func intercept(
            _ request: HTTPRequest, body: HTTPBody?, operation: String,
            next: @Sendable (HTTPRequest, HTTPBody?) async throws -> (HTTPResponse, StreamingResponse?)
        ) async throws -> (HTTPResponse, StreamingResponse?) {
            var request = request
            let length = try body?.length() ?? 0
            let canonical = "\(request.method.rawValue) \(request.url.path) \(request.headers["Content-Type"] ?? "-") \(length)"
            request.headers.set("X-Signature", Data(canonical.utf8).base64EncodedString())
            return try await next(request, body)
        }
    }

    /// Counts a streamed body's chunks as they pass, without changing them.
    final class ChunkCounter: Middleware, @unchecked Sendable {
        let chunks = Locked(0)

        func intercept(
            _ request: HTTPRequest, body: HTTPBody?, operation: String,
            next: @Sendable (HTTPRequest, HTTPBody?) async throws -> (HTTPResponse, StreamingResponse?)
        ) async throws -> (HTTPResponse, StreamingResponse?) {
            let (response, stream) = try await next(request, body)
            guard let stream else { return (response, nil) }
            let counted = AsyncThrowingStream<Data, any Error> { continuation in
                let reading = Task {
                    do {
                        for try await chunk in stream.body {
                            self.chunks.withLock { $0 += 1 }
                            continuation.yield(chunk)
                        }
                        continuation.finish()
                    } catch {
                        continuation.finish(throwing: error)
                    }
                }
                continuation.onTermination = { _ in reading.cancel() }
            }
            return (response, StreamingResponse(status: stream.status, headers: stream.headers, url: stream.url, body: counted, cancel: stream.cancel))
        }
    }

    @Test func aUserWrittenAuthMiddlewareSignsTheRequestAsSent() async throws {
        let transport = InMemoryTransport([.json(#"{"id": 1}"#)])
        let client = APIClient(
            api: APIDefinition(
                name: "Memory", baseURL: "https://memory.example.com/v1",
                auth: [AuthScheme(name: "key", kind: .header(name: "X-Key", template: "{token}"))]),
            credentials: ["key": "k"],
            options: ClientOptions(transport: transport, auth: Signing(), environment: [:], clock: ManualClock()))
        _ = try await client.send(Request<Item>("items.create", .post, "items", body: .json(["a": 1] as JSONValue), response: .json))
        let sent = try #require(transport.received.first?.request)
        let signature = try #require(sent.headers["X-Signature"]).data(using: .utf8).flatMap { Data(base64Encoded: $0) }
        #expect(signature.map { String(decoding: $0, as: UTF8.self) } == "POST /v1/items application/json 7")
        #expect(sent.headers["X-Key"] == nil, "the auth given in the options replaces the spec's schemes")
    }

    @Test func aMiddlewareSeesAStreamedBodyAsItArrives() async throws {
        let pieces = [Data("data: {\"id\": 1}\n\n".utf8), Data("data: {\"id\": 2}\n\n".utf8)]
        let transport = InMemoryTransport([.stream(status: 200, headers: HTTPHeaders(), pieces: pieces)])
        let counter = ChunkCounter()
        let client = APIClient(
            api: APIDefinition(name: "Memory", baseURL: "https://memory.example.com/v1"),
            options: ClientOptions(transport: transport, middlewares: [counter], environment: [:], clock: ManualClock()))
        var items: [Item] = []
        for try await item in try await client.send(Request<EventStream<Item>>("events", .get, "events", response: .events(.serverSentEvents))) {
            items.append(item)
        }
        #expect(items == [Item(id: 1), Item(id: 2)])
        #expect(counter.chunks.withLock { $0 } == 2)
    }

    @Test func retryAfterMillisecondsIsObeyedAndErrorsKeepTheirHeaders() async throws {
        let transport = InMemoryTransport([
            .json("{}", status: 429, headers: [("retry-after-ms", "1500"), ("Retry-After", "9")]),
            .json(#"{"error": {"message": "slow down"}}"#, status: 429, headers: [("x-ratelimit-remaining-requests", "0"), ("Retry-After", "1")]),
        ])
        let clock = ManualClock()
        let policy = ExponentialBackoff(maxAttempts: 2, initialDelay: 0.5, maxDelay: 0.5, maxRetryAfter: 60)
        let error = await failure { _ = try await client(transport, clock: clock, retry: policy).send(Request<Item>("t", .get, "x", response: .json)) }
        #expect(clock.sleeps == [1.5], "retry-after-ms wins over Retry-After")
        #expect(error?.headers?["x-ratelimit-remaining-requests"] == "0")
        #expect(error?.message == "slow down")
    }

    @Test func aWriteThatWasNeverSentIsTriedAgain() async throws {
        let transport = InMemoryTransport([.failure(TransportError(.cannotConnect, "refused")), .json(#"{"id": 2}"#)])
        let item = try await client(transport, clock: ManualClock()).send(Request<Item>("t", .post, "items", body: .json(Item(id: 2)), response: .json))
        #expect(item == Item(id: 2) && transport.received.count == 2)
        #expect(transport.received.allSatisfy { $0.body == Data(#"{"id":2}"#.utf8) })
    }

    @Test func credentialsEchoedByTheServerAreRedactedEverywhere() async throws {
        let transport = InMemoryTransport([.json(#"{"detail": "bad key s3cret-value"}"#, status: 401)])
        let error = await failure {
            _ = try await client(transport, clock: ManualClock(), credentials: ["key": "s3cret-value"]).send(Request<Item>("t", .get, "x", response: .json))
        }
        #expect(transport.received.first?.request.headers["X-Key"] == "s3cret-value")
        #expect(error?.kind == .unauthorized)
        for text in [error?.message, error?.description, error?.body.map { String(decoding: $0, as: UTF8.self) }, error?.detail.map { "\($0)" }] {
            #expect(text?.contains("s3cret") == false, "\(text ?? "nil")")
        }
    }

    // MARK: Jobs

    static let rule = JobRule(
        state: ["status"], processing: ["PENDING", "RUNNING"], failed: ["FAILED"], succeeded: ["SUCCEEDED"],
        progress: [["percent"]], timeout: 10, interval: 1, maxInterval: 4)

    @Test func aJobIsPolledWithGrowingWaitsUntilItSucceeds() async throws {
        let transport = InMemoryTransport([
            .json(#"{"status": "PENDING"}"#), .json(#"{"status": "PENDING"}"#), .json(#"{"status": "PENDING"}"#),
            .json(#"{"status": "RUNNING", "percent": 50}"#), .json(#"{"status": "SUCCEEDED", "id": 9}"#),
        ])
        let clock = ManualClock()
        let job = client(transport, clock: clock).job(Request<Item>("jobs.get", .get, "jobs/1", response: .json), rule: Self.rule)
        let progress = Locked<[JobProgress]>([])
        let item = try await job.result { update in progress.withLock { $0.append(update) } }
        #expect(item == Item(id: 9))
        #expect(clock.sleeps == [1, 1.5, 2.25, 1], "the wait grows by half each poll and starts again after progress")
        #expect(progress.withLock { $0.map(\.state) } == ["PENDING", "RUNNING"])
    }

    /// Progress at every poll restarts the timeout: eight polls a second apart outlive a 2 s timeout.
    @Test func aJobThatKeepsProgressingOutlivesItsTimeout() async throws {
        let polls: [InMemoryTransport.Answer] = (1...8).map { .json(#"{"status": "RUNNING", "percent": \#($0 * 10)}"#) }
        let transport = InMemoryTransport(polls + [.json(#"{"status": "SUCCEEDED", "id": 4}"#)])
        let clock = ManualClock()
        let job = client(transport, clock: clock).job(Request<Item>("jobs.get", .get, "jobs/1", response: .json), rule: Self.rule)
        #expect(try await job.result(timeout: 2) == Item(id: 4))
        #expect(clock.sleeps == Array(repeating: 1, count: 8))
    }

    /// A timed-out attempt is tried again only when the call's `total` leaves room for another read timeout: the
    /// default budget of a call that meets a silent server is one read timeout, not one per attempt.
    @Test(arguments: [(nil, 1), (100, 2), (50, 1)] as [(TimeInterval?, Int)])
    func aTimedOutAttemptIsRetriedOnlyWithinATotalThatLeavesRoomForIt(total: TimeInterval?, attempts: Int) async throws {
        let transport = InMemoryTransport([.failure(TransportError(.timedOut, "the server sent nothing for 30 s")), .json(#"{"id": 1}"#)])
        let clock = ManualClock()
        let client = APIClient(
            api: APIDefinition(name: "Memory", baseURL: "https://memory.example.com/v1"),
            options: ClientOptions(
                transport: transport, middlewares: [SilentFor(seconds: 30, clock: clock)],
                timeouts: Timeouts(connect: 5, read: 30, total: total), retry: FixedDelay(seconds: 1), environment: [:], clock: clock))
        let error = await failure { _ = try await client.send(Request<Item>("items.get", .get, "items/1", response: .json)) }
        #expect(transport.received.count == attempts)
        #expect(error?.kind == (attempts == 1 ? .timedOut : nil), "\(String(describing: error))")
    }

    /// An overall limit holds even while the job keeps progressing: with 1 s waits and 3.5 s in all, the last wait is
    /// cut to half a second, and the poll at 3.5 s is the last.
    @Test func anOverallLimitEndsAJobThatKeepsProgressing() async throws {
        let polls: [InMemoryTransport.Answer] = (1...8).map { .json(#"{"status": "RUNNING", "percent": \#($0 * 10)}"#) }
        let transport = InMemoryTransport(polls)
        let clock = ManualClock()
        let job = client(transport, clock: clock).job(Request<Item>("jobs.get", .get, "jobs/1", response: .json), rule: Self.rule)
        let error = await failure { _ = try await job.result(timeout: .infinity, overall: 3.5) }
        #expect(error?.kind == .timedOut)
        #expect(error?.message.contains("did not end within 3.5 s; last state: RUNNING") == true, "\(String(describing: error))")
        #expect(clock.sleeps == [1, 1, 1, 0.5])
        #expect(transport.received.count == 5)
    }

    /// `poll` asks again after each wait until an answer is there; its last wait is cut to the limit, where it asks
    /// once more before it gives up.
    @Test func pollingWaitsBetweenAttemptsUntilAValueOrTheLimit() async throws {
        let transport = InMemoryTransport([.json("null"), .json("null"), .json(#"{"id": 3}"#)])
        let clock = ManualClock()
        let api = client(transport, clock: clock)
        let request = Request<Item?>("results.get", .get, "results/1", response: .json)
        #expect(try await api.poll(request, every: 0.5, timeout: 10) { try await api.send(request) } == Item(id: 3))
        #expect(clock.sleeps == [0.5, 0.5])

        let never = InMemoryTransport([.json("null")])
        let neverClock = ManualClock()
        let waiting = client(never, clock: neverClock)
        let error = await failure { _ = try await waiting.poll(request, every: 0.5, timeout: 1.2) { try await waiting.send(request) } }
        #expect(error?.kind == .timedOut && error?.operation == "results.get")
        #expect(error?.message == "no result within 1.2 s")
        // Sleeps are whole nanoseconds: the last one is 0.2 s less a rounding error, and so is the sum.
        #expect(neverClock.sleeps.map { ($0 * 1000).rounded() } == [500, 500, 200])
        #expect(abs(neverClock.sleeps.reduce(0, +) - 1.2) < Nanoseconds.tolerance)
        #expect(never.received.count == 4)
    }

    @Test func aJobWithoutProgressTimesOutByTheClock() async throws {
        let transport = InMemoryTransport([.json(#"{"status": "PENDING"}"#)])
        let clock = ManualClock()
        let job = client(transport, clock: clock).job(Request<Item>("jobs.get", .get, "jobs/1", response: .json), rule: Self.rule)
        let error = await failure { _ = try await job.result() }
        #expect(error?.kind == .timedOut)
        #expect(clock.sleeps == [1, 1.5, 2.25, 3.375, 1.875], "the last wait is cut to reach the 10 s timeout")
        #expect(error?.message == "the job made no progress for 10.0 s (timeout 10.0 s); last state: PENDING", "\(String(describing: error))")
    }

    /// With its succeeded states listed, a rule does not take a state it does not know, or a missing one, for success.
    @Test(arguments: [#"{"status": "PAUSED"}"#, #"{"percent": 10}"#])
    func anUnknownOrMissingStateIsNotSuccess(status: String) async throws {
        let transport = InMemoryTransport([.json(status)])
        let job = client(transport, clock: ManualClock()).job(Request<Item>("jobs.get", .get, "jobs/1", response: .json), rule: Self.rule)
        let error = await failure { _ = try await job.result() }
        #expect(error?.kind == .timedOut, "\(String(describing: error))")
        if status.contains("PAUSED") { #expect(error?.message.contains("PAUSED, which the rule does not list") == true) }
    }

    @Test func aFailedJobThrowsItsState() async throws {
        let transport = InMemoryTransport([.json(#"{"status": "RUNNING"}"#), .json(#"{"status": "FAILED"}"#)])
        let job = client(transport, clock: ManualClock()).job(Request<Item>("jobs.get", .get, "jobs/1", response: .json), rule: Self.rule)
        let error = await failure { _ = try await job.result() }
        #expect(error?.kind == .jobFailed && error?.message == "the job ended in state FAILED")
    }

    // MARK: Streams

    @Test func aStreamReconnectsWithTheLastIDAfterACappedWait() async throws {
        let first = Data("id: 1\nretry: 99999999999999999\ndata: {\"id\": 1}\n\n".utf8)
        let transport = InMemoryTransport([
            .stream(status: 200, headers: HTTPHeaders(), pieces: [first], failure: TransportError(.connectionLost, "dropped")),
            .stream(status: 200, headers: HTTPHeaders(), pieces: [Data("id: 2\ndata: {\"id\": 2}\n\n".utf8)]),
        ])
        let clock = ManualClock()
        let stream = try await client(transport, clock: clock).send(
            Request<EventStream<Item>>("events", .get, "events", response: .events(.serverSentEvents, reconnects: true)))
        var items: [Item] = []
        for try await item in stream { items.append(item) }
        #expect(items == [Item(id: 1), Item(id: 2)])
        #expect(transport.received.map { $0.request.headers["Last-Event-ID"] } == [nil, "1"])
        #expect(clock.sleeps == [60], "the server asked for 3 million years; the wait is capped at a minute")
    }

    /// OpenAI ends a stream with `data: [DONE]`, which is not JSON: the stream ends there, cleanly, and whatever
    /// follows is not read.
    @Test func aStreamEndsAtItsSentinel() async throws {
        let body = Data("data: {\"id\": 1}\n\ndata: {\"id\": 2}\n\ndata: [DONE]\n\ndata: {\"id\": 3}\n\n".utf8)
        let transport = InMemoryTransport([.stream(status: 200, headers: HTTPHeaders(), pieces: [body])])
        let stream = try await client(transport, clock: ManualClock()).send(
            Request<EventStream<Item>>("events", .get, "events", response: .events(.serverSentEvents, end: "[DONE]")))
        var items: [Item] = []
        for try await item in stream { items.append(item) }
        #expect(items == [Item(id: 1), Item(id: 2)])

        let without = InMemoryTransport([.stream(status: 200, headers: HTTPHeaders(), pieces: [body])])
        let error = await failure {
            for try await _ in try await client(without, clock: ManualClock()).send(
                Request<EventStream<Item>>("events", .get, "events", response: .events(.serverSentEvents))) {}
        }
        #expect(error?.kind == .decoding, "without the sentinel declared, [DONE] is an event that is not JSON")
    }

    @Test func anEventLargerThanTheLimitIsATypedError() async throws {
        let huge = Data(("data: " + String(repeating: "x", count: 2_000) + "\n\n").utf8)
        let transport = InMemoryTransport([.stream(status: 200, headers: HTTPHeaders(), pieces: [huge])])
        let client = APIClient(
            api: APIDefinition(name: "M", baseURL: "https://m.example.com"),
            options: ClientOptions(transport: transport, environment: [:], clock: ManualClock(), maximumEventSize: 1_000))
        let stream = try await client.send(Request<EventStream<ServerSentEvent>>("events", .get, "events", response: .serverSentEvents()))
        let error = await failure { for try await _ in stream {} }
        #expect(error?.kind == .responseTooLarge && error?.message == "an event is larger than 1000 bytes")
    }

    @Test func noRetriesIsSpelledNeverAndTheSpecsPolicyIsTheDefault() async throws {
        let transport = InMemoryTransport([.json("{}", status: 503)])
        let api = APIDefinition(name: "M", baseURL: "https://m.example.com", retry: ExponentialBackoff(maxAttempts: 3, initialDelay: 0, maxDelay: 0))
        for (retry, attempts) in [(ExponentialBackoff.never as any RetryPolicy, 1), (SpecRetryPolicy.spec, 3)] {
            let client = APIClient(api: api, options: ClientOptions(transport: transport, retry: retry, environment: [:], clock: ManualClock()))
            let error = await failure { _ = try await client.send(Request<JSONValue>("t", .get, "x", response: .json)) }
            #expect(error?.attempts == attempts)
        }
        let defaults = APIClient(api: api, options: ClientOptions(transport: transport, environment: [:], clock: ManualClock()))
        #expect(await failure { _ = try await defaults.send(Request<JSONValue>("t", .get, "x", response: .json)) }?.attempts == 3)
    }

    @Test func sleepsAndTimeoutsClampWhatCannotBeWaited() {
        #expect(Nanoseconds.clamped(.nan) == 0)
        #expect(Nanoseconds.clamped(-5) == 0)
        #expect(Nanoseconds.clamped(.infinity) == 86_400_000_000_000)
        #expect(Nanoseconds.clamped(1.8e10) == 86_400_000_000_000)
        #expect(ExponentialBackoff(maxAttempts: 3, initialDelay: .infinity, maxDelay: .infinity).delay(after: .interrupted, attempt: 2)! <= 86_400)
    }
}

/// A chunked upload checks every offset the server reports.
@Suite("Chunked upload against hostile offsets, in memory")
struct UploadOffsetTests {
    func upload(answers: [InMemoryTransport.Answer], size: Int = 10) throws -> (ChunkedUpload<JSONValue>, InMemoryTransport) {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("upload-\(UUID().uuidString)")
        try Data(repeating: 7, count: size).write(to: file)
        let transport = InMemoryTransport(answers)
        let client = APIClient(
            api: APIDefinition(name: "Uploads", baseURL: "https://memory.example.com"),
            options: ClientOptions(transport: transport, retry: ExponentialBackoff.none, environment: [:], clock: ManualClock()))
        let request = Request<JSONValue>("uploads.create", .put, "uploads/", response: .json)
        return (client.chunkedUpload(request, rule: ChunkedUploadRule(chunkSize: 4), file: file), transport)
    }

    static func state(offset: Int) -> InMemoryTransport.Answer {
        .json(#"{"url": "https://memory.example.com/uploads/1/", "offset": \#(offset), "completed_at": null}"#)
    }

    @Test(arguments: [-1, 11, 99_999_999])
    func anOffsetOutsideTheFileStopsTheUpload(offset: Int) async throws {
        let (upload, transport) = try upload(answers: [Self.state(offset: offset)])
        let error = await failure { _ = try await upload.run() }
        #expect(error?.kind == .decoding && error?.message.contains("reported offset \(offset)") == true, "\(String(describing: error))")
        #expect(transport.received.count == 1, "nothing more was sent, no finalize above all")
    }

    @Test func anOffsetThatNeverAdvancesStopsAfterThreeChunks() async throws {
        let (upload, transport) = try upload(answers: [Self.state(offset: 4), Self.state(offset: 4)])
        let error = await failure { _ = try await upload.run() }
        #expect(error?.message.contains("makes no progress") == true, "\(String(describing: error))")
        #expect(transport.received.count == 4, "the first chunk, then three answers without progress")
    }

    @Test func anHonestServerGetsEveryChunkOnceThenTheFinalize() async throws {
        let (upload, transport) = try upload(answers: [Self.state(offset: 4), Self.state(offset: 8), Self.state(offset: 10), .json(#"{"done": true}"#)])
        #expect(try await upload.run() == ["done": true])
        #expect(transport.received.map { $0.request.method } == [.put, .put, .put, .post])
        #expect(transport.received.prefix(3).map { $0.request.headers["Content-Range"] } == ["bytes 0-3/10", "bytes 4-7/10", "bytes 8-9/10"])
    }
}

/// Pagination walks asserted on what was asked for, in memory.
@Suite("Pagination, in memory")
struct PaginationPolicyTests {
    struct Item: Codable, Equatable, Sendable { var id: Int }

    func walk(_ answers: [InMemoryTransport.Answer], rule: PaginationRule) async throws -> ([Int], [String]) {
        let transport = InMemoryTransport(answers)
        let client = APIClient(
            api: APIDefinition(name: "Pages", baseURL: "https://memory.example.com/v1"),
            options: ClientOptions(transport: transport, retry: ExponentialBackoff.never, environment: [:], clock: ManualClock()))
        var ids: [Int] = []
        for try await item in client.paginate(Request<Page<Item>>("items.list", .get, "items/", response: .page(rule))) {
            ids.append(item.id)
        }
        return (ids, transport.received.map { $0.request.url.absoluteString })
    }

    /// GitHub's way: each page a JSON array, the next page's URL in the `Link` header.
    @Test func linkHeadersAreFollowedOverArrayPages() async throws {
        let rule = PaginationRule(style: .linkHeader, items: [])
        let link = #"<https://memory.example.com/v1/items/?page=2>; rel="next", <https://memory.example.com/v1/items/?page=3>; rel="last""#
        let (ids, urls) = try await walk([
            .json(#"[{"id": 1}, {"id": 2}]"#, headers: [("Link", link)]),
            .json(#"[{"id": 3}]"#, headers: [("link", #"<https://memory.example.com/v1/items/?page=1>; rel="prev first""#)]),
        ], rule: rule)
        #expect(ids == [1, 2, 3])
        #expect(urls == ["https://memory.example.com/v1/items/", "https://memory.example.com/v1/items/?page=2"])
    }

    /// A cursor in a response header (`X-Next-Cursor`), sent back as a query item on the same path; a page without
    /// the header is the last, and a cursor seen before ends the walk rather than looping.
    @Test func cursorsInAResponseHeaderAreSentBackUntilAPageHasNone() async throws {
        let rule = PaginationRule(style: .cursorHeader)
        let (ids, urls) = try await walk([
            .json(#"[{"id": 1}, {"id": 2}]"#, headers: [("X-Next-Cursor", "c/2 =")]),
            .json(#"[{"id": 3}]"#, headers: [("x-next-cursor", "c3")]),
            .json(#"[{"id": 4}]"#),
        ], rule: rule)
        #expect(ids == [1, 2, 3, 4])
        #expect(urls == [
            "https://memory.example.com/v1/items/", "https://memory.example.com/v1/items/?cursor=c%2F2%20%3D",
            "https://memory.example.com/v1/items/?cursor=c3",
        ])

        let (looped, loopURLs) = try await walk([
            .json(#"[{"id": 1}]"#, headers: [("X-Next-Cursor", "same")]),
            .json(#"[{"id": 2}]"#, headers: [("X-Next-Cursor", "same")]),
        ], rule: rule)
        #expect(looped == [1, 2])
        #expect(loopURLs.count == 2, "the repeated cursor is not asked for again: \(loopURLs)")
    }

    @Test(arguments: [
        (#"<https://a.example/x?page=2>; rel="next""#, "https://a.example/x?page=2"),
        (#"<https://a.example/x?page=1>; rel="prev", <https://a.example/x?a=1,2&page=3>; rel="next last""#, "https://a.example/x?a=1,2&page=3"),
        (#"<https://a.example/x?page=2>;rel=next"#, "https://a.example/x?page=2"),
        (#"<https://a.example/x?page=9>; rel="last""#, nil),
        ("not a link header", nil),
    ] as [(String, String?)])
    func linkHeadersAreReadAsRFC8288Says(header: String, next: String?) {
        #expect(LinkHeader.next(in: header) == next)
    }

    /// OpenAI's and Stripe's way: `has_more` false on the last page, so the walk asks for nothing more, not even
    /// ahead of time.
    @Test func hasMoreFalseEndsTheWalkWithoutAnotherRequest() async throws {
        let rule = PaginationRule(style: .cursor, items: ["data"], next: ["last_id"], hasMore: ["has_more"], cursorParameter: "after")
        let (ids, urls) = try await walk([
            .json(#"{"data": [{"id": 1}, {"id": 2}], "last_id": "b", "has_more": true}"#),
            .json(#"{"data": [{"id": 3}], "last_id": "c", "has_more": false}"#),
            .json(#"{"data": [{"id": 99}], "last_id": "z", "has_more": false}"#),
        ], rule: rule)
        #expect(ids == [1, 2, 3])
        #expect(urls == ["https://memory.example.com/v1/items/", "https://memory.example.com/v1/items/?after=b"])
    }

    @Test func offsetsAdvanceByTheItemsSeenAndStopAtAShortPage() async throws {
        let transport = InMemoryTransport([
            .json(#"{"results": [{"id": 1}, {"id": 2}]}"#), .json(#"{"results": [{"id": 3}, {"id": 4}]}"#),
            .json(#"{"results": [{"id": 5}]}"#), .json(#"{"results": [{"id": 99}]}"#),
        ])
        let client = APIClient(
            api: APIDefinition(name: "Pages", baseURL: "https://memory.example.com/v1"),
            options: ClientOptions(transport: transport, retry: ExponentialBackoff.never, environment: [:], clock: ManualClock()))
        let rule = PaginationRule(style: .offset, items: ["results"], offsetParameter: "offset", limitParameter: "limit")
        let first = Request<Page<Item>>("items.list", .get, "items/", query: [URLQueryItem(name: "limit", value: "2")], response: .page(rule))
        var ids: [Int] = []
        for try await item in client.paginate(first) { ids.append(item.id) }
        #expect(ids == [1, 2, 3, 4, 5])
        #expect(transport.received.map { $0.request.url.query ?? "" } == ["limit=2", "limit=2&offset=2", "limit=2&offset=4"])
    }

    @Test func nextLinksAreFollowedUntilThereIsNone() async throws {
        let (ids, urls) = try await walk([
            .json(#"{"count": 3, "next": "https://memory.example.com/v1/items/?page=2", "results": [{"id": 1}, {"id": 2}]}"#),
            .json(#"{"count": 3, "next": null, "results": [{"id": 3}]}"#),
        ], rule: PaginationRule(style: .nextLink, items: ["results"], next: ["next"], count: ["count"]))
        #expect(ids == [1, 2, 3])
        #expect(urls == ["https://memory.example.com/v1/items/", "https://memory.example.com/v1/items/?page=2"])
    }

    struct Picture: Codable, Equatable, Sendable, FileURLs {
        var id: Int
        var url: String
        enum FileURLField: String, Sendable { case url }
        func rewritingFileURLs(_ rewrite: (_ field: String, _ url: String) -> String) -> Picture {
            Picture(id: id, url: rewrite("url", url))
        }
    }

    /// Rewrites of a walk's file URLs apply to every item of every page, in the order they were added.
    @Test func fileURLRewritesApplyToEveryItemInTurn() async throws {
        let transport = InMemoryTransport([
            .json(#"{"next": "https://memory.example.com/v1/items/?page=2", "results": [{"id": 1, "url": "a"}, {"id": 2, "url": "b"}]}"#),
            .json(#"{"next": null, "results": [{"id": 3, "url": "c"}]}"#),
        ])
        let client = APIClient(
            api: APIDefinition(name: "Pages", baseURL: "https://memory.example.com/v1"),
            options: ClientOptions(transport: transport, retry: ExponentialBackoff.never, environment: [:], clock: ManualClock()))
        let rule = PaginationRule(style: .nextLink, items: ["results"], next: ["next"])
        let walk = client.paginate(Request<Page<Picture>>("items.list", .get, "items/", response: .page(rule)))
            .rewritingFileURLs { field, url in "\(field):\(url)" }
            .rewritingFileURLs { "/" + $0 }
        var pictures: [Picture] = []
        for try await picture in walk { pictures.append(picture) }
        #expect(pictures == [Picture(id: 1, url: "/url:a"), Picture(id: 2, url: "/url:b"), Picture(id: 3, url: "/url:c")])
    }

    /// The next page is asked for while the current one is walked, and never a page further.
    @Test func theNextPageIsAskedForAheadButNotTwoAhead() async throws {
        let transport = InMemoryTransport((1...4).map { page in
            .json(#"{"next": "https://memory.example.com/v1/items/?page=\#(page + 1)", "results": [{"id": \#(page)}]}"#)
        })
        let client = APIClient(
            api: APIDefinition(name: "Pages", baseURL: "https://memory.example.com/v1"),
            options: ClientOptions(transport: transport, retry: ExponentialBackoff.never, environment: [:], clock: ManualClock()))
        let rule = PaginationRule(style: .nextLink, items: ["results"], next: ["next"])
        var walk = client.paginate(Request<Page<Item>>("items.list", .get, "items/", response: .page(rule))).makeAsyncIterator()
        #expect(try await walk.next()?.id == 1)
        // Bounded waits for the request made ahead, which runs in a task of its own.
        for _ in 0..<500 where transport.received.count < 2 { try await Task.sleep(nanoseconds: 2_000_000) }
        #expect(transport.received.count == 2, "page 2 was asked for while page 1 was walked")
        try await Task.sleep(nanoseconds: 50_000_000)
        #expect(transport.received.count == 2, "page 3 waits until page 2 is taken")
        #expect(try await walk.next()?.id == 2)
        for _ in 0..<500 where transport.received.count < 3 { try await Task.sleep(nanoseconds: 2_000_000) }
        #expect(transport.received.map(\.request.url.query) == [nil, "page=2", "page=3"])
    }

    /// The next page's request goes out before the current page is decoded, not after it: the server works on it
    /// meanwhile. The first page's item waits (at most 10 s) for the second page's request to reach the transport.
    /// On an `IOThread` too, where the walk and the page ahead share one thread.
    @Test(arguments: [false, true])
    func theNextPageIsAskedForBeforeThisOneIsDecoded(onIOThread: Bool) async throws {
        let transport = InMemoryTransport([
            .json(#"{"next": "https://memory.example.com/v1/items/?page=2", "results": [{"id": 1}]}"#),
            .json(#"{"results": [{"id": 2}]}"#),
        ])
        let client = APIClient(
            api: APIDefinition(name: "Pages", baseURL: "https://memory.example.com/v1"),
            options: ClientOptions(transport: transport, retry: ExponentialBackoff.never, environment: [:], clock: ManualClock()))
        let rule = PaginationRule(style: .nextLink, items: ["results"], next: ["next"])
        let items = try await ItemWaitingForTheNextPage.$transport.withValue(transport) {
            try await running(onIOThread: onIOThread) {
                var items: [ItemWaitingForTheNextPage] = []
                for try await item in client.paginate(Request<Page<ItemWaitingForTheNextPage>>("items.list", .get, "items/", response: .page(rule))) {
                    items.append(item)
                }
                return items
            }
        }
        #expect(items.map(\.id) == [1, 2])
        #expect(items.first?.nextPageWasAsked == true, "page 2 was not asked for while page 1 was decoded")
    }

    /// An item of the first page that, while decoded, waits a bounded while for the second page's request.
    struct ItemWaitingForTheNextPage: Decodable, Sendable {
        @TaskLocal static var transport: InMemoryTransport?
        var id: Int
        var nextPageWasAsked = false

        enum CodingKeys: CodingKey { case id }

        init(from decoder: any Decoder) throws {
            id = try decoder.container(keyedBy: CodingKeys.self).decode(Int.self, forKey: .id)
            guard id == 1, let transport = Self.transport else { return }
            let deadline = Date() + 10
            while transport.received.count < 2, Date() < deadline { usleep(1000) }
            nextPageWasAsked = transport.received.count == 2
        }
    }

    @Test func aNextLinkThatComesBackAgainEndsTheWalk() async throws {
        let (ids, urls) = try await walk([
            .json(#"{"next": "https://memory.example.com/v1/items/?page=2", "results": [{"id": 1}]}"#),
        ], rule: PaginationRule(style: .nextLink, items: ["results"], next: ["next"]))
        #expect(ids == [1, 1])
        #expect(urls.count == 2, "the second page named itself next: no third request")
    }

    @Test func aNextLinkToAnotherOriginIsRefused() async throws {
        let error = await failure {
            _ = try await walk([
                .json(#"{"next": "https://elsewhere.example.com/items/?page=2", "results": [{"id": 1}]}"#),
            ], rule: PaginationRule(style: .nextLink, items: ["results"], next: ["next"]))
        }
        #expect(error?.kind == .invalidRequest)
    }

    @Test func pageNumbersStopAtTheCount() async throws {
        let (ids, urls) = try await walk([
            .json(#"{"count": 3, "results": [{"id": 1}, {"id": 2}]}"#), .json(#"{"count": 3, "results": [{"id": 3}]}"#),
        ], rule: PaginationRule(style: .pageNumber, items: ["results"], count: ["count"], pageParameter: "page", pageSizeParameter: "page_size"))
        #expect(ids == [1, 2, 3])
        #expect(urls == ["https://memory.example.com/v1/items/", "https://memory.example.com/v1/items/?page=2"])
    }
}

/// Moves the clock on by a read timeout whenever an attempt times out, as a silent server makes it wait.
private struct SilentFor: Middleware {
    let seconds: TimeInterval
    let clock: ManualClock

    func intercept(
        _ request: HTTPRequest, body: HTTPBody?, operation: String,
        next: @Sendable (HTTPRequest, HTTPBody?) async throws -> (HTTPResponse, StreamingResponse?)
    ) async throws -> (HTTPResponse, StreamingResponse?) {
        do {
            return try await next(request, body)
        } catch let error as TransportError where error.kind == .timedOut {
            clock.advance(by: seconds)
            throw error
        }
    }
}
