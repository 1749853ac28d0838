import Foundation

/// A generated source file.
public struct GeneratedFile: Hashable, Sendable {
    public var name: String
    public var contents: String
}

/// Renders a validated API into Swift files through the templates in Templates/. Swift spellings (types, literals,
/// signatures) are worked out here; the templates decide the layout.
public struct Renderer {
    private let api: API
    private let specName: String
    private let engine: TemplateEngine

    /// The templates the renderer reads, each also usable as a partial of the others.
    public static let templateNames = [
        "Header", "Client", "Models", "Model", "Enum", "Union", "ResourceFile", "Resource", "Endpoint", "Builder",
    ]

    public init(api: API, specName: String, templates: [String: String]) throws {
        self.api = api
        self.specName = specName
        var engine = TemplateEngine()
        for (name, source) in templates { try engine.register(name, source: source) }
        self.engine = engine
    }

    /// The names of the files `render()` produces for a spec, from its raw top-level resource names. The build
    /// plugin predicts them the same way before the generator runs.
    public static func fileNames(topLevelResources: [String]) -> [String] {
        ["Client.swift", "Models.swift"] + topLevelResources.map { "Client+\($0).swift" }
    }

    public func render(topLevelResourceNames: [String]) throws -> [GeneratedFile] {
        let header: TemplateValue = ["spec": .text(specName)]
        var files = [
            GeneratedFile(name: "Client.swift", contents: try engine.render("Client", clientContext(header))),
            GeneratedFile(name: "Models.swift", contents: try engine.render("Models", modelsContext(header))),
        ]
        for (resource, rawName) in zip(api.resources, topLevelResourceNames) {
            let context: TemplateValue = [
                "header": header, "clientType": .text(api.clientTypeName),
                "resource": resourceContext(resource, inherited: []),
            ]
            files.append(GeneratedFile(name: "Client+\(rawName).swift", contents: try engine.render("ResourceFile", context)))
        }
        return files
    }

    // MARK: Client

