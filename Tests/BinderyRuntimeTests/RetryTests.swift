@_spi(Generated) import BinderyRuntime
import BinderyTestSupport
import Foundation
import Testing

@Suite("Retries and idempotency, against the fault server", .enabled(if: liveTestsEnabled, "needs the test command (BINDERY_LIVE=1)"))
struct RetryTests {
    @Test func retriesA503UntilItSucceeds() async throws {
        let server = try await FaultServer()
        defer { server.stop() }
        let id = uniqueID()
        let answer = try await makeClient(server).send(Request<Attempt>("t", .get, "status/\(id)?seq=503,503,200", response: .json))
        #expect(answer.attempt == 3)
        #expect(await server.received("status/\(id)", atLeast: 3).count == 3)
    }

    @Test func givesUpAfterMaxAttemptsAndSaysSo() async throws {
        let server = try await FaultServer()
        defer { server.stop() }
        let id = uniqueID()
        let error = await failure { _ = try await makeClient(server).send(Request<Attempt>("t.get", .get, "status/\(id)?seq=503", response: .json)) }
        #expect(error?.kind == .server)
        #expect(error?.statusCode == 503)
        #expect(error?.attempts == 4)
        #expect(error?.detail?["detail"] == "status 503")
        #expect(error?.operation == "t.get")
        #expect(await server.received("status/\(id)", atLeast: 4).count == 4)
    }

    @Test(arguments: [
        (400, BinderyError.Kind.validation), (422, .validation), (401, .unauthorized), (403, .forbidden),
        (404, .notFound), (408, .timedOut), (409, .conflict), (410, .gone), (429, .rateLimited), (500, .server), (418, .unexpectedStatus),
    ])
    func statusesBecomeDistinctKindsWithoutRetry(status: Int, kind: BinderyError.Kind) async throws {
        let server = try await FaultServer()
        defer { server.stop() }
        let id = uniqueID()
        let policy = ExponentialBackoff(maxAttempts: 4, initialDelay: 0.01, maxDelay: 0.05, retryableStatuses: [503])
        let error = await failure { _ = try await makeClient(server, retry: policy).send(Request<Attempt>("t", .get, "status/\(id)?seq=\(status)", response: .json)) }
        #expect(error?.kind == kind)
        #expect(error?.statusCode == status)
        #expect(error?.body.map { String(decoding: $0, as: UTF8.self) }?.contains("status \(status)") == true)
        #expect(await server.received("status/\(id)", atLeast: 1).count == 1)
    }

    @Test func honoursRetryAfterInSeconds() async throws {
        let server = try await FaultServer()
        defer { server.stop() }
        let id = uniqueID()
        let clock = ManualClock()
        _ = try await makeClient(server, clock: clock).send(Request<Attempt>("t", .get, "status/\(id)?seq=429,200&retry_after=1", response: .json))
        #expect(clock.sleeps == [1])
        #expect(await server.received("status/\(id)", atLeast: 2).count == 2)
    }

    @Test func honoursRetryAfterAsAnHTTPDate() async throws {
        let server = try await FaultServer()
        defer { server.stop() }
        let id = uniqueID()
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        // An hour ahead, past the policy's cap: the wait is the cap whatever the load, and only a date read as such
        // gives it (an unread one would fall back to the backoff of at most 0.05 s).
        let date = formatter.string(from: Date().addingTimeInterval(3600)).addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
        let clock = ManualClock()
        var policy = quickRetries
        policy.maxRetryAfter = 30
        _ = try await makeClient(server, retry: policy, clock: clock).send(
            Request<Attempt>("t", .get, "status/\(id)?seq=503,200&retry_after=\(date)", response: .json))
        #expect(clock.sleeps == [30])
    }

    @Test func capsAHostileRetryAfter() async throws {
        let server = try await FaultServer()
        defer { server.stop() }
        let id = uniqueID()
        var policy = quickRetries
        policy.maxRetryAfter = 0.2
        let clock = ManualClock()
        _ = try await makeClient(server, retry: policy, clock: clock).send(Request<Attempt>("t", .get, "status/\(id)?seq=503,200&retry_after=3600", response: .json))
        #expect(clock.sleeps == [0.2], "a 3600 s Retry-After is capped to 0.2 s")
        #expect(await server.received("status/\(id)", atLeast: 2).count == 2)
    }

