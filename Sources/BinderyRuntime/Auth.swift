import Foundation

/// Adds credentials to a request. One provider a scheme; a client may have several at once (see `AuthMiddleware`).
public protocol AuthProvider: Sendable {
    /// Adds the credential to a request about to be sent.
    func authenticate(_ request: inout HTTPRequest) async throws
}

/// A secret value that never shows in `description`, logs or error messages.
public struct Secret: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible {
    /// The secret itself; `description` never shows it.
    public let value: String
    /// Wraps a secret.
    public init(_ value: String) { self.value = value }
    public var description: String { "‹redacted›" }
    public var debugDescription: String { "‹redacted›" }
}

/// A header whose value is a template around the secret, e.g. `Authorization: Token {token}`.
public struct HeaderAuth: AuthProvider, CustomStringConvertible {
    /// The header the credential goes in.
    public let header: String
    /// The header's value, with `{token}` where the secret goes.
    public let template: String
    /// The credential.
    public let secret: Secret
    /// The template's text around its `{token}`s, split once rather than searched on every request.
    private let pieces: [String]

    /// Sends `secret` in `header`, written as `template` says.
    public init(header: String, template: String = "{token}", secret: Secret) {
        self.header = header
        self.template = template
        self.secret = secret
        pieces = template.components(separatedBy: "{token}")
    }

    /// Sets the header, replacing any value the request had.
    public func authenticate(_ request: inout HTTPRequest) async throws {
        request.headers[header] = pieces.joined(separator: secret.value)
    }

    public var description: String { "HeaderAuth(\(header): \(secret))" }
}

/// HTTP Basic authentication (RFC 7617).
public struct BasicAuth: AuthProvider, CustomStringConvertible {
    /// The user name.
    public let username: Secret
    /// The password; empty when the API takes a token as the user name.
    public let password: Secret

    /// Sends `username` and `password` as HTTP Basic authentication.
    public init(username: Secret, password: Secret = Secret("")) {
        self.username = username
        self.password = password
    }

    /// Sets the `Authorization` header, replacing any value the request had.
    public func authenticate(_ request: inout HTTPRequest) async throws {
        let credentials = Data("\(username.value):\(password.value)".utf8).base64EncodedString()
        request.headers["Authorization"] = "Basic \(credentials)"
    }

    public var description: String { "BasicAuth(\(username))" }
}

extension AuthScheme {
    func provider(for credential: String) -> any AuthProvider {
        switch kind {
        case .header(let header, let template): HeaderAuth(header: header, template: template, secret: Secret(credential))
        case .basic: BasicAuth(username: Secret(credential))
        }
    }
}
