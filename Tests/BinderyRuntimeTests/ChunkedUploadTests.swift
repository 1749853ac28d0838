import BinderyRuntime
import BinderyTestSupport
import Foundation
import Testing

/// Chunked uploads against drf-chunked-upload, mounted by the Synapse backend emulator (Tests/Servers/synapse).
@Suite("Chunked upload, against drf-chunked-upload", .enabled(if: liveTestsEnabled, "needs the test command (BINDERY_LIVE=1)"))
struct ChunkedUploadTests {
    static let chunk = 1 << 20

    struct Finalized: Decodable, Sendable {
        var id: String
        var status: Int?
        var completedAt: String?

        enum CodingKeys: String, CodingKey {
            case id, status
            case completedAt = "completed_at"
        }
    }

    struct Stored: Decodable, Sendable {
        var size: Int
        var md5: String
    }

    /// Records how each attempt that got no response failed.
    struct AttemptFailures: Middleware {
        let messages = Locked<[String]>([])

        func intercept(
            _ request: HTTPRequest, body: HTTPBody?, operation: String,
            next: @Sendable (HTTPRequest, HTTPBody?) async throws -> (HTTPResponse, StreamingResponse?)
        ) async throws -> (HTTPResponse, StreamingResponse?) {
            do {
                return try await next(request, body)
            } catch let error as TransportError {
                messages.withLock { $0.append(error.message) }
                throw error
            }
        }
    }

    /// The emulator, a client with its token, and what the emulator logged.
    struct Emulator {
        let server: LiveServer
        let client: APIClient
        let failures = AttemptFailures()

        init() async throws {
            server = try await LiveServer(script: "Tests/Servers/synapse/serve.py")
            client = APIClient(
                api: APIDefinition(
                    name: "Emulator", baseURL: server.baseURL.absoluteString,
                    auth: [AuthScheme(name: "access", kind: .header(name: "Synapse-Access-Token", template: "Token {token}"))]),
                credentials: ["access": "emulator-access-token"],
                // A read timeout longer than any test: a stalled attempt would show as such in `failures`.
                options: ClientOptions(
                    middlewares: [failures], timeouts: Timeouts(connect: 5, read: 120), retry: quickRetries, environment: [:]))
        }

        func upload(_ file: URL, resumingFrom location: URL? = nil) -> ChunkedUpload<Finalized> {
            client.chunkedUpload(
                Request("core.createChunkedUpload", .put, "chunked_upload/", response: .json),
                rule: ChunkedUploadRule(chunkSize: ChunkedUploadTests.chunk), file: file, resumingFrom: location)
        }

        func stored(_ id: String) async throws -> Stored {
            try await client.send(Request("content", .get, "chunked_upload/\(id)/content/", response: .json))
        }

        /// Closes the connection of the next request whose "METHOD path" starts with `match`, after `skip` others.
        func drop(_ match: String, skip: Int = 0, before: Bool = false) async throws {
            let body: [String: JSONValue] = ["match": .string(match), "skip": .integer(skip), "before": .bool(before)]
            try await client.send(Request<Void>("arm", .post, "faults/drop/", body: .json(body), response: .ignored))
        }

        /// The upload requests the emulator logged, as "METHOD Content-Range status", waiting for `count` of them.
        func log(atLeast count: Int) async -> [String] {
            func uploads(atLeast count: Int, timeout: TimeInterval) async -> [String] {
                await server.records(atLeast: count, timeout: timeout) { record in
                    guard let path = record["path"] as? String, path.hasPrefix("/chunked_upload/"),
                        !path.hasSuffix("/content/"), !path.hasSuffix("/expire/")
                    else { return nil }
                    let headers = record["headers"] as? [String: String] ?? [:]
                    let status = (record["status"] as? Int).map(String.init) ?? "dropped"
                    return [record["method"] as? String ?? "?", headers["Content-Range"] ?? "-", status].joined(separator: " ")
                }
            }
            _ = await uploads(atLeast: count, timeout: 5)
            // A moment more, so a request beyond the expected ones would show up too.
            try? await Task.sleep(nanoseconds: 100_000_000)
            return await uploads(atLeast: 0, timeout: 0)
        }

