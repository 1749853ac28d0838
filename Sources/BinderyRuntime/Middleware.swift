import Foundation

/// Sees every attempt of every request on its way out and its response on the way back: logging, tracing, extra
/// headers. Middlewares run outside authentication, so the requests they see carry no credentials.
public protocol Middleware: Sendable {
    func intercept(
        _ request: HTTPRequest, body: HTTPBody?, operation: String,
        next: @Sendable (HTTPRequest, HTTPBody?) async throws -> HTTPResponse
    ) async throws -> HTTPResponse
}
