/// The validated model of an API: every name resolved, every rule checked. The renderer reads only this.

public indirect enum TypeRef: Hashable, Sendable {
    public enum Primitive: String, Hashable, Sendable, CaseIterable {
        case string = "String", int = "Int", int64 = "Int64", double = "Double", bool = "Bool", date = "Date"
        case url = "URL", uuid = "UUID", json = "JSON", bytes = "Bytes", file = "File"
    }

    case primitive(Primitive)
    /// A model, enum or union declared in the spec, by its Swift type name.
    case declared(String, DeclaredKind)
    case array(TypeRef)
    case map(TypeRef)
    case optional(TypeRef)

    public enum DeclaredKind: Hashable, Sendable { case model, enumeration, union }

    public var isOptional: Bool {
        if case .optional = self { return true }
        return false
    }

    /// The type with any `?` removed.
    public var wrapped: TypeRef {
        if case .optional(let inner) = self { return inner.wrapped }
        return self
    }
}

/// A literal default value, already checked against its field's type.
public enum DefaultValue: Hashable, Sendable {
    case string(String)
    case integer(String)
    case number(String)
    case bool(Bool)
    case null
    case emptyArray
    case emptyObject
    /// A case of a declared enum, by its Swift name.
    case enumCase(String)
}

public struct Field: Hashable, Sendable {
    public var doc: [String]
    public var wireName: String
    public var swiftName: String
    public var type: TypeRef
    public var defaultValue: DefaultValue?
    /// Marked `file-url`: a String, [String] or JSON holding links to files.
    public var isFileURL = false
}

public struct Model: Hashable, Sendable {
    public var doc: [String]
    public var name: String
    public var fields: [Field]
}

public struct Enumeration: Hashable, Sendable {
    public struct Case: Hashable, Sendable {
        public var doc: [String]
        public var swiftName: String
        public var rawValue: String
    }

    public var doc: [String]
    public var name: String
    public var isInteger: Bool
    public var cases: [Case]
}

public struct Union: Hashable, Sendable {
    public struct Variant: Hashable, Sendable {
        public var doc: [String]
        public var value: String
        public var swiftName: String
        public var model: String
    }

    public var doc: [String]
    public var name: String
    public var discriminator: String
    public var variants: [Variant]
}

/// A declared type, in spec order.
public enum TypeDeclaration: Hashable, Sendable {
    case model(Model)
    case enumeration(Enumeration)
    case union(Union)
}

/// A job rule: where a status body says how the job is going.
public struct JobPolling: Hashable, Sendable {
    public var name: String
    public var state: [String] = ["state"]
    public var processing: [String] = []
    public var failed: [String] = []
    public var message: [String]?
    public var details: [String]?
    public var progress: [[String]] = []
    public var timeout: Double?
    public var interval: Double?
    public var maxInterval: Double?
}

public struct Pagination: Hashable, Sendable {
    public enum Style: String, Hashable, Sendable, CaseIterable {
        case nextLink = "next-link", cursor, pageNumber = "page-number"
    }

    public var name: String
    public var style: Style
    /// Where things are in a page's body, as key paths.
    public var items: [String]
    public var next: [String]?
    public var count: [String]?
    /// The query parameters the client sends to ask for a page.
    public var cursorParameter: String?
    public var pageParameter: String?
    public var pageSizeParameter: String?
}

public struct Auth: Hashable, Sendable {
    public enum Kind: Hashable, Sendable {
        case header(name: String, template: String)
        case basic
    }

    public var swiftName: String
    public var kind: Kind
    public var environment: [String]
}

public struct DefaultQueryParameter: Hashable, Sendable {
    public var swiftName: String
    public var wireName: String
    public var environment: [String]
}

public struct TimeoutSettings: Hashable, Sendable {
    public var connect: Double?
    public var read: Double?
    public var total: Double?
}

public struct RetrySettings: Hashable, Sendable {
    public var attempts = 4
    public var backoff = 0.5
    public var maxBackoff = 8.0
    public var statuses = [408, 429, 502, 503, 504]
    public var maxRetryAfter = 60.0
}

public struct Parameter: Hashable, Sendable {
    public var doc: [String]
    public var wireName: String
    public var swiftName: String
    public var type: TypeRef
    public var defaultValue: DefaultValue?
}

public struct Endpoint: Hashable, Sendable {
    public enum Body: Hashable, Sendable {
        case json(TypeRef)
        case multipart([Parameter])
        case bytes
        case file
    }

    public enum Response: Hashable, Sendable {
        case empty
        case json(TypeRef)
        case bytes
        /// A page of items read with a pagination rule.
        case page(item: TypeRef, rule: String)
        /// Events read as they arrive: each decoded as `event`, or raw Server-Sent Events when nil.
        case events(event: TypeRef?, framing: EventFraming, reconnects: Bool)
    }

    public enum EventFraming: String, Hashable, Sendable {
        case sse
        case ndjson
    }

    public var doc: [String]
    public var swiftName: String
    /// `resource.endpoint`, for errors and logs.
    public var operationID: String
    public var method: String
    /// The full path template from the base URL, e.g. `tasks/{id}/`.
    public var path: String
    public var pathParameters: [Parameter]
    /// Placeholders filled from fields of the JSON body: wire name is the placeholder, Swift name the body's field.
    public var bodyPathFields: [Parameter] = []
    public var query: [Parameter]
    public var headers: [Parameter]
    public var body: Body?
    public var response: Response
    public var timeouts: TimeoutSettings?
    public var idempotent: Bool
    /// For a chunked upload (drf-chunked-upload's protocol), the default chunk size in bytes.
    public var chunkedUpload: Int?
    public var job: JobRole?

    /// An endpoint's part in a long-running job.
    public enum JobRole: Hashable, Sendable {
        /// Reads the job's status by the named rule.
        case status(rule: String)
        /// Starts a job; `status` is the status endpoint, called with these arguments.
        case start(rule: String, status: String, result: TypeRef, arguments: [JobArgument])
    }

    /// An argument of a job's status request, taken from the start endpoint's parameter of the same name, from a
    /// field of its body that fills a placeholder of the same name, or else from the start answer.
    public struct JobArgument: Hashable, Sendable {
        public enum Source: Hashable, Sendable {
            case parameter
            /// The start body's field, by Swift name.
            case bodyField(String)
            /// The start answer's field, by wire name.
            case answerField(String)
        }

        public var swiftName: String
        public var source: Source = .parameter
    }
}

public struct Resource: Hashable, Sendable {
    public struct BoundParameter: Hashable, Sendable {
        public var label: String?
        public var swiftName: String
        public var wireName: String
        public var type: TypeRef
    }

    public var doc: [String]
    /// The property or method that reaches this resource from its parent.
    public var swiftName: String
    public var typeName: String
    /// Parameters bound when the resource is reached, e.g. a deployment's name.
    public var parameters: [BoundParameter]
    public var endpoints: [Endpoint]
    public var resources: [Resource]
}

public struct API: Hashable, Sendable {
    public var doc: [String]
    public var name: String
    public var baseURL: String
    public var baseURLEnvironment: [String]
    public var auth: [Auth]
    public var defaultQuery: [DefaultQueryParameter]
    public var timeouts: TimeoutSettings
    public var retry: RetrySettings
    public var dateFormat: String
    public var types: [TypeDeclaration]
    public var paginations: [Pagination]
    public var jobs: [JobPolling] = []
    public var resources: [Resource]

    /// The type users create: `SynapseBackendClient`.
    public var clientTypeName: String { name + "Client" }
}
