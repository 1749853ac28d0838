import BinderyRules

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

    /// Whether a value is one piece of text in a path, query, header or form: a string, number, boolean, date, URL,
    /// UUID or enum.
    public var isScalar: Bool {
        switch wrapped {
        case .primitive(let primitive): [.string, .int, .int64, .double, .bool, .date, .url, .uuid].contains(primitive)
        case .declared(_, .enumeration): true
        default: false
        }
    }

    /// Whether a query item or form field of this type is sent in bracket notation (`metadata[order_id]=6735`,
    /// `line_items[0][price]=p_1`): models, maps, unions, JSON and arrays of them. Scalars and arrays of scalars
    /// are sent as themselves.
    public var isNested: Bool {
        if isScalar { return false }
        if case .array(let element) = wrapped, element.isScalar { return false }
        return true
    }

    /// Whether the type holds a `Bytes` or `File` anywhere, which only bodies and multipart parts carry.
    var holdsBinary: Bool {
        switch self {
        case .primitive(let primitive): primitive == .bytes || primitive == .file
        case .declared: false
        case .array(let inner), .map(let inner), .optional(let inner): inner.holdsBinary
        }
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
    /// The field's type contains the model holding it, so it is stored out of line (`@Indirect`).
    public var isIndirect = false
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

    /// A case of a union decided by the JSON's shape.
    public struct Choice: Hashable, Sendable {
        /// The JSON a case takes: objects are told apart by the keys their model requires.
        public enum Shape: Hashable, Sendable {
            case string, integer, number, bool, array
            case object(requiredKeys: [String])
        }

        public var doc: [String]
        public var swiftName: String
        public var type: TypeRef
        public var shape: Shape
    }

    public var doc: [String]
    public var name: String
    /// The field naming the variant; nil for a union decided by shape, whose cases are `choices`.
    public var discriminator: String?
    public var variants: [Variant]
    public var choices: [Choice] = []
    /// A variant contains the union itself, so its cases are stored out of line (`indirect enum`).
    public var isIndirect = false
}

/// A declared type, in spec order.
public enum TypeDeclaration: Hashable, Sendable {
    case model(Model)
    case enumeration(Enumeration)
    case union(Union)

    /// The Swift type name.
    public var name: String {
        switch self {
        case .model(let model): model.name
        case .enumeration(let enumeration): enumeration.name
        case .union(let union): union.name
        }
    }
}

/// A rule the spec declares by name: a pagination or job rule, used by the endpoints that name it.
public struct NamedRule<Rule: Hashable & Sendable>: Hashable, Sendable {
    public var name: String
    public var rule: Rule
}

/// A query item or header sent on every request.
public struct DefaultParameter: Hashable, Sendable {
    public var isHeader: Bool
    /// The client initializer's argument for it; nil when only the environment or the default sets it.
    public var swiftName: String?
    public var wireName: String
    public var environment: [String]
    public var value: String?
}

/// An endpoint's timeouts, each nil where the client's apply.
public struct TimeoutSettings: Hashable, Sendable {
    public var connect: Double?
    public var read: Double?
    public var total: Double?
}

public struct Parameter: Hashable, Sendable {
    public var doc: [String]
    public var wireName: String
    public var swiftName: String
    public var type: TypeRef
    public var defaultValue: DefaultValue?
    /// A query array sent as one item, its values joined by this (`ids=1,2,3`); nil repeats the name.
    public var separator: String?
}

public struct Endpoint: Hashable, Sendable {
    /// A query item whose value the call does not take as a parameter of its own: a field of the JSON body
    /// (`query NAME from body`) or a parameter of an enclosing resource that its path does not use.
    public struct BoundQueryItem: Hashable, Sendable {
        public var wireName: String
        public var value: PathValue
    }

    public enum Body: Hashable, Sendable {
        case json(TypeRef)
        case multipart([Parameter])
        /// Fields sent `application/x-www-form-urlencoded`, as query parameters are.
        case form([Parameter])
        case bytes
        case file
    }

    /// What a plain call answers.
    public enum Response: Hashable, Sendable {
        case empty
        case json(TypeRef)
        case bytes
    }

