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

    /// A digest of nothing yet.
    public init() {}

    /// Adds `data` to the digest.
    public mutating func update(_ data: Data) {
        data.withUnsafeBytes { update($0) }
    }

    /// Adds `bytes` to the digest.
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

    /// One 64-byte block, RFC 1321 §3.4, written out step by step: with every word index, constant (floor(abs(sin(i
    /// + 1)) * 2^32)) and shift a literal, the compiler keeps all of it in registers. F and G are written with fewer
    /// operations than in the RFC (same truth tables), and each step adds what does not wait on the previous one first.
    private mutating func compress(_ block: UnsafeRawPointer) {
        func word(_ index: Int) -> UInt32 { UInt32(littleEndian: block.loadUnaligned(fromByteOffset: index * 4, as: UInt32.self)) }
        let (x0, x1, x2, x3, x4, x5, x6, x7) = (word(0), word(1), word(2), word(3), word(4), word(5), word(6), word(7))
        let (x8, x9, x10, x11, x12, x13, x14, x15) = (word(8), word(9), word(10), word(11), word(12), word(13), word(14), word(15))
        var (a, b, c, d) = (self.a, self.b, self.c, self.d)
        a = Self.f(a, b, c, d, x0, 0xd76aa478, 7)
        d = Self.f(d, a, b, c, x1, 0xe8c7b756, 12)
        c = Self.f(c, d, a, b, x2, 0x242070db, 17)
        b = Self.f(b, c, d, a, x3, 0xc1bdceee, 22)
        a = Self.f(a, b, c, d, x4, 0xf57c0faf, 7)
        d = Self.f(d, a, b, c, x5, 0x4787c62a, 12)
        c = Self.f(c, d, a, b, x6, 0xa8304613, 17)
        b = Self.f(b, c, d, a, x7, 0xfd469501, 22)
        a = Self.f(a, b, c, d, x8, 0x698098d8, 7)
        d = Self.f(d, a, b, c, x9, 0x8b44f7af, 12)
        c = Self.f(c, d, a, b, x10, 0xffff5bb1, 17)
        b = Self.f(b, c, d, a, x11, 0x895cd7be, 22)
        a = Self.f(a, b, c, d, x12, 0x6b901122, 7)
        d = Self.f(d, a, b, c, x13, 0xfd987193, 12)
        c = Self.f(c, d, a, b, x14, 0xa679438e, 17)
        b = Self.f(b, c, d, a, x15, 0x49b40821, 22)
        a = Self.g(a, b, c, d, x1, 0xf61e2562, 5)
        d = Self.g(d, a, b, c, x6, 0xc040b340, 9)
        c = Self.g(c, d, a, b, x11, 0x265e5a51, 14)
        b = Self.g(b, c, d, a, x0, 0xe9b6c7aa, 20)
        a = Self.g(a, b, c, d, x5, 0xd62f105d, 5)
        d = Self.g(d, a, b, c, x10, 0x02441453, 9)
        c = Self.g(c, d, a, b, x15, 0xd8a1e681, 14)
        b = Self.g(b, c, d, a, x4, 0xe7d3fbc8, 20)
        a = Self.g(a, b, c, d, x9, 0x21e1cde6, 5)
        d = Self.g(d, a, b, c, x14, 0xc33707d6, 9)
        c = Self.g(c, d, a, b, x3, 0xf4d50d87, 14)
        b = Self.g(b, c, d, a, x8, 0x455a14ed, 20)
        a = Self.g(a, b, c, d, x13, 0xa9e3e905, 5)
        d = Self.g(d, a, b, c, x2, 0xfcefa3f8, 9)
        c = Self.g(c, d, a, b, x7, 0x676f02d9, 14)
        b = Self.g(b, c, d, a, x12, 0x8d2a4c8a, 20)
        a = Self.h(a, b, c, d, x5, 0xfffa3942, 4)
        d = Self.h(d, a, b, c, x8, 0x8771f681, 11)
        c = Self.h(c, d, a, b, x11, 0x6d9d6122, 16)
        b = Self.h(b, c, d, a, x14, 0xfde5380c, 23)
        a = Self.h(a, b, c, d, x1, 0xa4beea44, 4)
        d = Self.h(d, a, b, c, x4, 0x4bdecfa9, 11)
        c = Self.h(c, d, a, b, x7, 0xf6bb4b60, 16)
        b = Self.h(b, c, d, a, x10, 0xbebfbc70, 23)
        a = Self.h(a, b, c, d, x13, 0x289b7ec6, 4)
        d = Self.h(d, a, b, c, x0, 0xeaa127fa, 11)
        c = Self.h(c, d, a, b, x3, 0xd4ef3085, 16)
        b = Self.h(b, c, d, a, x6, 0x04881d05, 23)
        a = Self.h(a, b, c, d, x9, 0xd9d4d039, 4)
        d = Self.h(d, a, b, c, x12, 0xe6db99e5, 11)
        c = Self.h(c, d, a, b, x15, 0x1fa27cf8, 16)
        b = Self.h(b, c, d, a, x2, 0xc4ac5665, 23)
        a = Self.i(a, b, c, d, x0, 0xf4292244, 6)
        d = Self.i(d, a, b, c, x7, 0x432aff97, 10)
        c = Self.i(c, d, a, b, x14, 0xab9423a7, 15)
        b = Self.i(b, c, d, a, x5, 0xfc93a039, 21)
        a = Self.i(a, b, c, d, x12, 0x655b59c3, 6)
        d = Self.i(d, a, b, c, x3, 0x8f0ccc92, 10)
        c = Self.i(c, d, a, b, x10, 0xffeff47d, 15)
        b = Self.i(b, c, d, a, x1, 0x85845dd1, 21)
        a = Self.i(a, b, c, d, x8, 0x6fa87e4f, 6)
        d = Self.i(d, a, b, c, x15, 0xfe2ce6e0, 10)
        c = Self.i(c, d, a, b, x6, 0xa3014314, 15)
        b = Self.i(b, c, d, a, x13, 0x4e0811a1, 21)
        a = Self.i(a, b, c, d, x4, 0xf7537e82, 6)
        d = Self.i(d, a, b, c, x11, 0xbd3af235, 10)
        c = Self.i(c, d, a, b, x2, 0x2ad7d2bb, 15)
        b = Self.i(b, c, d, a, x9, 0xeb86d391, 21)
        self.a &+= a
        self.b &+= b
        self.c &+= c
        self.d &+= d
    }

    @inline(__always) private static func f(_ r: UInt32, _ x: UInt32, _ y: UInt32, _ z: UInt32, _ m: UInt32, _ t: UInt32, _ s: UInt32) -> UInt32 {
        rotate(r &+ m &+ t &+ (z ^ (x & (y ^ z))), s, plus: x)
    }

    @inline(__always) private static func g(_ r: UInt32, _ x: UInt32, _ y: UInt32, _ z: UInt32, _ m: UInt32, _ t: UInt32, _ s: UInt32) -> UInt32 {
        // The two halves share no bits, so they can be added, the half without `x` before `x` is known.
        rotate(r &+ m &+ t &+ (y & ~z) &+ (x & z), s, plus: x)
    }

    @inline(__always) private static func h(_ r: UInt32, _ x: UInt32, _ y: UInt32, _ z: UInt32, _ m: UInt32, _ t: UInt32, _ s: UInt32) -> UInt32 {
        rotate(r &+ m &+ t &+ (x ^ y ^ z), s, plus: x)
    }

    @inline(__always) private static func i(_ r: UInt32, _ x: UInt32, _ y: UInt32, _ z: UInt32, _ m: UInt32, _ t: UInt32, _ s: UInt32) -> UInt32 {
        rotate(r &+ m &+ t &+ (y ^ (x | ~z)), s, plus: x)
    }

    /// `next + (sum <<< shift)`, the end of every step.
    @inline(__always) private static func rotate(_ sum: UInt32, _ shift: UInt32, plus next: UInt32) -> UInt32 {
        next &+ ((sum << shift) | (sum >> (32 - shift)))
    }
}
