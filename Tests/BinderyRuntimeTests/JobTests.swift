import BinderyRuntime
import BinderyTestSupport
import Foundation
import Testing

/// Async-job polling against Tests/Servers/jobs.py, whose jobs progress, stall, fail and complete over time.
@Suite("Async-job polling, against a job server", .enabled(if: liveTestsEnabled, "needs the test command (BINDERY_LIVE=1)"))
struct JobTests {
    struct Answer: Decodable, Sendable, Equatable {
        var answer: String
    }

    /// Sage Synapse's `AsynchronousJobStatus` semantics, with short waits.
    static let rule = JobRule(
        state: ["jobState"], processing: ["PROCESSING"], failed: ["FAILED"], message: ["errorMessage"],
        details: ["errorDetails"], progress: [["progressMessage"], ["progressCurrent"], ["progressTotal"]],
        timeout: 30, interval: 0.05, maxInterval: 0.2)

    struct JobServer {
        let server: LiveServer
        let client: APIClient

        init(token: String = "secret-token") async throws {
            server = try await LiveServer(script: "Tests/Servers/jobs.py")
            client = APIClient(
                api: APIDefinition(
                    name: "Jobs", baseURL: server.baseURL.absoluteString,
                    auth: [AuthScheme(name: "token", kind: .header(name: "Authorization", template: "Bearer {token}"))]),
                credentials: ["token": token], options: ClientOptions(retry: quickRetries, environment: [:]))
        }

        /// Starts a job that shows each status from its `after` second on.
        func start(_ script: [(after: Double, status: JSONValue)]) async throws -> Job<Answer> {
            let body: JSONValue = ["script": .array(script.map { ["after": .number($0.after), "status": $0.status] })]
            return try await client.startJob(
                Request("jobs.start", .post, "jobs/start", body: .json(body), response: .json), rule: JobTests.rule
            ) { started in
                Self.status(try started.string("token"))
            }
        }

        static func status(_ token: String) -> Request<Answer> {
            Request("jobs.get", .get, "jobs/get/\(segment: token)", response: .json)
        }

        /// The requests (method, path, authorization, monotonic time) the server logged, once at least `count` are there (for up to 5 s): the server logs each
        /// before answering it, but its log reaches this process through a pipe, which a loaded machine delays.
        func requests(atLeast count: Int = 0) async -> [(method: String, path: String, authorization: String?, time: Double)] {
            await server.records(atLeast: count) { record in
                (record["method"] as? String ?? "", record["path"] as? String ?? "", record["authorization"] as? String,
                 record["t"] as? Double ?? 0)
            }
        }
    }

    static func processing(_ current: Int, of total: Int = 3) -> JSONValue {
        ["jobState": "PROCESSING", "progressMessage": .string("step \(current)"), "progressCurrent": .integer(current),
         "progressTotal": .integer(total)]
    }

    @Test func returnsTheTypedResultAfterProgress() async throws {
        let jobs = try await JobServer()
        defer { jobs.server.stop() }
        let job = try await jobs.start([
            (0, Self.processing(1)), (0.2, Self.processing(2)), (0.4, Self.processing(3)), (0.6, ["answer": "hello"]),
        ])
        let seen = Locked<[Int]>([])
        let answer = try await job.result { progress in
            if case .integer(let current)? = progress.fields["progressCurrent"] { seen.withLock { $0.append(current) } }
        }
        #expect(answer == Answer(answer: "hello"))
        // Each progress change is reported once, in order; a loaded machine may poll past a step.
        let reported = seen.withLock { $0 }
        #expect(reported.first == 1 && reported == Array(Set(reported)).sorted())
        // The start, and at least two polls: the first saw step 1, and the answer came later.
        let requests = await jobs.requests(atLeast: 3)
        #expect(requests.first?.path == "/jobs/start")
        #expect(requests.allSatisfy { $0.authorization == "Bearer secret-token" })
        #expect(requests.filter { $0.path.hasPrefix("/jobs/get/") }.count >= 2)
    }

    @Test func aJobThatKeepsProgressingOutlivesItsTimeout() async throws {
        let jobs = try await JobServer()
        defer { jobs.server.stop() }
        // 1.6 s in all, with progress every 0.2 s (patience under a short timeout is proven in memory, in PolicyTests).
        var script: [(after: Double, status: JSONValue)] = (0..<8).map { (Double($0) * 0.2, Self.processing($0, of: 8)) }
        script.append((1.6, ["answer": "patient"]))
        let job = try await jobs.start(script)
        #expect(try await job.result() == Answer(answer: "patient"))
    }

    @Test func aStalledJobTimesOutSayingHowLongItWaited() async throws {
        let jobs = try await JobServer()
        defer { jobs.server.stop() }
        let job = try await jobs.start([(0, Self.processing(1))])
        let error = await failure { _ = try await job.result(timeout: 0.6) }
        #expect(error?.kind == .timedOut)
        #expect(error?.operation == "jobs.get")
        #expect(error?.message.contains("no progress for") == true)
        #expect(error?.message.contains("timeout 0.6 s") == true)
        // The wait between polls grew: far fewer polls than one every 0.05 s.
        #expect(await jobs.requests().filter { $0.path.hasPrefix("/jobs/get/") }.count < 10)
    }

    @Test func aFailedJobCarriesTheServersMessageAndDetails() async throws {
        let jobs = try await JobServer()
        defer { jobs.server.stop() }
        let job = try await jobs.start([
            (0, Self.processing(1)),
            (0.1, ["jobState": "FAILED", "errorMessage": "Table is locked", "errorDetails": "etag mismatch at row 7"]),
        ])
        let error = await failure { _ = try await job.result() }
        #expect(error?.kind == .jobFailed)
        #expect(error?.message == "Table is locked\netag mismatch at row 7")
        #expect(error?.detail?["jobState"] == "FAILED")
    }

    @Test func cancellingTheTaskStopsPolling() async throws {
        let jobs = try await JobServer()
        defer { jobs.server.stop() }
        let job = try await jobs.start([(0, Self.processing(1))])
        let waiting = Task { try await job.result(timeout: .infinity) }
        try await Task.sleep(nanoseconds: 300_000_000)
        waiting.cancel()
        let error = await failure { _ = try await waiting.value }
        #expect(error?.kind == .cancelled)
        let polls = await jobs.requests().count
        try await Task.sleep(nanoseconds: 500_000_000)
        #expect(await jobs.requests().count == polls)
    }

    @Test func aJobCanBeAwaitedLaterFromItsTokenAlone() async throws {
        let jobs = try await JobServer()
        defer { jobs.server.stop() }
        let started = try await jobs.start([(0, Self.processing(1)), (0.2, ["answer": "later"])])
        let token = String(started.status.path.split(separator: "/").last!)

        // A different client, as after a restart, with only the token.
        let later = jobs.client.job(JobServer.status(token), rule: Self.rule)
        #expect(try await later.result() == Answer(answer: "later"))
    }

    @Test func aRejectedTokenIsUnauthorized() async throws {
        let jobs = try await JobServer(token: "wrong")
        defer { jobs.server.stop() }
        let error = await failure { _ = try await jobs.start([(0, ["answer": "never"])]) }
        #expect(error?.kind == .unauthorized)
        #expect(error?.detail?["reason"] == "Invalid access token")
    }
}
