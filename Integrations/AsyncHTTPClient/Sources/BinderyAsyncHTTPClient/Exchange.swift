import AsyncHTTPClient
import BinderyRuntime
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// One request's life: a task that runs it and reads its answer, whole (for `send`) or a chunk at a time, each chunk
/// only once the reader asks for it (so a slow reader holds the server back instead of filling memory), and a timer,
/// running only while the server is awaited, that ends the task when the server is quiet past the read timeout or
/// the total passes.
final class Exchange: @unchecked Sendable {
    /// What the caller gets once the head arrived: the response with its body still to read, or read whole.
    enum Answer: Sendable {
        case stream(StreamingResponse)
        case whole(HTTPResponse)

        var status: Int {
            switch self {
            case .stream(let response): response.status
            case .whole(let response): response.status
            }
        }

        var headers: BinderyRuntime.HTTPHeaders {
            switch self {
            case .stream(let response): response.headers
            case .whole(let response): response.headers
            }
        }
    }

    private enum Expiry {
        case quiet(TimeInterval)
        case total
    }

    private let read: TimeInterval
    private let connect: TimeInterval
    private let deadline: NIODeadline?
    private let eventLoop: any EventLoop
    private let lock = NSLock()
    // Guarded by `lock`:
    private var pump: Task<Void, Never>?
    private var cancelled = false
    private var expiry: Expiry?
    private var timer: Scheduled<Void>?
    private var head: CheckedContinuation<Answer, any Error>?
    /// The task reading the answer, waiting for the reader to ask for a chunk.
    private var demand: CheckedContinuation<Void, any Error>?
    /// The reader asked before the task waited.
    private var asked = false
    /// The reader, waiting for a chunk.
    private var reader: CheckedContinuation<Data?, any Error>?
    /// A chunk, the end (nil) or a failure that came before the reader asked.
    private var ready: Result<Data?, any Error>?
    private var ended = false

    init(read: TimeInterval, connect: TimeInterval, deadline: NIODeadline?, eventLoop: any EventLoop) {
        self.read = read
        self.connect = connect
        self.deadline = deadline
        self.eventLoop = eventLoop
    }

