import Foundation

/// How far an upload got, for a progress bar.
public struct UploadProgress: Sendable, Hashable {
    /// Bytes the server has accepted so far.
    public var sent: Int64
    /// Bytes in the whole file.
    public var total: Int64
    /// Where the upload lives once the server took its first chunk: keep it to resume after a restart.
    public var location: URL?

    /// How much is sent, from 0 to 1; 1 for an empty file.
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

/// One file uploaded in chunks. `run` streams each chunk from disk as it sends it, and hashes what it reads on
/// another thread meanwhile, so the file is read once and never held whole, nor a chunk of it. If a run fails
/// midway, `run` again (or a new upload made with `resumingFrom: location`) asks the server how far it got and
/// continues from there. The finalize is sent once: if its answer is lost, the server is asked whether the upload
/// completed instead.
public actor ChunkedUpload<Completed: Sendable> {
    /// The file being uploaded.
    public nonisolated let file: URL
    /// The upload's URL on the server once the first chunk was accepted. Keep it to resume after a restart.
    public private(set) var location: URL?

    private let client: APIClient
    private let start: Request<Completed>
    private let rule: ChunkedUploadRule
    /// Hashes the file from the pieces read to send it.
    private let hasher: FileHasher

    init(client: APIClient, start: Request<Completed>, rule: ChunkedUploadRule, file: URL, location: URL?) {
        self.client = client
        self.start = start
        self.rule = rule
        self.file = file
        self.location = location
        hasher = FileHasher(file: file)
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
            let count = Int(min(Int64(rule.chunkSize), total - offset))
            let state: ChunkedUploadState
            do {
                state = try await client.send(put(count, at: offset, total: total))
            } catch let error as BinderyError where error.kind == .validation && location != nil
                && error.detail?["expected_offset"] != nil
            {
                // The server has a different offset, e.g. a retried chunk it had already stored: go on from its.
                offset = try checked(try await self.state().0.offset, total: total)
                try noteProgress(to: offset, furthest: &furthest, without: &answersWithoutProgress)
                continue
            }
            location = try resolved(state.url)
            offset = try checked(state.offset, total: total)
            try noteProgress(to: offset, furthest: &furthest, without: &answersWithoutProgress)
            progress?(UploadProgress(sent: offset, total: total, location: location))
        }
        let digest: String
        do {
            digest = try await hasher.digest(of: total)
        } catch {
            throw failure("\(file.path) could not be read whole, as it was when the upload began: \(error.localizedDescription)")
        }
        return try await finalize(digest)
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

    /// The chunk of `count` bytes from `offset`, read from disk as it is sent and hashed on the way.
    private func put(_ count: Int, at offset: Int64, total: Int64) -> Request<ChunkedUploadState> {
        Request(
            start.operation, .put, location?.absoluteString ?? start.path, query: start.query,
            headers: HTTPHeaders([("Content-Range", "bytes \(offset)-\(offset + Int64(count) - 1)/\(total)")]),
            body: .multipart([
                .field(rule.filenameField, file.lastPathComponent),
                MultipartPart(
                    name: rule.fileField, filename: "file", contentType: "application/octet-stream",
                    content: .fileRange(file, offset: offset, count: count, reading: hasher.take)),
            ]),
            options: start.options, response: .json)
    }

    /// Finalizes once. An empty file was never created on the server, so its finalize goes to the start path.
    private func finalize(_ digest: String) async throws -> Completed {
        var request = start
        request.method = .post
        request.path = location?.absoluteString ?? start.path
        request.body = .json([rule.checksumField: digest])
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
