import Foundation

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// A request body ready for the wire. Bytes on disk are streamed from the file, not loaded whole.
public enum HTTPBody: Sendable {
    /// Bytes in memory.
    case data(Data)
    /// A file's contents, read from disk as they are sent.
    case file(URL)
    /// Bytes in memory and whole files, sent one after another without being copied into one buffer first (a
    /// multipart body around a large file or chunk).
    case pieces([Piece])

    /// One piece of a body made of several.
    public enum Piece: Sendable {
        /// Bytes in memory.
        case data(Data)
        /// A file's contents, read from disk as they are sent.
        case file(URL)
        /// `count` bytes of a file from `offset`, read a mebibyte at a time as they are sent; each piece read is
        /// also handed to `reading` (with its offset in the file), e.g. to hash the file while it is sent.
        case fileRange(URL, offset: Int64, count: Int, reading: (@Sendable (_ bytes: Data, _ offset: Int64) -> Void)?)
    }

    /// The number of bytes the body sends.
    public func length() throws -> Int {
        switch self {
        case .data(let data): return data.count
        case .file(let url): return try Self.size(of: url)
        case .pieces(let pieces):
            var total = 0
            for piece in pieces {
                switch piece {
                case .data(let data): total += data.count
                case .file(let url): total += try Self.size(of: url)
                case .fileRange(let url, let offset, let count, _):
                    // Checked here so a file shorter than the range fails before anything is sent.
                    if try Self.size(of: url) < Int(offset) + count { try Self.tooShort(url, offset, count) }
                    total += count
                }
            }
            return total
        }
    }

    /// The same bytes as `.data` or `.file`, for a transport that takes only those: pieces that include a file are
    /// written to a temporary file, which the caller removes.
    public func flattened() throws -> (body: HTTPBody, temporaryFile: URL?) {
        guard case .pieces(let pieces) = self else { return (self, nil) }
        guard pieces.contains(where: { if case .data = $0 { false } else { true } }) else {
            return (.data(pieces.reduce(into: Data()) { data, piece in if case .data(let bytes) = piece { data.append(bytes) } }), nil)
        }
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("bindery-\(UUID().uuidString)")
        guard FileManager.default.createFile(atPath: url.path, contents: nil) else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: url.path])
        }
        let output = try FileHandle(forWritingTo: url)
        defer { try? output.close() }
        try write { try output.write(contentsOf: $0) }
        return (.file(url), url)
    }

    /// Hands the body's bytes to `output` in order (see `Pieces`).
    func write(to output: (Data) throws -> Void) throws {
        let pieces = Pieces(self)
        while let piece = try pieces.next() { try output(piece) }
    }

    /// A body's bytes in order, a piece at a time: data as it is, files a mebibyte at a time, read as they are
    /// asked for.
    public final class Pieces {
        private var remaining: [Piece]
        private var file: (input: FileHandle, url: URL, offset: Int64, count: Int, sent: Int, reading: ((Data, Int64) -> Void)?)?

        /// The pieces of `body`.
        public init(_ body: HTTPBody) {
            switch body {
            case .data(let data): remaining = [.data(data)]
            case .file(let url): remaining = [.file(url)]
            case .pieces(let pieces): remaining = pieces
            }
            remaining.reverse()
        }

        deinit { try? file?.input.close() }

        /// The next piece; nil after the last.
        public func next() throws -> Data? {
            while true {
                if let open = file {
                    if open.sent < open.count, let piece = try open.input.read(upToCount: min(1 << 20, open.count - open.sent)),
                        !piece.isEmpty
                    {
                        open.reading?(piece, open.offset + Int64(open.sent))
                        file?.sent += piece.count
                        return piece
                    }
                    try? open.input.close()
                    file = nil
                    if open.count != .max, open.sent < open.count { try HTTPBody.tooShort(open.url, open.offset, open.count) }
                }
                switch remaining.popLast() {
                case nil: return nil
                case .data(let data)?: return data
                case .file(let url)?: try start(url, offset: 0, count: .max, reading: nil)
                case .fileRange(let url, let offset, let count, let reading)?: try start(url, offset: offset, count: count, reading: reading)
                }
            }
        }

        private func start(_ url: URL, offset: Int64, count: Int, reading: ((Data, Int64) -> Void)?) throws {
            let input = try FileHandle(forReadingFrom: url)
            try input.seek(toOffset: UInt64(offset))
            file = (input, url, offset, count, 0, reading)
        }
    }

    fileprivate static func tooShort(_ url: URL, _ offset: Int64, _ count: Int) throws -> Never {
        throw CocoaError(
            .fileReadCorruptFile,
            userInfo: [NSFilePathErrorKey: url.path, NSLocalizedDescriptionKey: "\(url.path) has no \(count) bytes from offset \(offset): it is shorter than it was"])
    }

    private static func size(of url: URL) throws -> Int {
        do {
            let attributes = try FileManager.default.attributesOfItem(atPath: url.path)
            return (attributes[.size] as? NSNumber)?.intValue ?? 0
        } catch {
            throw CocoaError(
                .fileReadNoSuchFile,
                userInfo: [NSFilePathErrorKey: url.path, NSUnderlyingErrorKey: error,
                           NSLocalizedDescriptionKey: "\(url.path) cannot be read: \(error.localizedDescription)"])
        }
    }
}

