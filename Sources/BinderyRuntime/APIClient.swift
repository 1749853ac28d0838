import Foundation

/// Sends requests for one API: resolves URLs, applies middlewares and credentials, retries what is safe to retry,
/// and turns failures into `BinderyError`.
public final class APIClient: Sendable {
    /// The URL that request paths are resolved against.
    public let baseURL: URL
    /// The JSON encoder and decoder settings of this API, its date format among them.
    public let coders: Coders
    let timeouts: Timeouts
    let retry: any RetryPolicy
    let transport: any Transport
    /// The options' middlewares, then authentication.
    let middlewares: [any Middleware]
    let clock: any BinderyClock
    let maximumEventSize: Int
    let defaultQuery: [URLQueryItem]
    let defaultHeaders: [(name: String, value: String)]
    /// Where this API's error bodies hold their message, as key paths (the spec's `error-message`).
    let errorMessagePaths: [[String]]
    /// The header that carries a key generated once per write (`Idempotency-Key`), when the API takes one.
    let idempotencyHeader: String?
    /// Credential values, scrubbed from every error message.
    let secrets: [String]
    /// Sent unless a request sets its own: the API and its version, then the runtime's.
    let userAgent: String

    /// The runtime's version, sent in the `User-Agent`.
    public static let runtimeVersion = "0.1.0"

    /// A client for the API `api` describes; generated clients make one in their initializer.
    /// - Parameters:
    ///   - api: the API's settings, from its spec.
    ///   - baseURL: where to send requests instead of the spec's base URL (or the environment's, which comes first).
    ///   - credentials: each auth scheme's credential by scheme name; a nil or missing one is read from the
    ///     scheme's environment variables, and a scheme with no credential is not sent.
    ///   - parameters: values of the API's default query parameters by name, with the same environment fallback.
    ///   - options: the transport, middlewares, timeouts, retries and clock; the spec's and the system's unless set.
    public init(
        api: APIDefinition, baseURL: URL? = nil, credentials: [String: String?] = [:],
        parameters: [String: String?] = [:], options: ClientOptions = ClientOptions()
    ) {
        func lookup(_ explicit: String??, _ variables: [String]) -> String? {
            if let value = explicit ?? nil { return value }
            return variables.lazy.compactMap { options.environment[$0] }.first { !$0.isEmpty }
        }
        self.baseURL =
            baseURL ?? lookup(nil, api.baseURLEnvironment).flatMap(URL.init(string:)) ?? URL(string: api.baseURL)!
        coders = Coders(dateFormat: api.dateFormat)
        timeouts = options.timeouts ?? api.timeouts
        retry = options.retry ?? api.retry
        transport = options.transport
        let resolvedSchemes = api.auth.compactMap { scheme in
            lookup(credentials[scheme.name], scheme.environment).map { (scheme, $0) }
        }
        middlewares = options.middlewares + [options.auth ?? AuthMiddleware(resolvedSchemes.map { $0.provider(for: $1) })]
        clock = options.clock
        maximumEventSize = options.maximumEventSize
        secrets = resolvedSchemes.map(\.1).filter { !$0.isEmpty }
        func value(_ parameter: DefaultParameter) -> String? {
            lookup(parameter.name.flatMap { parameters[$0] }, parameter.environment) ?? parameter.value
        }
        defaultQuery = api.defaultQuery.compactMap { parameter in
            value(parameter).map { URLQueryItem(name: parameter.wireName, value: $0) }
        }
        defaultHeaders = api.defaultHeaders.compactMap { parameter in value(parameter).map { (parameter.wireName, $0) } }
        errorMessagePaths = api.errorMessage
        idempotencyHeader = api.idempotencyHeader
        let product = String(api.name.unicodeScalars.filter { $0.isASCII && UInt8($0.value).isTokenCharacter }.map(Character.init))
        userAgent = (product.isEmpty ? "" : product + (api.version.map { "/" + $0 } ?? "") + " ") + "Bindery/\(Self.runtimeVersion)"
    }

    /// Sends `request` and returns its decoded response.
    public func send<Response>(_ request: Request<Response>) async throws -> Response {
        try await attempt(request, timeouts: request.options.timeouts(over: timeouts))
    }

    /// The absolute URL a request goes to. Absolute URLs from the server are only followed on the base URL's origin.
    public func url(for request: Request<some Sendable>) throws -> URL {
        var query = request.query
        for item in defaultQuery where !query.contains(where: { $0.name == item.name }) { query.append(item) }
        let lowercased = request.path.lowercased()
        var text: String
        if lowercased.hasPrefix("http://") || lowercased.hasPrefix("https://") {
            guard let absolute = URL(string: request.path), Origin(absolute) == Origin(baseURL) else {
                throw error(
                    .invalidRequest, request, url: nil, attempts: 0,
                    "refusing to follow \(request.path): it is not on the API's origin \(baseURL.absoluteString)")
            }
            var components = URLComponents(url: absolute, resolvingAgainstBaseURL: false)!
            let existing = components.queryItems ?? []
            query.removeAll { item in existing.contains { $0.name == item.name } }
            components.fragment = nil
            text = components.string!
        } else {
            var base = baseURL.absoluteString
            while base.hasSuffix("/") { base.removeLast() }
            text = base + "/" + request.path.drop { $0 == "/" }
        }
        if !query.isEmpty { text += (text.utf8.contains(UInt8(ascii: "?")) ? "&" : "?") + PercentEncoding.query(query) }
        guard let url = URL(string: text) else {
            throw error(.invalidRequest, request, url: nil, attempts: 0, "'\(text)' is not a valid URL")
        }
        return url
    }

