import Foundation

/// One API operation, fully described and ready to send: method, path, query, headers, body and how to read the
/// response. Generated request builders return these; they can be built and inspected without any network.
public struct Request<Response: Sendable>: Sendable {
    /// The operation's name in the spec, e.g. `tasks.get`, for error messages and logs.
    public var operation: String
    /// The request's method.
    public var method: HTTPMethod
    /// The path relative to the client's base URL, each path parameter already encoded as one segment.
    public var path: String
    /// The query items, in order, each encoded when the URL is made.
    public var query: [URLQueryItem]
    /// The request's own header fields, before the client adds credentials and defaults.
    public var headers: HTTPHeaders
    /// The body; nil for none.
    public var body: RequestBody?
    /// Per-request overrides of the client's timeouts and retry policy.
    public var options: RequestOptions
    /// Reads the response body once the status is a success.
    public let reader: ResponseReader<Response>

    /// A request with these parts, read by `reader` once the answer is a success.
    public init(
        _ operation: String, _ method: HTTPMethod, _ path: String,
        query: [URLQueryItem] = [], headers: HTTPHeaders = HTTPHeaders(), body: RequestBody? = nil,
        options: RequestOptions = RequestOptions(), response reader: ResponseReader<Response>
    ) {
        self.operation = operation
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
        self.options = options
        self.reader = reader
    }
}

extension Request {
    /// The same request with more query items, in order, for filters and options the spec does not declare:
    /// `client.send(Tasks.get(id: 7).addingQuery(["expand": "data_unit", "status": "done"]))`. A name may repeat.
    public func addingQuery(_ items: KeyValuePairs<String, any ParameterValue>) -> Request {
        var request = self
        request.query += items.map { URLQueryItem(name: $0.key, value: $0.value.parameterValue) }
        return request
    }
}

/// How a request reads the body of a successful response: whole, or as events while it arrives.
public struct ResponseReader<Response: Sendable>: Sendable {
    enum Body: Sendable {
        case whole(@Sendable (_ response: HTTPResponse, _ coders: Coders) throws -> Response)
        case events(@Sendable (_ body: StreamingResponse, _ context: EventContext) -> Response)
    }

    let body: Body
    /// The media type asked for with `Accept`, unless the request sets its own.
    public let accept: String
    /// The pagination rule of a reader of pages, so the following pages can be asked for.
    public let pagination: PaginationRule?
    /// Runs the moment a successful response arrives, before its body is read; true when it started work that
    /// should run before the reading (a page reader's request for the next page), which then waits its turn.
    let arrived: (@Sendable (_ response: HTTPResponse) -> Bool)?

    /// Reads a response with `read`, asking for `accept`.
    public init(
        pagination: PaginationRule? = nil, accept: String = "application/json",
        _ read: @escaping @Sendable (_ response: HTTPResponse, _ coders: Coders) throws -> Response
    ) {
        self.init(pagination: pagination, accept: accept, arrived: nil, read)
    }

    init(
        pagination: PaginationRule?, accept: String, arrived: (@Sendable (_ response: HTTPResponse) -> Bool)?,
        _ read: @escaping @Sendable (_ response: HTTPResponse, _ coders: Coders) throws -> Response
    ) {
        body = .whole(read)
        self.accept = accept
        self.pagination = pagination
        self.arrived = arrived
    }

    /// Whether the body is read as it arrives.
    var streams: Bool {
        if case .events = body { return true }
        return false
    }

    init(accept: String, events: @escaping @Sendable (_ body: StreamingResponse, _ context: EventContext) -> Response) {
        body = .events(events)
        self.accept = accept
        pagination = nil
        arrived = nil
    }
}

extension ResponseReader where Response: Decodable {
    /// JSON decoded as `Response` with the API's coders.
    public static var json: Self { Self { response, coders in try coders.decode(Response.self, from: response.body) } }
}

extension ResponseReader where Response == Data {
    /// The raw bytes.
    public static var bytes: Self { Self(accept: "*/*") { response, _ in response.body } }
}

extension ResponseReader where Response == Void {
    /// Nothing: any body is ignored.
    public static var ignored: Self { Self { _, _ in } }
}

extension ResponseReader where Response == StreamingResponse {
    /// The body's chunks as they arrive, undecoded.
    static func chunks(accept: String) -> Self { Self(accept: accept) { body, _ in body } }
}

/// Per-request settings that override the client's.
public struct RequestOptions: Sendable {
    /// Seconds to wait for a connection; nil keeps the client's.
    public var connectTimeout: TimeInterval?
    /// Seconds the response may go quiet; nil keeps the client's.
    public var readTimeout: TimeInterval?
    /// Seconds the whole call may take, retries included; nil keeps the client's.
    public var deadline: TimeInterval?
    /// The retry policy of this request; nil keeps the client's.
    public var retry: (any RetryPolicy)?
    /// Declares that sending the request twice is harmless, so it may be retried even when it is a POST or PATCH
    /// that may already have reached the server.
    public var idempotent: Bool?

    /// Options that override the client's; each one left nil keeps the client's setting.
    public init(
        connectTimeout: TimeInterval? = nil, readTimeout: TimeInterval? = nil, deadline: TimeInterval? = nil,
        retry: (any RetryPolicy)? = nil, idempotent: Bool? = nil
    ) {
        self.connectTimeout = connectTimeout
        self.readTimeout = readTimeout
        self.deadline = deadline
        self.retry = retry
        self.idempotent = idempotent
    }

