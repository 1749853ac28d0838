import Foundation

/// MD5 (RFC 1321), fed incrementally, for the checksums upload protocols ask for. Not for security.
public struct MD5: Sendable {
    private var a: UInt32 = 0x6745_2301
    private var b: UInt32 = 0xefcd_ab89
    private var c: UInt32 = 0x98ba_dcfe
    private var d: UInt32 = 0x1032_5476
    /// Bytes waiting for a whole 64-byte block.
    private var pending: [UInt8] = []
    private var length: UInt64 = 0

    public init() {}

    public mutating func update(_ data: Data) {
        data.withUnsafeBytes { update($0) }
    }

    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        length &+= UInt64(bytes.count)
        var start = 0
        if !pending.isEmpty {
            let taken = min(64 - pending.count, bytes.count)
            pending += bytes[0..<taken]
            start = taken
            guard pending.count == 64 else { return }
            pending.withUnsafeBytes { compress($0.baseAddress!) }
            pending.removeAll(keepingCapacity: true)
        }
        while bytes.count - start >= 64 {
            compress(bytes.baseAddress! + start)
            start += 64
        }
        pending += bytes[start...]
    }

    /// The digest as 32 lowercase hex digits.
    public func hexDigest() -> String {
        var copy = self
        let bitLength = length &* 8
        var padding: [UInt8] = [0x80]
        padding += [UInt8](repeating: 0, count: (55 - Int(length % 64) + 64) % 64)
        padding += (0..<8).map { UInt8(truncatingIfNeeded: bitLength >> (8 * $0)) }
        padding.withUnsafeBytes { copy.update($0) }
        return [copy.a, copy.b, copy.c, copy.d].map { word in
            (0..<4).map { String(format: "%02x", UInt8(truncatingIfNeeded: word >> (8 * $0))) }.joined()
        }.joined()
    }

    private static let shifts: [UInt32] = [
        7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20,
        4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10,
        15, 21,
    ]

    /// floor(abs(sin(i + 1)) * 2^32), RFC 1321 §3.4.
    private static let constants: [UInt32] = (0..<64).map { UInt32(abs(sin(Double($0 + 1))) * 4_294_967_296) }

    private mutating func compress(_ block: UnsafeRawPointer) {
        var words = (
            UInt32(0), UInt32(0), UInt32(0), UInt32(0), UInt32(0), UInt32(0), UInt32(0), UInt32(0),
            UInt32(0), UInt32(0), UInt32(0), UInt32(0), UInt32(0), UInt32(0), UInt32(0), UInt32(0)
        )
        withUnsafeMutableBytes(of: &words) { $0.copyMemory(from: UnsafeRawBufferPointer(start: block, count: 64)) }
        var (a, b, c, d) = (self.a, self.b, self.c, self.d)
        Self.constants.withUnsafeBufferPointer { constants in
            Self.shifts.withUnsafeBufferPointer { shifts in
                withUnsafeBytes(of: &words) { raw in
                    let m = raw.bindMemory(to: UInt32.self)
                    for i in 0..<64 {
                        var f: UInt32
                        let g: Int
                        switch i {
                        case 0..<16:
                            f = (b & c) | (~b & d)
                            g = i
                        case 16..<32:
                            f = (d & b) | (~d & c)
                            g = (5 &* i &+ 1) & 15
                        case 32..<48:
                            f = b ^ c ^ d
                            g = (3 &* i &+ 5) & 15
                        default:
                            f = c ^ (b | ~d)
                            g = (7 &* i) & 15
                        }
                        f = f &+ a &+ constants[i] &+ UInt32(littleEndian: m[g])
                        a = d
                        d = c
                        c = b
                        b = b &+ ((f << shifts[i]) | (f >> (32 - shifts[i])))
                    }
                }
            }
        }
        self.a &+= a
        self.b &+= b
        self.c &+= c
        self.d &+= d
    }
}