    private func attempt<Response>(_ request: Request<Response>, timeouts: Timeouts) async throws -> Response {
        let url = try url(for: request)
        var headers = request.headers
        for (name, value) in defaultHeaders where headers[name] == nil { headers[name] = value }
        if headers["Accept"] == nil { headers["Accept"] = request.reader.accept }
        if headers["User-Agent"] == nil { headers["User-Agent"] = userAgent }
        // One key for the whole call, every attempt included, so the server can tell a retry from a new write.
        var keyed = false
        if let name = idempotencyHeader, !request.method.isIdempotent {
            if headers[name] == nil { headers[name] = UUID().uuidString.lowercased() }
            keyed = true
        }
        let body: HTTPBody?
        do {
            body = try prepare(request.body, headers: &headers)
            _ = try body?.length()
        } catch {
            throw self.error(.invalidRequest, request, url: url, attempts: 0, "the request body could not be made: \(error.localizedDescription)")
        }
        let retry = request.options.retry ?? self.retry
        // A write with an idempotency key is safe to send again: the server answers a repeat as it did the first.
        let idempotent = request.options.idempotent ?? (request.method.isIdempotent || keyed)
        // The deadline is a budget: each attempt may wait only what is left of it, and no retry waits past it.
        let deadline = timeouts.total.map { clock.now + $0 }
        func overDeadline(_ attempts: Int) -> BinderyError {
            error(.timedOut, request, url: url, attempts: attempts,
                  "the call did not finish within its \(Self.seconds(timeouts.total ?? 0)) s deadline")
        }
        var attempt = 0
        while true {
            var budget = timeouts
            if let deadline {
                let left = deadline - clock.now
                guard left > 0 else { throw overDeadline(attempt) }
                budget = Timeouts(connect: min(timeouts.connect, left), read: min(timeouts.read, left), total: left)
            }
            attempt += 1
            let failure: AttemptFailure
            let finalError: BinderyError
            do {
                try Task.checkCancellation()
                let (response, stream) = try await send(
                    HTTPRequest(method: request.method, url: url, headers: headers), body: body,
                    operation: request.operation, timeouts: budget, streaming: request.reader.streams)
                if (200..<300).contains(response.status) {
                    // What the arrival started (the next page's request) takes this thread first; the decoding
                    // follows, rather than holding the work up while another thread is woken for it.
                    if let arrived = request.reader.arrived, arrived(response) { await Task.yield() }
                    return try decode(response, stream: stream, for: request, url: url, attempts: attempt)
                }
                failure = .status(response.status, retryAfter: ExponentialBackoff.retryAfter(in: response.headers))
                finalError = statusError(response, request, url: url, attempts: attempt)
            } catch let transportError as TransportError {
                // The transport's error, with what it wraps, stays reachable as `underlying`.
                func error(_ kind: BinderyError.Kind, _ message: String) -> BinderyError {
                    var error = self.error(kind, request, url: url, attempts: attempt, message)
                    error.underlying = transportError
                    return error
                }
                let message = transportError.message
                switch transportError.kind {
                case .cancelled:
                    throw error(.cancelled, message)
                case .responseTooLarge:
                    throw error(.responseTooLarge, message)
                case .invalidRequest:
                    var error = error(.invalidRequest, message)
                    error.attempts = attempt - 1
                    throw error
                case .cannotConnect:
                    failure = .cannotConnect
                    finalError = error(.cannotConnect, message)
                case .timedOut, .connectionLost:
                    guard idempotent else {
                        throw error(.outcomeUnknown, "\(message); the request may have reached the server, so it was not sent again")
                    }
                    finalError = error(transportError.kind == .timedOut ? .timedOut : .connectionLost, message)
                    // A timed-out attempt took a whole timeout: another one goes only when the call's `total`
                    // leaves room for a whole read timeout, so that without one a call is bounded by a single
                    // connect and read timeout, not by one per attempt.
                    if transportError.kind == .timedOut {
                        guard let deadline else { throw finalError }
                        guard deadline - clock.now >= timeouts.read else { throw overDeadline(attempt) }
                    }
                    failure = .interrupted
                }
            } catch is CancellationError {
                throw error(.cancelled, request, url: url, attempts: attempt, "the task was cancelled")
            }
            guard let delay = retry.delay(after: failure, attempt: attempt) else { throw finalError }
            if let deadline, clock.now + delay >= deadline { throw overDeadline(attempt) }
            try await sleep(delay, request, url: url, attempts: attempt)
        }
    }