/// Why a transport could not produce a response.
public struct TransportError: Error, Sendable {
    /// What kind of failure it was.
    public enum Kind: Sendable {
        /// No connection was made; the request did not reach the server.
        case cannotConnect
        /// The server went quiet for longer than the read timeout.
        case timedOut
        /// The connection broke after it was made.
        case connectionLost
        /// The task was cancelled.
        case cancelled
        /// The response was larger than the transport reads whole.
        case responseTooLarge
        /// The request cannot be written: a header name that is not a token, a value with a line break. Nothing
        /// was sent.
        case invalidRequest
    }

    /// What kind of failure it was.
    public var kind: Kind
    /// What happened, for people.
    public var message: String
    /// The error the transport met, when there was one: URLSession's `NSError`, or a `POSIXError` of the socket.
    public var underlying: (any Error)?

    /// A failure of `kind`.
    public init(_ kind: Kind, _ message: String, underlying: (any Error)? = nil) {
        self.kind = kind
        self.message = message
        self.underlying = underlying
    }
}

/// Sends one HTTP request and returns its response. Plug in another to change how bytes move.
public protocol Transport: Sendable {
    /// Sends `request` with `body` and reads the whole response, within `timeouts`.
    func send(_ request: HTTPRequest, body: HTTPBody?, timeouts: Timeouts) async throws -> HTTPResponse
}

/// URLSession as a transport: every origin on Apple platforms, and `https://` origins on Linux
/// (FoundationNetworking), where it works around libcurl: see `send`.
public final class URLSessionTransport: Transport, @unchecked Sendable {
    private let configuration: URLSessionConfiguration
    /// The largest response body accepted.
    public let maximumResponseSize: Int
    private let lock = NSLock()
    /// Replaced after a server error (see `retire`); guarded by `lock`.
    private var session: URLSession
    /// A second session whose delegate receives bodies as they arrive, for streams.
    let streamingSession: URLSession
    let streams = StreamRouter()
    let connectCheck = ConnectCheck()

    /// A transport on URLSession; answers larger than `maximumResponseSize` bytes fail.
    public init(configuration: URLSessionConfiguration = .ephemeral, maximumResponseSize: Int = 256 << 20) {
        self.configuration = configuration
        self.maximumResponseSize = maximumResponseSize
        session = Self.requestSession(configuration)
        streamingSession = URLSession(configuration: configuration, delegate: streams, delegateQueue: nil)
    }

    deinit {
        session.finishTasksAndInvalidate()
        streamingSession.invalidateAndCancel()
    }

    private var currentSession: URLSession {
        lock.lock()
        defer { lock.unlock() }
        return session
    }

