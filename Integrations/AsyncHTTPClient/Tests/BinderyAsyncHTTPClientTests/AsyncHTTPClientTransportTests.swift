import BinderyAsyncHTTPClient
import BinderyRuntime
import BinderyTestSupport
import BinderyTransportConformance
import Foundation
import Testing

/// What the AsyncHTTPClient transport adds to the contract: TLS connections kept for writes, the trust settings,
/// proxies, and a generated client on it.
@Suite("AsyncHTTPClient transport", .timeLimit(.minutes(3)))
struct AsyncHTTPClientTransportTests {
    static let ok = Data("{\"ok\": true}".utf8)

    /// 20 POSTs over TLS, one after another, on one connection: one handshake, not one a write.
    @Test func writesReuseATLSConnection() async throws {
        let server = try await TransportConformance.Server(.https)
        let transport = try AsyncHTTPClientTransport(trust: .adding(certificateAuthorities: try #require(server.certificateAuthority)), proxy: .none)
        for index in 0..<20 {
            let body = Data("write \(index)".utf8)
            let response = try await transport.send(HTTPRequest(method: .post, url: server.url("echo")), body: .data(body), timeouts: Timeouts())
            #expect(response.body == body)
        }
        let heads = await server.received("echo", atLeast: 20)
        #expect(heads.count == 20)
        #expect(Set(heads.compactMap { $0["client_port"] as? Int }).count == 1, "every write went on the first connection")
    }

    /// nginx offering HTTP/2 over TLS: 30 GETs in flight at once go as HTTP/2 streams of one connection.
    @Test func http2WhereTheServerOffersIt() async throws {
        let files = try await TestCertificates.made()
        let nginx = try Nginx(listen: ["ssl", "http2"], certificate: (files.certificate, files.key))
        let transport = try AsyncHTTPClientTransport(trust: .adding(certificateAuthorities: files.authority), proxy: .none)
        let url = URL(string: "https://127.0.0.1:\(nginx.port)/item.json")!
        let sizes = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<30 {
                group.addTask { try await transport.send(HTTPRequest(method: .get, url: url), body: nil, timeouts: Timeouts()).body.count }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(sizes.count == 30 && Set(sizes).count == 1 && sizes[0] > 1_000)
        nginx.stop()  // writes out its log
        let log = nginx.accessLog.map { $0.split(separator: " ") }
        #expect(log.count == 30 && log.allSatisfy { $0.first == "HTTP/2.0" && $0[2] == "/item.json" }, "\(nginx.accessLog)")
        #expect(Set(log.map { $0[3] }).count == 1, "one connection")
    }

    /// A certificate of an authority the transport was not told of is refused before anything is sent; told of
    /// none, the transport checks nothing, as asked.
    @Test func trustDecidesWhichCertificatesAreAccepted() async throws {
        let server = try await TransportConformance.Server(.https)
        let request = HTTPRequest(method: .post, url: server.url("echo"))
        do {
            _ = try await AsyncHTTPClientTransport(trust: .system, proxy: .none, connectTimeout: 2).send(request, body: .data(Data("x".utf8)), timeouts: Timeouts())
            Issue.record("a certificate of an unknown authority was accepted")
        } catch let error as TransportError {
            #expect(error.kind == .cannotConnect, "\(error)")
        }
        let unverified = try await AsyncHTTPClientTransport(trust: .noVerification, proxy: .none)
            .send(request, body: .data(Data("y".utf8)), timeouts: Timeouts())
        #expect(unverified.body == Data("y".utf8))
        #expect(await server.received("echo").map { $0["body_length"] as? Int } == [1], "only the unverified request arrived")
    }

    @Test func aMissingAuthorityFileIsAnErrorAtOnce() {
        #expect(throws: (any Error).self) {
            _ = try AsyncHTTPClientTransport(trust: .adding(certificateAuthorities: URL(fileURLWithPath: "/nonexistent/ca.pem")))
        }
    }

    /// Through an HTTP proxy, a request goes through a tunnel the proxy opens (CONNECT, as AsyncHTTPClient does for
    /// every scheme) with the proxy's credentials, and a host the proxy bypasses is reached directly.
    @Test func requestsGoThroughTheProxyButToBypassedHosts() async throws {
        let proxy = try await TransportConformance.Server(.http)
        let proxyURL = URL(string: "http://user:secret@127.0.0.1:\(proxy.live.port)")!
        let transport = try AsyncHTTPClientTransport(proxy: .http(proxyURL, bypass: ["localhost"]))
        let origin = try await TransportConformance.Server(.http)
        let proxied = try await transport.send(
            HTTPRequest(method: .get, url: URL(string: "http://api.example.test/ok")!), body: nil, timeouts: Timeouts())
        #expect(proxied.body == Self.ok)
        let tunnel = try #require(await proxy.received("connect").first)
        #expect(tunnel["target"] as? String == "api.example.test:80")
        // Field names are case-insensitive; AsyncHTTPClient writes this one in lower case.
        let credentials = (tunnel["headers"] as? [String: String])?.first { $0.key.lowercased() == "proxy-authorization" }?.value
        #expect(credentials == "Basic " + Data("user:secret".utf8).base64EncodedString())
        let head = try #require(await proxy.received("ok").first)
        #expect(head["target"] as? String == "/ok" && head["client_port"] as? Int == tunnel["client_port"] as? Int, "the request went through the tunnel")
        let direct = try await transport.send(
            HTTPRequest(method: .get, url: URL(string: "http://localhost:\(origin.live.port)/ok")!), body: nil, timeouts: Timeouts())
        #expect(direct.body == Self.ok)
        #expect(await origin.received("ok").first?["target"] as? String == "/ok", "the bypassed host was reached directly")
    }

    /// A client's whole stack on this transport: middleware, auth and retries come from the runtime, the bytes from
    /// AsyncHTTPClient.
    @Test func aClientSendsThroughIt() async throws {
        let server = try await TransportConformance.Server(.https)
        let transport = try AsyncHTTPClientTransport(trust: .adding(certificateAuthorities: try #require(server.certificateAuthority)), proxy: .none)
        let client = APIClient(
            api: APIDefinition(name: "Hostile", baseURL: server.url("").absoluteString),
            options: ClientOptions(transport: transport, environment: [:]))
        let value = try await client.send(Request<JSONValue>("hostile.get", .get, "ok", response: .json))
        #expect(value == ["ok": true])
        let agent = try #require(await server.received("ok").first?["headers"] as? [String: String])["User-Agent"]
        #expect(agent?.contains("Bindery/") == true, "\(String(describing: agent))")
    }
}
