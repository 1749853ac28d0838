/// The status line and header fields of a response.
struct ResponseHead: Sendable {
    var status: Int
    var headers: HTTPHeaders
    /// Whether the connection may carry another request once the body was read.
    var keepAlive: Bool
}

/// Why a response could not be read.
enum ResponseDecodingError: Error, Equatable {
    /// The bytes break a rule of RFC 9112; the text says which.
    case malformed(String)
    /// The head, a line or a trailer section is larger than the decoder reads.
    case tooLarge(String)
    /// The connection closed inside the response.
    case truncated
    /// The connection closed before the first byte of a response.
    case noAnswer

    var message: String {
        switch self {
        case .malformed(let reason): "the server's response is malformed: \(reason)"
        case .tooLarge(let reason): "the server's response is too large to read: \(reason)"
        case .truncated: "the connection closed before the whole response arrived"
        case .noAnswer: "the server closed the connection without answering"
        }
    }
}

/// Reads one HTTP/1.1 response at a time from bytes as they arrive, as RFC 9112 frames it, and refuses what a
/// strict parser refuses rather than guess: conflicting or signed lengths, a Transfer-Encoding beside a
/// Content-Length or other than `chunked`, chunk data not ending where its size says, control characters in the head.
/// Lines may end in a bare LF (RFC 9112 §2.2 allows it); obs-fold continuation lines are joined with a space
/// (§5.2); interim 1xx answers are skipped. It owns the connection's read buffer, so bytes read past one response
/// stay for the next check.
struct ResponseDecoder {
    static let maximumHeadSize = 64 << 10
    static let maximumFieldCount = 256
    static let maximumChunkLineSize = 4 << 10

    private enum State {
        /// Reading a head: nil before its status line.
        case head(PartialHead?)
        /// A body of known length, and an empty one.
        case fixed(remaining: Int)
        case chunkSize
        case chunkData(remaining: Int)
        /// The line break after a chunk's data.
        case chunkEnd
        case trailers(size: Int, count: Int)
        case untilClose
        /// The response ended; `reset` starts the next.
        case done
    }

    private struct PartialHead {
        var minorVersion: Int
        var status: Int
        var headers = HTTPHeaders()
        var size: Int
    }

    /// Grows from `smallestBuffer` while reads fill it, up to room for a whole head, so a head within the limit
    /// never waits on a full buffer; a connection of small answers keeps a small one.
    private var buffer = [UInt8](repeating: 0, count: smallestBuffer)
    private static let smallestBuffer = 8 << 10
    private static let largestBuffer = maximumHeadSize + (1 << 10)
    private var start = 0
    private var end = 0
    private var state = State.done
    private var headRequest = false
    /// Whether any byte of the current response arrived.
    private var started = false

    /// Starts reading the response to a request with `method` (a HEAD's answer has no body).
    mutating func reset(for method: HTTPMethod) {
        state = .head(nil)
        headRequest = method == .head
        started = start < end
    }

    /// Whether bytes arrived that no response asked for yet.
    var hasUnreadBytes: Bool { start < end }

    /// Whether any byte of the current response arrived.
    var hasStarted: Bool { started }

    /// Whether `receive` has room to write into.
    var hasRoom: Bool { start > 0 || end < buffer.count || buffer.count < Self.largestBuffer }

    /// Lets `fill` write what arrived into the buffer's free space; `fill` returns how many bytes it wrote.
    mutating func receive(_ fill: (UnsafeMutableRawBufferPointer) throws -> Int) rethrows -> Int {
        if start == end {
            start = 0
            end = 0
        } else if start > 0, buffer.count - end < buffer.count / 4 {
            buffer.withUnsafeMutableBytes { bytes in
                bytes.baseAddress!.copyMemory(from: bytes.baseAddress! + start, byteCount: end - start)
            }
            end -= start
            start = 0
        }
        if end == buffer.count, buffer.count < Self.largestBuffer {
            buffer += repeatElement(0, count: min(buffer.count, Self.largestBuffer - buffer.count))
        }
        let room = buffer.count - end
        let count = try buffer.withUnsafeMutableBytes { try fill(UnsafeMutableRawBufferPointer(rebasing: $0[end...])) }
        if count > 0 {
            end += count
            started = true
        }
        // A read that filled all the room it had likely left more behind: the next gets twice the room.
        if count == room, buffer.count < Self.largestBuffer {
            buffer += repeatElement(0, count: min(buffer.count, Self.largestBuffer - buffer.count))
        }
        return count
    }

