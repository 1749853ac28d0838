import Foundation

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// A response whose body is still arriving.
public struct StreamingResponse: Sendable {
    /// The status code.
    public var status: Int
    /// The response's header fields.
    public var headers: HTTPHeaders
    /// The URL that answered, after any redirects.
    public var url: URL?
    /// The body in chunks as they arrive.
    public var body: AsyncThrowingStream<Data, any Error>
    /// Closes the connection; called when the reader of the body goes away.
    public var cancel: @Sendable () -> Void

    /// A response whose body arrives through `body`; `cancel` closes the connection.
    public init(
        status: Int, headers: HTTPHeaders, url: URL?, body: AsyncThrowingStream<Data, any Error>,
        cancel: @escaping @Sendable () -> Void
    ) {
        self.status = status
        self.headers = headers
        self.url = url
        self.body = body
        self.cancel = cancel
    }

    /// A response whose whole body already arrived, read as one chunk.
    init(buffered response: HTTPResponse) {
        let (body, continuation) = AsyncThrowingStream<Data, any Error>.makeStream()
        continuation.yield(response.body)
        continuation.finish()
        self.init(status: response.status, headers: response.headers, url: response.url, body: body, cancel: {})
    }

    /// The whole body, refused once it grows past `limit` bytes.
    public func collected(limit: Int = .max) async throws -> HTTPResponse {
        var data = Data()
        for try await chunk in body {
            guard data.count + chunk.count <= limit else {
                cancel()
                throw TransportError(.responseTooLarge, "the response body is larger than \(limit) bytes")
            }
            data.append(chunk)
        }
        // A stream read by a cancelled task ends early; its body is not whole.
        try Task.checkCancellation()
        return HTTPResponse(status: status, headers: headers, body: data, url: url)
    }
}

/// A transport that can hand over a response's body as it arrives, for event streams.
public protocol StreamingTransport: Transport {
    /// Sends the request and returns once the response's status and headers arrived.
    func open(_ request: HTTPRequest, body: HTTPBody?, timeouts: Timeouts) async throws -> StreamingResponse
}

extension URLSessionTransport: StreamingTransport {
    public func open(_ request: HTTPRequest, body: HTTPBody?, timeouts: Timeouts) async throws -> StreamingResponse {
        try RequestHead.validate(request)
        let deadline = timeouts.total.map { DispatchTime.now() + $0 }
        #if canImport(FoundationNetworking)
            try await connectCheck.check(request.url, timeout: timeouts.connect)
        #endif
        var urlRequest = Self.urlRequest(request, timeouts: timeouts)
        let flat = try Self.flattened(body)
        defer { flat.temporaryFile.map { try? FileManager.default.removeItem(at: $0) } }
        switch flat.body {
        case .data(let data)?: urlRequest.httpBody = data
        case .file(let url)?: urlRequest.httpBodyStream = InputStream(url: url)
        case .pieces?, nil: break
        }
        let task = streamingSession.dataTask(with: urlRequest)
        let box = TaskBox()
        let buffer = StreamBuffer(task: task)
        // A reader cancelled while it waits for the next piece ends the request, and with it the wait.
        let bytes = AsyncThrowingStream<Data, any Error>(unfolding: {
            try await withTaskCancellationHandler { try await buffer.next() } onCancel: { box.cancel() }
        })
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (headers: CheckedContinuation<StreamingResponse, any Error>) in
                streams.register(
                    task,
                    StreamHandlers(
                        response: { [connectCheck] response in
                            connectCheck.answered(request.url)
                            headers.resume(
                                returning: StreamingResponse(
                                    status: response.statusCode, headers: HTTPHeaders(response), url: response.url,
                                    body: bytes,
                                    cancel: box.cancel))
                        },
                        data: { buffer.push($0) },
                        completion: { error, responded in
                            if let failure = box.finish(error) {
                                if responded { buffer.finish(throwing: failure) } else { headers.resume(throwing: failure) }
                            } else {
                                buffer.finish(throwing: nil)
                            }
                        }))
                box.start(task, deadline: deadline)
            }
        } onCancel: {
            box.cancel()
        }
    }
}

