import Foundation

/// The transport a client uses unless given another. On Linux, `http://` origins go through `SocketTransport`,
/// because FoundationNetworking's URLSession can re-send a request on a new connection below the runtime and wait out
/// the read timeout for an answer that was lost; `https://` origins, and every origin on Apple platforms, go through
/// `URLSessionTransport`.
public final class DefaultTransport: StreamingTransport, @unchecked Sendable {
    private let maximumResponseSize: Int
    /// Made on first use: setting up a URL session costs milliseconds, which a client of `http://` origins on Linux
    /// never needs to spend.
    private var urlSession: URLSessionTransport?
    private let lock = NSLock()
    #if canImport(FoundationNetworking)
        private let sockets: SocketTransport
    #endif

    /// A transport that sends `http://` requests over its own sockets on Linux, and everything else through
    /// URLSession.
    /// - Parameters:
    ///   - maximumResponseSize: the largest whole response read, in bytes; a larger one fails as `.responseTooLarge`.
    ///   - proxy: for `http://` origins on Linux; URLSession reads its own (on Linux, libcurl reads the same
    ///     environment variables).
    public init(maximumResponseSize: Int = 256 << 20, proxy: Proxy = .environment()) {
        self.maximumResponseSize = maximumResponseSize
        #if canImport(FoundationNetworking)
            sockets = SocketTransport(maximumResponseSize: maximumResponseSize, proxy: proxy)
        #endif
    }

    private func transport(for url: URL) -> any StreamingTransport {
        #if canImport(FoundationNetworking)
            if url.scheme?.lowercased() == "http" { return sockets }
        #endif
        lock.lock()
        defer { lock.unlock() }
        if let urlSession { return urlSession }
        let made = URLSessionTransport(maximumResponseSize: maximumResponseSize)
        urlSession = made
        return made
    }

    /// Sends `request` with `body` through the socket transport or URLSession, as its URL needs.
    public func send(_ request: HTTPRequest, body: HTTPBody?, timeouts: Timeouts) async throws -> HTTPResponse {
        try await transport(for: request.url).send(request, body: body, timeouts: timeouts)
    }

    public func open(_ request: HTTPRequest, body: HTTPBody?, timeouts: Timeouts) async throws -> StreamingResponse {
        try await transport(for: request.url).open(request, body: body, timeouts: timeouts)
    }
}
