import Foundation

/// Adds credentials to a request. One provider a scheme; a client may have several at once (see `AuthMiddleware`).
public protocol AuthProvider: Sendable {
    func authenticate(_ request: inout HTTPRequest) async throws
}

/// A secret value that never shows in `description`, logs or error messages.
public struct Secret: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible {
    public let value: String
    public init(_ value: String) { self.value = value }
    public var description: String { "‹redacted›" }
    public var debugDescription: String { "‹redacted›" }
}

/// A header whose value is a template around the secret, e.g. `Authorization: Token {token}`.
public struct HeaderAuth: AuthProvider, CustomStringConvertible {
    public let header: String
    public let template: String
    public let secret: Secret
    /// The template's text around its `{token}`s, split once rather than searched on every request.
    private let pieces: [String]

    public init(header: String, template: String = "{token}", secret: Secret) {
        self.header = header
        self.template = template
        self.secret = secret
        pieces = template.components(separatedBy: "{token}")
    }

    public func authenticate(_ request: inout HTTPRequest) async throws {
        request.headers[header] = pieces.joined(separator: secret.value)
    }

    public var description: String { "HeaderAuth(\(header): \(secret))" }
}

/// HTTP Basic authentication (RFC 7617).
public struct BasicAuth: AuthProvider, CustomStringConvertible {
    public let username: Secret
    public let password: Secret

    public init(username: Secret, password: Secret = Secret("")) {
        self.username = username
        self.password = password
    }

    public func authenticate(_ request: inout HTTPRequest) async throws {
        let credentials = Data("\(username.value):\(password.value)".utf8).base64EncodedString()
        request.headers["Authorization"] = "Basic \(credentials)"
    }

    public var description: String { "BasicAuth(\(username))" }
}
