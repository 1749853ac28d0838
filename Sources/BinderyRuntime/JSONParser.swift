import Foundation

/// Reads JSON text (RFC 8259) in one pass into a `JSONDocument`'s entries. It decides each value's kind by its first
/// byte, so free-form payloads cost no failed guesses, and it is strict where a server's answer may be hostile: invalid
/// UTF-8, control characters in strings, trailing text and nesting deeper than `maximumDepth` are errors with a
/// position. Strings are validated here and made into `String`s only when they are decoded.
struct JSONParser {
    static let maximumDepth = 512

    private let bytes: UnsafeRawBufferPointer
    private var index = 0
    private var depth = 0
    /// The entries written so far, in memory the parser manages itself (appending to an `Array` checks its uniqueness
    /// and capacity through calls, and a page of answers appends tens of thousands). None until the first is written.
    private var entries: UnsafeMutablePointer<JSONDocument.Entry>?
    private var entryCount = 0
    private var entryCapacity = 0

    private init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    /// The entries of the JSON text in `bytes`, in document order, followed by `trailer`. The caller deallocates them.
    static func entries(of bytes: UnsafeRawBufferPointer, then trailer: JSONDocument.Entry) throws
        -> UnsafeMutableBufferPointer<JSONDocument.Entry>
    {
        var parser = JSONParser(bytes)
        // About one value in six bytes of typical API JSON: most answers fit without the list growing.
        parser.reserveEntries(bytes.count / 6 + 2)
        do {
            guard bytes.count < UInt32.max else { throw parser.failure("the JSON text is larger than 4 GiB") }
            parser.skipWhitespace()
            try parser.value()
            parser.skipWhitespace()
            guard parser.index == bytes.count else { throw parser.failure("unexpected text after the JSON value") }
            parser.append(trailer)
            return UnsafeMutableBufferPointer(start: parser.entries, count: parser.entryCount)
        } catch {
            parser.entries?.deallocate()
            throw error
        }
    }

    private mutating func append(_ entry: JSONDocument.Entry) {
        if entryCount == entryCapacity { reserveEntries(max(16, entryCapacity * 2)) }
        (entries.unsafelyUnwrapped + entryCount).initialize(to: entry)
        entryCount += 1
    }

    private mutating func reserveEntries(_ capacity: Int) {
        let larger = UnsafeMutablePointer<JSONDocument.Entry>.allocate(capacity: capacity)
        if let entries {
            larger.moveInitialize(from: entries, count: entryCount)
            entries.deallocate()
        }
        (entries, entryCapacity) = (larger, capacity)
    }

    /// The value at `path` (keys of nested objects), found by stepping over every other value without reading it:
    /// a page's next link read before its items are decoded. Nil when it is absent or the text is not JSON.
    static func member(at path: [String], in data: Data) -> JSONValue? {
        data.withUnsafeBytes { buffer in
            var parser = JSONParser(buffer)
            guard let start = try? parser.find(path[...]) else { return nil }
            return try? JSONDocument(data[(data.startIndex + start)..<(data.startIndex + parser.index)]).value
        }
    }

    /// Where the value at `path` starts; `index` is then past its end.
    private mutating func find(_ path: ArraySlice<String>) throws -> Int? {
        skipWhitespace()
        guard let key = path.first else {
            let start = index
            try skipValue()
            return start
        }
        guard peek(UInt8(ascii: "{")) else { return nil }
        index += 1
        skipWhitespace()
        while peek(UInt8(ascii: "\"")) {
            let name = try string()
            skipWhitespace()
            try expect(UInt8(ascii: ":"), "expected ':' after a key")
            if Self.text(of: name, in: bytes) == key { return try find(path.dropFirst()) }
            skipWhitespace()
            try skipValue()
            skipWhitespace()
            guard peek(UInt8(ascii: ",")) else { return nil }
            index += 1
            skipWhitespace()
        }
        return nil
    }

