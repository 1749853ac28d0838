import Foundation

/// Checks a syntax tree for meaning (names resolve, nothing collides, paths match their parameters) and builds the
/// validated `API`. Collects every problem rather than stopping at the first.
public struct Validator {
    private let syntax: SpecSyntax
    private var diagnostics: [Diagnostic] = []
    /// Declared type names (Swift spelling) → kind and where declared.
    private var declaredTypes: [String: (kind: TypeRef.DeclaredKind, range: SourceRange)] = [:]
    private var enums: [String: Enumeration] = [:]
    private var paginations: [String: Pagination] = [:]
    private var jobs: [String: JobPolling] = [:]
    /// Validated models by Swift name, for endpoints that read a field of their body.
    private var models: [String: Model] = [:]

    public init(_ syntax: SpecSyntax) {
        self.syntax = syntax
    }

    /// The validated API, or nil with diagnostics when the spec has problems.
    public mutating func validate() -> (API?, [Diagnostic]) {
        let apis = syntax.declarations.compactMap { if case .api(let api) = $0 { api } else { nil } }
        for extra in apis.dropFirst() {
            error("a spec describes one API, but this is a second 'api' declaration", at: extra.name.range,
                  hint: "put \(extra.name.text) in a spec file of its own")
        }
        declareTypes()
        var types: [TypeDeclaration] = []
        var paginationList: [Pagination] = []
        var resources: [Resource] = []
        var resourceNames: [String: SourceRange] = [:]
        for declaration in syntax.declarations {
            switch declaration {
            case .model(let model):
                let validated = validate(model)
                models[validated.name] = validated
                types.append(.model(validated))
            case .enumeration(let syntax): if let value = enums[Naming.upperCamel(syntax.name.text)] { types.append(.enumeration(value)) }
            case .union(let union): types.append(.union(validate(union)))
            case .api, .pagination, .job, .resource: break
            }
        }
        for case .resource(let resource) in syntax.declarations {
            let validated = validate(resource, parentPath: "", parentOperation: "", bound: [])
            unique(validated.swiftName, at: resource.name.range, in: &resourceNames, what: "resource")
            resources.append(validated)
        }
        for declaration in syntax.declarations {
            if case .pagination(let rule) = declaration, let validated = paginations[rule.name.text] {
                paginationList.append(validated)
            }
        }
        guard let apiSyntax = apis.first else {
            error("the spec declares no API", at: SourceRange(SourceLocation(line: 1, column: 1)),
                  hint: "start the file with: api Name { base-url \"https://example.com\" }")
            return (nil, diagnostics)
        }
        var api = validate(apiSyntax)
        api.types = types
        api.paginations = paginationList
        api.jobs = syntax.declarations.compactMap { declaration in
            if case .job(let rule) = declaration { jobs[rule.name.text] } else { nil }
        }
        api.resources = resources
        return diagnostics.isEmpty ? (api, diagnostics) : (nil, diagnostics)
    }

    // MARK: API

    private mutating func validate(_ syntax: APISyntax) -> API {
        let name = Naming.upperCamel(syntax.name.text)
        var api = API(
            doc: syntax.doc, name: name, baseURL: "", baseURLEnvironment: [], auth: [], defaultQuery: [],
            timeouts: TimeoutSettings(), retry: RetrySettings(), dateFormat: "iso8601", types: [], paginations: [],
            resources: [])
        if let (url, environment) = syntax.baseURL {
            if let parsed = URL(string: url.text), ["http", "https"].contains(parsed.scheme ?? ""), parsed.host != nil {
                api.baseURL = url.text
            } else {
                error("'\(url.text)' is not an http or https URL", at: url.range, hint: "e.g. \"https://api.example.com/v1\"")
            }
            api.baseURLEnvironment = environment.map(\.text)
        } else {
            error("API \(syntax.name.text) has no base URL", at: syntax.name.range,
                  hint: "add: base-url \"https://api.example.com\"")
        }
        var parameterNames: [String: SourceRange] = ["baseURL": syntax.name.range, "options": syntax.name.range]
        for auth in syntax.auth {
            let swiftName = Naming.lowerCamel(auth.name.text)
            unique(swiftName, at: auth.name.range, in: &parameterNames, what: "client parameter")
            let kind: Auth.Kind
            if ["bearer", "basic"].contains(auth.scheme.text), let extra = auth.header {
                error("a \(auth.scheme.text) scheme takes no header name or template", at: extra.range,
                      hint: "only 'header' schemes name their header: auth \(auth.name.text): header \"Name\" \"Token {token}\"")
            }
            switch auth.scheme.text {
            case "header":
                guard let header = auth.header else {
                    error("a header scheme needs the header's name", at: auth.scheme.range,
                          hint: "e.g. auth \(auth.name.text): header \"X-Api-Key\"")
                    continue
                }
                if !isToken(header.text) { error("'\(header.text)' is not a valid header name", at: header.range) }
                let template = auth.template?.text ?? "{token}"
                if !template.contains("{token}") {
                    error("the header template has no '{token}'", at: auth.template!.range,
                          hint: "write where the secret goes, e.g. \"Token {token}\"")
                }
                kind = .header(name: header.text, template: template)
            case "bearer": kind = .header(name: "Authorization", template: "Bearer {token}")
            case "basic": kind = .basic
            default:
                error("unknown auth scheme '\(auth.scheme.text)'", at: auth.scheme.range,
                      hint: suggest(auth.scheme.text, ["header", "bearer", "basic"]) ?? "use header, bearer or basic")
                continue
            }
            api.auth.append(Auth(swiftName: swiftName, kind: kind, environment: auth.environment.map(\.text)))
        }
        for query in syntax.defaultQuery {
            let swiftName = Naming.lowerCamel(query.name.text)
            unique(swiftName, at: query.name.range, in: &parameterNames, what: "client parameter")
            api.defaultQuery.append(
                DefaultQueryParameter(swiftName: swiftName, wireName: query.wireName.text, environment: query.environment.map(\.text)))
        }
        api.timeouts = timeouts(syntax.timeouts)
        api.retry = retry(syntax.retry)
        if let dates = syntax.dates {
            if ["iso8601", "seconds", "milliseconds"].contains(dates.text) {
                api.dateFormat = dates.text
            } else {
                error("unknown date format '\(dates.text)'", at: dates.range,
                      hint: suggest(dates.text, ["iso8601", "seconds", "milliseconds"]) ?? "use iso8601, seconds or milliseconds")
            }
        }
        return api
    }