    /// Moves later requests to a new session, so none reuses a connection of `used`. A server failing with a 5xx
    /// often closes the connection without saying so (uvicorn does after an unhandled exception), and a request with
    /// a body sent on that connection is then neither answered nor failed by FoundationNetworking until the read
    /// timeout; on a fresh connection it is simply sent.
    private func retire(_ used: URLSession) {
        lock.lock()
        defer { lock.unlock() }
        guard session === used else { return }
        session = Self.requestSession(configuration)
        used.finishTasksAndInvalidate()
    }

    private static func requestSession(_ configuration: URLSessionConfiguration) -> URLSession {
        URLSession(configuration: configuration, delegate: RedirectGuard(), delegateQueue: nil)
    }

    /// On Linux, three workarounds for libcurl under URLSession: the connect timeout is checked with a plain TCP
    /// connection first (`ConnectCheck`); a write goes on a session of its own, so libcurl has no pooled connection
    /// to re-send it on when the answer is lost; and a 5xx retires the session, whose connection the server may
    /// have closed unannounced.
    public func send(_ request: HTTPRequest, body: HTTPBody?, timeouts: Timeouts) async throws -> HTTPResponse {
        var request = request
        let deadline = timeouts.total.map { DispatchTime.now() + $0 }
        for _ in 0...Redirect.maximum {
            let response = try await sendOnce(request, body: body, timeouts: timeouts, deadline: deadline)
            // Only a write's 307 or 308 reaches here unfollowed (see `RedirectGuard`).
            guard [307, 308].contains(response.status),
                let next = Redirect.follow(request, status: response.status, location: response.headers["Location"])
            else { return response }
            request = next.request
        }
        throw Redirect.tooMany
    }

