import Foundation

/// How an API takes a large file in pieces, as drf-chunked-upload does: `PUT` each chunk as multipart with a
/// `Content-Range`, to the start path first and then to the `url` the server returns, and finalize with
/// `POST {url}` carrying the file's MD5.
public struct ChunkedUploadRule: Sendable, Hashable {
    /// Bytes a chunk; the last one may be shorter.
    public var chunkSize: Int
    public var fileField: String
    public var filenameField: String
    public var checksumField: String

    public init(
        chunkSize: Int = 50 << 20, fileField: String = "file", filenameField: String = "filename",
        checksumField: String = "md5"
    ) {
        self.chunkSize = chunkSize
        self.fileField = fileField
        self.filenameField = filenameField
        self.checksumField = checksumField
    }
}

/// How far an upload got, for a progress bar.
public struct UploadProgress: Sendable, Hashable {
    public var sent: Int64
    public var total: Int64
    /// Where the upload lives once the server took its first chunk: keep it to resume after a restart.
    public var location: URL?

    public var fraction: Double { total == 0 ? 1 : Double(sent) / Double(total) }
}

/// The server's view of an unfinished or finished upload.
struct ChunkedUploadState: Decodable, Sendable {
    var url: String
    var offset: Int64
    var completedAt: String?

    enum CodingKeys: String, CodingKey {
        case url, offset
        case completedAt = "completed_at"
    }
}

extension APIClient {
    /// An upload of `file` by `rule`, started with `request` (whose path is the start path and whose response type
    /// is what the finalize returns). Pass `resumingFrom`, the `location` of an earlier upload of the same file, to
    /// continue it. Nothing is sent until `run` is called.
    public func chunkedUpload<Completed>(
        _ request: Request<Completed>, rule: ChunkedUploadRule, file: URL, resumingFrom location: URL? = nil
    ) -> ChunkedUpload<Completed> {
        ChunkedUpload(client: self, start: request, rule: rule, file: file, location: location)
    }
}

