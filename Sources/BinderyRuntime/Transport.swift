import Foundation

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// A request body ready for the wire. Bytes on disk are streamed from the file, not loaded whole.
public enum HTTPBody: Sendable {
    case data(Data)
    case file(URL)
}

/// Why a transport could not produce a response.
public struct TransportError: Error, Sendable {
    public enum Kind: Sendable {
        /// No connection was made; the request did not reach the server.
        case cannotConnect
        /// The server went quiet for longer than the read timeout.
        case timedOut
        /// The connection broke after it was made.
        case connectionLost
        case cancelled
        /// The server redirected to another origin; credentials were not sent there.
        case crossOriginRedirect
    }

    public var kind: Kind
    public var message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }
}

/// Sends one HTTP request and returns its response. Plug in another to change how bytes move.
public protocol Transport: Sendable {
    func send(_ request: HTTPRequest, body: HTTPBody?, timeouts: Timeouts) async throws -> HTTPResponse
}

/// The default transport: URLSession (FoundationNetworking on Linux).
public final class URLSessionTransport: Transport, @unchecked Sendable {
    private let configuration: URLSessionConfiguration
    private let lock = NSLock()
    /// Replaced after a server error (see `retire`); guarded by `lock`.
    private var session: URLSession
    /// A second session whose delegate receives bodies as they arrive, for streams.
    let streamingSession: URLSession
    let streams = StreamRouter()
    let connectCheck = ConnectCheck()

    public init(configuration: URLSessionConfiguration = .ephemeral) {
        self.configuration = configuration
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

    public func send(_ request: HTTPRequest, body: HTTPBody?, timeouts: Timeouts) async throws -> HTTPResponse {
        try await connectCheck.check(request.url, timeout: timeouts.connect)
        let urlRequest = Self.urlRequest(request, timeouts: timeouts)
        let box = TaskBox()
        let session = currentSession
        let response = try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<HTTPResponse, any Error>) in
                let completion: @Sendable (Data?, URLResponse?, (any Error)?) -> Void = { data, response, error in
                    if let error {
                        continuation.resume(throwing: Self.transportError(error))
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
                switch body {
                case .data(let data)?:
                    task = session.uploadTask(with: urlRequest, from: data, completionHandler: completion)
                case .file(let url)?:
                    task = session.uploadTask(with: urlRequest, fromFile: url, completionHandler: completion)
                case nil:
                    task = session.dataTask(with: urlRequest, completionHandler: completion)
                }
                box.start(task)
            }
        } onCancel: {
            box.cancel()
        }
        connectCheck.answered(request.url)
        if response.status >= 500 { retire(session) }
        return response
    }

    /// The URLRequest for `request`: method, headers, and the read timeout as URLSession's idle timeout.
    static func urlRequest(_ request: HTTPRequest, timeouts: Timeouts) -> URLRequest {
        var urlRequest = URLRequest(url: request.url)
        urlRequest.httpMethod = request.method.rawValue
        urlRequest.timeoutInterval = timeouts.read
        for (name, value) in request.headers { urlRequest.addValue(value, forHTTPHeaderField: name) }
        return urlRequest
    }

    static func transportError(_ error: any Error) -> TransportError {
        let nsError = error as NSError
        guard nsError.domain == NSURLErrorDomain else {
            return TransportError(.connectionLost, nsError.localizedDescription)
        }
        switch nsError.code {
        case NSURLErrorCancelled: return TransportError(.cancelled, "the request was cancelled")
        case NSURLErrorTimedOut: return TransportError(.timedOut, "the server did not answer in time")
        case NSURLErrorCannotConnectToHost, NSURLErrorCannotFindHost, NSURLErrorDNSLookupFailed,
            NSURLErrorNotConnectedToInternet:
            return TransportError(.cannotConnect, "could not connect: \(nsError.localizedDescription)")
        default:
            return TransportError(.connectionLost, "the connection failed: \(nsError.localizedDescription)")
        }
    }
}

/// Holds a URLSession task so a cancellation that races its creation still cancels it.
final class TaskBox: @unchecked Sendable {
    private let lock = NSLock()
    private var task: URLSessionTask?
    private var cancelled = false

    func start(_ task: URLSessionTask) {
        lock.lock()
        self.task = task
        let cancelled = self.cancelled
        lock.unlock()
        if cancelled { task.cancel() } else { task.resume() }
    }

    func cancel() {
        lock.lock()
        cancelled = true
        let task = self.task
        lock.unlock()
        task?.cancel()
    }
}

/// Follows redirects only within the same origin, so credentials never reach another host.
final class RedirectGuard: NSObject, URLSessionTaskDelegate, @unchecked Sendable {
    func urlSession(
        _ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
        newRequest request: URLRequest, completionHandler: @escaping @Sendable (URLRequest?) -> Void
    ) {
        completionHandler(Self.allowed(request, from: task.originalRequest))
    }

    /// The redirected request to send: as is on the same origin; elsewhere without any header the caller set beyond
    /// the basics, since which of them carry credentials is not known here.
    static func allowed(_ request: URLRequest, from original: URLRequest?) -> URLRequest {
        if let from = original?.url, let to = request.url, Origin(from) == Origin(to) { return request }
        var stripped = request
        let names = Set((original?.allHTTPHeaderFields ?? [:]).keys).union(["Authorization", "Cookie", "Proxy-Authorization"])
        for name in names where !["Accept", "Content-Type", "User-Agent"].contains(name) {
            stripped.setValue(nil, forHTTPHeaderField: name)
        }
        return stripped
    }
}

/// Scheme, host and port: two URLs with the same origin may share credentials.
public struct Origin: Hashable, Sendable {
    public let scheme: String
    public let host: String
    public let port: Int?

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