    private func sendOnce(_ request: HTTPRequest, body: HTTPBody?, timeouts: Timeouts, deadline: DispatchTime?) async throws -> HTTPResponse {
        try RequestHead.validate(request)
        #if canImport(FoundationNetworking)
            try await connectCheck.check(request.url, timeout: timeouts.connect)
            let session = request.method.isIdempotent ? currentSession : Self.requestSession(configuration)
            defer { if !request.method.isIdempotent { session.finishTasksAndInvalidate() } }
        #else
            let session = currentSession
        #endif
        let urlRequest = Self.urlRequest(request, timeouts: timeouts)
        let flat = try Self.flattened(body)
        defer { flat.temporaryFile.map { try? FileManager.default.removeItem(at: $0) } }
        let box = TaskBox()
        let response = try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<HTTPResponse, any Error>) in
                let completion: @Sendable (Data?, URLResponse?, (any Error)?) -> Void = { data, response, error in
                    let failure = box.finish(error)
                    if let failure {
                        continuation.resume(throwing: failure)
                    } else if let response = response as? HTTPURLResponse {
                        continuation.resume(
                            returning: HTTPResponse(
                                status: response.statusCode, headers: HTTPHeaders(response), body: data ?? Data(),
                                url: response.url))
                    } else {
                        continuation.resume(throwing: TransportError(.connectionLost, "no HTTP response"))
                    }
                }
                let task: URLSessionDataTask
                switch flat.body {
                case .data(let data)?:
                    task = session.uploadTask(with: urlRequest, from: data, completionHandler: completion)
                case .file(let url)?:
                    task = session.uploadTask(with: urlRequest, fromFile: url, completionHandler: completion)
                case .pieces?, nil:
                    task = session.dataTask(with: urlRequest, completionHandler: completion)
                }
                box.start(task, deadline: deadline)
            }
        } onCancel: {
            box.cancel()
        }
        #if canImport(FoundationNetworking)
            connectCheck.answered(request.url)
            if response.status >= 500 { retire(session) }
        #endif
        guard response.body.count <= maximumResponseSize else {
            throw TransportError(.responseTooLarge, "the response body is larger than \(maximumResponseSize) bytes")
        }
        return response
    }

    /// `body` as URLSession takes it, as a transport error if it cannot be read.
    static func flattened(_ body: HTTPBody?) throws -> (body: HTTPBody?, temporaryFile: URL?) {
        guard let body else { return (nil, nil) }
        do {
            return try body.flattened()
        } catch {
            throw TransportError(.cannotConnect, "the request body could not be read: \(error.localizedDescription)")
        }
    }

    /// The URLRequest for `request`: method, headers, and the read timeout as URLSession's idle timeout. On Linux,
    /// FoundationNetworking truncates it to whole seconds (below one, a request fails at once), so it is rounded up.
    static func urlRequest(_ request: HTTPRequest, timeouts: Timeouts) -> URLRequest {
        var urlRequest = URLRequest(url: request.url)
        urlRequest.httpMethod = request.method.rawValue
        #if canImport(FoundationNetworking)
            urlRequest.timeoutInterval = timeouts.read.rounded(.up)
        #else
            urlRequest.timeoutInterval = timeouts.read
        #endif
        for (name, value) in request.headers { urlRequest.addValue(value, forHTTPHeaderField: name) }
        return urlRequest
    }

    /// URLSession's error as the runtime sees it. Failures before anything was sent (no connection, no TLS
    /// session, a bad URL) are `cannotConnect`, which is safe to retry for any method; the code is kept in the message.
    static func transportError(_ error: any Error) -> TransportError {
        let nsError = error as NSError
        let detail = "\(nsError.localizedDescription) (\(nsError.domain) \(nsError.code))"
        guard nsError.domain == NSURLErrorDomain else {
            return TransportError(.connectionLost, "the connection failed: \(detail)", underlying: error)
        }
        switch nsError.code {
        case NSURLErrorCancelled: return TransportError(.cancelled, "the request was cancelled", underlying: error)
        case NSURLErrorTimedOut: return TransportError(.timedOut, "the server did not answer in time", underlying: error)
        case NSURLErrorCannotConnectToHost, NSURLErrorCannotFindHost, NSURLErrorDNSLookupFailed,
            NSURLErrorNotConnectedToInternet, NSURLErrorSecureConnectionFailed, NSURLErrorServerCertificateUntrusted,
            NSURLErrorServerCertificateHasBadDate, NSURLErrorServerCertificateHasUnknownRoot,
            NSURLErrorServerCertificateNotYetValid, NSURLErrorClientCertificateRejected,
            NSURLErrorClientCertificateRequired, NSURLErrorBadURL, NSURLErrorUnsupportedURL,
            NSURLErrorAppTransportSecurityRequiresSecureConnection:
            return TransportError(.cannotConnect, "could not connect: \(detail)", underlying: error)
        default:
            return TransportError(.connectionLost, "the connection failed: \(detail)", underlying: error)
        }
    }
}

/// Holds a URLSession task so a cancellation that races its creation still cancels it, and ends the task at the
/// call's deadline, which URLSession does not know of: its timeout is only the read timeout.
final class TaskBox: @unchecked Sendable {
    private let lock = NSLock()
    private var task: URLSessionTask?
    private var cancelled = false
    private var expired = false
    private var timer: DispatchWorkItem?

    /// Starts `task`, to be cancelled at `deadline` if it has not ended by then.
    func start(_ task: URLSessionTask, deadline: DispatchTime? = nil) {
        let timer = deadline.map { _ in
            DispatchWorkItem { [weak self] in
                self?.lock.withLock { self?.expired = true }
                self?.cancel()
            }
        }
        lock.lock()
        self.task = task
        self.timer = timer
        let cancelled = self.cancelled
        lock.unlock()
        if let deadline, let timer { DispatchQueue.global().asyncAfter(deadline: deadline, execute: timer) }
        if cancelled { task.cancel() } else { task.resume() }
    }

    /// Stops the deadline's timer once the task ended, and returns its error as the runtime sees it: a
    /// cancellation at the deadline is a timeout.
    func finish(_ error: (any Error)?) -> TransportError? {
        let expired = lock.withLock {
            timer?.cancel()
            timer = nil
            return self.expired
        }
        guard let error else { return nil }
        if expired { return TransportError(.timedOut, "the request did not end within its total timeout", underlying: error) }
        return URLSessionTransport.transportError(error)
    }

