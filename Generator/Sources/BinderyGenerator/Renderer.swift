import BinderyRules
import Foundation

/// A generated source file.
public struct GeneratedFile: Hashable, Sendable {
    public var name: String
    public var contents: String
}

/// Renders a validated API into Swift: it turns the API into views (`Views.swift`) of names and values, and the
/// templates in Templates/Swift spell all the Swift. Every file of `OutputFiles` is written, empty or not.
public struct Renderer {
    private let api: API
    private let specName: String
    /// What runtime type names are prefixed with: nothing, unless the API declares a type of the same name; then
    /// `BinderyRuntime.` on every one, so a spec may have its own `Page` or `Job`.
    private let runtimeModule: String

    public init(api: API, specName: String) {
        self.api = api
        self.specName = specName
        func resourceTypes(_ resource: Resource) -> [String] { [resource.typeName] + resource.resources.flatMap(resourceTypes) }
        let declared = [api.clientTypeName] + api.types.map(\.name) + api.resources.flatMap(resourceTypes)
        runtimeModule = declared.contains(where: Naming.runtimeTypeNames.contains) ? "BinderyRuntime." : ""
    }

    /// The files of `OutputFiles`, rendered with `templates` (by name).
    public func render(templates: [String: String]) throws -> [GeneratedFile] {
        var engine = TemplateEngine()
        for (name, source) in templates { try engine.register(name, source: source) }
        var files = [GeneratedFile(name: OutputFiles.client, contents: try engine.render("Client", view(clientView())))]
        for shard in 1...OutputFiles.shards {
            let name = OutputFiles.models(shard)
            let types = api.types.filter { OutputFiles.models(OutputFiles.shard(of: $0.name)) == name }.map(declarationView)
            files.append(GeneratedFile(
                name: name, contents: try engine.render("Models", view(ModelsFileView(spec: specName, runtimeModule: runtimeModule, types: types)))))
        }
        for shard in 1...OutputFiles.shards {
            let name = OutputFiles.operations(shard)
            let file = OperationsFileView(
                spec: specName, runtimeModule: runtimeModule, clientType: api.clientTypeName,
                resources: api.resources.filter { OutputFiles.operations(OutputFiles.shard(of: $0.typeName)) == name }
                    .map { resourceView($0, inherited: []) })
            files.append(GeneratedFile(name: name, contents: try engine.render("Operations", view(file))))
        }
        return files
    }

    /// The views of the top-level resources, as the operation files render them.
    func resourceViews() -> [ResourceView] {
        api.resources.map { resourceView($0, inherited: []) }
    }

    private func view(_ value: Any) -> TemplateValue { TemplateValue(reflecting: value) }

    // MARK: Client