    /// One attempt through the middlewares, authentication last. A successful streamed response comes back with an
    /// empty body and its stream beside it; a failed one is read whole.
    private func send(
        _ request: HTTPRequest, body: HTTPBody?, operation: String, timeouts: Timeouts, streaming: Bool
    ) async throws -> (HTTPResponse, StreamingResponse?) {
        let transport = self.transport
        var next: @Sendable (HTTPRequest, HTTPBody?) async throws -> (HTTPResponse, StreamingResponse?) = { request, body in
            guard streaming, let transport = transport as? any StreamingTransport else {
                return (try await transport.send(request, body: body, timeouts: timeouts), nil)
            }
            let stream = try await transport.open(request, body: body, timeouts: timeouts)
            guard (200..<300).contains(stream.status) else { return (try await stream.collected(), nil) }
            return (HTTPResponse(status: stream.status, headers: stream.headers, url: stream.url), stream)
        }
        for middleware in middlewares.reversed() {
            let inner = next
            next = { request, body in try await middleware.intercept(request, body: body, operation: operation, next: inner) }
        }
        return try await next(request, body)
    }

    private func prepare(_ body: RequestBody?, headers: inout HTTPHeaders) throws -> HTTPBody? {
        switch body {
        case nil:
            return nil
        case .json(let value)?:
            headers["Content-Type"] = "application/json"
            return .data(try coders.encode(value))
        case .multipart(let parts)?:
            let encoder = MultipartEncoder(coders: coders)
            headers["Content-Type"] = encoder.contentType
            return try encoder.encode(parts)
        case .form(let fields)?:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            return .data(Data(PercentEncoding.query(fields).utf8))
        case .bytes(let data, let contentType)?:
            headers["Content-Type"] = contentType
            return .data(data)
        case .file(let url, let contentType)?:
            headers["Content-Type"] = contentType
            return .file(url)
        }
    }

    private func decode<Response>(
        _ response: HTTPResponse, stream: StreamingResponse?, for request: Request<Response>, url: URL, attempts: Int
    ) throws -> Response {
        switch request.reader.body {
        case .whole(let read):
            do {
                return try read(response, coders)
            } catch let decodingError as DecodingError {
                throw BinderyError(
                    kind: .decoding, operation: request.operation, method: request.method, url: response.url,
                    statusCode: response.status, body: response.body, attempts: attempts,
                    message: redacted(
                        BinderyError.describe(decodingError, reading: Response.self) + "; body: "
                            + BinderyError.excerpt(of: response.body)))
            }
        case .events(let open):
            let failure: @Sendable (BinderyError.Kind, String) -> BinderyError = { kind, message in
                self.error(kind, request, url: url, attempts: attempts, message)
            }
            var reconnect: (@Sendable (String) async throws -> StreamingResponse)?
            if stream != nil { reconnect = { lastEventID in try await self.reopen(request, after: lastEventID) } }
            let context = EventContext(
                coders: coders, clock: clock, maximumEventSize: maximumEventSize, failure: failure, reconnect: reconnect)
            return open(stream ?? StreamingResponse(buffered: response), context)
        }
    }

    /// The stream of `request` again, from the event after `lastEventID`.
    private func reopen(_ request: Request<some Sendable>, after lastEventID: String) async throws -> StreamingResponse {
        var again = Request(
            request.operation, request.method, request.path, query: request.query, headers: request.headers,
            body: request.body, options: request.options, response: .chunks(accept: request.reader.accept))
        again.headers["Last-Event-ID"] = lastEventID
        return try await send(again)
    }

    private func statusError(_ response: HTTPResponse, _ request: Request<some Sendable>, url: URL, attempts: Int)
        -> BinderyError
    {
        // A server may echo the credential back; the error keeps no copy of it anywhere.
        var body = response.body
        if let text = String(data: body, encoding: .utf8), secrets.contains(where: text.contains) {
            body = Data(redacted(text).utf8)
        }
        let detail = try? JSONDocument(body).value
        var error = BinderyError(
            kind: BinderyError.kind(forStatus: response.status), operation: request.operation, method: request.method,
            url: url, statusCode: response.status, detail: detail, body: body, attempts: attempts,
            message: BinderyError.summary(of: body, detail: detail, status: response.status, messagePaths: errorMessagePaths))
        error.headers = response.headers
        error.coders = coders
        return error
    }

    private func sleep(_ seconds: TimeInterval, _ request: Request<some Sendable>, url: URL, attempts: Int) async throws {
        do {
            try await clock.sleep(seconds)
        } catch {
            throw self.error(.cancelled, request, url: url, attempts: attempts, "the task was cancelled")
        }
    }

    func error(
        _ kind: BinderyError.Kind, _ request: Request<some Sendable>, url: URL?, attempts: Int, _ message: String
    ) -> BinderyError {
        BinderyError(
            kind: kind, operation: request.operation, method: request.method, url: url, attempts: attempts,
            message: redacted(message))
    }

    static func seconds(_ value: TimeInterval) -> String { String(format: "%g", value) }

    /// `text` with every credential replaced, for messages that quote what a server sent back.
    private func redacted(_ text: String) -> String {
        secrets.reduce(text) { $0.replacingOccurrences(of: $1, with: "‹redacted›") }
    }
}

