import BinderyRuntime
import BinderyTestSupport
import Foundation
import Testing

/// What every transport of BinderyRuntime does, checked over loopback against Tests/Servers/hostile.py (a server that
/// breaks HTTP on purpose), over plain http or TLS, asserting what the server received as well as what the transport
/// returned. The runtime's tests run it on `SocketTransport`; Integrations/AsyncHTTPClient runs it on its transport
/// over both; a transport of your own can run it from a test target of its own:
///
///     @Test(arguments: TransportConformance.Check.allCases)
///     func conforms(check: TransportConformance.Check) async throws {
///         let server = try await TransportConformance.Server(.http)
///         try await TransportConformance.run(check, on: MyTransport(), against: server)
///     }
public enum TransportConformance {
    /// How the server speaks: plain HTTP/1.1, or HTTP/1.1 over TLS with a certificate for 127.0.0.1 that a
    /// throwaway authority signed (`Server.certificateAuthority`).
    public enum Scheme: String, Sendable, CaseIterable {
        case http, https
    }

    /// One behaviour of the transport contract.
    public enum Check: String, Sendable, CaseIterable, CustomTestStringConvertible {
        /// A request arrives as it was sent (method, target, headers, body) and its answer comes back whole.
        case roundTrip
        /// A body of bytes and files arrives in order, whole.
        case bodyOfPieces
        /// An answer whose framing is broken is a typed error, never bytes returned as a body.
        case brokenFramingIsAnError
        /// A head past any sane size is refused or read whole, never more.
        case oversizedHeadsAreBounded
        /// A chunked body with a trailer field after it.
        case trailerAfterTheBody
        /// 100 Continue and 103 Early Hints before the answer.
        case interimAnswers
        /// A 307 sends the same request, body and all, to its location.
        case redirectKeepsTheBody
        /// A head a byte at a time, never ending: the total ends the wait though bytes keep coming.
        case totalHoldsInAHeadThatNeverEnds
        /// A body a byte at a time, never ending: the same.
        case totalHoldsInABodyThatNeverEnds
        /// A stream whose server says nothing after its head ends at the read timeout.
        case readTimeoutHoldsInAQuietStream
        /// Cancelling the reader of a quiet stream ends it at once as cancelled.
        case cancellingAQuietStream
        /// A POST whose connection closes unanswered is `.connectionLost` and was sent once.
        case lostAnswerIsNotResent
        /// A port nobody listens on is `.cannotConnect`.
        case refusedConnection
        /// A header value with a line break is `.invalidRequest` and nothing is sent.
        case headerInjectionIsRefused
        /// An answer sent before the body was read (a 413) is returned, though the server stops reading.
        case answerBeforeTheBodyWentOut
        /// Connections the server closed while idle are not used, or used again safely.
        case idleConnectionsClosedByTheServer

        public var testDescription: String { rawValue }
    }

    /// Tests/Servers/hostile.py, over `scheme`.
    public final class Server: Sendable {
        public let scheme: Scheme
        public let live: LiveServer
        /// The PEM file of the authority that signed the server's certificate, over https.
        public let certificateAuthority: URL?

        public init(_ scheme: Scheme) async throws {
            self.scheme = scheme
            let files = scheme == .https ? try await TestCertificates.made() : nil
            certificateAuthority = files?.authority
            live = try await LiveServer(
                script: "Tests/Servers/hostile.py", arguments: files.map { ["--tls", $0.certificate.path, $0.key.path] } ?? [],
                python: "BINDERY_PYTHON")
        }

        public func url(_ path: String) -> URL { URL(string: "\(scheme.rawValue)://127.0.0.1:\(live.port)/\(path)")! }

        /// The request heads the server received for the case `name`, once at least `count` arrived (for up to 5 s).
        public func received(_ name: String, atLeast count: Int = 1) async -> [[String: Any]] {
            await live.records(atLeast: count) { $0["case"] as? String == name ? $0 : nil }
        }

