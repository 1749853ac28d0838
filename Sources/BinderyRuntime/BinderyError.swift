import Foundation

/// Every way a call can fail. Switch over `kind`; the other properties say where and why.
public struct BinderyError: Error, Sendable, CustomStringConvertible {
    /// What went wrong, one case for each way a caller may want to react.
    public enum Kind: String, Sendable, Hashable {
        /// 400 or 422: the server rejected the request's content.
        case validation
        /// 401
        case unauthorized
        /// 403
        case forbidden
        /// 404
        case notFound
        /// 409
        case conflict
        /// 410
        case gone
        /// 429
        case rateLimited
        /// Any 5xx.
        case server
        /// Any other status that is not a success.
        case unexpectedStatus
        /// No connection could be made.
        case cannotConnect
        /// The server did not answer in time, or answered 408 (then `statusCode` says so).
        case timedOut
        /// The connection broke before a response arrived.
        case connectionLost
        /// The task was cancelled.
        case cancelled
        /// A write may have reached the server but no response came back, so it was not sent again.
        case outcomeUnknown
        /// The response could not be read as the expected type.
        case decoding
        /// The request could not be built (for example a header value with a line break).
        case invalidRequest
        /// An asynchronous job ended in failure.
        case jobFailed
        /// The response, or one event or line of a stream, was larger than the client reads.
        case responseTooLarge
    }

    /// What went wrong.
    public var kind: Kind
    /// The spec operation, e.g. `tasks.get`.
    public var operation: String
    /// The request's method.
    public var method: HTTPMethod
    /// The request URL, with any user info removed.
    public var url: URL?
    /// The response status, when a response arrived.
    public var statusCode: Int?
    /// The error body as JSON, when it was JSON (`{"detail": ...}` and the like).
    public var detail: JSONValue?
    /// The raw response body.
    public var body: Data?
    /// The response's headers (rate limits, request ids), when a response arrived.
    public var headers: HTTPHeaders?
    /// The error body as the Python clients' `ClientError.response` gives it: its JSON, or its text when it is not
    /// JSON; nil when no response arrived.
    public var response: JSONValue? {
        detail ?? body.map { .string(String(decoding: $0, as: UTF8.self)) }
    }
    /// The API's coders, for reading the body as its error model.
    var coders = Coders()

    /// The error body as the API's error model, e.g. FastAPI's `HTTPValidationError`, which an imported call's
    /// documentation names; nil when no body arrived. It throws `DecodingError` when the body is not that model.
    public func body<Model: Decodable>(as model: Model.Type) throws -> Model? {
        guard let body, !body.isEmpty else { return nil }
        return try coders.decode(model, from: body)
    }

    /// How many times the request was sent.
    public var attempts: Int
    /// A human-readable explanation.
    public var message: String
    /// What the transport met, when the call failed below HTTP: a `TransportError`, whose own `underlying` is
    /// URLSession's `NSError` or the socket's `POSIXError`.
    public var underlying: (any Error)?

    /// Makes an error; the runtime makes these, and tests or middlewares may too.
    public init(
        kind: Kind, operation: String, method: HTTPMethod, url: URL?, statusCode: Int? = nil, detail: JSONValue? = nil,
        body: Data? = nil, attempts: Int, message: String
    ) {
        self.kind = kind
        self.operation = operation
        self.method = method
        self.url = url.map(Self.redacted)
        self.statusCode = statusCode
        self.detail = detail
        self.body = body
        self.attempts = attempts
        self.message = message
    }

    /// The kind of error a response status stands for.
    public static func kind(forStatus status: Int) -> Kind {
        switch status {
        case 400, 422: .validation
        case 401: .unauthorized
        case 403: .forbidden
        case 404: .notFound
        case 408: .timedOut
        case 409: .conflict
        case 410: .gone
        case 429: .rateLimited
        case 500...599: .server
        default: .unexpectedStatus
        }
    }