    private mutating func timeouts(_ settings: [SettingSyntax]) -> TimeoutSettings {
        var timeouts = TimeoutSettings()
        for setting in settings {
            guard let seconds = positiveNumber(setting) else { continue }
            switch setting.key.text {
            case "connect": timeouts.connect = seconds
            case "read": timeouts.read = seconds
            case "total": timeouts.total = seconds
            default:
                error("unknown timeout '\(setting.key.text)'", at: setting.key.range,
                      hint: suggest(setting.key.text, ["connect", "read", "total"]) ?? "timeouts are connect, read and total")
            }
        }
        return timeouts
    }

    private mutating func retry(_ settings: [SettingSyntax]) -> RetrySettings {
        var retry = RetrySettings()
        let keys = ["attempts", "backoff", "max-backoff", "on", "max-retry-after", "none"]
        for setting in settings {
            switch setting.key.text {
            case "none": retry.attempts = 1
            case "on":
                retry.statuses = setting.values.compactMap { value in
                    guard let status = Int(value.text), (100...599).contains(status) else {
                        error("'\(value.text)' is not an HTTP status", at: value.range, hint: "e.g. on 429, 503")
                        return nil
                    }
                    return status
                }
            case "attempts":
                guard let value = positiveNumber(setting) else { continue }
                if value != value.rounded() {
                    error("attempts must be a whole number", at: setting.values[0].range)
                }
                retry.attempts = Int(value)
            case "backoff": if let value = positiveNumber(setting) { retry.backoff = value }
            case "max-backoff": if let value = positiveNumber(setting) { retry.maxBackoff = value }
            case "max-retry-after": if let value = positiveNumber(setting) { retry.maxRetryAfter = value }
            default:
                error("unknown retry setting '\(setting.key.text)'", at: setting.key.range,
                      hint: suggest(setting.key.text, keys) ?? "retry settings are \(keys.joined(separator: ", "))")
            }
        }
        return retry
    }

    private mutating func positiveNumber(_ setting: SettingSyntax) -> Double? {
        guard setting.values.count == 1, let value = Double(setting.values[0].text), value > 0 else {
            error("'\(setting.key.text)' takes one positive number", at: setting.values.first?.range ?? setting.key.range,
                  hint: "e.g. \(setting.key.text) 30")
            return nil
        }
        return value
    }

    // MARK: Types

    /// Records every declared type name first, so declarations may refer to ones further down the file.
    private mutating func declareTypes() {
        for declaration in syntax.declarations {
            let name: Located
            let kind: TypeRef.DeclaredKind
            switch declaration {
            case .model(let model): (name, kind) = (model.name, .model)
            case .enumeration(let enumeration): (name, kind) = (enumeration.name, .enumeration)
            case .union(let union): (name, kind) = (union.name, .union)
            case .pagination(let rule):
                if paginations[rule.name.text] != nil {
                    error("pagination rule '\(rule.name.text)' is declared twice", at: rule.name.range)
                }
                paginations[rule.name.text] = validate(rule)
                continue
            case .job(let rule):
                if jobs[rule.name.text] != nil {
                    error("job rule '\(rule.name.text)' is declared twice", at: rule.name.range)
                }
                jobs[rule.name.text] = validate(rule)
                continue
            default: continue
            }
            let swiftName = Naming.upperCamel(name.text)
            if Naming.reservedTypeNames.contains(swiftName) {
                let owner = Naming.runtimeTypeNames.contains(swiftName) ? "BinderyRuntime" : "Swift"
                error("'\(swiftName)' would hide \(owner)'s own \(swiftName)", at: name.range,
                      hint: "give it a more specific name, e.g. 'Api\(swiftName)' or one from its domain")
            } else if let existing = declaredTypes[swiftName] {
                error("'\(name.text)' is declared twice; the first is at line \(existing.range.start.line)",
                      at: name.range, hint: swiftName == name.text ? nil : "names are compared after conversion to \(swiftName)")
            } else if TypeRef.Primitive(rawValue: swiftName) != nil {
                error("'\(swiftName)' is a built-in type", at: name.range)
            }
            declaredTypes[swiftName] = declaredTypes[swiftName] ?? (kind, name.range)
        }
        for declaration in syntax.declarations {
            if case .enumeration(let syntax) = declaration { enums[Naming.upperCamel(syntax.name.text)] = validate(syntax) }
        }
    }