    enum Piece {
        case head(ResponseHead)
        /// Part of the body: a view of the buffer, valid until the next call.
        case body(ArraySlice<UInt8>)
        case end
    }

    /// The next piece the buffered bytes make; nil when more bytes are needed.
    mutating func nextPiece() throws(ResponseDecodingError) -> Piece? {
        while true {
            switch state {
            case .head(let partial):
                guard let line = try line(within: Self.maximumHeadSize - (partial?.size ?? 0), of: Self.maximumHeadSize, "the response's head")
                else { return nil }
                if let head = try headLine(line, partial) { return .head(head) }
            case .fixed(let remaining):
                if remaining == 0 {
                    state = .done
                    return .end
                }
                guard start < end else { return nil }
                let count = min(remaining, end - start)
                state = .fixed(remaining: remaining - count)
                return .body(take(count))
            case .chunkSize:
                guard let line = try line(within: Self.maximumChunkLineSize, of: Self.maximumChunkLineSize, "a chunk's size line") else { return nil }
                let size = try Self.chunkSize(line)
                state = size == 0 ? .trailers(size: 0, count: 0) : .chunkData(remaining: size)
            case .chunkData(let remaining):
                guard start < end else { return nil }
                let count = min(remaining, end - start)
                state = count == remaining ? .chunkEnd : .chunkData(remaining: remaining - count)
                return .body(take(count))
            case .chunkEnd:
                guard start < end else { return nil }
                if buffer[start] == .lineFeed {
                    start += 1
                } else if buffer[start] == .carriageReturn {
                    guard end - start >= 2 else { return nil }
                    guard buffer[start + 1] == .lineFeed else { throw .malformed("a chunk's data does not end where its size says") }
                    start += 2
                } else {
                    throw .malformed("a chunk's data does not end where its size says")
                }
                state = .chunkSize
            case .trailers(let size, let count):
                guard let line = try line(within: Self.maximumHeadSize - size, of: Self.maximumHeadSize, "the trailer section") else { return nil }
                if line.isEmpty {
                    state = .fixed(remaining: 0)
                    continue
                }
                guard count < Self.maximumFieldCount else { throw .tooLarge("more than \(Self.maximumFieldCount) trailer fields") }
                _ = try Self.field(line)
                state = .trailers(size: size + line.count + 2, count: count + 1)
            case .untilClose:
                guard start < end else { return nil }
                return .body(take(end - start))
            case .done:
                return nil
            }
        }
    }

    /// What the connection's end means for the current response: the end of a body that runs to the close, or an
    /// error.
    mutating func endOfInput() throws(ResponseDecodingError) -> Piece {
        switch state {
        case .untilClose:
            state = .done
            return .end
        case .head(nil) where !started:
            throw .noAnswer
        default:
            throw .truncated
        }
    }

    private mutating func take(_ count: Int) -> ArraySlice<UInt8> {
        defer { start += count }
        return buffer[start..<start + count]
    }

    /// The next whole line without its line break; nil when it has not all arrived. A line that passes `limit`
    /// bytes is refused before it ends, so a server cannot make the decoder hold more.
    /// `limit` is what is left of `maximum`, the limit the error names.
    private mutating func line(within limit: Int, of maximum: Int, _ what: String) throws(ResponseDecodingError) -> ArraySlice<UInt8>? {
        guard let lineFeed = buffer[start..<end].firstIndex(of: .lineFeed) else {
            if end - start > limit { throw .tooLarge("\(what) is larger than \(maximum) bytes") }
            return nil
        }
        guard lineFeed - start <= limit else { throw .tooLarge("\(what) is larger than \(maximum) bytes") }
        var line = buffer[start..<lineFeed]
        start = lineFeed + 1
        if line.last == .carriageReturn { line.removeLast() }
        return line
    }