        /// Every request head the server received before a GET of /ok sent now, which it logs after them.
        func receivedBeforeNow(on transport: any StreamingTransport) async throws -> [[String: Any]] {
            let marker = "barrier-\(UUID().uuidString)"
            _ = try await transport.send(HTTPRequest(method: .get, url: url("ok?\(marker)")), body: nil, timeouts: Timeouts())
            let records = await live.records(atLeast: 1) { ($0["target"] as? String)?.hasSuffix(marker) == true ? $0 : nil }
            #expect(records.count == 1, "the server logged the barrier request")
            let all = await live.records(atLeast: 0) { $0 }
            return Array(all.prefix { ($0["target"] as? String)?.hasSuffix(marker) != true })
        }

        deinit { live.stop() }
    }

    /// Runs `check` on `transport` against `server`.
    public static func run(_ check: Check, on transport: any StreamingTransport, against server: Server) async throws {
        func get(_ path: String, _ timeouts: Timeouts = Timeouts(connect: 5, read: 20)) async throws -> HTTPResponse {
            try await transport.send(HTTPRequest(method: .get, url: server.url(path)), body: nil, timeouts: timeouts)
        }
        func failure(_ body: () async throws -> Void) async -> TransportError? {
            do {
                try await body()
                return nil
            } catch let error as TransportError {
                return error
            } catch {
                Issue.record("not a TransportError: \(error)")
                return nil
            }
        }
        let ok = Data("{\"ok\": true}".utf8)

        switch check {
        case .roundTrip:
            var request = HTTPRequest(method: .post, url: server.url("echo?q=a%20b"))
            request.headers["X-Probe"] = "probe value"
            request.headers["Content-Type"] = "application/octet-stream"
            let response = try await transport.send(request, body: .data(Data("hello, server".utf8)), timeouts: Timeouts())
            #expect(response.status == 200 && response.body == Data("hello, server".utf8))
            #expect(try await get("ok").body == ok)
            let head = try #require(await server.received("echo").first)
            #expect(head["method"] as? String == "POST" && head["target"] as? String == "/echo?q=a%20b")
            #expect((head["headers"] as? [String: String])?["X-Probe"] == "probe value" && head["body_length"] as? Int == 13)

        case .bodyOfPieces:
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("conformance-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: file) }
            let bytes = Data((0..<(3 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 11) })
            try bytes.write(to: file)
            let body = HTTPBody.pieces([.data(Data("head|".utf8)), .file(file), .fileRange(file, offset: 10, count: 100, reading: nil)])
            let response = try await transport.send(HTTPRequest(method: .put, url: server.url("echo")), body: body, timeouts: Timeouts())
            #expect(response.body == Data("head|".utf8) + bytes + bytes[10..<110], "the echo is the body sent")
            #expect(await server.received("echo").first?["body_length"] as? Int == 5 + bytes.count + 100)

        case .brokenFramingIsAnError:
            for name in ["long-chunk", "no-crlf", "two-lengths", "te-and-length", "plus-length", "minus-chunk", "huge-length", "bad-status"] {
                let error = await failure { _ = try await get(name) }
                #expect([.connectionLost, .responseTooLarge].contains(error?.kind), "\(name): \(String(describing: error))")
            }

        case .oversizedHeadsAreBounded:
            for name in ["huge-head", "many-fields"] {
                do {
                    let response = try await get(name)
                    #expect(response.status == 200 && response.body == ok, "\(name) read whole or refused")
                } catch let error as TransportError {
                    #expect([.connectionLost, .responseTooLarge].contains(error.kind), "\(name): \(error)")
                }
            }

        case .trailerAfterTheBody:
            let response = try await get("trailer")
            #expect(response.status == 200 && response.body == ok)
            #expect(try await get("ok").body == ok, "the connection is still usable")

        case .interimAnswers:
            let response = try await get("interim")
            #expect(response.status == 201 && response.body == ok)

        case .redirectKeepsTheBody:
            let body = Data(repeating: 0x62, count: 10)
            let response = try await transport.send(HTTPRequest(method: .post, url: server.url("redirect")), body: .data(body), timeouts: Timeouts())
            #expect(response.status == 200 && response.body == ok)
            #expect(await server.received("redirect").first?["body_length"] as? Int == 10)
            let followed = await server.received("ok").first
            #expect(followed?["method"] as? String == "POST" && followed?["body_length"] as? Int == 10)

        case .totalHoldsInAHeadThatNeverEnds, .totalHoldsInABodyThatNeverEnds:
            let name = check == .totalHoldsInAHeadThatNeverEnds ? "dribble" : "slow-body"
            let error = await failure { _ = try await get(name, Timeouts(connect: 5, read: 30, total: 0.5)) }
            #expect(error?.kind == .timedOut, "\(String(describing: error))")

        case .readTimeoutHoldsInAQuietStream:
            let stream = try await transport.open(HTTPRequest(method: .get, url: server.url("quiet")), body: nil, timeouts: Timeouts(connect: 5, read: 0.3))
            #expect(stream.status == 200)
            let error = await failure { for try await _ in stream.body {} }
            #expect(error?.kind == .timedOut, "\(String(describing: error))")

        case .cancellingAQuietStream:
            let stream = try await transport.open(HTTPRequest(method: .get, url: server.url("quiet")), body: nil, timeouts: Timeouts(read: 600))
            let reader = Task {
                do {
                    for try await _ in stream.body {}
                    return "ended"
                } catch let error as TransportError {
                    return "\(error.kind)"
                } catch {
                    return "\(error)"
                }
            }
            try await Task.sleep(nanoseconds: 50_000_000)
            reader.cancel()
            #expect(await reader.value == "cancelled")

        case .lostAnswerIsNotResent:
            let error = await failure {
                _ = try await transport.send(HTTPRequest(method: .post, url: server.url("close-now")), body: .data(Data("once".utf8)), timeouts: Timeouts())
            }
            #expect(error?.kind == .connectionLost, "\(String(describing: error))")
            let heads = try await server.receivedBeforeNow(on: transport)
            #expect(heads.filter { $0["case"] as? String == "close-now" }.count == 1, "the POST was sent once")

        case .refusedConnection:
            let port = try freePort()
            let url = URL(string: "\(server.scheme.rawValue)://127.0.0.1:\(port)/ok")!
            let error = await failure { _ = try await transport.send(HTTPRequest(method: .post, url: url), body: .data(Data("x".utf8)), timeouts: Timeouts()) }
            #expect(error?.kind == .cannotConnect, "\(String(describing: error))")

        case .headerInjectionIsRefused:
            var request = HTTPRequest(method: .get, url: server.url("ok"))
            request.headers["X-Injected"] = "a\r\nX-Evil: 1"
            let error = await failure { _ = try await transport.send(request, body: nil, timeouts: Timeouts()) }
            #expect(error?.kind == .invalidRequest, "\(String(describing: error))")
            let heads = try await server.receivedBeforeNow(on: transport)
            #expect(!heads.contains { ($0["headers"] as? [String: String])?["X-Evil"] != nil }, "nothing was sent")

        case .answerBeforeTheBodyWentOut:
            let body = Data(repeating: 0x61, count: 32 << 20)
            let response = try await transport.send(HTTPRequest(method: .post, url: server.url("early-413")), body: .data(body), timeouts: Timeouts(connect: 5, read: 20))
            #expect(response.status == 413 && response.body == Data("{\"error\": \"too large!\"}".utf8))

        case .idleConnectionsClosedByTheServer:
            for _ in 0..<20 {
                #expect(try await get("idle-close").body == ok)
                try await Task.sleep(nanoseconds: 3_000_000)
            }
            #expect(await server.received("idle-close", atLeast: 20).count == 20)
        }
    }
}