    private func clientContext(_ header: TemplateValue) -> TemplateValue {
        let environmentSource = api.baseURLEnvironment.map { "`$\($0)`" }.joined(separator: " or ")
        var initParameters: [TemplateValue] = []
        for auth in api.auth {
            let sent: String = switch auth.kind {
            case .header(let name, let template): "sent as `\(name): \(template)`"
            case .basic: "sent as the HTTP Basic user name"
            }
            initParameters.append(["name": .text(auth.swiftName), "docText": .text(parameterDoc(sent, auth.environment))])
        }
        for query in api.defaultQuery {
            initParameters.append([
                "name": .text(query.swiftName),
                "docText": .text(parameterDoc("sent as the `\(query.wireName)` query parameter", query.environment)),
            ])
        }
        let auth: [TemplateValue] = api.auth.map { auth in
            let kind: String = switch auth.kind {
            case .header(let name, let template): ".header(name: \(literal(name)), template: \(literal(template)))"
            case .basic: ".basic"
            }
            return ["name": .text(auth.swiftName), "kind": .text(kind), "environment": .text(list(auth.environment))]
        }
        let defaultQuery: [TemplateValue] = api.defaultQuery.map { query in
            ["name": .text(query.swiftName), "wireName": .text(query.wireName), "environment": .text(list(query.environment))]
        }
        let timeouts = [
            ("connect", api.timeouts.connect ?? 10), ("read", api.timeouts.read ?? 60),
        ].map { "\($0): \(number($1))" } + (api.timeouts.total.map { ["total: \(number($0))"] } ?? [])
        let retry = api.retry
        let paginations: [TemplateValue] = api.paginations.map { rule in
            var arguments = ["style: .\(paginationStyle(rule.style))", "items: \(list(rule.items))"]
            if let next = rule.next { arguments.append("next: \(list(next))") }
            if let count = rule.count { arguments.append("count: \(list(count))") }
            if let parameter = rule.cursorParameter { arguments.append("cursorParameter: \(literal(parameter))") }
            if let parameter = rule.pageParameter { arguments.append("pageParameter: \(literal(parameter))") }
            if let parameter = rule.pageSizeParameter { arguments.append("pageSizeParameter: \(literal(parameter))") }
            return ["name": .text(Naming.escaped(Naming.lowerCamel(rule.name))), "ruleName": .text(rule.name),
                    "arguments": .text(arguments.joined(separator: ", "))]
        }
        return [
            "header": header,
            "doc": docLines(api.doc.isEmpty ? ["A client for the \(api.name) API."] : api.doc),
            "clientType": .text(api.clientTypeName),
            "name": .text(api.name),
            "baseURL": .text(literal(api.baseURL)),
            "baseURLSource": .text(environmentSource.isEmpty ? "`\(api.baseURL)`" : "\(environmentSource), then `\(api.baseURL)`"),
            "baseURLEnvironment": .text(list(api.baseURLEnvironment)),
            "initParameters": .list(initParameters),
            "credentials": .text(dictionary(api.auth.map(\.swiftName))),
            "parameters": .text(dictionary(api.defaultQuery.map(\.swiftName))),
            "auth": .list(auth),
            "hasAuth": .bool(!auth.isEmpty),
            "defaultQuery": .list(defaultQuery),
            "hasDefaultQuery": .bool(!defaultQuery.isEmpty),
            "timeouts": .text(timeouts.joined(separator: ", ")),
            "retry": .text(
                "maxAttempts: \(retry.attempts), initialDelay: \(number(retry.backoff)), maxDelay: \(number(retry.maxBackoff)), "
                    + "retryableStatuses: [\(retry.statuses.map(String.init).joined(separator: ", "))], maxRetryAfter: \(number(retry.maxRetryAfter))"),
            "dateFormat": .text(["iso8601": "iso8601", "seconds": "secondsSince1970", "milliseconds": "millisecondsSince1970"][api.dateFormat]!),
            "paginations": .list(paginations),
            "hasPaginations": .bool(!paginations.isEmpty),
            "jobs": .list(api.jobs.map(jobRule)),
            "hasJobs": .bool(!api.jobs.isEmpty),
        ]
    }

    private func parameterDoc(_ sent: String, _ environment: [String]) -> String {
        environment.isEmpty ? sent.prefix(1).uppercased() + sent.dropFirst() + "."
            : sent.prefix(1).uppercased() + sent.dropFirst() + "; nil reads " + environment.map { "`$\($0)`" }.joined(separator: " or ") + "."
    }

    private func jobRule(_ rule: JobPolling) -> TemplateValue {
        var arguments = [
            "state: \(list(rule.state))", "processing: \(list(rule.processing))", "failed: \(list(rule.failed))",
        ]
        if let message = rule.message { arguments.append("message: \(list(message))") }
        if let details = rule.details { arguments.append("details: \(list(details))") }
        if !rule.progress.isEmpty { arguments.append("progress: [\(rule.progress.map(list).joined(separator: ", "))]") }
        if let timeout = rule.timeout { arguments.append("timeout: \(number(timeout))") }
        if let interval = rule.interval { arguments.append("interval: \(number(interval))") }
        if let maxInterval = rule.maxInterval { arguments.append("maxInterval: \(number(maxInterval))") }
        return ["name": .text(Naming.escaped(Naming.lowerCamel(rule.name))), "ruleName": .text(rule.name),
                "arguments": .text(arguments.joined(separator: ", "))]
    }

    private func paginationStyle(_ style: Pagination.Style) -> String {
        switch style {
        case .nextLink: "nextLink"
        case .cursor: "cursor"
        case .pageNumber: "pageNumber"
        }
    }

    // MARK: Models

    private func modelsContext(_ header: TemplateValue) -> TemplateValue {
        let types: [TemplateValue] = api.types.map { type in
            switch type {
            case .model(let model): ["model": modelContext(model)]
            case .enumeration(let enumeration): ["enumeration": enumContext(enumeration)]
            case .union(let union): ["union": unionContext(union)]
            }
        }
        return ["header": header, "types": .list(types)]
    }