    private func clientView() -> ClientView {
        let environmentSource = api.baseURLEnvironment.map { "`$\($0)`" }.joined(separator: " or ")
        var initParameters: [InitParameterView] = api.auth.map { auth in
            let sent: String = switch auth.kind {
            case .header(let name, let template): "sent as `\(name): \(template)`"
            case .basic: "sent as the HTTP Basic user name"
            }
            return InitParameterView(name: auth.name, docText: LineText.comment(parameterDoc(sent, auth.environment)))
        }
        initParameters += api.defaultParameters.compactMap { parameter in
            parameter.swiftName.map { name in
                let sent = parameter.isHeader ? "sent as the `\(parameter.wireName)` header" : "sent as the `\(parameter.wireName)` query parameter"
                return InitParameterView(
                    name: name,
                    docText: LineText.comment(parameterDoc(sent, parameter.environment) + (parameter.value.map { "; `\($0)` otherwise" } ?? "")))
            }
        }
        var timeouts = [
            ArgumentView(label: "connect", value: number(api.timeouts.connect)),
            ArgumentView(label: "read", value: number(api.timeouts.read)),
        ]
        if let total = api.timeouts.total { timeouts.append(ArgumentView(label: "total", value: number(total))) }
        let retry = api.retry
        return ClientView(
            spec: specName,
            runtimeModule: runtimeModule,
            doc: docLines(api.doc.isEmpty ? ["A client for the \(api.name) API."] : api.doc),
            clientType: api.clientTypeName,
            name: Self.literal(api.name),
            baseURL: Self.literal(api.baseURL),
            baseURLSource: LineText.comment(environmentSource.isEmpty ? "`\(api.baseURL)`" : "\(environmentSource), then `\(api.baseURL)`"),
            baseURLEnvironment: api.baseURLEnvironment.map(Self.literal),
            initParameters: initParameters,
            credentials: api.auth.map { ArgumentView(label: Self.literal($0.name), value: Naming.escaped($0.name)) },
            parameters: api.defaultParameters.compactMap { parameter in
                parameter.swiftName.map { ArgumentView(label: Self.literal($0), value: Naming.escaped($0)) }
            },
            auth: api.auth.map { auth in
                var header: HeaderAuthView?
                if case .header(let name, let template) = auth.kind {
                    header = HeaderAuthView(name: Self.literal(name), template: Self.literal(template))
                }
                return AuthView(name: Self.literal(auth.name), header: header, environment: auth.environment.map(Self.literal))
            },
            defaultQuery: api.defaultParameters.filter { !$0.isHeader }.map(defaultParameterView),
            defaultHeaders: api.defaultParameters.filter(\.isHeader).map(defaultParameterView),
            errorMessage: api.errorMessage.map(strings),
            idempotencyHeader: api.idempotencyHeader.map(Self.literal),
            version: api.version.map(Self.literal),
            timeouts: timeouts,
            retry: [
                ArgumentView(label: "maxAttempts", value: String(retry.maxAttempts)),
                ArgumentView(label: "initialDelay", value: number(retry.initialDelay)),
                ArgumentView(label: "maxDelay", value: number(retry.maxDelay)),
            ],
            retryStatuses: retry.retryableStatuses.sorted().map(String.init),
            maxRetryAfter: number(retry.maxRetryAfter),
            dateFormat: api.dateFormat.rawValue,
            paginations: api.paginations.map(paginationRule),
            jobs: api.jobs.map(jobRule))
    }

    private func parameterDoc(_ sent: String, _ environment: [String]) -> String {
        let sentence = sent.prefix(1).uppercased() + sent.dropFirst()
        return environment.isEmpty ? sentence + "." : sentence + "; nil reads " + environment.map { "`$\($0)`" }.joined(separator: " or ") + "."
    }

    /// A pagination rule as the arguments of `PaginationRule(...)`: every setting the rule has.
    private func paginationRule(_ named: NamedRule<PaginationRule>) -> RuleView {
        let rule = named.rule
        var arguments = [
            RuleArgumentView(label: "style", value: "." + rule.style.rawValue),
            RuleArgumentView(label: "items", strings: strings(rule.items)),
        ]
        let keyPaths: [(String, [String]?)] = [("next", rule.next), ("count", rule.count), ("hasMore", rule.hasMore)]
        for case let (label, path?) in keyPaths { arguments.append(RuleArgumentView(label: label, strings: strings(path))) }
        let parameters: [(String, String?)] = [
            ("cursorParameter", rule.cursorParameter), ("pageParameter", rule.pageParameter),
            ("pageSizeParameter", rule.pageSizeParameter), ("offsetParameter", rule.offsetParameter),
            ("limitParameter", rule.limitParameter),
        ]
        for case let (label, parameter?) in parameters { arguments.append(RuleArgumentView(label: label, value: Self.literal(parameter))) }
        return RuleView(name: ruleMember(named.name), ruleName: LineText.comment(named.name), arguments: arguments)
    }