/// One file uploaded in chunks. `run` streams it from disk a chunk at a time, hashing as it reads. If a run fails
/// midway, `run` again (or a new upload made with `resumingFrom: location`) asks the server how far it got and
/// continues from there. The finalize is sent once: if its answer is lost, the server is asked whether the upload
/// completed instead.
public actor ChunkedUpload<Completed: Sendable> {
    public nonisolated let file: URL
    /// The upload's URL on the server once the first chunk was accepted. Keep it to resume after a restart.
    public private(set) var location: URL?

    private let client: APIClient
    private let start: Request<Completed>
    private let rule: ChunkedUploadRule
    /// The MD5 of the file's first `hashed` bytes.
    private var md5 = MD5()
    private var hashed: Int64 = 0

    init(client: APIClient, start: Request<Completed>, rule: ChunkedUploadRule, file: URL, location: URL?) {
        self.client = client
        self.start = start
        self.rule = rule
        self.file = file
        self.location = location
    }

    /// Uploads what the server does not have yet, finalizes, and returns the finalize response.
    /// - Parameter progress: called after every chunk the server accepted, and once at the start.
    public func run(progress: (@Sendable (UploadProgress) -> Void)? = nil) async throws -> Completed {
        let total = try fileSize()
        var offset: Int64 = 0
        if location != nil {
            let (state, completed) = try await state()
            if let completed { return completed }
            offset = try checked(state.offset, total: total)
        }
        progress?(UploadProgress(sent: offset, total: total, location: location))
        var furthest = offset
        var answersWithoutProgress = 0
        while offset < total {
            if Task.isCancelled { throw failure("the task was cancelled", kind: .cancelled) }
            let chunk = try await readChunk(at: offset)
            guard !chunk.isEmpty else { throw failure("\(file.path) is shorter than when the upload began") }
            let end = offset + Int64(chunk.count)
            let state: ChunkedUploadState
            do {
                state = try await client.send(put(chunk, at: offset, total: total))
            } catch let error as BinderyError where error.kind == .validation && location != nil
                && error.detail?["expected_offset"] != nil
            {
                // The server has a different offset, e.g. a retried chunk it had already stored: go on from its.
                offset = try checked(try await self.state().0.offset, total: total)
                try noteProgress(to: offset, furthest: &furthest, without: &answersWithoutProgress)
                continue
            }
            location = try resolved(state.url)
            if state.offset == end, hashed == offset {
                md5 = try await Self.offPool { [md5] in
                    var extended = md5
                    extended.update(chunk)
                    return extended
                }
                hashed = end
            }
            offset = try checked(state.offset, total: total)
            try noteProgress(to: offset, furthest: &furthest, without: &answersWithoutProgress)
            progress?(UploadProgress(sent: offset, total: total, location: location))
        }
        _ = try await readChunk(at: total)
        return try await finalize()
    }

    /// An offset the server reported, when it lies within the file: a server is not trusted to move the upload
    /// before its start or past its end.
    private func checked(_ offset: Int64, total: Int64) throws -> Int64 {
        guard (0...total).contains(offset) else {
            throw failure("the server reported offset \(offset) for a file of \(total) bytes", kind: .decoding)
        }
        return offset
    }

    /// Counts the server's answers that did not move the upload past the furthest offset yet; after three, the
    /// upload is making no progress and stops instead of sending the same chunk forever.
    private func noteProgress(to offset: Int64, furthest: inout Int64, without count: inout Int) throws {
        if offset > furthest {
            furthest = offset
            count = 0
            return
        }
        count += 1
        if count >= 3 {
            throw failure("the server's offset stayed at \(offset) after \(count) chunks: the upload makes no progress", kind: .decoding)
        }
    }

    private func put(_ chunk: Data, at offset: Int64, total: Int64) -> Request<ChunkedUploadState> {
        Request(
            start.operation, .put, location?.absoluteString ?? start.path, query: start.query,
            headers: HTTPHeaders([("Content-Range", "bytes \(offset)-\(offset + Int64(chunk.count) - 1)/\(total)")]),
            body: .multipart([
                .field(rule.filenameField, file.lastPathComponent),
                MultipartPart(
                    name: rule.fileField, filename: "file", contentType: "application/octet-stream", content: .data(chunk)),
            ]),
            options: start.options, response: .json)
    }

    /// Finalizes once. An empty file was never created on the server, so its finalize goes to the start path.
    private func finalize() async throws -> Completed {
        var request = start
        request.method = .post
        request.path = location?.absoluteString ?? start.path
        request.body = .json([rule.checksumField: md5.hexDigest()])
        request.options.idempotent = false
        do {
            return try await client.send(request)
        } catch let error as BinderyError where [.outcomeUnknown, .connectionLost, .timedOut].contains(error.kind) {
            // The finalize may have completed the upload: ask, and never send it twice.
            guard location != nil, let completed = try? await state().completed else { throw error }
            return completed
        }
    }

    /// How far the server got, and the finished upload as the finalize would have returned it if it is complete.
    private func state() async throws -> (state: ChunkedUploadState, completed: Completed?) {
        guard case .whole(let read) = start.reader.body else {
            throw failure("an upload's response is read whole, not streamed")
        }
        let reader = ResponseReader<(state: ChunkedUploadState, completed: Completed?)> { response, coders in
            let state = try coders.decode(ChunkedUploadState.self, from: response.body)
            return (state, state.completedAt == nil ? nil : try read(response, coders))
        }
        return try await client.send(
            Request(
                start.operation, .get, location!.absoluteString, query: start.query, options: start.options,
                response: reader))
    }

    /// The chunk that starts at `offset`, with the running MD5 first brought up to `offset` from disk (after a
    /// resume, over the part the server already has). Disk and hashing run off the cooperative thread pool, so a
    /// large upload does not starve the app's other tasks.
    private func readChunk(at offset: Int64) async throws -> Data {
        let (file, size, state) = (file, rule.chunkSize, offset < hashed ? (MD5(), Int64(0)) : (md5, hashed))
        let read = try await Self.offPool { () throws -> (chunk: Data, md5: MD5, hashed: Int64) in
            var (md5, hashed) = state
            let input = try FileHandle(forReadingFrom: file)
            defer { try? input.close() }
            try input.seek(toOffset: UInt64(hashed))
            while hashed < offset {
                let piece = try input.read(upToCount: Int(min(Int64(4 << 20), offset - hashed))) ?? Data()
                guard !piece.isEmpty else { break }
                md5.update(piece)
                hashed += Int64(piece.count)
            }
            try input.seek(toOffset: UInt64(offset))
            return (try input.read(upToCount: size) ?? Data(), md5, hashed)
        }
        guard read.hashed == offset else { throw failure("\(file.path) is shorter than when the upload began") }
        (md5, hashed) = (read.md5, read.hashed)
        return read.chunk
    }

    private static func offPool<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(with: Result { try work() }) }
        }
    }

    private func fileSize() throws -> Int64 {
        do {
            let attributes = try FileManager.default.attributesOfItem(atPath: file.path)
            return (attributes[.size] as? NSNumber)?.int64Value ?? 0
        } catch {
            throw failure("cannot read \(file.path): \(error.localizedDescription)")
        }
    }

    private func resolved(_ url: String) throws -> URL {
        guard let resolved = URL(string: url, relativeTo: client.baseURL)?.absoluteURL else {
            throw failure("the server returned an upload url that is not a URL: \(url)")
        }
        return resolved
    }

    private func failure(_ message: String, kind: BinderyError.Kind = .invalidRequest) -> BinderyError {
        BinderyError(
            kind: kind, operation: start.operation, method: start.method, url: location, attempts: 0,
            message: message)
    }
}
