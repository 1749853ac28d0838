/// What the templates render: the validated API as names and values, with every Swift spelling left to the
/// templates in Templates/Swift. Names are ready to declare (keywords in backticks); text that becomes a string
/// literal is already one (`Renderer.literal`); an optional that is nil renders as a false section.

/// A type as written in Swift: a name with an optional generic argument (`Page<Pet>`), an array, a dictionary with
/// String keys, or an optional. Exactly one of the four is set.
struct TypeView {
    var name: String?
    var generic: [TypeView] = []
    var arrayOf: [TypeView] = []
    var mapOf: [TypeView] = []
    var optionalOf: [TypeView] = []
}

/// A parameter of a declaration: `label name: Type = default`, the label left out when it is the name.
struct ParameterView {
    var label: String?
    var name: String
    var type: TypeView
    var defaultValue: String?
}

/// A parameter list, on one line when short and one parameter a line otherwise.
struct SignatureView {
    var parameters: [ParameterView]
    var multiline: Bool

    /// `name(label:label:)`, as documentation and the listing name a call.
    static func selector(_ name: String, _ parameters: [ParameterView]) -> String {
        name + "(" + parameters.map(\.selectorLabel).joined() + ")"
    }
}

extension ParameterView {
    /// `label:`, the parameter's part of a selector.
    var selectorLabel: String { (label ?? name) + ":" }
}

/// An argument of a call: `label: value`, or just the value.
struct ArgumentView {
    var label: String?
    var value: String
}

struct ClientView {
    var spec: String
    /// Which Bindery made the file.
    var binderyVersion = Generator.version
    var runtimeModule: String
    var doc: [String]
    var clientType: String
    var name: String
    var baseURL: String
    var baseURLSource: String
    var baseURLEnvironment: [String]
    var initParameters: [InitParameterView]
    var credentials: [ArgumentView]
    var parameters: [ArgumentView]
    var auth: [AuthView]
    var defaultQuery: [DefaultParameterView]
    var defaultHeaders: [DefaultParameterView]
    var errorMessage: [StringsView]
    var idempotencyHeader: String?
    var version: String?
    var timeouts: [ArgumentView]
    var retry: [ArgumentView]
    var retryStatuses: [String]
    var maxRetryAfter: String
    var dateFormat: String
    var paginations: [RuleView]
    var jobs: [RuleView]
}

struct InitParameterView {
    var name: String
    var docText: String
}

struct AuthView {
    var name: String
    var header: HeaderAuthView?
    var environment: [String]
}

struct HeaderAuthView {
    var name: String
    var template: String
}

/// A query item or header sent on every request: the initializer argument's name (or `nil`) as a literal.
struct DefaultParameterView {
    var name: String
    var wireName: String
    var environment: [String]
    var value: String?
}

/// A pagination or job rule: a static member built from the spec's settings.
struct RuleView {
    var name: String
    var ruleName: String
    var arguments: [RuleArgumentView]
}

/// One argument of a rule: a value (a string or number literal, or an enum case), a list of strings, or a list of
/// key paths.
struct RuleArgumentView {
    var label: String
    var value: String?
    var strings: StringsView?
    var keyPaths: KeyPathsView?
}

/// String literals, written as an array.
struct StringsView {
    var items: [String]
}

struct KeyPathsView {
    var paths: [StringsView]
}

struct ModelsFileView {
    var spec: String
    /// Which Bindery made the file.
    var binderyVersion = Generator.version
    var runtimeModule: String
    var types: [DeclarationView]
}

/// One declared type; exactly one of the three is set.
struct DeclarationView {
    var model: ModelView?
    var enumeration: EnumView?
    var union: UnionView?
}

struct ModelView {
    var doc: [String]
    var name: String
    var fields: [FieldView]
    var initializerDoc: [String]
    var initializer: SignatureView
    /// A model with fields decodes them itself, through the runtime's `ModelContainer`.
    var hasFields: Bool
    var fileURLs: [FileURLRewriteView]
    var hasFileURLs: Bool
}

struct FieldView {
    var doc: [String]
    var name: String
    var type: TypeView
    /// Held behind a reference (`Indirect`), in `storage`: written out rather than as a property wrapper, which a
    /// `nonisolated` struct cannot have.
    var indirect: Bool
    var storage: String
    /// The field's wire name as a string literal, its key in `init(from:)` and `encode(to:)`.
    var wireName: String
    /// Whether `encode(to:)` leaves it out when nil.
    var optional: Bool
    /// How `init(from:)` reads it, when the model decodes by hand.
    var decodeIfPresent: Bool
    var decodedType: TypeView
    var fallback: String?
}