    /// A job rule as the arguments of `JobRule(...)`: what differs from `JobRule`'s defaults.
    private func jobRule(_ named: NamedRule<JobRule>) -> RuleView {
        let rule = named.rule
        let defaults = JobRule(state: rule.state, processing: rule.processing, failed: rule.failed)
        var arguments = [
            RuleArgumentView(label: "state", strings: strings(rule.state)),
            RuleArgumentView(label: "processing", strings: strings(rule.processing.sorted())),
            RuleArgumentView(label: "failed", strings: strings(rule.failed.sorted())),
        ]
        if rule.succeeded != defaults.succeeded {
            arguments.append(RuleArgumentView(label: "succeeded", strings: strings(rule.succeeded.sorted())))
        }
        if let message = rule.message { arguments.append(RuleArgumentView(label: "message", strings: strings(message))) }
        if let details = rule.details { arguments.append(RuleArgumentView(label: "details", strings: strings(details))) }
        if rule.progress != defaults.progress {
            arguments.append(RuleArgumentView(label: "progress", keyPaths: KeyPathsView(paths: rule.progress.map(strings))))
        }
        if let timeout = rule.timeout { arguments.append(RuleArgumentView(label: "timeout", value: number(timeout))) }
        if rule.interval != defaults.interval { arguments.append(RuleArgumentView(label: "interval", value: number(rule.interval))) }
        if rule.maxInterval != defaults.maxInterval {
            arguments.append(RuleArgumentView(label: "maxInterval", value: number(rule.maxInterval)))
        }
        return RuleView(name: ruleMember(named.name), ruleName: LineText.comment(named.name), arguments: arguments)
    }

    private func strings(_ items: [String]) -> StringsView { StringsView(items: items.map(Self.literal)) }

    private func defaultParameterView(_ parameter: DefaultParameter) -> DefaultParameterView {
        DefaultParameterView(
            name: parameter.swiftName.map(Self.literal) ?? "nil", wireName: Self.literal(parameter.wireName),
            environment: parameter.environment.map(Self.literal), value: parameter.value.map(Self.literal))
    }

    private func ruleMember(_ name: String) -> String { Naming.escaped(Naming.lowerCamel(name)) }

    // MARK: Models

    private func declarationView(_ type: TypeDeclaration) -> DeclarationView {
        switch type {
        case .model(let model): DeclarationView(model: modelView(model))
        case .enumeration(let enumeration): DeclarationView(enumeration: enumView(enumeration))
        case .union(let union): DeclarationView(union: unionView(union))
        }
    }

    private func modelView(_ model: Model) -> ModelView {
        let fields = model.fields.map { field in
            let decodedPlain = field.defaultValue != nil || field.type.isOptional
            return FieldView(
                doc: docLines(field.doc, otherwise: fieldDoc(field)), name: Naming.escaped(field.swiftName), type: typeView(field.type),
                indirect: field.isIndirect, storage: "_" + field.swiftName, wireName: Self.literal(field.wireName),
                optional: field.type.isOptional,
                decodeIfPresent: decodedPlain, decodedType: typeView(decodedPlain ? field.type.wrapped : field.type),
                fallback: field.defaultValue.map(literal))
        }
        let parameters = model.fields.map { field in
            ParameterView(
                name: Naming.escaped(field.swiftName), type: typeView(field.type),
                defaultValue: defaultArgument(field.type, field.defaultValue))
        }
        let rewrites = model.fields.filter(\.isFileURL).map { field in
            let type = field.type.wrapped
            return FileURLRewriteView(
                name: Naming.escaped(field.swiftName), wireName: Self.literal(field.wireName), optional: field.type.isOptional, json: type == .primitive(.json),
                array: type == .array(.primitive(.string)), string: type == .primitive(.string))
        }
        let optionalArguments = parameters.contains { $0.defaultValue != nil }
        return ModelView(
            doc: docLines(model.doc, otherwise: "A JSON object of the \(api.name) API."), name: model.name, fields: fields,
            initializerDoc: docLines([
                fields.isEmpty ? "Creates the value." : optionalArguments
                    ? "Creates the value from its fields; those with a default may be left out."
                    : "Creates the value from its fields.",
            ]),
            initializer: signature(parameters),
            hasFields: !fields.isEmpty, fileURLs: rewrites, hasFileURLs: !rewrites.isEmpty)
    }

    private func enumView(_ enumeration: Enumeration) -> EnumView {
        EnumView(
            doc: docLines(
                enumeration.doc,
                otherwise: "The \(enumeration.isInteger ? "numbers" : "strings") the API uses here, and `unknown` for any other."),
            name: enumeration.name, rawType: enumeration.isInteger ? "Int" : "String",
            cases: enumeration.cases.map { item in
                CaseView(
                    doc: docLines(item.doc, otherwise: "`\(item.rawValue)` on the wire."), name: Naming.escaped(item.swiftName),
                    literal: enumeration.isInteger ? item.rawValue : Self.literal(item.rawValue))
            })
    }

