import Foundation
import Testing

@testable import BinderyRuntime

@Suite("Runtime parsing and policies")
struct ParsingTests {
    @Test func retryAfterReadsSecondsAndHTTPDates() {
        let now = Date(timeIntervalSince1970: 1_700_000_000)
        #expect(ExponentialBackoff.retryAfter("7", now: now) == 7)
        #expect(ExponentialBackoff.retryAfter(" 2.5 ", now: now) == 2.5)
        #expect(ExponentialBackoff.retryAfter("-3", now: now) == nil, "not delta-seconds, so the backoff applies")
        // 1_700_000_000 is Tue, 14 Nov 2023 22:13:20 GMT.
        #expect(ExponentialBackoff.retryAfter("Tue, 14 Nov 2023 22:13:50 GMT", now: now) == 30)
        #expect(ExponentialBackoff.retryAfter("Tuesday, 14-Nov-23 22:13:30 GMT", now: now) == 10)
        #expect(ExponentialBackoff.retryAfter("Tue, 14 Nov 2023 22:00:00 GMT", now: now) == 0)
        #expect(ExponentialBackoff.retryAfter("soon", now: now) == nil)
        #expect(ExponentialBackoff.retryAfter(nil, now: now) == nil)
    }

    @Test func headerNamesMatchIgnoringASCIICaseOnly() {
        var headers = HTTPHeaders([("Content-Type", "application/json"), ("X-Ünï", "1")])
        #expect(headers["content-type"] == "application/json" && headers["CONTENT-TYPE"] == "application/json")
        #expect(headers["Content-Typ"] == nil && headers["Content-Type "] == nil)
        #expect(headers["x-Ünï"] == "1" && headers["x-ünï"] == nil, "only ASCII letters fold")
        #expect(!HTTPHeaders.sameName("a[", "A{"), "bytes 0x5B and 0x7B differ only in the case bit but are not letters")
        headers["content-TYPE"] = "text/plain"
        #expect(headers.fields.map(\.name) == ["X-Ünï", "content-TYPE"])
    }

    @Test func headerAuthFillsItsTemplate() async throws {
        for (template, expected) in [("{token}", "k1"), ("Token {token}", "Token k1"), ("{token}:{token}!", "k1:k1!"), ("fixed", "fixed")] {
            var request = HTTPRequest(method: .get, url: URL(string: "http://example.com/")!)
            try await HeaderAuth(header: "Authorization", template: template, secret: Secret("k1")).authenticate(&request)
            #expect(request.headers["authorization"] == expected)
        }
    }

    @Test func backoffIsFullJitterCappedAndBoundedByAttempts() {
        let policy = ExponentialBackoff(maxAttempts: 5, initialDelay: 1, maxDelay: 3, retryableStatuses: [503], maxRetryAfter: 10)
        for attempt in 1...4 {
            let limit = min(3, pow(2, Double(attempt - 1)))
            for _ in 0..<200 {
                let delay = policy.delay(after: .status(503, retryAfter: nil), attempt: attempt)!
                #expect(delay >= 0 && delay <= limit)
            }
        }
        #expect(policy.delay(after: .status(503, retryAfter: nil), attempt: 5) == nil)
        #expect(policy.delay(after: .status(404, retryAfter: nil), attempt: 1) == nil)
        #expect(policy.delay(after: .status(503, retryAfter: 4), attempt: 1) == 4)
        #expect(policy.delay(after: .status(503, retryAfter: 3600), attempt: 1) == 10)
        #expect(policy.delay(after: .interrupted, attempt: 1) != nil)
        #expect(ExponentialBackoff.none.delay(after: .cannotConnect, attempt: 1) == nil)
    }

    @Test(arguments: [
        ("2024-05-01T12:34:56Z", 1_714_566_896.0),
        ("2024-05-01T12:34:56.5Z", 1_714_566_896.5),
        ("2024-05-01T12:34:56.123456+09:00", 1_714_534_496.123456),
        ("2024-05-01T12:34:56-0230", 1_714_575_896.0),
        ("2024-05-01 12:34:56", 1_714_566_896.0),
    ])
    func iso8601DatesWithAndWithoutFractions(text: String, seconds: Double) throws {
        let date = try #require(ISO8601.parse(text))
        #expect(abs(date.timeIntervalSince1970 - seconds) < 0.000_001)
    }

    @Test func rejectsWhatIsNotADate() {
        for text in ["2024-13-01T00:00:00Z", "2024-05-01", "yesterday", "2024-05-01T12:34:56.Z", "2024-05-01T12:34:56Zjunk"] {
            #expect(ISO8601.parse(text) == nil, "\(text)")
        }
    }

    @Test func pathSegmentsAndQueriesAreEncoded() {
        #expect(PercentEncoding.segment("a b/c?d#e%f") == "a%20b%2Fc%3Fd%23e%25f")
        #expect(PercentEncoding.segment("..") == "%2E%2E")
        #expect(PercentEncoding.segment("code@1.2") == "code%401.2")
        #expect(PercentEncoding.query([URLQueryItem(name: "q", value: "a+b&c=d"), URLQueryItem(name: "x", value: nil)]) == "q=a%2Bb%26c%3Dd&x")
    }