    /// The client's timeouts with these overrides applied.
    func timeouts(over defaults: Timeouts) -> Timeouts {
        Timeouts(
            connect: connectTimeout ?? defaults.connect, read: readTimeout ?? defaults.read,
            total: deadline ?? defaults.total)
    }
}

/// A request body. Every case can be produced again for a retry.
public enum RequestBody: Sendable {
    /// A value encoded as JSON with the client's encoder.
    case json(any Encodable & Sendable)
    /// `multipart/form-data`; file parts are read from disk when sent.
    case multipart([MultipartPart])
    /// Fields sent `application/x-www-form-urlencoded`, in order; arrays repeat their name.
    case form([URLQueryItem])
    /// Raw bytes with their content type.
    case bytes(Data, contentType: String)
    /// A file's bytes, streamed from disk when sent.
    case file(URL, contentType: String)
}

/// One part of a `multipart/form-data` body.
public struct MultipartPart: Sendable {
    /// What a part carries.
    public enum Content: Sendable {
        /// Text, sent as UTF-8.
        case text(String)
        /// Bytes.
        case data(Data)
        /// A file's contents, read from disk as they are sent.
        case file(URL)
        /// `count` bytes of a file from `offset`, read as they are sent; `reading` sees each piece read (with its
        /// offset in the file), e.g. to hash the file while it is sent.
        case fileRange(URL, offset: Int64, count: Int, reading: (@Sendable (_ bytes: Data, _ offset: Int64) -> Void)? = nil)
        /// A value encoded as JSON with the client's encoder.
        case json(any Encodable & Sendable)
    }

    /// The form field's name.
    public var name: String
    /// The file name the part is sent with; nil for a plain field.
    public var filename: String?
    /// The part's media type; nil for text.
    public var contentType: String?
    /// What the part carries.
    public var content: Content

    /// A part with these settings.
    public init(name: String, filename: String? = nil, contentType: String? = nil, content: Content) {
        self.name = name
        self.filename = filename
        self.contentType = contentType
        self.content = content
    }

    /// A text field.
    public static func field(_ name: String, _ value: String) -> MultipartPart {
        MultipartPart(name: name, content: .text(value))
    }

    /// A file part whose bytes are read from `url` when the request is sent.
    public static func file(_ name: String, _ url: URL, filename: String? = nil, contentType: String? = nil)
        -> MultipartPart
    {
        MultipartPart(
            name: name, filename: filename ?? url.lastPathComponent,
            contentType: contentType ?? "application/octet-stream", content: .file(url))
    }
}

/// The parts of a `multipart/form-data` body, built up one by one; nil values are left out.
@_spi(Generated) public struct MultipartForm: Sendable {
    public private(set) var parts: [MultipartPart] = []

    public init() {}

    public mutating func add(_ name: String, _ value: (some ParameterValue)?) {
        if let value { parts.append(.field(name, value.parameterValue)) }
    }

    public mutating func add(_ name: String, file url: URL?) {
        if let url { parts.append(.file(name, url)) }
    }

    /// A file part whose content is `data`, named after the part, as Python clients send bytes given for a file.
    public mutating func add(_ name: String, bytes data: Data?) {
        if let data {
            parts.append(MultipartPart(name: name, filename: name, contentType: "application/octet-stream", content: .data(data)))
        }
    }

    /// A part for each file, all of one name, as OpenAPI sends an array of files.
    public mutating func add(_ name: String, file urls: [URL]?) {
        for url in urls ?? [] { add(name, file: url) }
    }

    /// A part for each piece of data, all of one name.
    public mutating func add(_ name: String, bytes pieces: [Data]?) {
        for data in pieces ?? [] { add(name, bytes: data) }
    }

    public mutating func add(_ name: String, json value: (some Encodable & Sendable)?) {
        if let value { parts.append(MultipartPart(name: name, contentType: "application/json", content: .json(value))) }
    }
}

/// A typed answer with the response's status and headers (rate limits, `ETag`, request ids).
public struct WithResponse<Value: Sendable>: Sendable {
    /// The decoded answer.
    public var value: Value
    /// The response's status code.
    public var status: Int
    /// The response's header fields.
    public var headers: HTTPHeaders
}

extension ResponseReader {
    /// The same reading, with the response's status and headers kept beside the value.
    var withResponse: ResponseReader<WithResponse<Response>> {
        switch body {
        case .whole(let read):
            ResponseReader<WithResponse<Response>>(accept: accept) { response, coders in
                WithResponse(value: try read(response, coders), status: response.status, headers: response.headers)
            }
        case .events(let open):
            ResponseReader<WithResponse<Response>>(accept: accept) { body, context in
                WithResponse(value: open(body, context), status: body.status, headers: body.headers)
            }
        }
    }
}

extension APIClient {
    /// Sends `request` like `send`, and answers its decoded value with the response's status and headers.
    public func sendWithResponse<Response>(_ request: Request<Response>) async throws -> WithResponse<Response> {
        try await send(Request(
            request.operation, request.method, request.path, query: request.query, headers: request.headers,
            body: request.body, options: request.options, response: request.reader.withResponse))
    }
}
