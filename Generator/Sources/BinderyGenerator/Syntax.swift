/// The syntax tree of a spec file: what was written, where, before any meaning is checked.

/// A word or string as written, with where it stands.
public struct Located: Hashable, Sendable {
    public var text: String
    public var range: SourceRange
}

public struct SpecSyntax: Sendable {
    public var declarations: [DeclarationSyntax] = []
}

public enum DeclarationSyntax: Sendable {
    case api(APISyntax)
    case model(ModelSyntax)
    case enumeration(EnumSyntax)
    case union(UnionSyntax)
    case pagination(PaginationSyntax)
    case job(JobSyntax)
    case resource(ResourceSyntax)
    /// `extend api|model|enum|resource ...`: additions to a declaration of another file of the spec.
    case extend(ExtensionSyntax)
}

/// What a spec file adds to a declaration of another file, e.g. to an imported spec, so that importing again keeps
/// it: `extend resource pets { list { paginate drf } }`.
public struct ExtensionSyntax: Sendable {
    public enum Target: Sendable {
        /// Settings that replace the api block's, or add to them.
        case api(APISyntax)
        /// Fields that replace the model's of the same wire name, or add to them.
        case model(ModelSyntax)
        /// Cases added to the enum.
        case enumeration(EnumSyntax)
        /// The resource at a path of resource names (`deployments.deployment.tasks`): endpoints and resources that
        /// replace those of the same name or add to them, changes to endpoints it has, and endpoints or resources
        /// it no longer has (`remove name`).
        case resource(path: [Located], ResourceSyntax, amendments: [AmendmentSyntax], removals: [Located])
    }

    /// The `extend` word.
    public var keyword: Located
    public var target: Target
}

/// `name [as newName] [-> Type] { settings }` in `extend resource`: changes to an endpoint the resource has.
public struct AmendmentSyntax: Sendable {
    public var doc: [String]
    public var name: Located
    public var newName: Located?
    /// The settings written, on an endpoint without method or path.
    public var changes: EndpointSyntax
}

public struct APISyntax: Sendable {
    public var doc: [String]
    public var name: Located
    /// `api NAME as TypeName`: the client's type name, when written.
    public var typeName: Located?
    public var baseURL: (url: Located, environment: [Located])?
    public var auth: [AuthSyntax] = []
    public var defaultParameters: [DefaultParameterSyntax] = []
    /// `error-message "error.message", "message"`: where error bodies hold their message.
    public var errorMessage: [Located] = []
    /// `idempotency-key "Idempotency-Key"`: the header every write's key goes in.
    public var idempotencyKey: Located?
    public var timeouts: [SettingSyntax] = []
    public var retry: [SettingSyntax] = []
    public var dates: Located?
    /// `version "2024-06-01"`: the API's version, sent in the `User-Agent`.
    public var version: Located?
}

public struct AuthSyntax: Sendable {
    public var name: Located
    /// `header`, `bearer` or `basic`.
    public var scheme: Located
    public var header: Located?
    public var template: Located?
    public var environment: [Located]
}

/// `query NAME` or `header "Name"` in the api block: sent on every request, with a value from the client's
/// initializer (`as name`, or a query parameter's own name), the environment, or `= "default"`.
public struct DefaultParameterSyntax: Sendable {
    public var isHeader: Bool
    /// The initializer argument; nil for a header without `as`, which only the environment or its default sets.
    public var name: Located?
    public var wireName: Located
    public var value: Located?
    public var environment: [Located]
}

/// A `keyword value` pair of a timeout or retry setting, e.g. `read 30` or `on 502, 503`.
public struct SettingSyntax: Sendable {
    public var key: Located
    public var values: [Located]
}

public indirect enum TypeSyntax: Sendable {
    case named(Located)
    case array(TypeSyntax, SourceRange)
    case map(key: TypeSyntax, value: TypeSyntax, SourceRange)
    case optional(TypeSyntax, SourceRange)

    public var range: SourceRange {
        switch self {
        case .named(let name): name.range
        case .array(_, let range), .map(_, _, let range), .optional(_, let range): range
        }
    }
}

public enum LiteralSyntax: Sendable {
    case string(Located)
    case number(Located)
    case bool(Bool, SourceRange)
    case null(SourceRange)
    case emptyArray(SourceRange)
    case emptyObject(SourceRange)