    private func unionView(_ union: Union) -> UnionView {
        UnionView(
            doc: docLines(
                union.doc,
                otherwise: union.discriminator.map { "One of several objects, told apart by their `\($0)` field." }
                    ?? "One of several shapes of JSON, told apart by their shape."),
            name: union.name, indirect: union.isIndirect,
            discriminator: union.discriminator.map(Self.literal),
            variants: union.variants.map { variant in
                VariantView(
                    doc: docLines(
                        variant.doc, otherwise: "A `\(variant.model)`, whose `\(union.discriminator ?? "")` is `\(variant.value)`."),
                    name: Naming.escaped(variant.swiftName), literal: Self.literal(variant.value),
                    model: variant.model)
            },
            choices: union.choices.map { choice in
                ChoiceView(
                    doc: docLines(choice.doc, otherwise: "Taken when the JSON is \(Self.describe(choice.shape))."), name: Naming.escaped(choice.swiftName), type: typeView(choice.type),
                    pattern: pattern(for: choice.shape))
            })
    }

    /// `shape` in words: "a string", "an object with `id` and `name`".
    private static func describe(_ shape: Union.Choice.Shape) -> String {
        switch shape {
        case .string: "a string"
        case .integer: "a whole number"
        case .number: "a number"
        case .bool: "true or false"
        case .array: "an array"
        case .object(let keys) where keys.isEmpty: "an object"
        case .object(let keys): "an object with " + keys.map { "`\($0)`" }.joined(separator: ", ")
        }
    }

    /// A field's doc comment when the spec gives none: its wire name, and what it holds when absent.
    private func fieldDoc(_ field: Field) -> String {
        if let defaultValue = field.defaultValue {
            return "The `\(field.wireName)` field; `\(literal(defaultValue))` when absent."
        }
        return field.type.isOptional ? "The `\(field.wireName)` field; nil when absent." : "The `\(field.wireName)` field."
    }

    /// The `switch` pattern that matches a JSON value of `shape`.
    private func pattern(for shape: Union.Choice.Shape) -> String {
        switch shape {
        case .string: ".string"
        case .integer: ".integer"
        case .number: ".integer, .number"
        case .bool: ".bool"
        case .array: ".array"
        case .object(let keys) where keys.isEmpty: ".object"
        case .object(let keys): ".object(let members) where \(runtimeModule)UntaggedUnion.members(members, contain: [\(keys.map(Self.literal).joined(separator: ", "))])"
        }
    }

    // MARK: Resources

    private func resourceView(_ resource: Resource, inherited: [Resource.BoundParameter]) -> ResourceView {
        let bound = inherited + resource.parameters
        let accessor = resource.parameters.map { parameter in
            ParameterView(
                label: parameter.label.flatMap { $0 == parameter.swiftName ? nil : $0 },
                name: Naming.escaped(parameter.swiftName), type: typeView(parameter.type))
        }
        return ResourceView(
            doc: docLines(resource.doc, otherwise: resourceDoc(resource)), name: Naming.escaped(resource.swiftName),
            typeName: resource.typeName,
            accessor: accessor, hasAccessorParameters: !accessor.isEmpty,
            memberwise: [ArgumentView(label: "runtime", value: "runtime")]
                + bound.map { ArgumentView(label: $0.swiftName, value: Naming.escaped($0.swiftName)) },
            stored: inherited.map { StoredView(name: Naming.escaped($0.swiftName), type: typeView($0.type)) }
                + resource.parameters.map { parameter in
                    StoredView(
                        doc: docLines([
                            parameter.inQuery
                                ? "Sent as the `\(parameter.wireName)` query item of these calls."
                                : "Fills `{\(parameter.wireName)}` in these calls' paths.",
                        ]),
                        isPublic: true,
                        name: Naming.escaped(parameter.swiftName), type: typeView(parameter.type))
                },
            endpoints: resource.endpoints.map { endpointView($0, bound: bound) },
            resources: resource.resources.map { resourceView($0, inherited: bound) })
    }