    /// Steps over one value: strings by their quotes, containers by counting brackets outside strings.
    private mutating func skipValue() throws {
        var depth = 0
        repeat {
            guard index < bytes.count else { throw failure("the JSON text ends inside a value") }
            switch bytes[index] {
            case UInt8(ascii: "\""):
                index += 1
                while index < bytes.count, bytes[index] != UInt8(ascii: "\"") {
                    index += bytes[index] == UInt8(ascii: "\\") ? 2 : 1
                }
                index += 1
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                depth += 1
                index += 1
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                depth -= 1
                index += 1
            case UInt8(ascii: ","), UInt8(ascii: " "), UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: "\t"), UInt8(ascii: ":"):
                guard depth > 0 else { return }
                index += 1
            default:
                index += 1
            }
        } while depth > 0 || (index < bytes.count && !Self.endsScalar(bytes[index]))
    }

    private static func endsScalar(_ byte: UInt8) -> Bool {
        [UInt8(ascii: ","), UInt8(ascii: "}"), UInt8(ascii: "]"), UInt8(ascii: " "), UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: "\t")].contains(byte)
    }

    private mutating func value() throws {
        guard index < bytes.count else { throw failure("the JSON text ends where a value was expected") }
        switch bytes[index] {
        case UInt8(ascii: "{"): try container(.object, closing: UInt8(ascii: "}"))
        case UInt8(ascii: "["): try container(.array, closing: UInt8(ascii: "]"))
        case UInt8(ascii: "\""): append(try string())
        case UInt8(ascii: "t"): try literal("true", .true)
        case UInt8(ascii: "f"): try literal("false", .false)
        case UInt8(ascii: "n"): try literal("null", .null)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): try number()
        default: throw failure("unexpected character")
        }
    }

    /// An object (each member a key entry, then its value's entries) or an array, its opening bracket at `index`.
    /// Its entry is written first and completed with its count and end once its last element is read.
    private mutating func container(_ kind: JSONDocument.Kind, closing: UInt8) throws {
        depth += 1
        guard depth <= Self.maximumDepth else { throw failure("the JSON nests deeper than \(Self.maximumDepth) levels") }
        let at = entryCount
        append(JSONDocument.Entry(kind, 0, 0))
        index += 1
        skipWhitespace()
        var count: UInt32 = 0
        if peek(closing) {
            index += 1
        } else {
            while true {
                if kind == .object {
                    guard peek(UInt8(ascii: "\"")) else { throw failure("expected a quoted key") }
                    append(try string())
                    skipWhitespace()
                    try expect(UInt8(ascii: ":"), "expected ':' after a key")
                    skipWhitespace()
                }
                try value()
                count += 1
                skipWhitespace()
                guard peek(UInt8(ascii: ",")) else { break }
                index += 1
                skipWhitespace()
            }
            try expect(closing, "expected ',' or '\(Character(Unicode.Scalar(closing)))' in \(kind == .object ? "an object" : "an array")")
        }
        depth -= 1
        entries.unsafelyUnwrapped[at] = JSONDocument.Entry(kind, count, UInt32(entryCount))
    }

    /// A string, its opening quote at `index`: its entry, once its text is validated.
    private mutating func string() throws -> JSONDocument.Entry {
        index += 1
        let start = index
        var kind = JSONDocument.Kind.string
        while true {
            index = Self.plainRunEnd(in: bytes, from: index)
            guard index < bytes.count else { throw failure("a string that does not end") }
            switch bytes[index] {
            case UInt8(ascii: "\""):
                index += 1
                return JSONDocument.Entry(kind, UInt32(start), UInt32(index - 1))
            case UInt8(ascii: "\\"):
                kind = .escapedString
                index += 1
                _ = try escaped()
            case 0..<0x20:
                throw failure("a control character in a string")
            default:
                try skipMultibyteCharacter()
            }
        }
    }

    /// Where the run of string bytes that need no look from `start` ends: at the first quote, backslash, control
    /// character or non-ASCII byte, or at the end of the text. Eight bytes are tested at a time, each test flagging the
    /// top bit of the matching bytes (the lowest flag is always exact; a borrow can only add flags above it).
    private static func plainRunEnd(in bytes: UnsafeRawBufferPointer, from start: Int) -> Int {
        let lanes: UInt64 = 0x0101_0101_0101_0101
        let tops: UInt64 = 0x8080_8080_8080_8080
        func below(_ limit: UInt8, _ word: UInt64) -> UInt64 { (word &- lanes &* UInt64(limit)) & ~word & tops }
        func equal(_ byte: UInt8, _ word: UInt64) -> UInt64 { below(1, word ^ (lanes &* UInt64(byte))) }
        var index = start
        while index + 8 <= bytes.count {
            let word = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: index, as: UInt64.self))
            let stops = equal(UInt8(ascii: "\""), word) | equal(UInt8(ascii: "\\"), word) | below(0x20, word) | (word & tops)
            if stops != 0 { return index + stops.trailingZeroBitCount / 8 }
            index += 8
        }
        while index < bytes.count, case let byte = bytes[index], byte >= 0x20, byte < 0x80, byte != UInt8(ascii: "\""),
            byte != UInt8(ascii: "\\")
        {
            index += 1
        }
        return index
    }

    /// The text of a string entry. Its escapes were validated when it was parsed.
    static func text(of entry: JSONDocument.Entry, in bytes: UnsafeRawBufferPointer) -> String {
        let (start, end) = (Int(entry.start), Int(entry.end))
        guard entry.kind == .escapedString else { return text(bytes[start..<end]) }
        var parser = JSONParser(bytes)
        parser.index = start
        var (result, run) = ("", start)
        while parser.index < end {
            guard bytes[parser.index] == UInt8(ascii: "\\") else {
                parser.index += 1
                continue
            }
            result += text(bytes[run..<parser.index])
            parser.index += 1
            result.unicodeScalars.append((try? parser.escaped()) ?? "\u{FFFD}")
            run = parser.index
        }
        return result + text(bytes[run..<end])
    }

    private static func text(_ slice: Slice<UnsafeRawBufferPointer>) -> String {
        String(decoding: UnsafeRawBufferPointer(rebasing: slice), as: UTF8.self)
    }

    /// Steps over one UTF-8 encoded character of two to four bytes, refusing malformed, overlong and surrogate
    /// encodings (so `String(decoding:)` never has to repair what it is given).
    private mutating func skipMultibyteCharacter() throws {
        let lead = bytes[index]
        let (length, lowest): (Int, UInt32) =
            switch lead {
            case 0xC2...0xDF: (2, 0x80)
            case 0xE0...0xEF: (3, 0x800)
            case 0xF0...0xF4: (4, 0x10000)
            default: throw failure("invalid UTF-8")
            }
        guard index + length <= bytes.count else { throw failure("invalid UTF-8") }
        var scalar = UInt32(lead) & (0x7F >> length)
        for offset in 1..<length {
            let byte = bytes[index + offset]
            guard byte & 0xC0 == 0x80 else { throw failure("invalid UTF-8") }
            scalar = scalar << 6 | UInt32(byte & 0x3F)
        }
        guard scalar >= lowest, scalar <= 0x10FFFF, !(0xD800...0xDFFF).contains(scalar) else {
            throw failure("invalid UTF-8")
        }
        index += length
    }

    /// The character an escape stands for, its backslash just read. A lone UTF-16 surrogate becomes U+FFFD.
    private mutating func escaped() throws -> Unicode.Scalar {
        guard index < bytes.count else { throw failure("a string that does not end") }
        let byte = bytes[index]
        index += 1
        switch byte {
        case UInt8(ascii: "\""): return "\""
        case UInt8(ascii: "\\"): return "\\"
        case UInt8(ascii: "/"): return "/"
        case UInt8(ascii: "b"): return "\u{08}"
        case UInt8(ascii: "f"): return "\u{0C}"
        case UInt8(ascii: "n"): return "\n"
        case UInt8(ascii: "r"): return "\r"
        case UInt8(ascii: "t"): return "\t"
        case UInt8(ascii: "u"):
            let unit = try hexUnit()
            if (0xD800..<0xDC00).contains(unit), bytes[index...].starts(with: [UInt8(ascii: "\\"), UInt8(ascii: "u")]) {
                let mark = index
                index += 2
                let low = try hexUnit()
                if (0xDC00..<0xE000).contains(low) {
                    return Unicode.Scalar(0x10000 + ((UInt32(unit) - 0xD800) << 10) + (UInt32(low) - 0xDC00))!
                }
                index = mark
            }
            return Unicode.Scalar(UInt32(unit)) ?? "\u{FFFD}"
        default:
            index -= 1
            throw failure("an unknown escape in a string")
        }
    }

    private mutating func hexUnit() throws -> UInt16 {
        guard index + 4 <= bytes.count else { throw failure("a \\u escape needs four hex digits") }
        var unit: UInt16 = 0
        for _ in 0..<4 {
            let byte = bytes[index]
            let digit: UInt8 =
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
                case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
                case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
                default: throw failure("a \\u escape needs four hex digits")
                }
            unit = unit << 4 | UInt16(digit)
            index += 1
        }
        return unit
    }

    /// An integer that fits in `Int` as `.integer`; anything else (fraction, exponent, too large) as `.number`.
    private mutating func number() throws {
        let start = index
        let negative = peek(UInt8(ascii: "-"))
        if negative { index += 1 }
        let integerStart = index
        var magnitude = 0
        while index < bytes.count, case let digit = bytes[index] &- UInt8(ascii: "0"), digit < 10 {
            magnitude = magnitude &* 10 &+ Int(digit)
            index += 1
        }
        let digits = index - integerStart
        guard digits > 0, !(digits > 1 && bytes[integerStart] == UInt8(ascii: "0")) else {
            throw failure("a malformed number")
        }
        var integral = true
        if peek(UInt8(ascii: ".")) {
            integral = false
            index += 1
            guard try skipDigits() > 0 else { throw failure("a malformed number") }
        }
        if peek(UInt8(ascii: "e")) || peek(UInt8(ascii: "E")) {
            integral = false
            index += 1
            if peek(UInt8(ascii: "+")) || peek(UInt8(ascii: "-")) { index += 1 }
            guard try skipDigits() > 0 else { throw failure("a malformed number") }
        }
        // Eighteen digits cannot overflow; longer integers are read from their text, which tells if they fit.
        if integral, digits <= 18 { return append(JSONDocument.Entry(integer: negative ? -magnitude : magnitude)) }
        let text = Self.text(bytes[start..<index])
        if integral, let value = Int(text) { return append(JSONDocument.Entry(integer: value)) }
        guard let value = Double(text) else { throw failure("a malformed number") }
        append(JSONDocument.Entry(number: value))
    }

    private mutating func skipDigits() throws -> Int {
        let start = index
        while index < bytes.count, bytes[index] >= UInt8(ascii: "0"), bytes[index] <= UInt8(ascii: "9") { index += 1 }
        return index - start
    }

    private mutating func literal(_ word: StaticString, _ kind: JSONDocument.Kind) throws {
        let expected = UnsafeRawBufferPointer(start: word.utf8Start, count: word.utf8CodeUnitCount)
        guard bytes[index...].starts(with: expected) else { throw failure("unexpected character") }
        index += expected.count
        append(JSONDocument.Entry(kind, 0, 0))
    }

    private func peek(_ byte: UInt8) -> Bool { index < bytes.count && bytes[index] == byte }

    private mutating func expect(_ byte: UInt8, _ message: @autoclosure () -> String) throws {
        guard peek(byte) else { throw failure(message()) }
        index += 1
    }

    private mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: " "), UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: "\t"): index += 1
            default: return
            }
        }
    }

    /// The error for what is at `index`: where it is, by line and column, and the byte found there.
    private func failure(_ problem: String) -> DecodingError {
        var (line, column) = (1, 1)
        for byte in bytes[..<min(index, bytes.count)] {
            if byte == UInt8(ascii: "\n") { (line, column) = (line + 1, 1) } else { column += 1 }
        }
        let found = index < bytes.count ? String(format: " (byte 0x%02X)", bytes[index]) : ""
        return DecodingError.dataCorrupted(
            .init(codingPath: [], debugDescription: "not valid JSON: \(problem) at line \(line), column \(column)\(found)"))
    }
}
