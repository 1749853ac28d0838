import Foundation

/// The MD5 of a file, fed with the pieces read from it for sending, so each byte is read from disk once and hashed
/// on a thread of its own while the transport sends it. Pieces may come again (a retried chunk) or skip ahead (an
/// upload resumed where the server had it): the hash takes the file's bytes in order, uses each piece for what it
/// adds, and reads from disk only what no piece brought.
final class FileHasher: @unchecked Sendable {
    private let file: URL
    private let queue = DispatchQueue(label: "bindery.file-hasher")
    /// Pieces handed over but not hashed yet, at most this many: a sender faster than the hash waits for it rather
    /// than piling up memory (the hash is the slower of the two on loopback, so more would only hold more).
    private let room = DispatchSemaphore(value: 4)
    // Read and written on `queue` only.
    private var md5 = MD5()
    private var hashed: Int64 = 0
    private var failure: (any Error)?

    init(file: URL) { self.file = file }

    /// Hands over `bytes`, read from the file at `offset`; returns at once unless the hash is far behind.
    func take(_ bytes: Data, at offset: Int64) {
        room.wait()
        queue.async {
            defer { self.room.signal() }
            self.absorb(bytes, at: offset)
        }
    }

    /// The digest of the file's first `length` bytes, once every piece handed over is hashed.
    func digest(of length: Int64) async throws -> String {
        try await Blocking.run {
            try self.queue.sync {
                self.catchUp(to: length)
                if let failure = self.failure { throw failure }
                return self.md5.hexDigest()
            }
        }
    }

    private func absorb(_ bytes: Data, at offset: Int64) {
        catchUp(to: offset)
        let already = hashed - offset
        guard failure == nil, already >= 0, already < Int64(bytes.count) else { return }
        md5.update(bytes.dropFirst(Int(already)))
        hashed = offset + Int64(bytes.count)
    }

    /// Reads and hashes the file from where the hash is up to `offset`.
    private func catchUp(to offset: Int64) {
        guard failure == nil, hashed < offset else { return }
        do {
            let input = try FileHandle(forReadingFrom: file)
            defer { try? input.close() }
            try input.seek(toOffset: UInt64(hashed))
            while hashed < offset {
                let piece = try input.read(upToCount: Int(min(Int64(1 << 20), offset - hashed))) ?? Data()
                guard !piece.isEmpty else { throw CocoaError(.fileReadCorruptFile, userInfo: [NSFilePathErrorKey: file.path]) }
                md5.update(piece)
                hashed += Int64(piece.count)
            }
        } catch {
            failure = error
        }
    }
}