    /// The runtime escapes byte by byte what Foundation would escape through a character set of RFC 3986's
    /// unreserved characters.
    @Test(arguments: ["", "plain-Text_1.2~", "naïve café", "東京/😀", "%41 \t\r\n\"'<>[]{}|\\^`", "a\u{0}b", String(UnicodeScalar(0x7F))])
    func escapingAgreesWithFoundation(text: String) {
        let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
        #expect(PercentEncoding.escaped(text) == text.addingPercentEncoding(withAllowedCharacters: unreserved))
    }

    @Test func headerValuesLoseTheirSurroundingSpacesAndTabsOnly() {
        #expect(" \t text with  inner space \t "[...].trimmingASCIIWhitespace() == "text with  inner space")
        #expect(" \t "[...].trimmingASCIIWhitespace() == "" && ""[...].trimmingASCIIWhitespace() == "")
        #expect("\u{A0}é "[...].trimmingASCIIWhitespace() == "\u{A0}é", "only HTTP's whitespace is trimmed")
    }

    @Test func jsonValuesRoundTrip() throws {
        let text = #"{"a":[1,2.5,"s",true,null,{"b":{}}]}"#
        let value = try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
        #expect(value == ["a": [1, 2.5, "s", true, nil, ["b": [:]]]])
        #expect(try JSONDecoder().decode(JSONValue.self, from: JSONEncoder().encode(value)) == value)
    }

    @Test func errorURLsLoseUserInfo() {
        let error = BinderyError(kind: .server, operation: "x", method: .get, url: URL(string: "https://user:pw@h.example/p")!, attempts: 1, message: "m")
        #expect(error.url?.absoluteString == "https://h.example/p")
    }

    @Test func pagesAreReadWhereTheRuleSays() throws {
        let rule = PaginationRule(style: .cursor, items: ["data"], next: ["meta", "pagination", "next_cursor"])
        let request = Request<Page<Int>>("t", .get, "x", response: .page(rule))
        guard case .whole(let read) = request.reader.body else {
            Issue.record("a page is read whole")
            return
        }
        let body = #"{"data": [1, 2], "meta": {"pagination": {"next_cursor": "abc"}}}"#
        let page = try read(HTTPResponse(status: 200, body: Data(body.utf8)), Coders())
        #expect(page.items == [1, 2] && page.next == "abc" && page.count == nil)
        let last = try read(HTTPResponse(status: 200, body: Data(#"{"data": [], "meta": {"pagination": null}}"#.utf8)), Coders())
        #expect(last.items.isEmpty && last.next == nil)
    }

    /// Feeds `text` to a parser split at every possible pair of points, so no result depends on chunk boundaries.
    private func parseInEveryChunking(_ text: String) -> Set<[ServerSentEvent]> {
        let bytes = Array(text.utf8)
        var results = Set<[ServerSentEvent]>()
        for first in 0...bytes.count {
            for second in first...bytes.count {
                var parser = ServerSentEventParser()
                var events = parser.push(Data(bytes[..<first]))
                events += parser.push(Data(bytes[first..<second]))
                events += parser.push(Data(bytes[second...]))
                events += parser.finish()
                results.insert(events)
            }
        }
        return results
    }

    @Test func serverSentEventsFollowTheHTMLStandard() {
        // The standard's own examples (§9.2.6), with CRLF, LF and lone CR line ends mixed.
        let text = ": a comment\r\ndata: first\ndata:second line\r\rid: 7\nevent: update\ndata:  two spaces\nretry: 1500\n\n"
            + "data\n\nretry: soon\ndata: no id change\n\nid\ndata: id cleared\n\ndata: unterminated"
        let expected = [
            ServerSentEvent(data: "first\nsecond line"),
            ServerSentEvent(event: "update", data: " two spaces", id: "7", retry: 1500),
            ServerSentEvent(data: "", id: "7", retry: 1500),
            ServerSentEvent(data: "no id change", id: "7", retry: 1500),
            ServerSentEvent(data: "id cleared", id: "", retry: 1500),
        ]
        #expect(parseInEveryChunking(text) == [expected])
    }

    @Test func ndjsonLinesSplitAcrossChunks() {
        var framer = EventFramer(.ndjson)
        var events = framer.push(Data(#"{"a": 1}"#.utf8) + Data("\r\n\n{\"b\"".utf8))
        events += framer.push(Data(": 2}\n{\"c\": 3}".utf8))
        events += framer.finish()
        #expect(events.map(\.data) == [#"{"a": 1}"#, #"{"b": 2}"#, #"{"c": 3}"#])
    }

    /// URLSession's failures before anything was sent (TLS among them) are `cannotConnect`, safe to retry; the rest
    /// keep URLSession's error.
    @Test func urlSessionErrorsAreClassifiedByWhetherAnythingWasSent() {
        for code in [NSURLErrorSecureConnectionFailed, NSURLErrorServerCertificateUntrusted, NSURLErrorCannotConnectToHost] {
            #expect(URLSessionTransport.transportError(NSError(domain: NSURLErrorDomain, code: code)).kind == .cannotConnect)
        }
        let lost = URLSessionTransport.transportError(NSError(domain: NSURLErrorDomain, code: NSURLErrorNetworkConnectionLost))
        #expect(lost.kind == .connectionLost)
        #expect((lost.underlying as? NSError)?.code == NSURLErrorNetworkConnectionLost)
        #expect(lost.message.contains("\(NSURLErrorNetworkConnectionLost)"))
    }
}