    private mutating func resolve(_ type: TypeSyntax, allowFile: Bool = false, allowBytes: Bool = false) -> TypeRef {
        switch type {
        case .named(let name):
            if let primitive = TypeRef.Primitive(rawValue: name.text) {
                if primitive == .file, !allowFile {
                    error("'File' is only for multipart parts and request bodies", at: name.range)
                }
                if primitive == .bytes, !allowBytes {
                    error("'Bytes' is only for request and response bodies", at: name.range,
                          hint: "for binary data inside JSON use String (base64)")
                }
                return .primitive(primitive)
            }
            let swiftName = Naming.upperCamel(name.text)
            guard let declared = declaredTypes[swiftName] else {
                let known = Array(declaredTypes.keys) + TypeRef.Primitive.allCases.map(\.rawValue)
                error("unknown type '\(name.text)'", at: name.range,
                      hint: suggest(name.text, known) ?? "declare it with 'model \(name.text) { ... }'")
                return .primitive(.json)
            }
            return .declared(swiftName, declared.kind)
        case .array(let element, _):
            return .array(resolve(element))
        case .map(let key, let value, let range):
            if case .named(let name) = key, name.text == "String" {
            } else {
                error("map keys must be String", at: range, hint: "write [String: \(describe(value))]")
            }
            return .map(resolve(value))
        case .optional(let wrapped, let range):
            if case .optional = wrapped { error("'??' is one '?' too many", at: range) }
            return .optional(resolve(wrapped, allowFile: allowFile))
        }
    }

    private func describe(_ type: TypeSyntax) -> String {
        switch type {
        case .named(let name): name.text
        case .array(let element, _): "[\(describe(element))]"
        case .map(let key, let value, _): "[\(describe(key)): \(describe(value))]"
        case .optional(let wrapped, _): describe(wrapped) + "?"
        }
    }

    private mutating func fields(
        _ syntax: [FieldSyntax], in owner: String, allowFile: Bool = false, fileURLs: Bool = false
    ) -> [Field] {
        var wireNames: [String: SourceRange] = [:]
        var swiftNames: [String: SourceRange] = [:]
        return syntax.map { field in
            unique(field.wireName.text, at: field.wireName.range, in: &wireNames, what: "field")
            let swiftName = swiftName(for: field.wireName, explicit: field.swiftName)
            if wireNames[field.wireName.text] == field.wireName.range {
                unique(swiftName, at: field.swiftName?.range ?? field.wireName.range, in: &swiftNames,
                       what: "field", hint: "write '\(field.wireName.text) as otherName: ...' to choose another Swift name")
            }
            let type = resolve(field.type, allowFile: allowFile)
            if let marker = field.fileURL {
                if !fileURLs {
                    error("only a model's fields can be marked file-url", at: marker)
                } else if ![.primitive(.string), .primitive(.json), .array(.primitive(.string))].contains(type.wrapped) {
                    error("a file-url field is a String, [String] or JSON", at: marker, hint: "remove file-url, or change the type")
                }
            }
            return Field(
                doc: field.doc, wireName: field.wireName.text, swiftName: swiftName, type: type,
                defaultValue: field.defaultValue.flatMap { defaultValue($0, for: type) }, isFileURL: field.fileURL != nil)
        }
    }

    private mutating func swiftName(for wireName: Located, explicit: Located?) -> String {
        if let explicit {
            if !Naming.isIdentifier(explicit.text) { error("'\(explicit.text)' is not a Swift name", at: explicit.range) }
            return explicit.text
        }
        let name = Naming.lowerCamel(wireName.text)
        if !Naming.isIdentifier(name) {
            error("'\(wireName.text)' has no Swift name", at: wireName.range,
                  hint: "give it one: \"\(wireName.text)\" as someName")
        }
        return name
    }