    func cancel() {
        lock.lock()
        cancelled = true
        let task = self.task
        lock.unlock()
        task?.cancel()
    }
}

/// How a redirect is followed, by every transport: 307 and 308 ask for the same request, body and all, at the new
/// location; 303 (and 301 or 302 after a POST, as browsers do) for a GET without a body. A relative `Location` is
/// resolved against the request's URL. Another origin gets no header beyond the basics.
public enum Redirect {
    /// How many redirects one request follows.
    public static let maximum = 10
    /// The error past `maximum`.
    public static let tooMany = TransportError(.connectionLost, "more than \(maximum) redirects")

    /// The request to send next and whether it keeps the body, or nil when the response is not a redirect.
    public static func follow(_ request: HTTPRequest, status: Int, location: String?) -> (request: HTTPRequest, keepsBody: Bool)? {
        guard [301, 302, 303, 307, 308].contains(status), let location,
            let target = URL(string: location, relativeTo: request.url)?.absoluteURL
        else { return nil }
        var next = request
        next.url = target
        if Origin(target) != Origin(request.url) {
            next.headers = HTTPHeaders(request.headers.filter { RedirectGuard.forwardedHeaders.contains($0.name) })
        }
        guard status == 303 || ([301, 302].contains(status) && request.method == .post) else { return (next, true) }
        next.method = .get
        next.headers["Content-Type"] = nil
        return (next, false)
    }
}

/// Follows redirects only within the same origin, so credentials never reach another host. A 307 or 308 after a
/// request with a body is not followed here: URLSession would send it without the body, so the transport does.
final class RedirectGuard: NSObject, URLSessionTaskDelegate, @unchecked Sendable {
    func urlSession(
        _ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
        newRequest request: URLRequest, completionHandler: @escaping @Sendable (URLRequest?) -> Void
    ) {
        let method = task.originalRequest?.httpMethod ?? "GET"
        if [307, 308].contains(response.statusCode), !["GET", "HEAD"].contains(method) {
            completionHandler(nil)
            return
        }
        // FoundationNetworking resolves a relative Location without the trailing slash of its last segment.
        var resolved = request
        if let location = HTTPHeaders(response)["Location"], let base = response.url ?? task.currentRequest?.url,
            let target = URL(string: location, relativeTo: base)?.absoluteURL
        {
            resolved.url = target
        }
        completionHandler(Self.allowed(resolved, from: task.originalRequest))
    }

    /// The headers a redirect to another origin keeps.
    static let forwardedHeaders: Set<String> = ["Accept", "Content-Type", "User-Agent"]

    /// The redirected request to send: as is on the same origin; elsewhere without any header the caller set beyond
    /// the basics, since which of them carry credentials is not known here.
    static func allowed(_ request: URLRequest, from original: URLRequest?) -> URLRequest {
        if let from = original?.url, let to = request.url, Origin(from) == Origin(to) { return request }
        var stripped = request
        let names = Set((original?.allHTTPHeaderFields ?? [:]).keys).union(["Authorization", "Cookie", "Proxy-Authorization"])
        for name in names where !forwardedHeaders.contains(name) {
            stripped.setValue(nil, forHTTPHeaderField: name)
        }
        return stripped
    }
}

/// Scheme, host and port: two URLs with the same origin may share credentials.
public struct Origin: Hashable, Sendable {
    /// `http` or `https`.
    public let scheme: String
    /// The host, in lower case.
    public let host: String
    /// The port; nil for the scheme's default.
    public let port: Int?

    /// The origin of `url`; nil for a URL without scheme or host.
    public init?(_ url: URL) {
        guard let scheme = url.scheme?.lowercased(), let host = url.host?.lowercased() else { return nil }
        self.scheme = scheme
        self.host = host
        self.port = url.port ?? (scheme == "https" ? 443 : scheme == "http" ? 80 : nil)
    }
}

extension HTTPHeaders {
    /// The header fields of a URLSession response.
    init(_ response: HTTPURLResponse) {
        self.init()
        for case (let name as String, let value as String) in response.allHeaderFields { add(name, value) }
    }
}
