import Foundation

/// HTTP/1.1 over plain TCP, for `http://` origins, written for the runtime's promises rather than borrowed.
///
/// Every socket waits on an event loop, never on a thread of its own, so thousands of slow calls and quiet streams
/// leave the rest of the process running; every wait ends by its read timeout and the call's deadline, and at once,
/// as `.cancelled`, when its task is cancelled. Heads are written and read by a strict codec (`RequestHead`,
/// `ResponseDecoder`). A write is sent once and never again below the runtime, unless a kept connection turned out
/// closed before any of it went out; an answer lost after it went out is reported the moment the connection closes;
/// a response that arrives while the body is still going out (an early 413) is read and returned.
///
/// Connections are pooled per origin, up to `maximumConnectionsPerOrigin`; one the server closed while idle is
/// noticed before a request goes into it, and an idempotent request that meets one anyway (it closes before any
/// answer) goes again on another. Redirects are followed as `Redirect` says: a 307/308 with its body, a 303 as a
/// GET, and to another origin without any header beyond the basics; a response body larger than
/// `maximumResponseSize` is refused.
public final class SocketTransport: StreamingTransport, @unchecked Sendable {
    /// The largest response body read whole; streams are read a chunk at a time and are not limited.
    public let maximumResponseSize: Int
    /// How many connections may be open to one origin at once, in use or idle (64 unless set). A request beyond
    /// them waits, in the order requests came, for one to come free, up to the connect timeout.
    public var maximumConnectionsPerOrigin: Int { pool.limit }
    /// The HTTP proxy requests go through.
    public let proxy: Proxy
    private let pool: ConnectionPool

    /// A transport with its own connection pool.
    /// - Parameters:
    ///   - maximumResponseSize: the largest whole response read, in bytes; a larger one fails as `.responseTooLarge`.
    ///   - maximumConnectionsPerOrigin: each open event stream holds one for as long as it is read; with a proxy,
    ///     the limit is on connections to the proxy.
    ///   - idleTimeout: seconds an unused connection is kept for the next request.
    ///   - proxy: read from the process's environment unless given.
    public init(
        maximumResponseSize: Int = 256 << 20, maximumConnectionsPerOrigin: Int = 64, idleTimeout: TimeInterval = 60,
        proxy: Proxy = .environment()
    ) {
        self.maximumResponseSize = maximumResponseSize
        self.proxy = proxy
        pool = ConnectionPool(limit: maximumConnectionsPerOrigin, idleTimeout: idleTimeout)
    }

    deinit { pool.closeIdle() }

    /// Sends `request` on a pooled connection, or a new one, and reads the whole response.
    public func send(_ request: HTTPRequest, body: HTTPBody?, timeouts: Timeouts) async throws -> HTTPResponse {
        try await following(request, body: body, timeouts: timeouts, collecting: maximumResponseSize) { head, _, whole, url in
            HTTPResponse(status: head.status, headers: head.headers, body: whole ?? Data(), url: url)
        }
    }

    public func open(_ request: HTTPRequest, body: HTTPBody?, timeouts: Timeouts) async throws -> StreamingResponse {
        try await following(request, body: body, timeouts: timeouts, collecting: nil) { head, reader, _, url in
            reader.response(head, url: url)
        }
    }

    /// One exchange, and another for each redirect the rule follows; `finish` makes the result of the last.
    private func following<Result>(
        _ request: HTTPRequest, body: HTTPBody?, timeouts: Timeouts, collecting limit: Int?,
        _ finish: (ResponseHead, BodyReader, Data?, URL) -> Result
    ) async throws -> Result {
        var request = request
        var body = body
        for _ in 0...Redirect.maximum {
            let (head, reader, whole) = try await exchange(request, body: body, timeouts: timeouts, collecting: limit)
            guard let next = Redirect.follow(request, status: head.status, location: head.headers["Location"]) else {
                return finish(head, reader, whole, request.url)
            }
            reader.discard()
            request = next.request
            if !next.keepsBody { body = nil }
        }
        throw Redirect.tooMany
    }

