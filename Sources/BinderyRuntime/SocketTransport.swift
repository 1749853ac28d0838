import Foundation

/// HTTP/1.1 over plain TCP, for `http://` origins, written for the runtime's promises rather than borrowed: a request
/// is written once and never again below the runtime (no transparent re-send on a new connection), a connection the
/// server closed while idle is noticed before a request goes into it, an answer lost after the request went out is
/// reported the moment the connection closes, and every wait has a timeout honoured to the millisecond.
/// Idle connections are kept per origin for the next request. Redirects are followed on the same origin only, a
/// 307/308 with its body and a 303 as a GET; a response body larger than `maximumResponseSize` is refused.
public final class SocketTransport: StreamingTransport, @unchecked Sendable {
    /// The largest response body read whole; streams are read a chunk at a time and are not limited.
    public let maximumResponseSize: Int
    private let lock = NSLock()
    private var idle: [String: [Socket]] = [:]
    private static let maximumIdlePerOrigin = 4
    private static let maximumHeaderBytes = 64 << 10

    public init(maximumResponseSize: Int = 256 << 20) {
        self.maximumResponseSize = maximumResponseSize
    }

    /// Reads the whole body on the thread that read the head: one hand-off per request, not one per piece.
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
    /// `limit`, the whole body too.
    private func exchange(
        _ request: HTTPRequest, body: HTTPBody?, timeouts: Timeouts, collecting limit: Int?
    ) async throws -> (ResponseHead, BodyReader, Data?) {
        guard let host = request.url.host, let origin = Origin(request.url), origin.scheme == "http" else {
            throw TransportError(.cannotConnect, "\(request.url.absoluteString) is not an http URL")
        }
        let bodyLength: Int?
        do {
            bodyLength = try body?.length()
        } catch {
            throw TransportError(.cannotConnect, "the request body could not be read: \(error.localizedDescription)", underlying: error)
        }
        let head = try Self.requestHead(request, host: host, port: origin.port, bodyLength: bodyLength)
        let key = "\(host):\(origin.port ?? 80)"
        let patience = Patience(idle: timeouts.read, deadline: timeouts.total.map(Deadline.init(after:)))
        let box = SocketBox(takeIdle(key))
        let headBytes = Data(head.utf8)
        return try await withTaskCancellationHandler {
            // On a kept connection the head goes out from this thread, at once: the server starts on the request
            // while the hand-off to a thread that may block waits its turn (on a busy machine, milliseconds).
            let sentAtOnce = try box.socket.map { socket in try headBytes.withUnsafeBytes { try socket.send($0) } } ?? 0
            return try await Blocking.run(mayUseIOThread: true) {
                let socket = try box.socket ?? box.set(Socket.connect(host: host, port: origin.port ?? 80, timeout: timeouts.connect))
                try socket.write(headBytes.dropFirst(sentAtOnce), idle: patience.next)
                do {
                    try body?.write { try socket.write($0, idle: patience.next) }
                } catch let error as TransportError {
                    throw error
                } catch {
                    socket.close()
                    throw TransportError(.connectionLost, "reading the request body failed: \(error.localizedDescription)", underlying: error)
                }
                let response = try Self.readHead(socket, patience: patience)
                let reader = BodyReader(socket: socket, head: response, method: request.method, patience: patience) { [weak self] in
                    self?.putIdle(socket, key)
                }
                return (response, reader, try limit.map(reader.readAll))
            }
        } onCancel: {
            box.cancel()
        }
    }

    private func takeIdle(_ key: String) -> Socket? {
        lock.lock()
        defer { lock.unlock() }
        while let socket = idle[key]?.popLast() {
            if socket.isReusable { return socket }
        }
        return nil
    }

    private func putIdle(_ socket: Socket, _ key: String) {
        lock.lock()
        defer { lock.unlock() }
        guard idle[key, default: []].count < Self.maximumIdlePerOrigin else { return }
        idle[key, default: []].append(socket)
    }

    // MARK: The wire

    private static func requestHead(_ request: HTTPRequest, host: String, port: Int?, bodyLength: Int?) throws -> String {
        guard let components = URLComponents(url: request.url, resolvingAgainstBaseURL: false) else {
            throw TransportError(.cannotConnect, "\(request.url.absoluteString) is not a valid URL")
        }
        var target = components.percentEncodedPath.isEmpty ? "/" : components.percentEncodedPath
        if let query = components.percentEncodedQuery { target += "?" + query }
        var head = "\(request.method.rawValue) \(target) HTTP/1.1\r\n"
        // Bytes, not Foundation's `contains(_:)` on strings: that searched as text, at half the cost of the head.
        let hostField = host.utf8.contains(UInt8(ascii: ":")) ? "[\(host)]" : host
        head += "Host: \(hostField)\(port.map { $0 == 80 ? "" : ":\($0)" } ?? "")\r\n"
        for (name, value) in request.headers where !HTTPHeaders.sameName(name, "Content-Length") {
            head += "\(name): \(value)\r\n"
        }
        if let bodyLength {
            head += "Content-Length: \(bodyLength)\r\n"
        } else if [.post, .put, .patch].contains(request.method) {
            head += "Content-Length: 0\r\n"
        }
        return head + "\r\n"
    }