    private mutating func defaultValue(_ literal: LiteralSyntax, for type: TypeRef) -> DefaultValue? {
        func mismatch(_ what: String) -> DefaultValue? {
            error("\(what) is not a value of this field's type", at: literal.range)
            return nil
        }
        switch (literal, type.wrapped) {
        case (.null, _):
            return type.isOptional ? .null : mismatch("null")
        case (.string(let text), .primitive(.string)):
            return .string(text.text)
        case (.string(let text), .declared(let name, .enumeration)), (.number(let text), .declared(let name, .enumeration)):
            guard let enumeration = enums[name] else { return nil }
            if let match = enumeration.cases.first(where: { $0.rawValue == text.text }) { return .enumCase(match.swiftName) }
            error("'\(text.text)' is not a value of \(name)", at: text.range,
                  hint: suggest(text.text, enumeration.cases.map(\.rawValue)))
            return nil
        case (.number(let text), .primitive(.int)), (.number(let text), .primitive(.int64)):
            return Int(text.text) != nil ? .integer(text.text) : mismatch("'\(text.text)'")
        case (.number(let text), .primitive(.double)):
            return .number(text.text)
        case (.bool(let value, _), .primitive(.bool)):
            return .bool(value)
        case (.emptyArray, .array):
            return .emptyArray
        case (.emptyObject, .map), (.emptyObject, .primitive(.json)):
            return .emptyObject
        case (.emptyArray, .primitive(.json)):
            return .emptyArray
        case (.string(let text), _): return mismatch("\"\(text.text)\"")
        case (.number(let text), _): return mismatch("'\(text.text)'")
        case (.bool(let value, _), _): return mismatch("'\(value)'")
        case (.emptyArray, _): return mismatch("'[]'")
        case (.emptyObject, _): return mismatch("'{}'")
        }
    }

    private mutating func validate(_ syntax: ModelSyntax) -> Model {
        Model(doc: syntax.doc, name: Naming.upperCamel(syntax.name.text),
              fields: fields(syntax.fields, in: syntax.name.text, fileURLs: true))
    }

    private mutating func validate(_ syntax: EnumSyntax) -> Enumeration {
        let isInteger: Bool
        switch syntax.rawType?.text {
        case nil, "String": isInteger = false
        case "Int": isInteger = true
        case let other?:
            error("an enum's raw type is String or Int, not '\(other)'", at: syntax.rawType!.range)
            isInteger = false
        }
        var values: [String: SourceRange] = [:]
        var names: [String: SourceRange] = ["unknown": syntax.name.range]
        var cases: [Enumeration.Case] = []
        for item in syntax.cases {
            unique(item.value.text, at: item.value.range, in: &values, what: "value")
            if isInteger, !item.isNumber {
                error("\(syntax.name.text) has Int values, but '\(item.value.text)' is not a number", at: item.value.range)
            }
            if !isInteger, item.isNumber {
                error("\(syntax.name.text) has String values; write \"\(item.value.text)\" in quotes", at: item.value.range)
            }
            if isInteger, item.swiftName == nil {
                error("an Int case needs a name", at: item.value.range, hint: "write: \(item.value.text) as someName")
                continue
            }
            let swiftName = self.swiftName(for: item.value, explicit: item.swiftName)
            if swiftName == "unknown" {
                error("'unknown' is the case for values the spec does not list", at: item.swiftName?.range ?? item.value.range,
                      hint: "name this case differently: \(item.value.text) as otherName")
                continue
            }
            unique(swiftName, at: item.swiftName?.range ?? item.value.range, in: &names, what: "case")
            cases.append(Enumeration.Case(doc: item.doc, swiftName: swiftName, rawValue: item.value.text))
        }
        if syntax.cases.isEmpty { error("enum \(syntax.name.text) has no cases", at: syntax.name.range) }
        return Enumeration(doc: syntax.doc, name: Naming.upperCamel(syntax.name.text), isInteger: isInteger, cases: cases)
    }

    private mutating func validate(_ syntax: UnionSyntax) -> Union {
        var values: [String: SourceRange] = [:]
        var names: [String: SourceRange] = ["unknown": syntax.name.range]
        var variants: [Union.Variant] = []
        for variant in syntax.variants {
            unique(variant.value.text, at: variant.value.range, in: &values, what: "discriminator value")
            let swiftName = self.swiftName(for: variant.value, explicit: variant.swiftName)
            unique(swiftName, at: variant.swiftName?.range ?? variant.value.range, in: &names, what: "case",
                   hint: "name it: \"\(variant.value.text)\" as otherName: \(variant.model.text)")
            let model = resolve(.named(variant.model))
            guard case .declared(let modelName, .model) = model else {
                if case .primitive(.json) = model {} else {
                    error("a union variant must be a model", at: variant.model.range)
                }
                continue
            }
            variants.append(Union.Variant(doc: variant.doc, value: variant.value.text, swiftName: swiftName, model: modelName))
        }
        if syntax.variants.isEmpty { error("union \(syntax.name.text) has no variants", at: syntax.name.range) }
        return Union(doc: syntax.doc, name: Naming.upperCamel(syntax.name.text), discriminator: syntax.discriminator.text, variants: variants)
    }