/// A field marked `file-url`, rewritten by `rewritingFileURLs`.
struct FileURLRewriteView {
    var name: String
    /// The field's wire name as a string literal, which the rewrite is told.
    var wireName: String
    var optional: Bool
    var json: Bool
    var array: Bool
    var string: Bool
}

struct EnumView {
    var doc: [String]
    var name: String
    var rawType: String
    var cases: [CaseView]
}

struct CaseView {
    var doc: [String]
    var name: String
    var literal: String
}

struct UnionView {
    var doc: [String]
    var name: String
    var indirect: Bool
    /// The discriminator field's literal; nil for a union decided by shape, whose cases are `choices`.
    var discriminator: String?
    var variants: [VariantView]
    var choices: [ChoiceView]
}

/// A case of a union decided by shape, with the pattern of the JSON it takes.
struct ChoiceView {
    var doc: [String]
    var name: String
    var type: TypeView
    var pattern: String
}

struct VariantView {
    var doc: [String]
    var name: String
    var literal: String
    var model: String
}

struct OperationsFileView {
    var spec: String
    /// Which Bindery made the file.
    var binderyVersion = Generator.version
    var runtimeModule: String
    var clientType: String
    var resources: [ResourceView]
}

struct ResourceView {
    var doc: [String]
    var name: String
    var typeName: String
    /// The accessor's parameters; none makes it a property.
    var accessor: [ParameterView]
    var hasAccessorParameters: Bool
    var memberwise: [ArgumentView]
    var stored: [StoredView]
    var endpoints: [EndpointView]
    var resources: [ResourceView]
}

/// A stored property of a resource: public, with a doc comment, when the resource's own accessor binds it.
struct StoredView {
    var doc: [String] = []
    var isPublic = false
    var name: String
    var type: TypeView
}

/// An endpoint's public calls and its request builder. Exactly one of the kinds is set.
struct EndpointView {
    var doc: [String]
    var name: String
    var callName: String
    var signature: SignatureView
    /// The builder's arguments: bound parameters, then the call's own.
    var arguments: [ArgumentView]
    var call: CallView?
    var paginated: PaginatedView?
    var upload: UploadView?
    var jobStatus: JobStatusView?
    var jobStart: JobStartView?
    var builder: BuilderView
}

/// A call that sends the request and answers the response (a stream's too): nil `returns` is Void.
struct CallView {
    var returns: TypeView?
}

struct PaginatedView {
    var allName: String
    var page: TypeView
    var item: TypeView
}

struct UploadView {
    var signature: SignatureView
    var result: TypeView
}

struct JobStatusView {
    var result: TypeView
    var rule: String
}

struct JobStartView {
    var result: TypeView
    var rule: String
    var status: String
    var statusArguments: [StatusArgumentView]
}

/// An argument of a started job's status request: a name in scope, a field of the body, or a field of the answer.
struct StatusArgumentView {
    var label: String
    var name: String?
    var bodyField: String?
    var answerField: String?
}

struct BuilderView {
    var signature: SignatureView
    var response: TypeView
    var operation: String
    var method: String
    var path: [PathPieceView]
    var query: [NameValueView]
    var hasQuery: Bool
    var headers: [NameValueView]
    var hasHeaders: Bool
    var body: BodyView?
    var options: [ArgumentView]
    var hasOptions: Bool
    var hasStatements: Bool
    var reader: ReaderView
}

/// Literal path text (already escaped for a string literal), or a value interpolated as one segment.
struct PathPieceView {
    var text: String?
    var value: String?
}

/// A query item, header or multipart part: its wire name as a literal and the Swift name holding its value.
struct NameValueView {
    var wireName: String
    var name: String
    /// A query array's separator, as a literal, when its items go in one value.
    var separator: String?
    /// Whether the value is written in bracket notation (`filter[status]=open`).
    var nested = false
}

/// A request body; exactly one is set.
struct BodyView {
    var json: Bool
    var bytes: Bool
    var file: Bool
    var multipart: MultipartView?
    /// The fields of a form body, added as query items are.
    var form: [NameValueView]?
}

struct MultipartView {
    var parts: [PartView]
}

/// A multipart part: a file read from disk, a value encoded as JSON, or else a scalar as text.
struct PartView {
    var wireName: String
    var name: String
    var file: Bool
    var bytes: Bool
    var json: Bool
}

/// How the response is read; exactly one is set.
struct ReaderView {
    var ignored: Bool
    var json: Bool
    var bytes: Bool
    var page: String?
    var rawEvents: Bool
    var events: Bool
    var ndjson: Bool
    var reconnects: Bool
    /// The literal that ends the stream, if any.
    var end: String?
}
