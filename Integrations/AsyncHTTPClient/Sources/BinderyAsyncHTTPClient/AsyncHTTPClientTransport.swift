import AsyncHTTPClient
import BinderyRuntime
import Foundation
import NIOCore
import NIOHTTP1
import NIOSSL

/// BinderyRuntime's transport on AsyncHTTPClient (SwiftNIO): TLS through swift-nio-ssl with connections kept and
/// reused by writes too, HTTP/2 where the server offers it, proxies, and a private certificate authority, or
/// explicitly none. For server applications, where AsyncHTTPClient is already the HTTP client:
///
///     let client = LlamaDeployClient(options: ClientOptions(transport: try AsyncHTTPClientTransport()))
///
/// It keeps the runtime's contract as its own transports do: a read timeout holds between any two reads of an answer
/// and a total over the whole exchange, body and redirects included; a streamed body is read as its reader pulls it;
/// a write is sent once — a failure after its bytes may have left is `.connectionLost`, which the runtime's retry
/// policy does not repeat for POST or PATCH, and only a failure before any byte left is `.cannotConnect`; redirects are
/// followed as every runtime transport follows them. AsyncHTTPClient's own redirects and decompression are off.
public final class AsyncHTTPClientTransport: StreamingTransport, Sendable {
    /// The certificates a server may present.
    public enum Trust: Sendable, Hashable {
        /// Those the system's certificate authorities signed.
        case system
        /// Those the system's authorities or the authorities in a PEM file signed, e.g. a self-hosted server's
        /// private authority; the system's bundle is left as it is.
        case adding(certificateAuthorities: URL)
        /// Any certificate, unverified: for a self-hosted server on a network you trust, as a client's `disable_ssl`
        /// would. Anyone between the client and the server can read and change what is sent.
        case noVerification
    }

    /// The AsyncHTTPClient requests go through.
    public let client: HTTPClient
    /// The client for hosts `proxy` reaches directly, when its clients are this transport's own.
    private let directClient: HTTPClient?
    private let proxy: Proxy
    private let ownsClients: Bool
    /// The largest response body `send` reads whole; streams are read a chunk at a time and are not limited.
    public let maximumResponseSize: Int