    public var description: String {
        var text = "\(operation) (\(method) \(url?.absoluteString ?? "?")): "
        if let statusCode { text += "\(statusCode) " }
        text += message
        if attempts > 1 { text += " (after \(attempts) attempts)" }
        return text
    }

    static func redacted(_ url: URL) -> URL {
        guard var components = URLComponents(url: url, resolvingAgainstBaseURL: false),
            components.user != nil || components.password != nil
        else { return url }
        components.user = nil
        components.password = nil
        return components.url ?? url
    }
}

extension BinderyError {
    /// Describes an error body for a message: the text at one of `messagePaths` (the spec's `error-message`), or in
    /// one of the common shapes (`{"detail": "…"}` from Django REST framework and FastAPI, FastAPI's 422
    /// `{"detail": [{"loc", "msg"}]}`, `{"message": "…"}` as GitHub's, `{"error": {"message": "…"}}` as OpenAI's,
    /// `{"error": "…"}`, `{"reason": "…"}`), else a short excerpt; for an empty body, the status's meaning.
    static func summary(of body: Data, detail: JSONValue?, status: Int, messagePaths: [[String]] = []) -> String {
        if body.isEmpty { return "the response has no body (\(reason(for: status)))" }
        guard let detail else { return excerpt(of: body) }
        for path in messagePaths {
            if let text = path.reduce(Optional(detail), { $0?[$1] }).flatMap(readable) { return text }
        }
        let common: [[String]] = [["detail"], ["message"], ["error", "message"], ["error"], ["reason"]]
        for path in common {
            if let text = path.reduce(Optional(detail), { $0?[$1] }).flatMap(readable) { return text }
        }
        return excerpt(of: Data(detail.description.utf8))
    }

    /// A message's text: a string, or FastAPI's validation errors as `body.name: Field required; …`.
    private static func readable(_ value: JSONValue) -> String? {
        switch value {
        case .string(let text): return text.isEmpty ? nil : text
        case .array(let problems) where !problems.isEmpty:
            let lines = problems.compactMap { problem -> String? in
                guard let message = problem["msg"]?.stringValue ?? problem["message"]?.stringValue else { return nil }
                guard case .array(let location)? = problem["loc"] else { return message }
                let path = location.map { if case .integer(let index) = $0 { "[\(index)]" } else { $0.stringValue ?? "?" } }
                return path.joined(separator: ".").replacingOccurrences(of: ".[", with: "[") + ": " + message
            }
            return lines.count == problems.count ? lines.joined(separator: "; ") : nil
        default: return nil
        }
    }

    private static func reason(for status: Int) -> String {
        switch status {
        case 204: "no content"
        case 304: "not modified"
        case 401: "unauthorized"
        case 403: "forbidden"
        case 404: "not found"
        case 405: "method not allowed"
        case 409: "conflict"
        case 429: "too many requests"
        case 500...599: "a server error"
        default: "status \(status)"
        }
    }

    /// The start of a body as text, short enough for a message, cut between characters.
    static func excerpt(of body: Data, limit: Int = 500) -> String {
        let text = String(decoding: body, as: UTF8.self)
        return text.count > limit ? text.prefix(limit) + "…" : text
    }

    /// Explains a decoding failure by the model it was reading and the JSON path that failed.
    static func describe(_ error: DecodingError, reading type: Any.Type) -> String {
        func path(_ keys: [any CodingKey]) -> String {
            let path = keys.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
            return path.isEmpty ? "the top level" : "$" + path
        }
        let model = String(describing: type)
        switch error {
        case .keyNotFound(let key, let context):
            return "reading \(model): missing key '\(key.stringValue)' at \(path(context.codingPath))"
        case .typeMismatch(let expected, let context):
            return "reading \(model): expected \(expected) at \(path(context.codingPath))"
        case .valueNotFound(let expected, let context):
            return "reading \(model): expected \(expected) but found null at \(path(context.codingPath))"
        case .dataCorrupted(let context):
            return "reading \(model): \(context.debugDescription) at \(path(context.codingPath))"
        @unknown default:
            return "reading \(model): \(error)"
        }
    }
}