    /// The status line and header fields, skipping interim (1xx) responses. A connection that closes before the
    /// first byte of an answer is `connectionLost`: the request went out and nothing came back.
    private static func readHead(_ socket: Socket, patience: Patience) throws -> ResponseHead {
        while true {
            guard let statusLine = try socket.readLine(maximum: maximumHeaderBytes, idle: patience.next) else {
                throw TransportError(.connectionLost, "the server closed the connection without answering")
            }
            let parts = statusLine.split(separator: " ", maxSplits: 2)
            guard parts.count >= 2, parts[0].hasPrefix("HTTP/1."), let status = Int(parts[1]), (100...999).contains(status) else {
                throw TransportError(.connectionLost, "the server answered with something other than HTTP/1.1")
            }
            var headers = HTTPHeaders()
            var size = statusLine.utf8.count
            while let line = try socket.readLine(maximum: maximumHeaderBytes, idle: patience.next), !line.isEmpty {
                size += line.utf8.count
                guard size <= maximumHeaderBytes else {
                    throw TransportError(.connectionLost, "the response's header is larger than \(maximumHeaderBytes) bytes")
                }
                guard let colon = line.utf8.firstIndex(of: UInt8(ascii: ":")) else { continue }
                headers.add(String(line[..<colon]), Self.trimmed(line[line.utf8.index(after: colon)...]))
            }
            if (100..<200).contains(status), status != 101 { continue }
            return ResponseHead(status: status, headers: headers, keepAlive: !parts[0].hasSuffix("1.0")
                && headers["Connection"]?.lowercased().contains("close") != true)
        }
    }
}

extension SocketTransport {
    /// `text` without the spaces and tabs around it (HTTP's optional whitespace), found byte by byte: Foundation's
    /// character sets, and even `Character`s, cost more than the rest of reading a header.
    static func trimmed(_ text: Substring) -> String {
        let isText = { (byte: UInt8) in byte != UInt8(ascii: " ") && byte != UInt8(ascii: "\t") }
        guard let first = text.utf8.firstIndex(where: isText), let last = text.utf8.lastIndex(where: isText) else { return "" }
        return String(text[first...last])
    }
}

/// How long each wait of one exchange may last: the read timeout, and never past the call's deadline.
struct Patience: Sendable {
    let idle: TimeInterval
    let deadline: Deadline?

    var next: TimeInterval { deadline.map { min(idle, $0.remainingSeconds) } ?? idle }
}

struct ResponseHead {
    var status: Int
    var headers: HTTPHeaders
    var keepAlive: Bool
}

/// Reads a response body as its head frames it: by `Content-Length`, in chunks, or to the end of the connection.
/// Gives the connection back for reuse once the body was read to its end on a connection that stays open.
final class BodyReader: @unchecked Sendable {
    private enum Framing {
        case none
        case length(Int)
        case chunked(remainingInChunk: Int, finished: Bool)
        case untilClose
    }

    private let socket: Socket
    private let patience: Patience
    private var framing: Framing
    private var keepAlive: Bool
    private let release: () -> Void
    private var done = false

    init(socket: Socket, head: ResponseHead, method: HTTPMethod, patience: Patience, release: @escaping () -> Void) {
        self.socket = socket
        self.patience = patience
        self.release = release
        // A server failing with a 5xx often closes the connection right after, without saying so (uvicorn does after
        // an unhandled exception): a write sent next on it would meet the close. Such a connection is not reused.
        keepAlive = head.keepAlive && head.status < 500
        if method == .head || head.status == 204 || head.status == 304 {
            framing = .none
        } else if head.headers["Transfer-Encoding"]?.lowercased().contains("chunked") == true {
            framing = .chunked(remainingInChunk: 0, finished: false)
        } else if let length = head.headers["Content-Length"].flatMap({ Int(SocketTransport.trimmed($0[...])) }), length >= 0 {
            framing = .length(length)
        } else {
            framing = .untilClose
            keepAlive = false
        }
    }