    /// What the endpoint is, which decides every public call it makes: exactly one of these.
    public enum Kind: Hashable, Sendable {
        /// Sends the request and answers the response.
        case call(Response)
        /// Answers one page of items; also makes `<name>All`, which walks every page.
        case paginated(item: TypeRef, rule: NamedRule<PaginationRule>)
        /// Answers events as they arrive: each decoded as `event`, or raw Server-Sent Events when nil.
        /// `end`: the data (SSE) or line (NDJSON) that ends the stream, e.g. `[DONE]`, not decoded as an event.
        case stream(event: TypeRef?, framing: EventFraming, reconnects: Bool, end: String?)
        /// Sends a file in chunks (drf-chunked-upload's protocol) and answers what the finalize returns.
        case upload(result: TypeRef, rule: ChunkedUploadRule)
        /// Reads a long-running job's status by a job rule; answers a `Job` to await.
        case jobStatus(result: TypeRef, rule: NamedRule<JobRule>)
        /// Starts a job whose status another endpoint of the same resource reads.
        case jobStart(JobStart)
    }

    /// How a job started here is followed: the status endpoint, called with these arguments.
    public struct JobStart: Hashable, Sendable {
        public var rule: NamedRule<JobRule>
        /// The status endpoint's Swift name.
        public var status: String
        public var result: TypeRef
        public var arguments: [JobArgument]
    }

    /// An argument of a job's status request: a value the start call already has, or the start answer's field.
    public struct JobArgument: Hashable, Sendable {
        public enum Source: Hashable, Sendable {
            case value(PathValue)
            /// The start answer's field, by wire name.
            case answerField(String)
        }

        public var swiftName: String
        public var source: Source
    }

    public var doc: [String]
    public var swiftName: String
    /// `resource.endpoint`, for errors and logs.
    public var operationID: String
    public var method: String
    /// The full path from the base URL, e.g. `tasks/` `{id}` `/`.
    public var path: [PathComponent]
    public var pathParameters: [Parameter]
    public var query: [Parameter]
    public var boundQuery: [BoundQueryItem]
    public var headers: [Parameter]
    public var body: Body?
    public var kind: Kind
    public var timeouts: TimeoutSettings?
    public var idempotent: Bool

    /// The path as written, e.g. `tasks/{id}/`.
    public var pathTemplate: String {
        path.map { component in
            switch component {
            case .literal(let text): text
            case .placeholder(let name, _): "{\(name)}"
            }
        }.joined()
    }
}

/// A piece of an endpoint's path: text as written, or a placeholder filled with one encoded segment.
public enum PathComponent: Hashable, Sendable {
    case literal(String)
    case placeholder(name: String, value: PathValue)
}

/// Where a placeholder's value comes from.
public enum PathValue: Hashable, Sendable {
    /// A parameter of the call or of an enclosing resource, by Swift name.
    case parameter(String)
    /// A field of the JSON body, by Swift name (`path NAME from body`).
    case bodyField(String)
}

public struct Resource: Hashable, Sendable {
    public struct BoundParameter: Hashable, Sendable {
        public var label: String?
        public var swiftName: String
        public var wireName: String
        public var type: TypeRef
        /// Not used by the resource's path, so sent as a query item by every endpoint inside it.
        public var inQuery = false
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
    /// The type users create: `SynapseBackendClient`, or what `api NAME as TypeName` chose.
    public var clientTypeName: String
    public var baseURL: String
    public var baseURLEnvironment: [String]
    public var auth: [AuthScheme]
    public var defaultParameters: [DefaultParameter]
    /// Where error bodies hold their message, as key paths tried in order.
    public var errorMessage: [[String]] = []
    public var idempotencyHeader: String?
    /// The API's version, sent in the `User-Agent`.
    public var version: String?
    public var timeouts: Timeouts
    public var retry: ExponentialBackoff
    public var dateFormat: DateFormat
    public var types: [TypeDeclaration]
    public var paginations: [NamedRule<PaginationRule>]
    public var jobs: [NamedRule<JobRule>] = []
    public var resources: [Resource]

}
