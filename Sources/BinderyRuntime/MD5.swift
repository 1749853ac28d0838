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

    /// floor(abs(sin(i + 1)) * 2^32), RFC 1321 §3.4.
    private static let constants: [UInt32] = (0..<64).map { UInt32(abs(sin(Double($0 + 1))) * 4_294_967_296) }

    private mutating func compress(_ block: UnsafeRawPointer) {
        // The 16 little-endian words of the block.
        var m = (
            UInt32(0), UInt32(0), UInt32(0), UInt32(0), UInt32(0), UInt32(0), UInt32(0), UInt32(0),
            UInt32(0), UInt32(0), UInt32(0), UInt32(0), UInt32(0), UInt32(0), UInt32(0), UInt32(0)
        )
        withUnsafeMutableBytes(of: &m) { $0.copyMemory(from: UnsafeRawBufferPointer(start: block, count: 64)) }
        var (a, b, c, d) = (self.a, self.b, self.c, self.d)
        withUnsafeBytes(of: &m) { raw in
            let x = raw.bindMemory(to: UInt32.self)
            Self.constants.withUnsafeBufferPointer { t in
                // Four steps at a time, each register in turn; the word index follows each round's rule.
                for i in stride(from: 0, to: 16, by: 4) {
                    Self.step(&a, b, (b & c) | (~b & d), x[i], t[i], 7)
                    Self.step(&d, a, (a & b) | (~a & c), x[i + 1], t[i + 1], 12)
                    Self.step(&c, d, (d & a) | (~d & b), x[i + 2], t[i + 2], 17)
                    Self.step(&b, c, (c & d) | (~c & a), x[i + 3], t[i + 3], 22)
                }
                for i in stride(from: 16, to: 32, by: 4) {
                    Self.step(&a, b, (b & d) | (c & ~d), x[(5 &* i &+ 1) & 15], t[i], 5)
                    Self.step(&d, a, (a & c) | (b & ~c), x[(5 &* i &+ 6) & 15], t[i + 1], 9)
                    Self.step(&c, d, (d & b) | (a & ~b), x[(5 &* i &+ 11) & 15], t[i + 2], 14)
                    Self.step(&b, c, (c & a) | (d & ~a), x[(5 &* i &+ 16) & 15], t[i + 3], 20)
                }
                for i in stride(from: 32, to: 48, by: 4) {
                    Self.step(&a, b, b ^ c ^ d, x[(3 &* i &+ 5) & 15], t[i], 4)
                    Self.step(&d, a, a ^ b ^ c, x[(3 &* i &+ 8) & 15], t[i + 1], 11)
                    Self.step(&c, d, d ^ a ^ b, x[(3 &* i &+ 11) & 15], t[i + 2], 16)
                    Self.step(&b, c, c ^ d ^ a, x[(3 &* i &+ 14) & 15], t[i + 3], 23)
                }
                for i in stride(from: 48, to: 64, by: 4) {
                    Self.step(&a, b, c ^ (b | ~d), x[(7 &* i) & 15], t[i], 6)
                    Self.step(&d, a, b ^ (a | ~c), x[(7 &* i &+ 7) & 15], t[i + 1], 10)
                    Self.step(&c, d, a ^ (d | ~b), x[(7 &* i &+ 14) & 15], t[i + 2], 15)
                    Self.step(&b, c, d ^ (c | ~a), x[(7 &* i &+ 21) & 15], t[i + 3], 21)
                }
            }
        }
        self.a &+= a
        self.b &+= b
        self.c &+= c
        self.d &+= d
    }

    /// One MD5 step: `register = next + (register + mixed + word + constant) <<< shift`.
    @inline(__always)
    private static func step(_ register: inout UInt32, _ next: UInt32, _ mixed: UInt32, _ word: UInt32, _ constant: UInt32, _ shift: UInt32) {
        let sum = register &+ mixed &+ word &+ constant
        register = next &+ ((sum << shift) | (sum >> (32 - shift)))
    }
}