    /// Writes the request and reads the response's head, on a connection of the pool or a new one, and with a
    /// `limit`, the whole body too. A request that meets a kept connection the server had closed goes on another
    /// (see the `catch`).
    private func exchange(
        _ request: HTTPRequest, body: HTTPBody?, timeouts: Timeouts, collecting limit: Int?
    ) async throws -> (ResponseHead, BodyReader, Data?) {
        guard let origin = request.url.host, Origin(request.url)?.scheme == "http" else {
            throw TransportError(.cannotConnect, "\(request.url.absoluteString) is not an http URL")
        }
        let bodyLength: Int?
        do {
            bodyLength = try body?.length()
        } catch {
            throw TransportError(.cannotConnect, "the request body could not be read: \(error.localizedDescription)", underlying: error)
        }
        let (head, host, port, key) = try Self.route(request, proxy: proxy.url(for: origin), bodyLength: bodyLength)
        let patience = Patience(idle: timeouts.read, deadline: timeouts.total.map(Deadline.init(after:)))
        let connectSeconds = min(timeouts.connect, timeouts.total ?? timeouts.connect)
        while true {
            try Task.checkCancellation()
            let connectDeadline = Deadline(after: connectSeconds)
            let socket: Socket
            let reused: Bool
            switch try await pool.grant(key, until: connectDeadline) {
            case .reuse(let kept):
                (socket, reused) = (kept, true)
            case .open:
                do {
                    socket = try await Socket.connect(
                        host: host, port: port, by: connectDeadline, seconds: connectSeconds, loop: EventLoop.current ?? .shared)
                } catch {
                    pool.failed(key)
                    throw error
                }
                reused = false
            }
            let sentBefore = socket.bytesSent
            do {
                return try await exchange(request, head: head, body: body, on: socket, patience: patience, collecting: limit) {
                    [pool] reusable in pool.release(socket, key, reusable: reusable)
                }
            } catch let error as TransportError
                where reused && error.kind == .connectionLost && !socket.decoder.hasStarted
                && (socket.bytesSent == sentBefore || request.method.isIdempotent)
            {
                // RFC 9112 §9.3.1: an idempotent request may go again on a new connection when the one it was sent
                // on closed before any of the answer came; any request may when none of it went out.
                continue
            }
        }
    }

    /// The request's head, and where it goes: to its origin, or in absolute form to a proxy (as curl does, port
    /// 1080 when the proxy names none). Connections to a proxy are pooled apart from those to origins.
    private static func route(_ request: HTTPRequest, proxy: URL?, bodyLength: Int?) throws
        -> (head: [UInt8], host: String, port: Int, key: String)
    {
        guard let proxy else {
            let (host, port) = (request.url.host ?? "", request.url.port ?? 80)
            return (try RequestHead.encode(request, bodyLength: bodyLength), host, port, "\(host):\(port)")
        }
        guard proxy.scheme?.lowercased() == "http", let host = proxy.host else {
            throw TransportError(.cannotConnect, "the proxy \(proxy.absoluteString) is not an http:// proxy, the only kind supported")
        }
        var request = request
        if let authorization = Proxy.authorization(proxy) { request.headers["Proxy-Authorization"] = authorization }
        let port = proxy.port ?? 1080
        return (try RequestHead.encode(request, bodyLength: bodyLength, absoluteForm: true), host, port, "proxy \(host):\(port)")
    }

    /// One request and its response's head on `socket`, which `release` gives back (reusable or not) once the
    /// body was read, or at once when the exchange fails.
    private func exchange(
        _ request: HTTPRequest, head: [UInt8], body: HTTPBody?, on socket: Socket, patience: Patience,
        collecting limit: Int?, release: @escaping @Sendable (Bool) -> Void
    ) async throws -> (ResponseHead, BodyReader, Data?) {
        let response: ResponseHead
        let written: Socket.Written
        do {
            socket.decoder.reset(for: request.method)
            var sent = try await socket.write(head, until: patience.deadline, watchingForAnswer: body != nil)
            if sent == .sent, let body {
                let pieces = HTTPBody.Pieces(body)
                do {
                    while sent == .sent, let piece = try pieces.next() {
                        sent = try await socket.write(piece, until: patience.deadline, watchingForAnswer: true)
                    }
                } catch let error as TransportError {
                    throw error
                } catch {
                    throw TransportError(.connectionLost, "reading the request body failed: \(error.localizedDescription)", underlying: error)
                }
            }
            written = sent
            response = try await Self.readHead(socket, patience: patience)
        } catch {
            release(false)
            throw error
        }
        // A server failing with a 5xx often closes the connection right after, without saying so (uvicorn does
        // after an unhandled exception), and a request that was not all sent leaves the connection in the middle.
        let reusable = response.keepAlive && response.status < 500 && written == .sent
        // From here the reader gives the connection back, once, however the body ends.
        let reader = BodyReader(socket: socket, patience: patience, reusable: reusable, release: release)
        guard let limit else { return (response, reader, nil) }
        return (response, reader, try await reader.readAll(limit: limit))
    }

    /// The status line and header fields; the decoder skips interim (1xx) answers.
    private static func readHead(_ socket: Socket, patience: Patience) async throws -> ResponseHead {
        while true {
            let piece: ResponseDecoder.Piece?
            do {
                piece = try socket.decoder.nextPiece()
            } catch {
                throw error.transportError
            }
            if case .head(let head)? = piece { return head }
            try await BodyReader.receive(socket, patience: patience)
        }
    }
}