/// The body of a streamed URLSession response, between the delegate that hands it over and the reader. Past
/// `StreamBuffer.high` bytes held, the task is suspended until the reader brings them under `low`, so a slow reader
/// never makes the client hold a body without bound.
final class StreamBuffer: @unchecked Sendable {
    static let high = 4 << 20
    static let low = 1 << 20

    private let lock = NSLock()
    private let task: URLSessionTask
    private var pieces: [Data] = []
    private var held = 0
    private var suspended = false
    /// Set once the body ended: nil for a clean end, or the failure.
    private var end: (any Error)??
    private var reader: CheckedContinuation<Data?, any Error>?

    init(task: URLSessionTask) {
        self.task = task
    }

    func push(_ piece: Data) {
        lock.lock()
        if let reader {
            self.reader = nil
            lock.unlock()
            reader.resume(returning: piece)
            return
        }
        pieces.append(piece)
        held += piece.count
        let suspend = held > Self.high && !suspended
        if suspend { suspended = true }
        lock.unlock()
        if suspend { task.suspend() }
    }

    func finish(throwing failure: (any Error)?) {
        lock.lock()
        end = .some(failure)
        let reader = self.reader
        self.reader = nil
        lock.unlock()
        if let failure { reader?.resume(throwing: failure) } else { reader?.resume(returning: nil) }
    }

    /// The next piece; nil once the body ended.
    func next() async throws -> Data? {
        try await withCheckedThrowingContinuation { continuation in
            lock.lock()
            if !pieces.isEmpty {
                let piece = pieces.removeFirst()
                held -= piece.count
                let resume = suspended && held < Self.low
                if resume { suspended = false }
                lock.unlock()
                if resume { task.resume() }
                continuation.resume(returning: piece)
            } else if let end {
                lock.unlock()
                if let failure = end { continuation.resume(throwing: failure) } else { continuation.resume(returning: nil) }
            } else {
                reader = continuation
                lock.unlock()
            }
        }
    }
}

/// What to do with one streaming task's events.
struct StreamHandlers: Sendable {
    var response: @Sendable (HTTPURLResponse) -> Void
    var data: @Sendable (Data) -> Void
    /// The error, if any, and whether the response had already arrived.
    var completion: @Sendable ((any Error)?, Bool) -> Void
}

/// The data delegate of the streaming session: routes each task's callbacks to its handlers.
final class StreamRouter: NSObject, URLSessionDataDelegate, @unchecked Sendable {
    private let lock = NSLock()
    private var handlers: [Int: (handlers: StreamHandlers, responded: Bool)] = [:]

    func register(_ task: URLSessionTask, _ handlers: StreamHandlers) {
        lock.lock()
        self.handlers[task.taskIdentifier] = (handlers, false)
        lock.unlock()
    }

    func urlSession(
        _ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
        completionHandler: @escaping @Sendable (URLSession.ResponseDisposition) -> Void
    ) {
        lock.lock()
        let entry = handlers[dataTask.taskIdentifier]
        handlers[dataTask.taskIdentifier]?.responded = true
        lock.unlock()
        if let response = response as? HTTPURLResponse { entry?.handlers.response(response) }
        completionHandler(.allow)
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        lock.lock()
        let entry = handlers[dataTask.taskIdentifier]
        lock.unlock()
        entry?.handlers.data(data)
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: (any Error)?) {
        lock.lock()
        let entry = handlers.removeValue(forKey: task.taskIdentifier)
        lock.unlock()
        entry?.handlers.completion(error, entry?.responded ?? false)
    }

    func urlSession(
        _ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
        newRequest request: URLRequest, completionHandler: @escaping @Sendable (URLRequest?) -> Void
    ) {
        completionHandler(RedirectGuard.allowed(request, from: task.originalRequest))
    }
}