    public var range: SourceRange {
        switch self {
        case .string(let value), .number(let value): value.range
        case .bool(_, let range), .null(let range), .emptyArray(let range), .emptyObject(let range): range
        }
    }
}

/// A model field, query parameter, header or multipart part: `wire_name [as swiftName]: Type [= default]`.
public struct FieldSyntax: Sendable {
    public var doc: [String]
    public var wireName: Located
    public var swiftName: Located?
    public var type: TypeSyntax
    public var defaultValue: LiteralSyntax?
    /// `file-url` after the type: the field holds links to files.
    public var fileURL: SourceRange?
    /// `joined ","` after a query array's type: its items go in one value, joined by that text.
    public var separator: Located?
    /// Every modifier written, where; checked against where the field is (`FieldModifier.allowed`).
    var modifiers: [(FieldModifier, SourceRange)] = []
}

public struct ModelSyntax: Sendable {
    public var doc: [String]
    public var name: Located
    public var fields: [FieldSyntax]
}

public struct EnumSyntax: Sendable {
    public struct Case: Sendable {
        public var doc: [String]
        /// The value on the wire: an identifier, a string or a whole number.
        public var value: Located
        public var isNumber: Bool
        public var swiftName: Located?
    }

    public var doc: [String]
    public var name: Located
    public var rawType: Located?
    public var cases: [Case]
}

public struct UnionSyntax: Sendable {
    public struct Variant: Sendable {
        public var doc: [String]
        /// The discriminator's value on the wire.
        public var value: Located
        public var swiftName: Located?
        public var model: Located
    }

    /// A case of a union without a discriminator, chosen by the JSON's shape: `text: String`.
    public struct Choice: Sendable {
        public var doc: [String]
        public var name: Located
        public var type: TypeSyntax
    }

    public var doc: [String]
    public var name: Located
    /// nil for a union decided by shape, whose cases are `choices`.
    public var discriminator: Located?
    public var variants: [Variant]
    public var choices: [Choice] = []
}

public struct PaginationSyntax: Sendable {
    public var doc: [String]
    public var name: Located
    /// `next-link`, `cursor` or `page-number`.
    public var style: Located
    public var settings: [SettingSyntax]
}

/// `job name { state jobState ... }`: how a long-running job reports its state.
public struct JobSyntax: Sendable {
    public var doc: [String]
    public var name: Located
    public var settings: [SettingSyntax]
}

/// A resource parameter bound once and shared by everything inside: `get(_ name: String)`.
public struct ResourceParameterSyntax: Sendable {
    public var label: Located?
    public var name: Located
    public var type: TypeSyntax
}

public struct ResourceSyntax: Sendable {
    public var doc: [String]
    public var name: Located
    public var parameters: [ResourceParameterSyntax]
    public var typeName: Located?
    public var path: Located?
    public var endpoints: [EndpointSyntax]
    public var resources: [ResourceSyntax]
}

public struct EndpointSyntax: Sendable {
    public enum Body: Sendable {
        case type(TypeSyntax)
        case multipart([FieldSyntax], SourceRange)
        /// `body form { fields }`: an `application/x-www-form-urlencoded` body.
        case form([FieldSyntax], SourceRange)
    }

    public var doc: [String]
    public var name: Located
    public var method: Located
    public var path: Located
    public var response: TypeSyntax?
    public var pathParameters: [FieldSyntax] = []
    /// `path NAME from body`: placeholders filled from the JSON body's field of that wire name.
    public var pathFromBody: [(name: Located, source: Located)] = []
    public var query: [FieldSyntax] = []
    /// `query NAME from body`: query items sent with the JSON body's field of that wire name.
    public var queryFromBody: [(name: Located, source: Located)] = []
    public var headers: [FieldSyntax] = []
    public var body: Body?
    public var paginate: Located?
    /// `stream sse|ndjson [reconnect] [end "SENTINEL"]`: the framing, the `reconnect` word if written, and the data
    /// that ends the stream.
    public var stream: (framing: Located, reconnect: Located?, end: Located?)?
    /// `upload chunked [chunk-size N]`: the protocol word and the chunk size if written.
    public var upload: (style: Located, chunkSize: Located?)?
    /// `poll RULE`: this endpoint reads a job's status by that job rule.
    public var poll: Located?
    /// `starts ENDPOINT`: this endpoint starts a job whose status that endpoint of the same resource reads.
    public var starts: Located?
    public var timeouts: [SettingSyntax] = []
    public var idempotent: SourceRange?
}