    private mutating func validate(_ syntax: PaginationSyntax) -> Pagination? {
        guard let style = Pagination.Style(rawValue: syntax.style.text) else {
            let styles = Pagination.Style.allCases.map(\.rawValue)
            error("unknown pagination style '\(syntax.style.text)'", at: syntax.style.range,
                  hint: suggest(syntax.style.text, styles) ?? "styles are \(styles.joined(separator: ", "))")
            return nil
        }
        var rule = Pagination(name: syntax.name.text, style: style, items: ["results"])
        switch style {
        case .nextLink: (rule.next, rule.count) = (["next"], ["count"])
        case .cursor: (rule.next, rule.cursorParameter) = (["next"], "cursor")
        case .pageNumber: (rule.count, rule.pageParameter, rule.pageSizeParameter) = (["count"], "page", "page_size")
        }
        let allowed: [String] = switch style {
        case .nextLink: ["items", "next", "count", "page-size-param"]
        case .cursor: ["items", "next", "cursor-param", "page-size-param"]
        case .pageNumber: ["items", "count", "page-param", "page-size-param"]
        }
        for setting in syntax.settings {
            guard allowed.contains(setting.key.text) else {
                error("'\(setting.key.text)' is not a setting of \(style.rawValue) pagination", at: setting.key.range,
                      hint: suggest(setting.key.text, allowed) ?? "settings are \(allowed.joined(separator: ", "))")
                continue
            }
            guard setting.values.count == 1 else {
                error("'\(setting.key.text)' takes one value", at: setting.values.dropFirst().first?.range ?? setting.key.range,
                      hint: "nested keys are written with dots: meta.pagination.next_cursor")
                continue
            }
            let value = setting.values[0].text
            let path = value.split(separator: ".").map(String.init)
            switch setting.key.text {
            case "items": rule.items = path
            case "next": rule.next = path
            case "count": rule.count = path
            case "cursor-param": rule.cursorParameter = value
            case "page-param": rule.pageParameter = value
            default: rule.pageSizeParameter = value
            }
        }
        return rule
    }

    private mutating func validate(_ syntax: JobSyntax) -> JobPolling {
        var rule = JobPolling(name: syntax.name.text)
        let keys = ["state", "processing", "failed", "message", "details", "progress", "timeout", "interval", "max-interval"]
        for setting in syntax.settings {
            let paths = setting.values.map { $0.text.split(separator: ".").map(String.init) }
            switch setting.key.text {
            case "state", "message", "details":
                guard paths.count == 1 else {
                    error("'\(setting.key.text)' takes one key", at: setting.values.dropFirst().first?.range ?? setting.key.range,
                          hint: "nested keys are written with dots: status.state")
                    continue
                }
                switch setting.key.text {
                case "state": rule.state = paths[0]
                case "message": rule.message = paths[0]
                default: rule.details = paths[0]
                }
            case "processing": rule.processing = setting.values.map(\.text)
            case "failed": rule.failed = setting.values.map(\.text)
            case "progress": rule.progress = paths
            case "timeout": rule.timeout = positiveNumber(setting)
            case "interval": rule.interval = positiveNumber(setting)
            case "max-interval": rule.maxInterval = positiveNumber(setting)
            default:
                error("'\(setting.key.text)' is not a job setting", at: setting.key.range,
                      hint: suggest(setting.key.text, keys) ?? "settings are \(keys.joined(separator: ", "))")
            }
        }
        if rule.processing.isEmpty {
            error("job rule '\(syntax.name.text)' needs the states that mean the job is still running", at: syntax.name.range,
                  hint: "e.g. processing PENDING, STARTED")
        }
        return rule
    }

    // MARK: Resources and endpoints

    private mutating func validate(
        _ syntax: ResourceSyntax, parentPath: String, parentOperation: String, bound: [Resource.BoundParameter]
    ) -> Resource {
        let swiftName = Naming.lowerCamel(syntax.name.text)
        let typeName = syntax.typeName.map { Naming.upperCamel($0.text) } ?? Naming.upperCamel(syntax.name.text)
        var parameters: [Resource.BoundParameter] = []
        for parameter in syntax.parameters {
            let type = resolve(parameter.type)
            checkParameterType(type, at: parameter.type.range, in: "path")
            var label: String?
            if let written = parameter.label { label = written.text == "_" ? "_" : Naming.lowerCamel(written.text) }
            parameters.append(
                Resource.BoundParameter(label: label, swiftName: Naming.lowerCamel(parameter.name.text), wireName: parameter.name.text, type: type))
        }
        let path = join(parentPath, syntax.path?.text ?? "")
        let operation = parentOperation.isEmpty ? swiftName : parentOperation + "." + swiftName
        let allBound = bound + parameters
        var memberNames: [String: SourceRange] = [:]
        var endpoints: [Endpoint] = []
        for endpoint in syntax.endpoints {
            guard let validated = validate(endpoint, resourcePath: path, operation: operation, bound: allBound) else { continue }
            unique(validated.swiftName, at: endpoint.name.range, in: &memberNames, what: "endpoint or resource",
                   hint: "endpoints of one resource need different names")
            if case .page = validated.response {
                unique(validated.swiftName + "All", at: endpoint.name.range, in: &memberNames, what: "endpoint or resource",
                       hint: "a paginated endpoint also makes \(validated.swiftName)All, for every item")
            }
            endpoints.append(validated)
        }
        for (index, endpoint) in endpoints.enumerated() {
            guard let source = syntax.endpoints.first(where: { Naming.lowerCamel($0.name.text) == endpoint.swiftName }),
                let starts = source.starts
            else { continue }
            guard let status = endpoints.first(where: { $0.swiftName == Naming.lowerCamel(starts.text) }),
                case .status(let rule)? = status.job, case .json(let result) = status.response
            else {
                error("'\(starts.text)' is not an endpoint of this resource that reads a job's status", at: starts.range,
                      hint: "declare it beside this one, with 'poll RULE'")
                continue
            }
            // The status endpoint's path parameters come from the start endpoint's own, else from the start answer.
            let arguments = allBound.map { Endpoint.JobArgument(swiftName: $0.swiftName) }
                + status.pathParameters.map { parameter in
                    if endpoint.pathParameters.contains(where: { $0.wireName == parameter.wireName }) {
                        return Endpoint.JobArgument(swiftName: parameter.swiftName)
                    }
                    if let field = endpoint.bodyPathFields.first(where: { $0.wireName == parameter.wireName }) {
                        return Endpoint.JobArgument(swiftName: parameter.swiftName, source: .bodyField(field.swiftName))
                    }
                    return Endpoint.JobArgument(swiftName: parameter.swiftName, source: .answerField(parameter.wireName))
                }
            endpoints[index].job = .start(rule: rule, status: status.swiftName, result: result, arguments: arguments)
        }
        var resources: [Resource] = []
        for child in syntax.resources {
            let validated = validate(child, parentPath: path, parentOperation: operation, bound: allBound)
            unique(validated.swiftName, at: child.name.range, in: &memberNames, what: "endpoint or resource")
            resources.append(validated)
        }
        return Resource(doc: syntax.doc, swiftName: swiftName, typeName: typeName, parameters: parameters, endpoints: endpoints, resources: resources)
    }