        func stop() { server.stop() }
    }

    /// A file of `size` random bytes, with its MD5 from `md5sum`.
    static func randomFile(_ size: Int) async throws -> (URL, String) {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("bindery-upload-\(UUID().uuidString).bin")
        #expect(try await run("sh", ["-c", "head -c \(size) /dev/urandom > '\(url.path)'"]).status == 0)
        return (url, String(try await run("md5sum", [url.path]).output.prefix(32)))
    }

    static let size = 2 * chunk + 123

    /// Runs `upload` in a task of its own and cancels that task once `bytes` were accepted.
    static func interrupt(_ upload: ChunkedUpload<Finalized>, after bytes: Int) async -> BinderyError? {
        let run = Task {
            try await upload.run { progress in
                if progress.sent >= Int64(bytes) { withUnsafeCurrentTask { $0?.cancel() } }
            }
        }
        return await failure { _ = try await run.value }
    }

    @Test func uploadsAFileInChunksAndTheServerStoresItWhole() async throws {
        let emulator = try await Emulator()
        defer { emulator.stop() }
        let (file, md5) = try await Self.randomFile(Self.size)
        defer { try? FileManager.default.removeItem(at: file) }
        let reports = Locked<[UploadProgress]>([])
        let finalized = try await emulator.upload(file).run { progress in reports.withLock { $0.append(progress) } }

        #expect(finalized.status == 2 && finalized.completedAt != nil)
        let stored = try await emulator.stored(finalized.id)
        #expect(stored.size == Self.size && stored.md5 == md5)
        #expect(reports.withLock { $0.map(\.sent) } == [0, Int64(Self.chunk), Int64(2 * Self.chunk), Int64(Self.size)])
        #expect(await emulator.log(atLeast: 4) == [
            "PUT bytes 0-1048575/2097275 200", "PUT bytes 1048576-2097151/2097275 200",
            "PUT bytes 2097152-2097274/2097275 200", "POST - 200",
        ])
    }

    @Test func aChunkWhoseAnswerWasLostIsNotStoredTwice() async throws {
        let emulator = try await Emulator()
        defer { emulator.stop() }
        let (file, md5) = try await Self.randomFile(Self.size)
        defer { try? FileManager.default.removeItem(at: file) }
        try await emulator.drop("PUT /chunked_upload/", skip: 1)
        let finalized = try await emulator.upload(file).run()

        #expect(try await emulator.stored(finalized.id).md5 == md5)
        // The second chunk was stored but its answer lost; the retry is refused for its offset, the client asks the
        // server where it is, and goes on from there.
        #expect(await emulator.log(atLeast: 6) == [
            "PUT bytes 0-1048575/2097275 200", "PUT bytes 1048576-2097151/2097275 200",
            "PUT bytes 1048576-2097151/2097275 400", "GET - 200", "PUT bytes 2097152-2097274/2097275 200", "POST - 200",
        ])
    }

    @Test func aChunkCutOffBeforeTheServerReadItIsSentAgain() async throws {
        let emulator = try await Emulator()
        defer { emulator.stop() }
        let (file, md5) = try await Self.randomFile(Self.size)
        defer { try? FileManager.default.removeItem(at: file) }
        try await emulator.drop("PUT /chunked_upload/", skip: 1, before: true)
        let finalized = try await emulator.upload(file).run()

        #expect(try await emulator.stored(finalized.id).md5 == md5)
        #expect(await emulator.log(atLeast: 5).filter { $0.hasPrefix("PUT bytes 1048576") } == [
            "PUT bytes 1048576-2097151/2097275 dropped", "PUT bytes 1048576-2097151/2097275 200",
        ])
        // The cut chunk failed as the connection broke, not after waiting out the read timeout; on a kept
        // connection the transport sends it again itself, and the runtime sees no failure.
        let failures = emulator.failures.messages.withLock { $0 }
        #expect(failures.count <= 1 && !failures.contains { $0.contains("sent nothing") }, "\(failures)")
    }

    @Test func anInterruptedUploadResumesFromTheServersOffset() async throws {
        let emulator = try await Emulator()
        defer { emulator.stop() }
        let (file, md5) = try await Self.randomFile(Self.size)
        defer { try? FileManager.default.removeItem(at: file) }
        let first = emulator.upload(file)
        #expect(await Self.interrupt(first, after: 2 * Self.chunk)?.kind == .cancelled)
        let location = try #require(await first.location)

        // A new upload, as after a restart, from the location alone.
        let finalized = try await emulator.upload(file, resumingFrom: location).run()
        #expect(try await emulator.stored(finalized.id).md5 == md5)
        // Resuming a finished upload finalizes nothing: it returns the upload as the server has it.
        #expect(try await emulator.upload(file, resumingFrom: location).run().id == finalized.id)
        #expect(await emulator.log(atLeast: 6) == [
            "PUT bytes 0-1048575/2097275 200", "PUT bytes 1048576-2097151/2097275 200",
            "GET - 200", "PUT bytes 2097152-2097274/2097275 200", "POST - 200", "GET - 200",
        ])
    }

    @Test func aLostFinalizeIsCheckedNotSentAgain() async throws {
        let emulator = try await Emulator()
        defer { emulator.stop() }
        let (file, md5) = try await Self.randomFile(Self.size)
        defer { try? FileManager.default.removeItem(at: file) }
        try await emulator.drop("POST /chunked_upload/")
        let finalized = try await emulator.upload(file).run()

        #expect(finalized.completedAt != nil)
        #expect(try await emulator.stored(finalized.id).md5 == md5)
        let log = await emulator.log(atLeast: 5)
        #expect(log.suffix(2) == ["POST - 200", "GET - 200"], "\(log)")
    }

    @Test func anEmptyFileIsFinalizedWithoutChunks() async throws {
        let emulator = try await Emulator()
        defer { emulator.stop() }
        let (file, md5) = try await Self.randomFile(0)
        defer { try? FileManager.default.removeItem(at: file) }
        let finalized = try await emulator.upload(file).run()

        #expect(finalized.completedAt != nil)
        #expect(md5 == "d41d8cd98f00b204e9800998ecf8427e")
        #expect(try await emulator.stored(finalized.id).size == 0)
        #expect(await emulator.log(atLeast: 1) == ["POST - 200"])
    }

    @Test func aChecksumMismatchIsAValidationErrorWithTheServersDetail() async throws {
        let emulator = try await Emulator()
        defer { emulator.stop() }
        let (file, _) = try await Self.randomFile(Self.size)
        let (other, _) = try await Self.randomFile(Self.size)
        defer {
            try? FileManager.default.removeItem(at: file)
            try? FileManager.default.removeItem(at: other)
        }
        let first = emulator.upload(file)
        _ = await Self.interrupt(first, after: Self.chunk)
        // Resuming with different bytes: the server's MD5 covers the first file's first chunk.
        let error = await failure { _ = try await emulator.upload(other, resumingFrom: await first.location).run() }
        #expect(error?.kind == .validation)
        #expect(error?.detail?["detail"] == "checksum does not match")
        #expect(error?.operation == "core.createChunkedUpload")
    }

    @Test func anExpiredUploadIsGone() async throws {
        let emulator = try await Emulator()
        defer { emulator.stop() }
        let (file, _) = try await Self.randomFile(Self.size)
        defer { try? FileManager.default.removeItem(at: file) }
        let first = emulator.upload(file)
        _ = await Self.interrupt(first, after: Self.chunk)
        let location = try #require(await first.location)
        try await emulator.client.send(Request<Void>("expire", .post, location.absoluteString + "expire/", response: .ignored))
        let error = await failure { _ = try await emulator.upload(file, resumingFrom: location).run() }
        #expect(error?.kind == .gone)
        #expect(error?.statusCode == 410)
    }
}