    /// The next piece of the body; nil at its end.
    func next() throws -> Data? { try nextPiece().map { Data($0) } }

    /// The whole body, refused once it grows past `limit` bytes.
    func readAll(limit: Int) throws -> Data {
        var data = Data()
        if case .length(let length) = framing { data.reserveCapacity(min(length, limit)) }
        while let piece = try nextPiece() {
            guard data.count + piece.count <= limit else {
                discard()
                throw TransportError(.responseTooLarge, "the response body is larger than \(limit) bytes")
            }
            piece.withUnsafeBytes { data.append(contentsOf: $0) }
        }
        return data
    }

    /// The next piece of the body, as the socket's buffer holds it; nil at its end.
    private func nextPiece() throws -> ArraySlice<UInt8>? {
        guard !done else { return nil }
        let idle = patience.next
        switch framing {
        case .none:
            return finish()
        case .length(let remaining):
            guard remaining > 0 else { return finish() }
            let piece = try socket.read(upTo: remaining, idle: idle)
            guard !piece.isEmpty else { throw truncated() }
            framing = .length(remaining - piece.count)
            return piece
        case .chunked(let remaining, let finished):
            if finished { return finish() }
            if remaining > 0 {
                let piece = try socket.read(upTo: remaining, idle: idle)
                guard !piece.isEmpty else { throw truncated() }
                framing = .chunked(remainingInChunk: remaining - piece.count, finished: false)
                if remaining == piece.count { _ = try socket.readLine(maximum: 16, idle: idle) }
                return piece
            }
            guard let line = try socket.readLine(maximum: 1024, idle: idle) else { throw truncated() }
            let sizeText = line.split(separator: ";").first.map(SocketTransport.trimmed) ?? ""
            guard let size = Int(sizeText, radix: 16), size >= 0 else {
                throw TransportError(.connectionLost, "the server sent a malformed chunk size")
            }
            if size == 0 {
                while let trailer = try socket.readLine(maximum: 8192, idle: idle), !trailer.isEmpty {}
                framing = .chunked(remainingInChunk: 0, finished: true)
            } else {
                framing = .chunked(remainingInChunk: size, finished: false)
            }
            return try nextPiece()
        case .untilClose:
            let piece = try socket.read(upTo: 64 << 10, idle: idle)
            return piece.isEmpty ? finish() : piece
        }
    }

    private func finish() -> ArraySlice<UInt8>? {
        done = true
        if keepAlive { release() } else { socket.close() }
        return nil
    }

    private func truncated() -> TransportError {
        done = true
        socket.close()
        return TransportError(.connectionLost, "the connection closed before the whole response arrived")
    }

    /// Ends the body unread: the connection cannot be reused.
    func discard() {
        guard !done else { return }
        done = true
        socket.close()
    }

    /// Ends any wait on the body at once, from any thread. A body read to its end leaves its connection alone: it
    /// may already carry another request.
    func cancel() {
        guard !done else { return }
        socket.shutdown()
    }

    /// The response, its body read as the caller asks for it.
    func response(_ head: ResponseHead, url: URL) -> StreamingResponse {
        let body = AsyncThrowingStream<Data, any Error>(unfolding: { try await Blocking.run { try self.next() } })
        return StreamingResponse(status: head.status, headers: head.headers, url: url, body: body) { [self] in cancel() }
    }
}

/// Holds the socket of an exchange for a cancellation that may come from another thread, even before the socket
/// is connected: a socket set after the cancellation is shut down at once, so no wait on it begins.
private final class SocketBox: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: Socket?
    private var cancelled = false

    init(_ socket: Socket?) { stored = socket }

    var socket: Socket? {
        lock.lock()
        defer { lock.unlock() }
        return stored
    }

    func set(_ socket: Socket) -> Socket {
        lock.lock()
        defer { lock.unlock() }
        stored = socket
        if cancelled { socket.shutdown() }
        return socket
    }

    func cancel() {
        lock.lock()
        defer { lock.unlock() }
        cancelled = true
        stored?.shutdown()
    }
}

/// Runs blocking work off Swift's cooperative pool, whose few threads must never wait on a socket or a disk.
enum Blocking {
    /// With `mayUseIOThread`, work asked for on an `IOThread` with nothing else to run runs there at once: that
    /// thread is there to wait, and a hand-off would cost two thread switches.
    static func run<Value: Sendable>(
        mayUseIOThread: Bool = false, _ work: @escaping @Sendable () throws -> Value
    ) async throws -> Value {
        if mayUseIOThread, IOThreadState.current?.hasNothingElseToRun == true { return try work() }
        return try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(with: Result { try work() }) }
        }
    }
}
