import Foundation

/// One authentication scheme of an API; its credential comes from the client's initializer or the environment.
public struct AuthScheme: Sendable, Hashable {
    /// Where the credential goes in a request.
    public enum Kind: Sendable, Hashable {
        /// A header whose value is `template` with `{token}` replaced by the credential.
        case header(name: String, template: String)
        /// HTTP Basic with the credential as user name and an empty password.
        case basic
    }

    /// The initializer argument that carries the credential.
    public var name: String
    /// Where the credential goes.
    public var kind: Kind
    /// Environment variables read when the argument is nil, first set wins.
    public var environment: [String]

    /// Describes a scheme whose credential is the initializer argument `name`, or else read from `environment`.
    public init(name: String, kind: Kind, environment: [String] = []) {
        self.name = name
        self.kind = kind
        self.environment = environment
    }
}