    /// A transport on clients of its own, shut down when the transport goes away.
    /// - Parameters:
    ///   - trust: the certificates accepted from servers.
    ///   - proxy: the HTTP proxy for every request, `http://` and `https://` (through `CONNECT`), but to the hosts it
    ///     bypasses; read from the environment as the runtime's transports read it unless given.
    ///   - connectTimeout: AsyncHTTPClient sets the connect timeout per client, so it is set here, not by a request's
    ///     `Timeouts.connect`; a request's answer must begin within its connect and read timeouts together.
    ///   - maximumConnectionsPerOrigin: HTTP/1.1 connections kept open to one origin at once.
    /// - Throws: when the certificate authorities' file cannot be read.
    public convenience init(
        trust: Trust = .system, proxy: Proxy = .environment(), connectTimeout: TimeInterval = 10,
        maximumConnectionsPerOrigin: Int = 64, maximumResponseSize: Int = 256 << 20
    ) throws {
        var tls = TLSConfiguration.makeClientConfiguration()
        switch trust {
        case .system: break
        case .adding(let authorities):
            // Read now, so that a missing file is an error here rather than a failed handshake on every request.
            tls.additionalTrustRoots = [.certificates(try NIOSSLCertificate.fromPEMFile(authorities.path))]
        case .noVerification: tls.certificateVerification = .none
        }
        func client(proxy: URL?) -> HTTPClient {
            var configuration = HTTPClient.Configuration(
                tlsConfiguration: tls, redirectConfiguration: .disallow,
                timeout: .init(connect: .nanoseconds(Exchange.nanoseconds(connectTimeout))),
                connectionPool: .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: maximumConnectionsPerOrigin),
                proxy: proxy.flatMap(Self.proxy), decompression: .disabled)
            configuration.httpVersion = .automatic
            return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
        }
        let proxied = client(proxy: proxy.url)
        self.init(client: proxied, direct: proxy.url == nil || proxy.bypass.isEmpty ? nil : client(proxy: nil), proxy: proxy,
                  owned: true, maximumResponseSize: maximumResponseSize)
    }

    /// A transport on a client you made, and shut down yourself after its last request. Make it with redirects off
    /// (`redirectConfiguration: .disallow`): this transport follows them, and keeps credentials from other origins.
    public convenience init(client: HTTPClient, maximumResponseSize: Int = 256 << 20) {
        self.init(client: client, direct: nil, proxy: .none, owned: false, maximumResponseSize: maximumResponseSize)
    }

    private init(client: HTTPClient, direct: HTTPClient?, proxy: Proxy, owned: Bool, maximumResponseSize: Int) {
        self.client = client
        self.directClient = direct
        self.proxy = proxy
        self.ownsClients = owned
        self.maximumResponseSize = maximumResponseSize
    }

    deinit {
        guard ownsClients else { return }
        for client in [client] + (directClient.map { [$0] } ?? []) { client.shutdown { _ in } }
    }

    public func send(_ request: HTTPRequest, body: HTTPBody?, timeouts: Timeouts) async throws -> HTTPResponse {
        switch try await following(request, body: body, timeouts: timeouts, collecting: maximumResponseSize) {
        case .whole(let response): return response
        case .stream(let response): return try await response.collected(limit: maximumResponseSize)
        }
    }

    public func open(_ request: HTTPRequest, body: HTTPBody?, timeouts: Timeouts) async throws -> StreamingResponse {
        switch try await following(request, body: body, timeouts: timeouts, collecting: nil) {
        case .stream(let response): return response
        case .whole(let response):
            let (body, continuation) = AsyncThrowingStream<Data, any Error>.makeStream()
            continuation.yield(response.body)
            continuation.finish()
            return StreamingResponse(status: response.status, headers: response.headers, url: response.url, body: body, cancel: {})
        }
    }

    /// Sends `request` and follows its redirects, within one deadline for them all. A redirect's own stream is
    /// dropped, which ends it.
    private func following(
        _ request: HTTPRequest, body: HTTPBody?, timeouts: Timeouts, collecting limit: Int?
    ) async throws -> Exchange.Answer {
        let deadline = timeouts.total.map { NIODeadline.now() + .nanoseconds(Exchange.nanoseconds($0)) }
        var request = request
        var body = body
        for _ in 0...Redirect.maximum {
            let answer = try await exchange(request, body: body, timeouts: timeouts, deadline: deadline, collecting: limit)
            guard let next = Redirect.follow(request, status: answer.status, location: answer.headers["Location"]) else { return answer }
            if case .stream(let response) = answer { response.cancel() }
            request = next.request
            if !next.keepsBody { body = nil }
        }
        throw Redirect.tooMany
    }

    private func exchange(
        _ request: HTTPRequest, body: HTTPBody?, timeouts: Timeouts, deadline: NIODeadline?, collecting limit: Int?
    ) async throws -> Exchange.Answer {
        try RequestHead.validate(request)
        guard let host = request.url.host, ["http", "https"].contains(request.url.scheme?.lowercased()) else {
            throw TransportError(.invalidRequest, "\(request.url.absoluteString) is not an http or https URL")
        }
        var outgoing = HTTPClientRequest(url: request.url.absoluteString)
        outgoing.method = NIOHTTP1.HTTPMethod(rawValue: request.method.rawValue)
        // The framing is the transport's, as on every runtime transport.
        for (name, value) in request.headers where !["content-length", "transfer-encoding"].contains(name.lowercased()) {
            outgoing.headers.add(name: name, value: value)
        }
        if let body { outgoing.body = try Self.body(body) }
        let client = directClient.flatMap { proxy.url(for: host) == nil ? $0 : nil } ?? client
        let prepared = outgoing
        func attempt() async throws -> Exchange.Answer {
            let exchange = Exchange(
                read: timeouts.read, connect: timeouts.connect, deadline: deadline, eventLoop: client.eventLoopGroup.any())
            return try await exchange.start(url: request.url, collecting: limit) {
                // The head's own limit is the exchange's (see `Exchange.awaitServer`); AsyncHTTPClient's deadline is
                // only a backstop past it.
                try await client.execute(prepared, deadline: deadline ?? .distantFuture)
            }
        }
        do {
            return try await attempt()
        } catch let error as TransportError where request.method.isIdempotent && Exchange.foundTheConnectionClosed(error) {
            // A kept connection the server closed while it was idle: the request goes once more, on a new one, as
            // the runtime's socket transport does. Only idempotent requests: a write may have been read.
            return try await attempt()
        }
    }

    /// A runtime body as AsyncHTTPClient sends it: bytes in memory as they are, files read a mebibyte at a time as
    /// the connection takes them, with the length known beforehand.
    private static func body(_ body: HTTPBody) throws -> HTTPClientRequest.Body {
        if case .data(let data) = body { return .bytes(data) }
        let length: Int
        do {
            length = try body.length()
        } catch {
            throw TransportError(.cannotConnect, "the request body could not be read: \(error.localizedDescription)", underlying: error)
        }
        return .stream(BodyPieces(body), length: .known(Int64(length)))
    }

    /// AsyncHTTPClient's proxy for a runtime proxy URL, with its credentials.
    private static func proxy(_ url: URL) -> HTTPClient.Configuration.Proxy? {
        guard let host = url.host else { return nil }
        let authorization = url.user.map { HTTPClient.Authorization.basic(username: $0, password: url.password ?? "") }
        return .server(host: host, port: url.port ?? 1080, authorization: authorization)
    }
}

/// A body's pieces (`HTTPBody.Pieces`) as the sequence of buffers AsyncHTTPClient writes.
struct BodyPieces: AsyncSequence, Sendable {
    typealias Element = ByteBuffer
    let body: HTTPBody

    init(_ body: HTTPBody) { self.body = body }

    struct AsyncIterator: AsyncIteratorProtocol {
        let pieces: HTTPBody.Pieces

        mutating func next() async throws -> ByteBuffer? {
            do {
                return try pieces.next().map { ByteBuffer(bytes: $0) }
            } catch {
                // A file that shrank after its length was sent: the request cannot end well, and says why.
                throw TransportError(.connectionLost, "the request body could not be read: \(error.localizedDescription)", underlying: error)
            }
        }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(pieces: HTTPBody.Pieces(body)) }
}