    @Test func neverResendsAPostThatMayHaveReachedTheServer() async throws {
        let server = try await FaultServer()
        defer { server.stop() }
        let id = uniqueID()
        let error = await failure {
            _ = try await makeClient(server).send(Request<Attempt>("jobs.create", .post, "drop/\(id)?times=1", body: .json(["a": 1]), response: .json))
        }
        #expect(error?.kind == .outcomeUnknown)
        #expect(error?.attempts == 1)
        #expect(await server.received("drop/\(id)", atLeast: 1).count == 1)
    }

    @Test func patchIsTreatedLikePost() async throws {
        let server = try await FaultServer()
        defer { server.stop() }
        let id = uniqueID()
        let error = await failure { _ = try await makeClient(server).send(Request<Attempt>("t", .patch, "drop/\(id)", body: .json(["a": 1]), response: .json)) }
        #expect(error?.kind == .outcomeUnknown)
        #expect(await server.received("drop/\(id)", atLeast: 1).count == 1)
    }

    @Test func retriesAGetAfterTheConnectionDrops() async throws {
        let server = try await FaultServer()
        defer { server.stop() }
        let id = uniqueID()
        let answer = try await makeClient(server).send(Request<Attempt>("t", .get, "drop/\(id)?times=1", response: .json))
        #expect(answer.attempt == 2)
    }

    @Test func retriesAPostDeclaredIdempotent() async throws {
        let server = try await FaultServer()
        defer { server.stop() }
        let id = uniqueID()
        let request = Request<Attempt>("t", .post, "drop/\(id)?times=1", body: .json(["a": 1]), options: RequestOptions(idempotent: true), response: .json)
        #expect(try await makeClient(server).send(request).attempt == 2)
        let bodies = await server.received("drop/\(id)", atLeast: 2).map { $0["body"] as? String }
        #expect(bodies == [#"{"a":1}"#, #"{"a":1}"#])
    }

    @Test func retriesAPostTheServerRejectedWith503() async throws {
        let server = try await FaultServer()
        defer { server.stop() }
        let id = uniqueID()
        let answer = try await makeClient(server).send(Request<Attempt>("t", .post, "status/\(id)?seq=503,200", body: .json(["a": 1]), response: .json))
        #expect(answer.attempt == 2)
    }

    @Test func cannotConnectIsRetriedThenReported() async throws {
        let server = try await FaultServer()
        server.stop()
        let error = await failure { _ = try await makeClient(server).send(Request<Attempt>("t", .post, "status/x", body: .json(["a": 1]), response: .json)) }
        #expect(error?.kind == .cannotConnect)
        #expect(error?.attempts == 4)
    }

    @Test func fileBodiesAreReadAgainForARetry() async throws {
        let server = try await FaultServer()
        defer { server.stop() }
        let id = uniqueID()
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("bindery-\(id).bin")
        let bytes = Data((0..<(3 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 31) })
        try bytes.write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let request = Request<Attempt>("t", .put, "status/\(id)?seq=503,200", body: .file(file, contentType: "application/octet-stream"), response: .json)
        #expect(try await makeClient(server).send(request).attempt == 2)
        let received = await server.received("status/\(id)", atLeast: 2)
        #expect(received.map { $0["body_length"] as? Int } == [bytes.count, bytes.count])
        #expect(Set(received.compactMap { $0["body_sha256"] as? String }).count == 1)
    }

    @Test func multipartFilePartsAreSentWholeOnEveryAttempt() async throws {
        let server = try await FaultServer()
        defer { server.stop() }
        let id = uniqueID()
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("bindery-\(id).txt")
        try Data("file contents\n".utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        var form = MultipartForm()
        form.add("filename", "notes.txt")
        form.add("file", file: file)
        let request = Request<Attempt>("t", .put, "status/\(id)?seq=502,200", body: .multipart(form.parts), response: .json)
        #expect(try await makeClient(server).send(request).attempt == 2)
        for record in await server.received("status/\(id)", atLeast: 2) {
            let body = record["body"] as? String ?? ""
            #expect(body.contains("name=\"filename\"\r\n\r\nnotes.txt\r\n"))
            #expect(body.contains("name=\"file\"; filename=\"bindery-\(id).txt\"\r\nContent-Type: application/octet-stream\r\n\r\nfile contents\n\r\n"))
            #expect(server.headers(record)["content-type"]?.hasPrefix("multipart/form-data; boundary=") == true)
        }
    }
}