    private mutating func validate(
        _ syntax: EndpointSyntax, resourcePath: String, operation: String, bound: [Resource.BoundParameter]
    ) -> Endpoint? {
        let methods = ["GET", "PUT", "POST", "PATCH", "DELETE", "HEAD"]
        let method = syntax.method.text.uppercased()
        if !methods.contains(method) {
            error("unknown HTTP method '\(syntax.method.text)'", at: syntax.method.range,
                  hint: suggest(method, methods) ?? "methods are \(methods.joined(separator: ", "))")
        }
        let swiftName = Naming.lowerCamel(syntax.name.text)
        let path = join(resourcePath, syntax.path.text)
        var parameterNames: [String: SourceRange] = [:]
        for parameter in bound { parameterNames[parameter.swiftName] = syntax.name.range }

        // Path parameters: every {name} is declared here or bound by an enclosing resource, and every one declared is used.
        let placeholders = pathPlaceholders(syntax.path)
        let boundNames = Set(bound.map(\.wireName))
        var pathParameters: [Parameter] = []
        for field in syntax.pathParameters {
            if let marker = field.fileURL { error("only a model's fields can be marked file-url", at: marker) }
            let type = resolve(field.type)
            checkParameterType(type, at: field.type.range, in: "path")
            if type.isOptional { error("a path parameter cannot be optional", at: field.type.range) }
            if !placeholders.contains(where: { $0.name == field.wireName.text }) {
                error("path parameter '\(field.wireName.text)' is not used in the path \"\(syntax.path.text)\"",
                      at: field.wireName.range, hint: "add {\(field.wireName.text)} to the path or remove this line")
            }
            let name = self.swiftName(for: field.wireName, explicit: field.swiftName)
            unique(name, at: field.wireName.range, in: &parameterNames, what: "parameter")
            pathParameters.append(Parameter(doc: field.doc, wireName: field.wireName.text, swiftName: name, type: type))
        }
        for placeholder in placeholders where !syntax.pathParameters.contains(where: { $0.wireName.text == placeholder.name })
            && !syntax.pathFromBody.contains(where: { $0.name.text == placeholder.name }) && !boundNames.contains(placeholder.name)
        {
            error("the path uses {\(placeholder.name)} but no path parameter declares it", at: placeholder.range,
                  hint: "declare it in the endpoint's block: path \(placeholder.name): String")
        }

        var body: Endpoint.Body?
        switch syntax.body {
        case nil: break
        case .type(let type)?:
            let resolved = resolve(type, allowFile: true, allowBytes: true)
            body = resolved == .primitive(.bytes) ? .bytes : resolved == .primitive(.file) ? .file : .json(resolved)
            if method == "GET" || method == "HEAD" {
                error("a \(method) request has no body", at: type.range, hint: "send the values as query parameters")
            }
        case .multipart(let parts, _)?:
            let fields = self.fields(parts, in: syntax.name.text, allowFile: true)
            for field in fields { unique(field.swiftName, at: syntax.name.range, in: &parameterNames, what: "parameter") }
            body = .multipart(fields.map { Parameter(doc: $0.doc, wireName: $0.wireName, swiftName: $0.swiftName, type: $0.type, defaultValue: $0.defaultValue) })
        }
        if case .json? = body { parameterNames["body"] = parameterNames["body"] ?? syntax.name.range }
        let bodyPathFields = syntax.pathFromBody.compactMap { bodyPathField($0, body: body, placeholders: placeholders, syntax) }

        func parameters(_ fields: [FieldSyntax], in location: String) -> [Parameter] {
            fields.map { field in
                if let marker = field.fileURL { error("only a model's fields can be marked file-url", at: marker) }
                let type = resolve(field.type)
                checkParameterType(type, at: field.type.range, in: location)
                let name = self.swiftName(for: field.wireName, explicit: field.swiftName)
                unique(name, at: field.swiftName?.range ?? field.wireName.range, in: &parameterNames, what: "parameter",
                       hint: "write '\(field.wireName.text) as otherName: ...' to choose another Swift name")
                return Parameter(doc: field.doc, wireName: field.wireName.text, swiftName: name, type: type,
                                 defaultValue: field.defaultValue.flatMap { defaultValue($0, for: type) })
            }
        }
        let query = parameters(syntax.query, in: "query")
        let headers = parameters(syntax.headers, in: "header")
        for header in syntax.headers where !isToken(header.wireName.text) {
            error("'\(header.wireName.text)' is not a valid header name", at: header.wireName.range)
        }

        var response = Endpoint.Response.empty
        if let type = syntax.response {
            let resolved = resolve(type, allowBytes: true)
            response = resolved == .primitive(.bytes) ? .bytes : .json(resolved)
        }
        if let rule = syntax.paginate {
            if paginations[rule.text] == nil {
                error("unknown pagination rule '\(rule.text)'", at: rule.range,
                      hint: suggest(rule.text, Array(paginations.keys)) ?? "declare it: pagination \(rule.text): next-link { }")
            } else if case .json(.array(let item)) = response {
                response = .page(item: item, rule: rule.text)
            } else {
                error("a paginated endpoint returns its item list, e.g. -> [Item]", at: syntax.response?.range ?? syntax.name.range)
            }
        }
        if let stream = syntax.stream {
            response = streamResponse(stream, response: response, syntax)
        }
        var timeouts: TimeoutSettings?
        if !syntax.timeouts.isEmpty { timeouts = self.timeouts(syntax.timeouts) }
        var chunkedUpload: Int?
        if let upload = syntax.upload { chunkedUpload = validateUpload(upload, response: response, syntax) }
        var job: Endpoint.JobRole?
        if let rule = syntax.poll {
            if jobs[rule.text] == nil {
                error("unknown job rule '\(rule.text)'", at: rule.range,
                      hint: suggest(rule.text, Array(jobs.keys)) ?? "declare it: job \(rule.text) { state status processing PENDING }")
            } else if case .json = response {
                job = .status(rule: rule.text)
            } else {
                error("a job's status endpoint returns the job's result, e.g. -> Result", at: syntax.response?.range ?? rule.range)
            }
        }
        if let starts = syntax.starts {
            if let response = syntax.response {
                error("a job's start endpoint returns the job; its result type is the status endpoint's", at: response.range)
            }
            if syntax.poll != nil { error("an endpoint either starts a job or reads its status", at: starts.range) }
            response = .json(.primitive(.json))
        }
        return Endpoint(
            doc: syntax.doc, swiftName: swiftName, operationID: operation + "." + swiftName, method: method, path: path,
            pathParameters: pathParameters, bodyPathFields: bodyPathFields, query: query, headers: headers, body: body, response: response,
            timeouts: timeouts, idempotent: syntax.idempotent != nil, chunkedUpload: chunkedUpload, job: job)
    }

