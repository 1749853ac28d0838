@testable import BinderyRuntime
import Foundation
import Testing

/// The HTTP/1.1 codec on bytes, rule by rule of RFC 9112: what a response decodes to, fed whole and a byte at a
/// time, and what is refused.
@Suite("HTTP/1.1 codec, on bytes")
struct HTTP1CodecTests {
    struct Decoded: Equatable {
        var status: Int
        var headers: [String]
        var body: String
        var keepAlive: Bool
    }

    /// Decodes `text` fed `step` bytes at a time; with `closing`, the connection then ends. nil when the response
    /// has not ended.
    static func decode(
        _ text: String, method: HTTPMethod = .get, step: Int = .max, closing: Bool = false
    ) throws(ResponseDecodingError) -> Decoded? {
        var decoder = ResponseDecoder()
        decoder.reset(for: method)
        var bytes = Array(text.utf8)[...]
        var decoded: Decoded?
        while true {
            while let piece = try decoder.nextPiece() {
                switch piece {
                case .head(let head):
                    decoded = Decoded(
                        status: head.status, headers: head.headers.map { "\($0.name): \($0.value)" }, body: "",
                        keepAlive: head.keepAlive)
                case .body(let part): decoded?.body += String(decoding: part, as: UTF8.self)
                case .end: return decoded
                }
            }
            guard !bytes.isEmpty else { break }
            #expect(decoder.hasRoom, "the decoder asked for more bytes with a full buffer")
            let count = decoder.receive { buffer in
                let count = min(step, bytes.count, buffer.count)
                buffer.copyBytes(from: bytes.prefix(count))
                return count
            }
            bytes = bytes.dropFirst(count)
        }
        guard closing else { return nil }
        if case .end = try decoder.endOfInput() { return decoded }
        return nil
    }

    /// Decoded whole and byte by byte, which must agree.
    static func decodeBothWays(_ text: String, method: HTTPMethod = .get, closing: Bool = false) throws -> Decoded? {
        let whole = try decode(text, method: method, closing: closing)
        #expect(try decode(text, method: method, step: 1, closing: closing) == whole, "fed a byte at a time, it read otherwise")
        return whole
    }

    static func refusal(_ text: String, method: HTTPMethod = .get, closing: Bool = false) -> ResponseDecodingError? {
        do {
            _ = try decode(text, method: method, closing: closing)
            return nil
        } catch {
            return error
        }
    }

    // MARK: Framing

    @Test func aContentLengthFramesTheBody() throws {
        let decoded = try Self.decodeBothWays("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-A: 1\r\n\r\nhello")
        #expect(decoded == Decoded(status: 200, headers: ["Content-Length: 5", "X-A: 1"], body: "hello", keepAlive: true))
    }

    @Test func chunksWithExtensionsAndTrailersMakeOneBody() throws {
        let text = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;name=value\r\nhello\r\n7 ; x\r\n, world\r\n0\r\nX-Trailer: t\r\n\r\n"
        let decoded = try Self.decodeBothWays(text)
        #expect(decoded?.body == "hello, world" && decoded?.keepAlive == true)
    }

    @Test(arguments: [
        ("5\r\nhello!\r\n0\r\n\r\n", "a chunk's data does not end where its size says"),
        ("+5\r\nhello\r\n0\r\n\r\n", "a chunk size is not hexadecimal"),
        ("-1\r\n\r\n", "a chunk size is not hexadecimal"),
        ("\r\nhello\r\n", "a chunk size is not hexadecimal"),
        ("0x5\r\nhello\r\n0\r\n\r\n", "a chunk size line holds more than a size and extensions"),
        ("5 5\r\nhello\r\n", "a chunk size line holds more than a size and extensions"),
        ("FFFFFFFFFFFFFFFFF\r\n", "a chunk size is too large"),
        ("5\r\nhelloXX0\r\n\r\n", "a chunk's data does not end where its size says"),
        ("5\r\nhello\r\n0\r\nbad trailer\r\n\r\n", "a header line has no colon"),
    ])
    func malformedChunksAreRefused(chunks: String, reason: String) {
        #expect(Self.refusal("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + chunks) == .malformed(reason))
    }

    @Test(arguments: [
        ("Content-Length: 5\r\nContent-Length: 6", "the response has conflicting Content-Lengths"),
        ("Content-Length: 5, 6", "the response has conflicting Content-Lengths"),
        ("Content-Length: +5", "the Content-Length `+5` is not a number of bytes"),
        ("Content-Length: -1", "the Content-Length `-1` is not a number of bytes"),
        ("Content-Length: 5e0", "the Content-Length `5e0` is not a number of bytes"),
        ("Content-Length: ", "the Content-Length `` is not a number of bytes"),
        ("Content-Length: 99999999999999999999", "the Content-Length 99999999999999999999 is too large"),
        ("Transfer-Encoding: gzip, chunked", "the transfer coding gzip, chunked is not supported, only chunked"),
        ("Transfer-Encoding: chunked\r\nContent-Length: 5", "the response has both a Transfer-Encoding and a Content-Length"),
        ("Transfer-Encoding: identity", "the transfer coding identity is not supported, only chunked"),
    ])
    func conflictingOrSignedFramingIsRefused(fields: String, reason: String) {
        #expect(Self.refusal("HTTP/1.1 200 OK\r\n\(fields)\r\n\r\nhello") == .malformed(reason))
    }