    /// A resource's doc comment when the spec gives none: the path its calls share.
    private func resourceDoc(_ resource: Resource) -> String {
        func paths(_ resource: Resource) -> [[Substring]] {
            resource.endpoints.map { $0.pathTemplate.split(separator: "/") } + resource.resources.flatMap(paths)
        }
        let all = paths(resource)
        var shared = all.first ?? []
        for path in all.dropFirst() {
            shared = Array(zip(shared, path).prefix { $0.0 == $0.1 }.map(\.0))
        }
        return shared.isEmpty ? "A group of the API's calls." : "The calls under `/\(shared.joined(separator: "/"))`."
    }

    private func endpointView(_ endpoint: Endpoint, bound: [Resource.BoundParameter]) -> EndpointView {
        var parameters: [ParameterView] = endpoint.pathParameters.map {
            ParameterView(name: Naming.escaped($0.swiftName), type: typeView($0.type))
        }
        switch endpoint.body {
        case .json(let type)?: parameters.append(ParameterView(label: "_", name: "body", type: typeView(type)))
        case .multipart(let parts)?, .form(let parts)?: parameters += parts.map(parameterView)
        case .bytes?: parameters.append(ParameterView(label: "_", name: "body", type: TypeView(name: "Data")))
        case .file?: parameters.append(ParameterView(label: "_", name: "file", type: TypeView(name: "URL")))
        case nil: break
        }
        parameters += (endpoint.query + endpoint.headers).map(parameterView)
        let boundParameters = bound.map { ParameterView(name: Naming.escaped($0.swiftName), type: typeView($0.type)) }
        // Keywords need no backticks as argument labels, and Swift warns when they have them.
        let arguments = (boundParameters + parameters).map { parameter in
            ArgumentView(
                label: parameter.label == "_" ? nil : (parameter.label ?? parameter.name).replacingOccurrences(of: "`", with: ""),
                value: parameter.name)
        }
        let callName = SignatureView.selector(endpoint.swiftName, parameters)
        var doc = endpoint.doc.isEmpty ? ["Sends `\(endpoint.method) /\(endpoint.pathTemplate)`."] : endpoint.doc
        doc += parametersDoc(endpoint)

        var view = EndpointView(
            doc: docLines(doc), name: Naming.escaped(endpoint.swiftName), callName: callName, signature: signature(parameters),
            arguments: arguments, builder: builderView(endpoint, signature: signature(boundParameters + parameters)))
        switch endpoint.kind {
        case .call, .stream:
            view.call = CallView(returns: view.builder.response.name == "Void" ? nil : view.builder.response)
        case .paginated(let item, _):
            view.call = CallView(returns: view.builder.response)
            view.paginated = PaginatedView(
                allName: Naming.escaped(endpoint.swiftName + "All"), page: view.builder.response, item: typeView(item))
        case .upload(let result, let rule):
            let upload = [
                ParameterView(name: "file", type: TypeView(name: "URL")),
                ParameterView(label: "resumingFrom", name: "location", type: TypeView(optionalOf: [TypeView(name: "URL")]), defaultValue: "nil"),
                ParameterView(name: "chunkSize", type: TypeView(name: "Int"), defaultValue: String(rule.chunkSize)),
            ]
            view.upload = UploadView(signature: signature(parameters + upload), result: typeView(result))
        case .jobStatus(let result, let rule):
            view.jobStatus = JobStatusView(result: typeView(result), rule: ruleMember(rule.name))
        case .jobStart(let start):
            view.jobStart = JobStartView(
                result: typeView(start.result), rule: ruleMember(start.rule.name), status: Naming.escaped(start.status),
                statusArguments: start.arguments.map { argument in
                    var view = StatusArgumentView(label: argument.swiftName)
                    switch argument.source {
                    case .value(.parameter(let name)): view.name = Naming.escaped(name)
                    case .value(.bodyField(let field)): view.bodyField = Naming.escaped(field)
                    case .answerField(let field): view.answerField = Self.literal(field)
                    }
                    return view
                })
        }
        return view
    }