    /// Takes one line of a head; the head once its last line came.
    private mutating func headLine(_ line: ArraySlice<UInt8>, _ partial: PartialHead?) throws(ResponseDecodingError) -> ResponseHead? {
        guard var head = partial else {
            state = .head(try Self.statusLine(line))
            return nil
        }
        head.size += line.count + 2
        if line.isEmpty { return try finish(head) }
        if line.first == .space || line.first == .tab {
            // obs-fold: a user agent replaces it with a space (RFC 9112 §5.2).
            guard !head.headers.fields.isEmpty else { throw .malformed("the first header line starts with whitespace") }
            let more = try Self.value(line)
            head.headers.continueLast(with: more)
        } else {
            guard head.headers.fields.count < Self.maximumFieldCount else {
                throw .tooLarge("more than \(Self.maximumFieldCount) header fields")
            }
            let (name, value) = try Self.field(line)
            head.headers.add(name, value)
        }
        state = .head(head)
        return nil
    }

    /// The head's framing decides how the body is read (RFC 9112 §6.3).
    private mutating func finish(_ head: PartialHead) throws(ResponseDecodingError) -> ResponseHead? {
        if (100..<200).contains(head.status) {
            guard head.status != 101 else { throw .malformed("the server switched protocols, which no request asked for") }
            state = .head(nil)
            return nil
        }
        let headers = head.headers
        let connection = Self.tokens(headers, "Connection")
        var keepAlive = head.minorVersion == 0 ? connection.contains("keep-alive") : !connection.contains("close")
        let codings = Self.tokens(headers, "Transfer-Encoding")
        let lengths = headers.fields.filter { HTTPHeaders.sameName($0.name, "Content-Length") }
        if headRequest || head.status == 204 || head.status == 304 {
            state = .fixed(remaining: 0)
        } else if !codings.isEmpty {
            guard head.minorVersion > 0 else { throw .malformed("an HTTP/1.0 response has a Transfer-Encoding") }
            guard lengths.isEmpty else { throw .malformed("the response has both a Transfer-Encoding and a Content-Length") }
            guard codings == ["chunked"] else {
                throw .malformed("the transfer coding \(codings.joined(separator: ", ")) is not supported, only chunked")
            }
            state = .chunkSize
        } else if !lengths.isEmpty {
            state = .fixed(remaining: try Self.contentLength(lengths.map(\.value)))
        } else {
            state = .untilClose
            keepAlive = false
        }
        return ResponseHead(status: head.status, headers: headers, keepAlive: keepAlive)
    }

    // MARK: Rules of the grammar

    /// `HTTP/1.x SP 3DIGIT [SP reason]`.
    private static func statusLine(_ line: ArraySlice<UInt8>) throws(ResponseDecodingError) -> PartialHead {
        let bytes = Array(line)
        guard bytes.count >= 12, bytes[0..<7].elementsEqual("HTTP/1.".utf8), bytes[7].isDigit, bytes[8] == .space,
            bytes[9...11].allSatisfy(\.isDigit), bytes.count == 12 || bytes[12] == .space
        else { throw .malformed("the status line is not `HTTP/1.x` and a three-digit status") }
        guard bytes[12...].allSatisfy({ $0 == .tab || !$0.isControl }) else {
            throw .malformed("the reason phrase holds a control character")
        }
        let status = bytes[9...11].reduce(0) { $0 * 10 + Int($1 - UInt8(ascii: "0")) }
        guard status >= 100 else { throw .malformed("the status \(status) is not between 100 and 999") }
        return PartialHead(minorVersion: Int(bytes[7] - UInt8(ascii: "0")), status: status, size: line.count + 2)
    }

    /// `token ":" OWS value OWS`, no whitespace before the colon (RFC 9112 §5.1).
    private static func field(_ line: ArraySlice<UInt8>) throws(ResponseDecodingError) -> (String, String) {
        guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else { throw .malformed("a header line has no colon") }
        let name = line[..<colon]
        guard !name.isEmpty, name.allSatisfy(\.isTokenCharacter) else {
            throw .malformed("the header name `\(String(decoding: name, as: UTF8.self))` is not a token")
        }
        return (String(decoding: name, as: UTF8.self), try value(line[(colon + 1)...]))
    }