/// How long each wait of one exchange may last: the read timeout, and never past the call's deadline.
struct Patience: Sendable {
    let idle: TimeInterval
    let total: Deadline?

    init(idle: TimeInterval, deadline: Deadline?) {
        self.idle = idle
        total = deadline
    }

    /// When the next wait must end.
    var deadline: Deadline {
        let idle = Deadline(after: self.idle)
        return total.map { min($0, idle) } ?? idle
    }

    /// What a wait that ran out says.
    var quiet: String {
        if let total, total.remainingSeconds == 0 { return "the call's deadline passed while the server was still answering" }
        return "the server sent nothing for \(format(idle)) s"
    }
}

extension ResponseDecodingError {
    var transportError: TransportError {
        switch self {
        case .tooLarge: TransportError(.responseTooLarge, message)
        case .malformed, .truncated, .noAnswer: TransportError(.connectionLost, message)
        }
    }
}

extension Error {
    /// The error as a transport reports it.
    fileprivate var transportError: any Error { (self as? ResponseDecodingError)?.transportError ?? self }
}

/// Reads a response body as its head frames it, and gives the connection back once the body ended (for reuse when
/// it may carry another request) or failed. One reader reads it at a time; `cancel` may come from anywhere.
final class BodyReader: @unchecked Sendable {
    private let socket: Socket
    private let patience: Patience
    private let reusable: Bool
    private let release: @Sendable (Bool) -> Void
    private var done = false

    init(socket: Socket, patience: Patience, reusable: Bool, release: @escaping @Sendable (Bool) -> Void) {
        self.socket = socket
        self.patience = patience
        self.reusable = reusable
        self.release = release
    }

    /// A reader dropped before the end of its body closes its connection.
    deinit { if !done { release(false) } }

    /// Reads what arrives into the socket's decoder; at the end of the stream, fails unless the body ends there.
    static func receive(_ socket: Socket, patience: Patience) async throws {
        guard try await socket.receive(until: patience.deadline, quiet: patience.quiet) == 0 else { return }
        do {
            _ = try socket.decoder.endOfInput()
        } catch {
            throw error.transportError
        }
    }

    /// Hands the next piece of the body to `take`; false at its end.
    private func next(_ take: (ArraySlice<UInt8>) -> Void) async throws -> Bool {
        guard !done else { return false }
        do {
            while true {
                switch try socket.decoder.nextPiece() {
                case .body(let bytes)?:
                    take(bytes)
                    return true
                case .end?, .head?:
                    finish(reusable: reusable)
                    return false
                case nil:
                    if try await socket.receive(until: patience.deadline, quiet: patience.quiet) == 0,
                        case .end = try socket.decoder.endOfInput()
                    {
                        finish(reusable: false)
                        return false
                    }
                }
            }
        } catch {
            finish(reusable: false)
            throw error.transportError
        }
    }

    private func finish(reusable: Bool) {
        guard !done else { return }
        done = true
        release(reusable)
    }

    /// The next piece of the body; nil at its end.
    func next() async throws -> Data? {
        var piece: Data?
        return try await next { piece = Data($0) } ? piece : nil
    }

    /// The whole body, refused once it grows past `limit` bytes.
    func readAll(limit: Int) async throws -> Data {
        var data = Data()
        var tooLarge = false
        while try await next({ bytes in
            if data.count + bytes.count > limit { tooLarge = true } else { data.append(contentsOf: bytes) }
        }) {
            guard !tooLarge else {
                discard()
                throw TransportError(.responseTooLarge, "the response body is larger than \(limit) bytes")
            }
        }
        return data
    }

    /// Ends the body unread: the connection cannot be reused.
    func discard() { finish(reusable: false) }

    /// Ends any wait on the body at once, from any thread.
    func cancel() { socket.cancel() }

    /// The response, its body read as the caller asks for it; a reader cancelled while it waits for the next piece
    /// ends the stream at once.
    func response(_ head: ResponseHead, url: URL) -> StreamingResponse {
        let body = AsyncThrowingStream<Data, any Error>(unfolding: {
            try await withTaskCancellationHandler { try await self.next() } onCancel: { self.cancel() }
        })
        return StreamingResponse(status: head.status, headers: head.headers, url: url, body: body) { [self] in cancel() }
    }
}

/// Runs blocking work off Swift's cooperative pool, whose few threads must never wait: name resolution, and
/// hashing files as they are read.
enum Blocking {
    static func run<Value: Sendable>(_ work: @escaping @Sendable () throws -> Value) async throws -> Value {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(with: Result { try work() }) }
        }
    }
}
