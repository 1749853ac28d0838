import Foundation

/// One step of every attempt, between the client and the transport. It sees the request with its body on the way
/// out and the response with its body on the way back, and may change either, answer by itself, or call `next` more
/// than once (to refresh a token and try again). A whole response's body is in `HTTPResponse.body`; a streamed
/// response's body is the `StreamingResponse` beside it, chunk by chunk as it arrives, to observe or replace.
///
/// Middlewares run in the order of `ClientOptions.middlewares`, the first outermost. Authentication is the last
/// step before the transport: the spec's schemes (`AuthMiddleware`), or the middleware given as
/// `ClientOptions.auth`, which sees the request as it will be sent, to sign it or to manage a token.
public protocol Middleware: Sendable {
    /// Handles one attempt: calls `next` to send the request on (or answers by itself), and returns the response.
    func intercept(
        _ request: HTTPRequest, body: HTTPBody?, operation: String,
        next: @Sendable (HTTPRequest, HTTPBody?) async throws -> (HTTPResponse, StreamingResponse?)
    ) async throws -> (HTTPResponse, StreamingResponse?)
}

/// Authentication as a middleware: each provider adds its credential to the request, then it is sent. The spec's
/// auth schemes become one of these; give one of your own (or any middleware) as `ClientOptions.auth` to replace them.
public struct AuthMiddleware: Middleware {
    /// The schemes' credentials, each applied in turn.
    public let providers: [any AuthProvider]

    /// Applies `providers`' credentials to every attempt.
    public init(_ providers: [any AuthProvider]) {
        self.providers = providers
    }

    /// Adds every provider's credential, then sends the request on.
    public func intercept(
        _ request: HTTPRequest, body: HTTPBody?, operation: String,
        next: @Sendable (HTTPRequest, HTTPBody?) async throws -> (HTTPResponse, StreamingResponse?)
    ) async throws -> (HTTPResponse, StreamingResponse?) {
        var request = request
        for provider in providers { try await provider.authenticate(&request) }
        return try await next(request, body)
    }
}