    @Test func aRepeatedEqualContentLengthIsOneLength() throws {
        #expect(try Self.decodeBothWays("HTTP/1.1 200 OK\r\nContent-Length: 5, 5\r\nContent-Length: 5\r\n\r\nhello")?.body == "hello")
    }

    @Test func anHTTP10TransferEncodingIsRefused() {
        #expect(Self.refusal("HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n")
            == .malformed("an HTTP/1.0 response has a Transfer-Encoding"))
    }

    @Test func withoutLengthTheBodyRunsToTheCloseAndTheConnectionIsNotKept() throws {
        #expect(try Self.decode("HTTP/1.1 200 OK\r\n\r\nall of it") == nil, "the body ended before the connection did")
        let decoded = try Self.decodeBothWays("HTTP/1.1 200 OK\r\n\r\nall of it", closing: true)
        #expect(decoded == Decoded(status: 200, headers: [], body: "all of it", keepAlive: false))
    }

    @Test(arguments: [(HTTPMethod.head, 200), (.get, 204), (.get, 304)])
    func answersWithoutABodyEndAtTheirHead(method: HTTPMethod, status: Int) throws {
        var decoder = ResponseDecoder()
        decoder.reset(for: method)
        let text = "HTTP/1.1 \(status) X\r\nContent-Length: 5\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
        _ = decoder.receive { buffer in
            buffer.copyBytes(from: text.utf8)
            return text.utf8.count
        }
        guard case .head(let head)? = try decoder.nextPiece(), case .end? = try decoder.nextPiece() else {
            Issue.record("the first answer had a body")
            return
        }
        #expect(head.status == status)
        #expect(decoder.hasUnreadBytes, "the next answer's bytes were taken as a body")
    }

    @Test func interimAnswersAreSkipped() throws {
        let text = "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n"
        #expect(try Self.decodeBothWays(text) == Decoded(status: 201, headers: ["Content-Length: 0"], body: "", keepAlive: true))
    }

    @Test func switchingProtocolsUnaskedIsRefused() {
        #expect(Self.refusal("HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\n\r\n")
            == .malformed("the server switched protocols, which no request asked for"))
    }

    // MARK: The head

    @Test func obsFoldIsJoinedWithASpace() throws {
        let decoded = try Self.decodeBothWays("HTTP/1.1 200 OK\r\nX-Long: first\r\n \t second\r\nContent-Length: 0\r\n\r\n")
        #expect(decoded?.headers == ["X-Long: first second", "Content-Length: 0"])
    }

    @Test func bareLineFeedsEndLines() throws {
        let decoded = try Self.decodeBothWays("HTTP/1.1 200 OK\nContent-Length: 2\n\nok")
        #expect(decoded?.body == "ok")
    }

    @Test(arguments: [
        ("HTTP/1.1 200 OK\r\nX-A : 1\r\n\r\n", "the header name `X-A ` is not a token"),
        ("HTTP/1.1 200 OK\r\nX A: 1\r\n\r\n", "the header name `X A` is not a token"),
        ("HTTP/1.1 200 OK\r\n: 1\r\n\r\n", "the header name `` is not a token"),
        ("HTTP/1.1 200 OK\r\nNo colon\r\n\r\n", "a header line has no colon"),
        ("HTTP/1.1 200 OK\r\nX-A: a\rb\r\n\r\n", "a header value holds a control character"),
        ("HTTP/1.1 200 OK\r\nX-A: a\u{0}b\r\n\r\n", "a header value holds a control character"),
        ("HTTP/1.1 200 OK\r\n folded\r\n\r\n", "the first header line starts with whitespace"),
        ("HTTP/2 200 OK\r\n\r\n", "the status line is not `HTTP/1.x` and a three-digit status"),
        ("HTTP/1.1 20 OK\r\n\r\n", "the status line is not `HTTP/1.x` and a three-digit status"),
        ("HTTP/1.1 2000 OK\r\n\r\n", "the status line is not `HTTP/1.x` and a three-digit status"),
        ("ICY 200 OK\r\n\r\n", "the status line is not `HTTP/1.x` and a three-digit status"),
        ("HTTP/1.1 099 Low\r\n\r\n", "the status 99 is not between 100 and 999"),
        ("HTTP/1.1 200 O\u{1}K\r\n\r\n", "the reason phrase holds a control character"),
    ])
    func malformedHeadsAreRefused(text: String, reason: String) {
        #expect(Self.refusal(text) == .malformed(reason))
    }

    @Test func aStatusLineWithoutAReasonIsRead() throws {
        #expect(try Self.decodeBothWays("HTTP/1.1 204\r\n\r\n")?.status == 204)
    }

    @Test func headsPastTheLimitsAreRefusedBeforeTheyEnd() {
        let long = "HTTP/1.1 200 OK\r\nX-Big: " + String(repeating: "a", count: ResponseDecoder.maximumHeadSize)
        #expect(Self.refusal(long) == .tooLarge("the response's head is larger than 65536 bytes"))
        let many = "HTTP/1.1 200 OK\r\n" + String(repeating: "X-A: 1\r\n", count: ResponseDecoder.maximumFieldCount + 1) + "\r\n"
        #expect(Self.refusal(many) == .tooLarge("more than 256 header fields"))
        let trailers = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nX-T: " + String(repeating: "t", count: 70_000)
        #expect(Self.refusal(trailers) == .tooLarge("the trailer section is larger than 65536 bytes"))
        let extensions = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;" + String(repeating: "x", count: 5000) + "\r\nhello\r\n"
        #expect(Self.refusal(extensions) == .tooLarge("a chunk's size line is larger than 4096 bytes"))
    }

    @Test func keepAliveFollowsTheVersionAndConnection() throws {
        #expect(try Self.decode("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n")?.keepAlive == false)
        #expect(try Self.decode("HTTP/1.1 200 OK\r\nConnection: Upgrade, Close\r\nContent-Length: 0\r\n\r\n")?.keepAlive == false)
        #expect(try Self.decode("HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n")?.keepAlive == false)
        #expect(try Self.decode("HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n")?.keepAlive == true)
    }

    // MARK: The end of the connection

    @Test func aConnectionEndingEarlyIsTruncatedOrUnanswered() {
        #expect(Self.refusal("", closing: true) == .noAnswer)
        #expect(Self.refusal("HTTP/1.1 200 OK\r\nContent-Le", closing: true) == .truncated)
        #expect(Self.refusal("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhel", closing: true) == .truncated)
        #expect(Self.refusal("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n", closing: true) == .truncated)
    }

    // MARK: The request head

    @Test func aRequestHeadIsWrittenWithTheTransportsFraming() throws {
        var request = HTTPRequest(method: .post, url: URL(string: "http://[::1]:8080/a%20b/c?x=1&y=%2F")!)
        request.headers["Accept"] = "application/json"
        request.headers["Content-Length"] = "999"
        request.headers["Transfer-Encoding"] = "chunked"
        let head = String(decoding: try RequestHead.encode(request, bodyLength: 3), as: UTF8.self)
        #expect(head == "POST /a%20b/c?x=1&y=%2F HTTP/1.1\r\nHost: [::1]:8080\r\nAccept: application/json\r\nContent-Length: 3\r\n\r\n")
        let empty = String(decoding: try RequestHead.encode(HTTPRequest(method: .put, url: URL(string: "http://h")!), bodyLength: nil), as: UTF8.self)
        #expect(empty == "PUT / HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n\r\n")
        let proxied = String(
            decoding: try RequestHead.encode(HTTPRequest(method: .get, url: URL(string: "http://h:81/p?q")!), bodyLength: nil, absoluteForm: true),
            as: UTF8.self)
        #expect(proxied == "GET http://h:81/p?q HTTP/1.1\r\nHost: h:81\r\n\r\n")
    }

    @Test(arguments: [
        ("X-A", "a\r\nX-Injected: 1", "the value of header X-A holds a line break or another control character"),
        ("X-A", "a\nb", "the value of header X-A holds a line break or another control character"),
        ("X-A", "a\u{0}b", "the value of header X-A holds a line break or another control character"),
        ("X-A\r\nX-B", "1", "the header name `X-A\\r\\nX-B` is not a token"),
        ("X A", "1", "the header name `X A` is not a token"),
        ("X:A", "1", "the header name `X:A` is not a token"),
        ("", "1", "the header name `` is not a token"),
    ])
    func unsafeHeadersAreRefusedUnwritten(name: String, value: String, reason: String) throws {
        var request = HTTPRequest(method: .get, url: URL(string: "http://h/")!)
        request.headers.add(name, value)
        #expect(throws: TransportError.self) { try RequestHead.encode(request, bodyLength: nil) }
        do {
            _ = try RequestHead.encode(request, bodyLength: nil)
        } catch let error as TransportError {
            #expect(error.kind == .invalidRequest && error.message == reason)
        } catch {}
        #expect(try RequestHead.encode(HTTPRequest(method: .get, url: URL(string: "http://h/")!, headers: HTTPHeaders([("X-A", "a\tb é")])), bodyLength: nil).count > 0)
    }

    @Test func aMethodThatIsNotATokenIsRefused() {
        let request = HTTPRequest(method: HTTPMethod(rawValue: "GET /x HTTP/1.1\r\nX:"), url: URL(string: "http://h/")!)
        #expect(throws: TransportError.self) { try RequestHead.encode(request, bodyLength: nil) }
    }
}
