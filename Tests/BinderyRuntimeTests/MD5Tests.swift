import BinderyTestSupport
import Foundation
import Testing

@testable import BinderyRuntime

@Suite("MD5")
struct MD5Tests {
    /// RFC 1321 appendix A.5.
    @Test(arguments: [
        ("", "d41d8cd98f00b204e9800998ecf8427e"),
        ("a", "0cc175b9c0f1b6a831c399e269772661"),
        ("abc", "900150983cd24fb0d6963f7d28e17f72"),
        ("message digest", "f96b697d7cb7938d525a2f31aaf161d0"),
        ("abcdefghijklmnopqrstuvwxyz", "c3fcd3d76192e4007dfb496cca67e13b"),
        ("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", "d174ab98d277d9f5a5611c2c9f419d9f"),
        (String(repeating: "1234567890", count: 8), "57edf4a22be3c955ac49da2e2107b67a"),
    ])
    func rfc1321TestSuite(input: String, digest: String) {
        var md5 = MD5()
        md5.update(Data(input.utf8))
        #expect(md5.hexDigest() == digest)
    }

    /// A large random file fed in uneven pieces gives what `md5sum` gives, and asking for the digest midway does
    /// not disturb the rest.
    @Test func matchesMd5sumOnALargeRandomFile() async throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("bindery-md5-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: url) }
        #expect(try await run("sh", ["-c", "head -c \((8 << 20) + 37) /dev/urandom > '\(url.path)'"]).status == 0)
        let bytes = try Data(contentsOf: url)

        var md5 = MD5()
        var offset = 0
        for size in [1, 63, 64, 65, 1000, 1 << 20].cycled() {
            guard offset < bytes.count else { break }
            let end = min(offset + size, bytes.count)
            md5.update(bytes[offset..<end])
            _ = md5.hexDigest()
            offset = end
        }
        let md5sum = try await run("md5sum", [url.path])
        let (status, output) = (md5sum.status, md5sum.output)
        #expect(status == 0)
        #expect(md5.hexDigest() == output.prefix(32).description)
    }

    /// The hash of a file being sent takes the pieces as they come: again after a retry, from past the start after a
    /// resume, overlapping after the server moved the offset back; what no piece brought is read from disk.
    @Test func aFileHashedFromThePiecesSentMatchesMd5sum() async throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("bindery-md5-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: url) }
        #expect(try await run("sh", ["-c", "head -c \((3 << 20) + 5) /dev/urandom > '\(url.path)'"]).status == 0)
        let bytes = try Data(contentsOf: url)
        let expected = String(try await run("md5sum", [url.path]).output.prefix(32))
        func piece(_ range: Range<Int>) -> (Data, Int64) { (bytes.subdata(in: range), Int64(range.lowerBound)) }
        let orders: [[Range<Int>]] = [
            [0..<1000, 1000..<(1 << 20), (1 << 20)..<bytes.count],
            [0..<1000, 0..<1000, 0..<5000, 5000..<bytes.count],
            [(2 << 20)..<bytes.count],
            [100..<200, 150..<(1 << 20), 1000..<3000, (2 << 20)..<((2 << 20) + 10)],
            [],
        ]
        for order in orders {
            let hasher = FileHasher(file: url)
            for range in order { let (data, offset) = piece(range); hasher.take(data, at: offset) }
            #expect(try await hasher.digest(of: Int64(bytes.count)) == expected, "pieces \(order)")
        }
        await #expect(throws: (any Error).self) { try await FileHasher(file: url).digest(of: Int64(bytes.count) + 1) }
    }
}

extension Array {
    /// The elements over and over, without end.
    fileprivate func cycled() -> UnfoldSequence<Element, Int> {
        sequence(state: 0) { index in
            defer { index = (index + 1) % count }
            return self[index]
        }
    }

}