    private func modelContext(_ model: Model) -> TemplateValue {
        let hasDefaults = model.fields.contains { $0.defaultValue != nil }
        let fields: [TemplateValue] = model.fields.map { field in
            let type = swiftType(field.type)
            let declName = Naming.escaped(field.swiftName)
            let decodeCall: String
            if let value = field.defaultValue {
                decodeCall = "decodeIfPresent(\(swiftType(field.type.wrapped)).self, forKey: .\(declName)) ?? \(swiftLiteral(value))"
            } else if field.type.isOptional {
                decodeCall = "decodeIfPresent(\(swiftType(field.type.wrapped)).self, forKey: .\(declName))"
            } else {
                decodeCall = "decode(\(type).self, forKey: .\(declName))"
            }
            return [
                "doc": docLines(field.doc), "declName": .text(declName), "type": .text(type),
                "renamed": .bool(field.wireName != field.swiftName), "wireName": .text(escapeLiteral(field.wireName)),
                "decodeCall": .text(decodeCall),
            ]
        }
        let parameters = model.fields.map { field in
            "\(Naming.escaped(field.swiftName)): \(swiftType(field.type))\(defaultClause(field.type, field.defaultValue))"
        }
        let rewrites: [TemplateValue] = model.fields.filter(\.isFileURL).map { field in
            let name = Naming.escaped(field.swiftName)
            let optional = field.type.isOptional ? "?" : ""
            let value: String = switch field.type.wrapped {
            case .primitive(.json): "\(name)\(optional).rewritingFileURLs(rewrite)"
            case .array: "\(name)\(optional).map(rewrite)"
            default: optional.isEmpty ? "rewrite(\(name))" : "\(name).map(rewrite)"
            }
            return .text("copy.\(name) = \(value)")
        }
        return [
            "doc": docLines(model.doc), "name": .text(model.name), "fields": .list(fields),
            "fileURLs": rewrites.isEmpty ? .bool(false) : ["rewrites": .list(rewrites)],
            "initParameters": .text(wrapped(parameters, indent: "    ")),
            "hasCodingKeys": .bool(hasDefaults || model.fields.contains { $0.wireName != $0.swiftName }),
            "hasDefaults": .bool(hasDefaults),
        ]
    }

    private func enumContext(_ enumeration: Enumeration) -> TemplateValue {
        let cases: [TemplateValue] = enumeration.cases.map { item in
            ["doc": docLines(item.doc), "declName": .text(Naming.escaped(item.swiftName)),
             "literal": .text(enumeration.isInteger ? item.rawValue : literal(item.rawValue))]
        }
        return ["doc": docLines(enumeration.doc), "name": .text(enumeration.name), "cases": .list(cases),
                "rawType": .text(enumeration.isInteger ? "Int" : "String")]
    }

    private func unionContext(_ union: Union) -> TemplateValue {
        let variants: [TemplateValue] = union.variants.map { variant in
            ["doc": docLines(variant.doc), "declName": .text(Naming.escaped(variant.swiftName)),
             "literal": .text(literal(variant.value)), "model": .text(variant.model)]
        }
        return ["doc": docLines(union.doc), "name": .text(union.name), "variants": .list(variants),
                "discriminator": .text(escapeLiteral(union.discriminator))]
    }

    // MARK: Resources