    /// A placeholder filled from the JSON body (`path entityId from body`): the body model's field of that wire name.
    private mutating func bodyPathField(
        _ line: (name: Located, source: Located), body: Endpoint.Body?, placeholders: [(name: String, range: SourceRange)],
        _ syntax: EndpointSyntax
    ) -> Parameter? {
        guard line.source.text == "body" else {
            error("a path value comes from the body, found '\(line.source.text)'", at: line.source.range,
                  hint: "write path \(line.name.text) from body, or declare it: path \(line.name.text): String")
            return nil
        }
        if !placeholders.contains(where: { $0.name == line.name.text }) {
            error("path parameter '\(line.name.text)' is not used in the path \"\(syntax.path.text)\"", at: line.name.range,
                  hint: "add {\(line.name.text)} to the path or remove this line")
        }
        guard case .json(.declared(let modelName, .model))? = body, let model = models[modelName] else {
            error("only a model body has fields to fill the path from", at: line.source.range,
                  hint: "give the endpoint a body of a model type with a '\(line.name.text)' field")
            return nil
        }
        guard let field = model.fields.first(where: { $0.wireName == line.name.text }) else {
            error("\(modelName) has no field '\(line.name.text)'", at: line.name.range,
                  hint: suggest(line.name.text, model.fields.map(\.wireName)) ?? "add the field to \(modelName)")
            return nil
        }
        checkParameterType(field.type, at: line.name.range, in: "path")
        if field.type.isOptional {
            error("\(modelName).\(line.name.text) is optional, and a path needs a value", at: line.name.range,
                  hint: "make the field non-optional")
        }
        return Parameter(doc: [], wireName: line.name.text, swiftName: field.swiftName, type: field.type)
    }