    /// The `- Parameters:` list of an endpoint's calls when the spec documents any parameter, naming every one of
    /// them (DocC warns about a partial list): the spec's words, or where a value goes. Nothing when none is
    /// documented.
    private func parametersDoc(_ endpoint: Endpoint) -> [String] {
        var entries = endpoint.pathParameters.map { ($0, "The `\($0.wireName)` segment of the path.") }
        var bodyEntry: (name: String, text: String)?
        switch endpoint.body {
        case .multipart(let parts)?, .form(let parts)?: entries += parts.map { ($0, "The `\($0.wireName)` field of the form.") }
        case .json?: bodyEntry = ("body", "The request's body.")
        case .bytes?: bodyEntry = ("body", "The bytes sent as the body.")
        case .file?: bodyEntry = ("file", "The file sent as the body.")
        case nil: break
        }
        entries += endpoint.query.map { ($0, "Sent as the `\($0.wireName)` query item.") }
        entries += endpoint.headers.map { ($0, "Sent in the `\($0.wireName)` header.") }
        guard entries.contains(where: { !$0.0.doc.isEmpty }) else { return [] }
        var lines = entries.prefix(endpoint.pathParameters.count).map { "  - \($0.swiftName): " + describe($0, $1) }
        if let bodyEntry { lines.append("  - \(bodyEntry.name): \(bodyEntry.text)") }
        lines += entries.dropFirst(endpoint.pathParameters.count).map { "  - \($0.swiftName): " + describe($0, $1) }
        if case .upload = endpoint.kind {
            lines += [
                "  - file: The file to upload.",
                "  - location: Where an earlier upload of the file lives, to resume it; nil starts anew.",
                "  - chunkSize: Bytes a chunk.",
            ]
        }
        return ["", "- Parameters:"] + lines
    }

    private func describe(_ parameter: Parameter, _ otherwise: String) -> String {
        parameter.doc.isEmpty ? otherwise : parameter.doc.joined(separator: " ")
    }

    private func parameterView(_ parameter: Parameter) -> ParameterView {
        ParameterView(
            name: Naming.escaped(parameter.swiftName), type: typeView(parameter.type),
            defaultValue: defaultArgument(parameter.type, parameter.defaultValue))
    }

    private func builderView(_ endpoint: Endpoint, signature: SignatureView) -> BuilderView {
        let query = endpoint.query.map {
            NameValueView(
                wireName: Self.literal($0.wireName), name: Naming.escaped($0.swiftName), separator: $0.separator.map(Self.literal),
                nested: $0.type.isNested)
        }
            + endpoint.boundQuery.map { item in
                let value = switch item.value {
                case .parameter(let name): Naming.escaped(name)
                case .bodyField(let field): "body." + Naming.escaped(field)
                }
                return NameValueView(wireName: Self.literal(item.wireName), name: value)
            }
        let headers = endpoint.headers.map { NameValueView(wireName: Self.literal($0.wireName), name: Naming.escaped($0.swiftName)) }
        var body: BodyView?
        switch endpoint.body {
        case .json?: body = BodyView(json: true, bytes: false, file: false)
        case .bytes?: body = BodyView(json: false, bytes: true, file: false)
        case .file?: body = BodyView(json: false, bytes: false, file: true)
        case .multipart(let parts)?:
            body = BodyView(json: false, bytes: false, file: false, multipart: MultipartView(parts: parts.map { part in
                let isFile = [.primitive(.file), .array(.primitive(.file))].contains(part.type.wrapped)
                let isBytes = [.primitive(.bytes), .array(.primitive(.bytes))].contains(part.type.wrapped)
                return PartView(
                    wireName: Self.literal(part.wireName), name: Naming.escaped(part.swiftName), file: isFile,
                    bytes: isBytes, json: !isFile && !isBytes && !part.type.isScalar)
            }))
        case .form(let fields)?:
            body = BodyView(json: false, bytes: false, file: false, form: fields.map {
                NameValueView(wireName: Self.literal($0.wireName), name: Naming.escaped($0.swiftName), nested: $0.type.isNested)
            })
        case nil: break
        }
        var options: [ArgumentView] = []
        if let connect = endpoint.timeouts?.connect { options.append(ArgumentView(label: "connectTimeout", value: number(connect))) }
        if let read = endpoint.timeouts?.read { options.append(ArgumentView(label: "readTimeout", value: number(read))) }
        if let total = endpoint.timeouts?.total { options.append(ArgumentView(label: "deadline", value: number(total))) }
        if endpoint.idempotent { options.append(ArgumentView(label: "idempotent", value: "true")) }
        var reader = ReaderView(ignored: false, json: false, bytes: false, rawEvents: false, events: false, ndjson: false, reconnects: false)
        let response: TypeView
        switch endpoint.kind {
        case .call(.empty): (response, reader.ignored) = (TypeView(name: "Void"), true)
        case .call(.bytes): (response, reader.bytes) = (TypeView(name: "Data"), true)
        case .call(.json(let type)), .upload(let type, _), .jobStatus(let type, _): (response, reader.json) = (typeView(type), true)
        case .jobStart: (response, reader.json) = (runtimeType("JSONValue"), true)
        case .paginated(let item, let rule):
            response = runtimeType("Page", generic: [typeView(item)])
            reader.page = ruleMember(rule.name)
        case .stream(let event, let framing, let reconnects, let end):
            response = runtimeType("EventStream", generic: [event.map(typeView) ?? runtimeType("ServerSentEvent")])
            reader.rawEvents = event == nil
            reader.events = event != nil
            reader.ndjson = framing == .ndjson
            reader.reconnects = reconnects
            reader.end = end.map(Self.literal)
        }
        let path = endpoint.path.map { component in
            switch component {
            case .literal(let text): PathPieceView(text: LineText.escaped(text))
            case .placeholder(_, .parameter(let name)): PathPieceView(value: Naming.escaped(name))
            case .placeholder(_, .bodyField(let field)): PathPieceView(value: "body." + Naming.escaped(field))
            }
        }
        return BuilderView(
            signature: signature, response: response, operation: Self.literal(endpoint.operationID),
            method: endpoint.method.lowercased(), path: path, query: query, hasQuery: !query.isEmpty, headers: headers,
            hasHeaders: !headers.isEmpty, body: body, options: options, hasOptions: !options.isEmpty,
            hasStatements: !query.isEmpty || !headers.isEmpty || body?.multipart != nil || body?.form != nil, reader: reader)
    }