    private func resourceContext(_ resource: Resource, inherited: [Resource.BoundParameter]) -> TemplateValue {
        let bound = inherited + resource.parameters
        let memberwise = (["runtime: runtime"] + bound.map { "\($0.swiftName): \($0.swiftName)" }).joined(separator: ", ")
        let accessor: String
        if resource.parameters.isEmpty {
            accessor = "public var \(Naming.escaped(resource.swiftName)): \(resource.typeName) { \(resource.typeName)(\(memberwise)) }"
        } else {
            let parameters = resource.parameters.map { parameter in
                let label = parameter.label.map { $0 == parameter.swiftName ? "" : "\($0) " } ?? ""
                return "\(label)\(Naming.escaped(parameter.swiftName)): \(swiftType(parameter.type))"
            }
            accessor = "public func \(Naming.escaped(resource.swiftName))(\(parameters.joined(separator: ", "))) -> \(resource.typeName) { \(resource.typeName)(\(memberwise)) }"
        }
        let stored: [TemplateValue] = inherited.map { .text("let \(Naming.escaped($0.swiftName)): \(swiftType($0.type))") }
            + resource.parameters.map { .text("public let \(Naming.escaped($0.swiftName)): \(swiftType($0.type))") }
        return [
            "doc": docLines(resource.doc),
            "accessor": .text(accessor),
            "typeName": .text(resource.typeName),
            "storedParameters": .list(stored),
            "endpoints": .list(resource.endpoints.map { endpointContext($0, bound: bound) }),
            "resources": .list(resource.resources.map { resourceContext($0, inherited: bound) }),
        ]
    }

    private func endpointContext(_ endpoint: Endpoint, bound: [Resource.BoundParameter]) -> TemplateValue {
        let declName = Naming.escaped(endpoint.swiftName)
        var parameters: [(label: String, name: String, type: String, doc: [String])] = endpoint.pathParameters.map {
            ($0.swiftName, $0.swiftName, swiftType($0.type), $0.doc)
        }
        switch endpoint.body {
        case .json(let type)?: parameters.append(("_", "body", swiftType(type), []))
        case .multipart(let parts)?:
            parameters += parts.map { ($0.swiftName, $0.swiftName, swiftType($0.type) + defaultClause($0.type, $0.defaultValue), $0.doc) }
        case .bytes?: parameters.append(("_", "body", "Data", []))
        case .file?: parameters.append(("_", "file", "URL", []))
        case nil: break
        }
        parameters += (endpoint.query + endpoint.headers).map {
            ($0.swiftName, $0.swiftName, swiftType($0.type) + defaultClause($0.type, $0.defaultValue), $0.doc)
        }
        func declaration(_ parameter: (label: String, name: String, type: String, doc: [String])) -> String {
            let name = Naming.escaped(parameter.name)
            return (parameter.label == parameter.name ? name : "\(parameter.label) \(name)") + ": " + parameter.type
        }
        func argument(_ parameter: (label: String, name: String, type: String, doc: [String])) -> String {
            let name = Naming.escaped(parameter.name)
            return parameter.label == "_" ? name : "\(parameter.label): \(name)"
        }
        let boundParameters = bound.map { (label: $0.swiftName, name: $0.swiftName, type: swiftType($0.type), doc: [String]()) }
        let selector = (parameters.map { $0.label == "_" ? "_:" : "\($0.label):" }).joined()
        let response = responseType(endpoint.response)
        var doc = endpoint.doc.isEmpty ? ["Sends `\(endpoint.method) /\(endpoint.path)`."] : endpoint.doc
        let documented = parameters.filter { !$0.doc.isEmpty }
        if !documented.isEmpty {
            doc += ["", "- Parameters:"] + documented.map { "  - \($0.name): \($0.doc.joined(separator: " "))" }
        }
        return [
            "doc": docLines(doc),
            "declName": .text(declName),
            "signature": .text(wrapped(parameters.map(declaration), indent: "")),
            "returnClause": .text(response == "Void" ? "" : " -> \(response)"),
            "arguments": .text((boundParameters.map(argument) + parameters.map(argument)).joined(separator: ", ")),
            "callName": .text("\(endpoint.swiftName)(\(selector))"),
            "builderSignature": .text(wrapped((boundParameters + parameters).map(declaration), indent: "")),
            "responseType": .text(response),
            "upload": endpoint.chunkedUpload.map { chunkSize in
                [
                    "uploadSignature": .text(
                        wrapped(
                            parameters.map(declaration)
                                + ["file: URL", "resumingFrom location: URL? = nil", "chunkSize: Int = \(chunkSize)"],
                            indent: "")),
                ]
            } ?? .bool(false),
            "jobStatus": jobStatus(endpoint).map { rule in ["rule": .text(rule)] } ?? .bool(false),
            "jobStart": jobStart(endpoint) ?? .bool(false),
            "plain": .bool(endpoint.chunkedUpload == nil && endpoint.job == nil),
            "paginated": pagedItem(endpoint.response).map { item in
                ["allName": .text(Naming.escaped(endpoint.swiftName + "All")), "itemType": .text(item)]
            } ?? .bool(false),
            "statements": .list(builderStatements(endpoint).map { .text($0) }),
        ]
    }