    /// A field value without the whitespace around it; control characters other than tab are refused.
    private static func value(_ bytes: ArraySlice<UInt8>) throws(ResponseDecodingError) -> String {
        guard bytes.allSatisfy({ $0 == .tab || !$0.isControl }) else {
            throw .malformed("a header value holds a control character")
        }
        let isText = { (byte: UInt8) in byte != .space && byte != .tab }
        guard let first = bytes.firstIndex(where: isText), let last = bytes.lastIndex(where: isText) else { return "" }
        return String(decoding: bytes[first...last], as: UTF8.self)
    }

    /// `1*DIGIT` in every field and list element, all the same (RFC 9110 §8.6).
    private static func contentLength(_ values: [String]) throws(ResponseDecodingError) -> Int {
        var length: Int?
        for element in values.flatMap({ $0.split(separator: ",", omittingEmptySubsequences: false) }) {
            let digits = element.utf8.drop { $0 == .space || $0 == .tab }.reversed().drop { $0 == .space || $0 == .tab }.reversed()
            guard !digits.isEmpty, digits.allSatisfy(\.isDigit) else {
                throw .malformed("the Content-Length `\(element)` is not a number of bytes")
            }
            var value = 0
            for digit in digits {
                let (times10, overflow) = value.multipliedReportingOverflow(by: 10)
                let (sum, overflowAgain) = times10.addingReportingOverflow(Int(digit - UInt8(ascii: "0")))
                guard !overflow, !overflowAgain else { throw .malformed("the Content-Length \(element) is too large") }
                value = sum
            }
            guard length == nil || length == value else { throw .malformed("the response has conflicting Content-Lengths") }
            length = value
        }
        guard let length else { throw .malformed("the Content-Length is empty") }
        return length
    }

    /// `1*HEXDIG [BWS ";" extensions]`.
    private static func chunkSize(_ line: ArraySlice<UInt8>) throws(ResponseDecodingError) -> Int {
        let digits = line.prefix { $0.hexValue != nil }
        guard !digits.isEmpty else { throw .malformed("a chunk size is not hexadecimal") }
        guard digits.count <= 15 else { throw .malformed("a chunk size is too large") }
        let rest = line[digits.endIndex...].drop { $0 == .space || $0 == .tab }
        guard rest.isEmpty || (rest.first == UInt8(ascii: ";") && rest.allSatisfy { $0 == .tab || !$0.isControl }) else {
            throw .malformed("a chunk size line holds more than a size and extensions")
        }
        return digits.reduce(0) { $0 << 4 | Int($1.hexValue!) }
    }

    /// A comma-separated header's elements, lowercased, from every field of that name.
    private static func tokens(_ headers: HTTPHeaders, _ name: String) -> [String] {
        headers.fields.filter { HTTPHeaders.sameName($0.name, name) }.flatMap { field in
            field.value.split(separator: ",").map { $0.trimmingASCIIWhitespace().lowercased() }.filter { !$0.isEmpty }
        }
    }
}

extension Substring {
    func trimmingASCIIWhitespace() -> String {
        let isText = { (byte: UInt8) in byte != .space && byte != .tab }
        guard let first = utf8.firstIndex(where: isText), let last = utf8.lastIndex(where: isText) else { return "" }
        return String(self[first...last])
    }
}

extension UInt8 {
    static let lineFeed = UInt8(ascii: "\n")
    static let carriageReturn = UInt8(ascii: "\r")
    static let space = UInt8(ascii: " ")
    static let tab = UInt8(ascii: "\t")

    var isDigit: Bool { self >= UInt8(ascii: "0") && self <= UInt8(ascii: "9") }
    /// Below space, and DEL.
    var isControl: Bool { self < 0x20 || self == 0x7F }

    var hexValue: UInt8? {
        switch self {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): self - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): self - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): self - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    /// `tchar` of RFC 9110 §5.6.2.
    var isTokenCharacter: Bool {
        switch self {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            true
        default:
            "!#$%&'*+-.^_`|~".utf8.contains(self)
        }
    }
}