    /// The chunk size of a chunked upload, 50 MiB unless the spec says otherwise.
    private mutating func validateUpload(
        _ upload: (style: Located, chunkSize: Located?), response: Endpoint.Response, _ syntax: EndpointSyntax
    ) -> Int? {
        guard upload.style.text == "chunked" else {
            error("unknown upload protocol '\(upload.style.text)'", at: upload.style.range,
                  hint: "write upload chunked (drf-chunked-upload: PUT chunks with Content-Range, POST the MD5)")
            return nil
        }
        if syntax.body != nil || syntax.paginate != nil || syntax.stream != nil {
            error("an upload endpoint sends the file itself: no body, pagination or stream", at: upload.style.range)
        }
        guard case .json = response else {
            error("an upload endpoint returns what its finalize answers, e.g. -> UploadResponse",
                  at: syntax.response?.range ?? upload.style.range)
            return nil
        }
        guard let written = upload.chunkSize else { return 50 << 20 }
        guard let size = Int(written.text), size > 0 else {
            error("a chunk size is a positive number of bytes", at: written.range)
            return nil
        }
        return size
    }

    private mutating func streamResponse(
        _ stream: (framing: Located, reconnect: Located?), response: Endpoint.Response, _ syntax: EndpointSyntax
    ) -> Endpoint.Response {
        guard let framing = Endpoint.EventFraming(rawValue: stream.framing.text) else {
            error("unknown stream framing '\(stream.framing.text)'", at: stream.framing.range,
                  hint: "write stream sse (Server-Sent Events) or stream ndjson (one JSON document a line)")
            return response
        }
        if syntax.paginate != nil {
            error("an endpoint either pages or streams, not both", at: stream.framing.range)
        }
        if let reconnect = stream.reconnect, framing != .sse {
            error("only Server-Sent Events carry the ids a reconnect resumes from", at: reconnect.range,
                  hint: "remove 'reconnect', or use stream sse")
        }
        switch response {
        case .json(let event): return .events(event: event, framing: framing, reconnects: stream.reconnect != nil)
        case .empty where framing == .sse: return .events(event: nil, framing: framing, reconnects: stream.reconnect != nil)
        default:
            error("a streaming endpoint returns its event type, e.g. -> Event", at: syntax.response?.range ?? stream.framing.range,
                  hint: framing == .sse ? "leave the response out to get the raw Server-Sent Events" : nil)
            return response
        }
    }

    private mutating func checkParameterType(_ type: TypeRef, at range: SourceRange, in location: String) {
        func isScalar(_ type: TypeRef) -> Bool {
            switch type {
            case .primitive(let primitive): [.string, .int, .int64, .double, .bool, .date, .url, .uuid].contains(primitive)
            case .declared(_, .enumeration): true
            default: false
            }
        }
        let wrapped = type.wrapped
        if isScalar(wrapped) { return }
        if location == "query", case .array(let element) = wrapped, isScalar(element) { return }
        error("a \(location) parameter must be a string, number, boolean, date, URL, UUID or enum\(location == "query" ? ", or an array of them" : "")",
              at: range)
    }

    /// The `{name}` placeholders of a path, with where each stands in the spec.
    private mutating func pathPlaceholders(_ path: Located) -> [(name: String, range: SourceRange)] {
        var placeholders: [(String, SourceRange)] = []
        var name: String?
        var start = 0
        for (offset, character) in path.text.enumerated() {
            let column = path.range.start.column + 1 + offset
            switch character {
            case "{":
                if name != nil { error("'{' inside a placeholder", at: SourceRange(SourceLocation(line: path.range.start.line, column: column))) }
                name = ""
                start = column
            case "}":
                guard let current = name else {
                    error("'}' without a matching '{'", at: SourceRange(SourceLocation(line: path.range.start.line, column: column)))
                    continue
                }
                let range = SourceRange(SourceLocation(line: path.range.start.line, column: start), length: current.count + 2)
                if current.isEmpty || !Naming.isIdentifier(current) {
                    error("'{\(current)}' is not a valid placeholder", at: range, hint: "placeholders are names: {id}")
                } else {
                    placeholders.append((current, range))
                }
                name = nil
            default:
                name?.append(character)
            }
        }
        if name != nil {
            error("unclosed '{' in the path", at: SourceRange(SourceLocation(line: path.range.start.line, column: start)),
                  hint: "close the placeholder with '}'")
        }
        return placeholders
    }

    // MARK: Helpers

    private func join(_ prefix: String, _ path: String) -> String {
        if prefix.isEmpty { return path }
        if path.isEmpty { return prefix }
        return String(prefix.reversed().drop { $0 == "/" }.reversed()) + "/" + path.drop { $0 == "/" }
    }

    private func isToken(_ name: String) -> Bool {
        !name.isEmpty && name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "!#$%&'*+-.^_`|~".contains($0)) }
    }

    private mutating func unique(
        _ name: String, at range: SourceRange, in seen: inout [String: SourceRange], what: String, hint: String? = nil
    ) {
        if let first = seen[name] {
            error("\(what) name '\(name)' is used twice; the first is at line \(first.start.line)", at: range, hint: hint)
        } else {
            seen[name] = range
        }
    }

    private func suggest(_ name: String, _ candidates: [String]) -> String? {
        closest(to: name, in: candidates.sorted()).map { "did you mean '\($0)'?" }
    }

    private mutating func error(_ message: String, at range: SourceRange, hint: String? = nil) {
        diagnostics.append(Diagnostic(message, at: range, hint: hint))
    }
}