    private func builderStatements(_ endpoint: Endpoint) -> [String] {
        var statements: [String] = []
        var arguments = [literal(endpoint.operationID), ".\(endpoint.method.lowercased())", pathLiteral(endpoint)]
        if !endpoint.query.isEmpty {
            statements.append("var query = QueryItems()")
            statements += endpoint.query.map { "query.add(\(literal($0.wireName)), \(Naming.escaped($0.swiftName)))" }
            arguments.append("query: query.items")
        }
        if !endpoint.headers.isEmpty {
            statements.append("var headers = HTTPHeaders()")
            statements += endpoint.headers.map { "headers.set(\(literal($0.wireName)), \(Naming.escaped($0.swiftName)))" }
            arguments.append("headers: headers")
        }
        switch endpoint.body {
        case .json?: arguments.append("body: .json(body)")
        case .multipart(let parts)?:
            statements.append("var form = MultipartForm()")
            statements += parts.map { part in
                let name = Naming.escaped(part.swiftName)
                switch part.type.wrapped {
                case .primitive(.file): return "form.add(\(literal(part.wireName)), file: \(name))"
                case .primitive(.string), .primitive(.int), .primitive(.int64), .primitive(.double), .primitive(.bool),
                    .primitive(.date), .primitive(.url), .primitive(.uuid), .declared(_, .enumeration):
                    return "form.add(\(literal(part.wireName)), \(name))"
                default: return "form.add(\(literal(part.wireName)), json: \(name))"
                }
            }
            arguments.append("body: .multipart(form.parts)")
        case .bytes?: arguments.append("body: .bytes(body, contentType: \"application/octet-stream\")")
        case .file?: arguments.append("body: .file(file, contentType: \"application/octet-stream\")")
        case nil: break
        }
        var options: [String] = []
        if let connect = endpoint.timeouts?.connect { options.append("connectTimeout: \(number(connect))") }
        if let read = endpoint.timeouts?.read { options.append("readTimeout: \(number(read))") }
        if let total = endpoint.timeouts?.total { options.append("deadline: \(number(total))") }
        if endpoint.idempotent { options.append("idempotent: true") }
        if !options.isEmpty { arguments.append("options: RequestOptions(\(options.joined(separator: ", ")))") }
        arguments.append("response: " + responseReader(endpoint.response))
        let call = "Request(\(arguments.joined(separator: ", ")))"
        statements.append(statements.isEmpty ? call : "return " + call)
        return statements
    }

    /// The path as a Swift string literal, each placeholder interpolated as one encoded segment.
    private func pathLiteral(_ endpoint: Endpoint) -> String {
        var text = ""
        var placeholder: String?
        for character in endpoint.path {
            switch character {
            case "{": placeholder = ""
            case "}":
                let name = placeholder ?? ""
                let value = endpoint.bodyPathFields.first { $0.wireName == name }.map { "body.\(Naming.escaped($0.swiftName))" }
                    ?? endpoint.pathParameters.first { $0.wireName == name }.map { Naming.escaped($0.swiftName) }
                text += "\\(segment: \(value ?? Naming.escaped(Naming.lowerCamel(name))))"
                placeholder = nil
            default:
                if placeholder != nil { placeholder!.append(character) } else { text += escapeLiteral(String(character)) }
            }
        }
        return "\"\(text)\""
    }

    private func jobStatus(_ endpoint: Endpoint) -> String? {
        guard case .status(let rule)? = endpoint.job else { return nil }
        return Naming.escaped(Naming.lowerCamel(rule))
    }