    /// Runs `execute` and returns once the answer's head arrived, its body to be read as the response's reader pulls;
    /// with a `limit`, once the whole body arrived, refused past `limit` bytes.
    func start(
        url: URL, collecting limit: Int?, _ execute: @escaping @Sendable () async throws -> HTTPClientResponse
    ) async throws -> Answer {
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                lock.withLock { head = continuation }
                let task = Task { await self.run(url: url, collecting: limit, execute) }
                let cancelled = lock.withLock {
                    pump = task
                    return self.cancelled
                }
                if cancelled { task.cancel() }
            }
        } onCancel: {
            cancel()
        }
    }

    /// Ends the exchange: the request if it is still under way, or the reading of its body.
    func cancel() {
        let pump = lock.withLock {
            cancelled = true
            return self.pump
        }
        pump?.cancel()
    }

    private func run(url: URL, collecting limit: Int?, _ execute: @Sendable () async throws -> HTTPClientResponse) async {
        do {
            awaitServer(for: connect + read)
            let response = try await execute()
            stopTimer()
            var headers = BinderyRuntime.HTTPHeaders()
            for field in response.headers { headers.add(field.name, field.value) }
            var chunks = response.body.makeAsyncIterator()
            if let limit {
                // Read here, by the task that has the answer: no hand-over to the caller for each chunk.
                var body = Data()
                while let chunk = try await nextChunk(&chunks) {
                    guard body.count + chunk.count <= limit else {
                        throw TransportError(.responseTooLarge, "the response body is larger than \(limit) bytes")
                    }
                    body.append(chunk)
                }
                resumeHead(.success(.whole(HTTPResponse(status: Int(response.status.code), headers: headers, body: body, url: url))))
                return
            }
            // The reader's end: when the stream is dropped unread, the exchange ends with it.
            let readEnd = ReadEnd(self)
            let body = AsyncThrowingStream<Data, any Error>(unfolding: { try await readEnd.exchange.next() })
            resumeHead(.success(.stream(StreamingResponse(
                status: Int(response.status.code), headers: headers, url: url, body: body, cancel: { [weak self] in self?.cancel() }))))
            while true {
                try await waitForDemand()
                let chunk = try await nextChunk(&chunks)
                give(.success(chunk))
                if chunk == nil { return }
            }
        } catch {
            let failure = transportError(error)
            if !resumeHead(.failure(failure)) { give(.failure(failure)) }
        }
    }

    /// The body's next chunk from the server, within the read timeout and the deadline; nil at its end.
    private func nextChunk(_ chunks: inout HTTPClientResponse.Body.AsyncIterator) async throws -> Data? {
        awaitServer(for: read)
        let chunk = try await chunks.next()
        stopTimer()
        // A cancelled body ends early, and is not whole.
        if chunk == nil { try Task.checkCancellation() }
        return chunk.map { Data($0.readableBytesView) }
    }

    /// Resumes the caller waiting for the head, if it still is.
    @discardableResult
    private func resumeHead(_ result: Result<Answer, any Error>) -> Bool {
        guard let head = lock.withLock({ () -> CheckedContinuation<Answer, any Error>? in
            defer { self.head = nil }
            return self.head
        }) else { return false }
        head.resume(with: result)
        return true
    }

    // MARK: The body, a chunk when the reader asks

    /// The next chunk of the body, nil at its end.
    fileprivate func next() async throws -> Data? {
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Data?, any Error>) in
                lock.lock()
                if let ready {
                    self.ready = nil
                    lock.unlock()
                    continuation.resume(with: ready)
                    return
                }
                if ended {
                    lock.unlock()
                    continuation.resume(returning: nil)
                    return
                }
                reader = continuation
                let demand = self.demand
                self.demand = nil
                if demand == nil { asked = true }
                lock.unlock()
                demand?.resume()
            }
        } onCancel: {
            cancel()
        }
    }

    private func waitForDemand() async throws {
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                lock.lock()
                if asked {
                    asked = false
                    lock.unlock()
                    continuation.resume()
                } else if Task.isCancelled {
                    lock.unlock()
                    continuation.resume(throwing: CancellationError())
                } else {
                    demand = continuation
                    lock.unlock()
                }
            }
        } onCancel: {
            let demand = lock.withLock {
                defer { self.demand = nil }
                return self.demand
            }
            demand?.resume(throwing: CancellationError())
        }
    }

    private func give(_ result: Result<Data?, any Error>) {
        lock.lock()
        switch result {
        case .success(nil), .failure: ended = true
        case .success: break
        }
        guard let reader else {
            ready = result
            lock.unlock()
            return
        }
        self.reader = nil
        lock.unlock()
        reader.resume(with: result)
    }

    // MARK: Timeouts

    /// Starts the timer for a wait on the server of at most `limit` seconds, or to the deadline if that comes first.
    private func awaitServer(for limit: TimeInterval) {
        let quiet = NIODeadline.now() + .nanoseconds(Self.nanoseconds(limit))
        let (at, expiry) = deadline.map { $0 < quiet ? ($0, Expiry.total) : (quiet, .quiet(limit)) } ?? (quiet, .quiet(limit))
        let timer = eventLoop.scheduleTask(deadline: at) { [weak self] () -> Void in self?.expire(expiry) }
        lock.withLock { self.timer = timer }
    }

    private func stopTimer() {
        lock.withLock {
            defer { timer = nil }
            return timer
        }?.cancel()
    }

    private func expire(_ expiry: Expiry) {
        let pump = lock.withLock {
            if self.expiry == nil { self.expiry = expiry }
            return self.pump
        }
        pump?.cancel()
    }

    /// Seconds as nanoseconds, a century at most.
    static func nanoseconds(_ seconds: TimeInterval) -> Int64 { Int64(max(0, min(seconds, 3.15e9)) * 1e9) }

    // MARK: Errors

    /// What ended the exchange, as the runtime's transports say it. Only what fails before a byte of the request can
    /// have left is `.cannotConnect`: the runtime retries that for any method.
    private func transportError(_ error: any Error) -> TransportError {
        let (expiry, cancelled) = lock.withLock { (self.expiry, self.cancelled) }
        switch expiry {
        case .quiet(let seconds)?: return TransportError(.timedOut, "the server sent nothing for \(seconds) s", underlying: error)
        case .total?: return TransportError(.timedOut, "the request did not end within its total timeout", underlying: error)
        case nil: break
        }
        if let error = error as? TransportError { return error }
        if cancelled || error is CancellationError { return TransportError(.cancelled, "the request was cancelled", underlying: error) }
        if let error = error as? HTTPClientError {
            switch error {
            case .cancelled: return TransportError(.cancelled, "the request was cancelled", underlying: error)
            case .connectTimeout, .tlsHandshakeTimeout, .httpProxyHandshakeTimeout, .socksHandshakeTimeout,
                .getConnectionFromPoolTimeout, .proxyAuthenticationRequired, .invalidProxyResponse, .invalidURL, .emptyHost,
                .emptyScheme, .alreadyShutdown:
                return TransportError(.cannotConnect, "could not connect: \(error)", underlying: error)
            case .readTimeout, .deadlineExceeded: return TransportError(.timedOut, "the server did not answer in time", underlying: error)
            default: return TransportError(.connectionLost, "the connection failed: \(error)", underlying: error)
            }
        }
        if error is HTTPParserError { return TransportError(.connectionLost, "the server's response is malformed: \(error)", underlying: error) }
        if let error = error as? NIOSSLError, case .handshakeFailed = error {
            return TransportError(.cannotConnect, "the TLS handshake failed: \(error)", underlying: error)
        }
        if error is NIOSSLExtraError || Self.isConnectFailure(error) {
            return TransportError(.cannotConnect, "could not connect: \(error)", underlying: error)
        }
        return TransportError(.connectionLost, "the connection failed: \(error)", underlying: error)
    }

    /// Whether the request failed, before any answer, because its connection was closed under it: what a kept
    /// connection the server closed while idle does.
    static func foundTheConnectionClosed(_ error: TransportError) -> Bool {
        guard error.kind == .connectionLost, let underlying = error.underlying else { return false }
        if case .ioOnClosedChannel? = underlying as? ChannelError { return true }
        if let failure = underlying as? HTTPClientError, failure == .remoteConnectionClosed { return true }
        if let failure = underlying as? IOError { return [ECONNRESET, EPIPE].contains(failure.errnoCode) }
        return false
    }

    /// Whether `error` is a failure to open a connection (refused, unreachable, no such host), which SwiftNIO reports
    /// as `NIOConnectionError`, `ChannelError.connectTimeout` or a connect call's `IOError`.
    private static func isConnectFailure(_ error: any Error) -> Bool {
        if error is NIOConnectionError { return true }
        if case .connectTimeout? = error as? ChannelError { return true }
        if let error = error as? IOError { return [ECONNREFUSED, EHOSTUNREACH, ENETUNREACH].contains(error.errnoCode) }
        return false
    }
}

/// The reader's end of an exchange's body: when the stream holding it goes away, so does the exchange.
private final class ReadEnd: Sendable {
    let exchange: Exchange
    init(_ exchange: Exchange) { self.exchange = exchange }
    deinit { exchange.cancel() }
}