    // MARK: Values

    private func typeView(_ type: TypeRef) -> TypeView {
        switch type {
        case .primitive(.json): runtimeType("JSONValue")
        case .primitive(.bytes): TypeView(name: "Data")
        case .primitive(.file): TypeView(name: "URL")
        case .primitive(let primitive): TypeView(name: primitive.rawValue)
        case .declared(let name, _): TypeView(name: name)
        case .array(let element): TypeView(arrayOf: [typeView(element)])
        case .map(let value): TypeView(mapOf: [typeView(value)])
        case .optional(let wrapped): TypeView(optionalOf: [typeView(wrapped)])
        }
    }

    private func runtimeType(_ name: String, generic: [TypeView] = []) -> TypeView {
        TypeView(name: runtimeModule + name, generic: generic)
    }

    /// Parameters a line once there are more than three.
    private func signature(_ parameters: [ParameterView]) -> SignatureView {
        SignatureView(parameters: parameters, multiline: parameters.count > 3)
    }

    private func defaultArgument(_ type: TypeRef, _ value: DefaultValue?) -> String? {
        if let value { return literal(value) }
        return type.isOptional ? "nil" : nil
    }

    private func literal(_ value: DefaultValue) -> String {
        switch value {
        case .string(let text): Self.literal(text)
        case .integer(let text), .number(let text): text
        case .bool(let flag): flag ? "true" : "false"
        case .null: "nil"
        case .emptyArray: "[]"
        case .emptyObject: "[:]"
        case .enumCase(let name): "." + Naming.escaped(name)
        }
    }

    private func docLines(_ lines: [String]) -> [String] {
        lines.map { $0.isEmpty ? "" : " " + LineText.comment($0) }
    }

    /// The spec's doc comment, or when it has none `generated`: every public declaration is documented.
    private func docLines(_ lines: [String], otherwise generated: @autoclosure () -> String) -> [String] {
        docLines(lines.isEmpty ? [generated()] : lines)
    }


    /// `text` as a Swift string literal.
    static func literal(_ text: String) -> String { LineText.literal(text) }

    private func number(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }
}