    private func jobStart(_ endpoint: Endpoint) -> TemplateValue? {
        guard case .start(let rule, let status, let result, let arguments)? = endpoint.job else { return nil }
        let passed = arguments.map { argument in
            let value = switch argument.source {
            case .parameter: Naming.escaped(argument.swiftName)
            case .bodyField(let field): "body.\(Naming.escaped(field))"
            case .answerField(let field): "try started.string(\(literal(field)))"
            }
            return "\(argument.swiftName): \(value)"
        }
        return [
            "rule": .text(Naming.escaped(Naming.lowerCamel(rule))),
            "resultType": .text(swiftType(result)),
            "statusCall": .text("Self.\(Naming.escaped(status))(\(passed.joined(separator: ", ")))"),
        ]
    }

    private func pagedItem(_ response: Endpoint.Response) -> String? {
        if case .page(let item, _) = response { return swiftType(item) }
        return nil
    }

    private func responseReader(_ response: Endpoint.Response) -> String {
        switch response {
        case .empty: ".ignored"
        case .json: ".json"
        case .bytes: ".bytes"
        case .page(_, let rule): ".page(.\(Naming.escaped(Naming.lowerCamel(rule))))"
        case .events(nil, _, let reconnects): reconnects ? ".serverSentEvents(reconnects: true)" : ".serverSentEvents()"
        case .events(_, let framing, let reconnects):
            ".events(\(framing == .sse ? ".serverSentEvents" : ".ndjson")\(reconnects ? ", reconnects: true" : ""))"
        }
    }

    private func responseType(_ response: Endpoint.Response) -> String {
        switch response {
        case .empty: "Void"
        case .json(let type): swiftType(type)
        case .bytes: "Data"
        case .page(let item, _): "Page<\(swiftType(item))>"
        case .events(let event, _, _): "EventStream<\(event.map(swiftType) ?? "ServerSentEvent")>"
        }
    }

    // MARK: Swift spellings

    private func swiftType(_ type: TypeRef) -> String {
        switch type {
        case .primitive(let primitive):
            switch primitive {
            case .json: "JSONValue"
            case .bytes: "Data"
            case .file: "URL"
            default: primitive.rawValue
            }
        case .declared(let name, _): name
        case .array(let element): "[\(swiftType(element))]"
        case .map(let value): "[String: \(swiftType(value))]"
        case .optional(let wrapped): swiftType(wrapped) + "?"
        }
    }

    private func defaultClause(_ type: TypeRef, _ value: DefaultValue?) -> String {
        if let value { return " = " + swiftLiteral(value) }
        return type.isOptional ? " = nil" : ""
    }

    private func swiftLiteral(_ value: DefaultValue) -> String {
        switch value {
        case .string(let text): literal(text)
        case .integer(let text), .number(let text): text
        case .bool(let flag): flag ? "true" : "false"
        case .null: "nil"
        case .emptyArray: "[]"
        case .emptyObject: "[:]"
        case .enumCase(let name): "." + Naming.escaped(name)
        }
    }

    private func docLines(_ lines: [String]) -> TemplateValue {
        .list(lines.map { .text($0.isEmpty ? "" : " " + $0) })
    }

    /// Parameters on one line when short, otherwise one a line.
    private func wrapped(_ parameters: [String], indent: String) -> String {
        let oneLine = parameters.joined(separator: ", ")
        if oneLine.count <= 80 { return oneLine }
        return "\n" + parameters.map { indent + "    " + $0 }.joined(separator: ",\n") + "\n" + indent
    }

    private func literal(_ text: String) -> String { "\"\(escapeLiteral(text))\"" }

    private func escapeLiteral(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n")
    }

    private func list(_ items: [String]) -> String { "[" + items.map(literal).joined(separator: ", ") + "]" }

    private func dictionary(_ names: [String]) -> String {
        names.isEmpty ? "[:]" : "[" + names.map { "\(literal($0)): \(Naming.escaped($0))" }.joined(separator: ", ") + "]"
    }

    private func number(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
    }
}
