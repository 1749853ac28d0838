import BinderyRules

/// Resources and their endpoints: names that do not collide, paths whose placeholders all have a value, and for each
/// endpoint exactly one kind.
extension Validator {
    /// The members every client has, which a top-level resource may not take.
    private static let clientMembers = ["runtime", "send", "definition"]

    mutating func validateResources() -> [Resource] {
        var memberNames: [String: SourceRange] = [:]
        var resources: [Resource] = []
        for case .resource(let syntax) in syntax.declarations {
            guard let resource = validate(syntax, parentPath: [], parentOperation: "", bound: []) else { continue }
            if Self.clientMembers.contains(resource.swiftName) {
                error("'\(resource.swiftName)' is a member every client has", at: syntax.name.range,
                      hint: "name the resource differently: resource other as \(resource.typeName) ...")
            }
            unique(resource.swiftName, at: syntax.name.range, in: &memberNames, what: "resource")
            resources.append(resource)
        }
        return resources
    }

    /// Resource type names become nested types, which would hide a model or a Swift or runtime type of that name
    /// from the code inside them; sibling resources need distinct type names.
    mutating func checkResourceNames(_ resources: [Resource], clientType: String) {
        if let model = declaredTypes[clientType] {
            error("'\(clientType)' is the client's type name", at: model.range, hint: "name the type differently")
        }
        var resourceTypes: [String: SourceRange] = [:]
        for case .resource(let syntax) in syntax.declarations { checkTypeNames(syntax, clientType: clientType, siblings: &resourceTypes) }
    }

    private mutating func checkTypeNames(_ syntax: ResourceSyntax, clientType: String, siblings: inout [String: SourceRange]) {
        let located = syntax.typeName ?? syntax.name
        let typeName = Naming.upperCamel(located.text)
        if Naming.reservedTypeNames.contains(typeName) || declaredTypes[typeName] != nil || typeName == clientType {
            error("resource type '\(typeName)' would hide the type of that name", at: located.range,
                  hint: "choose its type name: resource \(syntax.name.text) as \(typeName)Resource ...")
        } else {
            unique(typeName, at: located.range, in: &siblings, what: "resource type",
                   hint: "choose its type name: resource \(syntax.name.text) as Other\(typeName) ...")
        }
        var children: [String: SourceRange] = [:]
        for child in syntax.resources { checkTypeNames(child, clientType: clientType, siblings: &children) }
    }

    private mutating func validate(
        _ syntax: ResourceSyntax, parentPath: [PathComponent], parentOperation: String, bound: [Resource.BoundParameter]
    ) -> Resource? {
        let swiftName = self.swiftName(for: syntax.name, explicit: nil, reserved: Naming.Reserved.members)
        let typeName = Naming.upperCamel(syntax.typeName?.text ?? syntax.name.text)
        if !Naming.isIdentifier(typeName) {
            error("'\(syntax.typeName?.text ?? syntax.name.text)' does not make a Swift type name",
                  at: (syntax.typeName ?? syntax.name).range, hint: "name its type: resource \(syntax.name.text) as Name ...")
        }
        // The resource's struct holds the runtime and every bound parameter; its members need other names.
        var memberNames: [String: SourceRange] = ["runtime": syntax.name.range]
        var parameters: [Resource.BoundParameter] = []
        for parameter in syntax.parameters {
            let type = resolve(parameter.type)
            checkParameterType(type, at: parameter.type.range, in: "path")
            var label: String?
            if let written = parameter.label { label = written.text == "_" ? "_" : self.swiftName(for: written, explicit: nil, reserved: []) }
            let name = self.swiftName(for: parameter.name, explicit: nil, reserved: Naming.Reserved.parameters)
            if bound.contains(where: { $0.swiftName == name }) {
                error("parameter '\(name)' is already bound by an enclosing resource", at: parameter.name.range)
            }
            parameters.append(Resource.BoundParameter(label: label, swiftName: name, wireName: parameter.name.text, type: type))
        }
        for parameter in bound + parameters { memberNames[parameter.swiftName] = syntax.name.range }
        var ownPath: [PathComponent] = []
        if let path = syntax.path {
            ownPath = pathPieces(path).compactMap { piece in
                guard case .placeholder(let name, let range) = piece else { return piece.literal }
                guard let parameter = (bound + parameters).first(where: { $0.wireName == name }) else {
                    error("the path uses {\(name)} but the resource binds no parameter of that name", at: range,
                          hint: "bind it: resource \(syntax.name.text)(\(name): String) ...")
                    return nil
                }
                return .placeholder(name: name, value: .parameter(parameter.swiftName))
            }
        }
        let inPath = Set(ownPath.compactMap { if case .placeholder(let name, _) = $0 { name } else { nil } })
        for index in parameters.indices where !inPath.contains(parameters[index].wireName) { parameters[index].inQuery = true }
        let allBound = bound + parameters
        let path = join(parentPath, ownPath)
        let operation = parentOperation.isEmpty ? swiftName : parentOperation + "." + swiftName

        var endpoints: [Endpoint] = []
        var startsLines: [(endpoint: Int, status: Located)] = []
        for endpoint in syntax.endpoints {
            guard let (validated, starts) = validate(endpoint, resourcePath: path, operation: operation, bound: allBound)
            else { continue }
            unique(validated.swiftName, at: endpoint.name.range, in: &memberNames, what: "endpoint or resource",
                   hint: "endpoints of one resource need different names")
            if case .paginated = validated.kind {
                unique(validated.swiftName + "All", at: endpoint.name.range, in: &memberNames, what: "endpoint or resource",
                       hint: "a paginated endpoint also makes \(validated.swiftName)All, for every item")
            }
            if let starts { startsLines.append((endpoints.count, starts)) }
            endpoints.append(validated)
        }
        for (index, status) in startsLines {
            if let start = jobStart(of: endpoints[index], statusName: status, among: endpoints, bound: allBound) {
                endpoints[index].kind = .jobStart(start)
            }
        }
        var resources: [Resource] = []
        for child in syntax.resources {
            guard let validated = validate(child, parentPath: path, parentOperation: operation, bound: allBound) else { continue }
            unique(validated.swiftName, at: child.name.range, in: &memberNames, what: "endpoint or resource")
            resources.append(validated)
        }
        return Resource(
            doc: syntax.doc, swiftName: swiftName, typeName: typeName, parameters: parameters, endpoints: endpoints,
            resources: resources)
    }

    /// How the job an endpoint starts is followed: its status endpoint, called with the values the start call
    /// already has for the status path's placeholders, and the start answer's fields for the rest.
    private mutating func jobStart(
        of endpoint: Endpoint, statusName: Located, among endpoints: [Endpoint], bound: [Resource.BoundParameter]
    ) -> Endpoint.JobStart? {
        guard let status = endpoints.first(where: { $0.swiftName == Naming.lowerCamel(statusName.text) }),
            case .jobStatus(let result, let rule) = status.kind
        else {
            error("'\(statusName.text)' is not an endpoint of this resource that reads a job's status", at: statusName.range,
                  hint: "declare it beside this one, with 'poll RULE'")
            return nil
        }
        var values: [String: PathValue] = [:]
        for case .placeholder(let name, let value) in endpoint.path { values[name] = value }
        let arguments = bound.map { Endpoint.JobArgument(swiftName: $0.swiftName, source: .value(.parameter($0.swiftName))) }
            + status.pathParameters.map { parameter in
                Endpoint.JobArgument(
                    swiftName: parameter.swiftName,
                    source: values[parameter.wireName].map { .value($0) } ?? .answerField(parameter.wireName))
            }
        return Endpoint.JobStart(rule: rule, status: status.swiftName, result: result, arguments: arguments)
    }

    /// The endpoint, and the status endpoint named by its `starts` line, which is resolved once the whole resource is.
    private mutating func validate(
        _ syntax: EndpointSyntax, resourcePath: [PathComponent], operation: String, bound: [Resource.BoundParameter]
    ) -> (Endpoint, Located?)? {
        let method = syntax.method.text.uppercased()
        if HTTPMethodKeyword(keyword: method) == nil {
            error("unknown HTTP method '\(syntax.method.text)'", at: syntax.method.range,
                  hint: suggest(method, HTTPMethodKeyword.keywords) ?? "methods are \(HTTPMethodKeyword.keywords.joined(separator: ", "))")
        }
        let swiftName = self.swiftName(for: syntax.name, explicit: nil, reserved: Naming.Reserved.members)
        var parameterNames: [String: SourceRange] = [:]
        for parameter in bound { parameterNames[parameter.swiftName] = syntax.name.range }
        // Names the generated call declares itself.
        if syntax.upload != nil {
            for name in ["file", "location", "chunkSize"] { parameterNames[name] = syntax.upload!.style.range }
        }
        switch syntax.body {
        case .type?: parameterNames["body"] = syntax.name.range
        case .multipart?, .form?, nil: break
        }

        var pathParameters: [Parameter] = []
        for field in syntax.pathParameters {
            checkModifiers(of: field, in: .path)
            let type = resolve(field.type)
            checkParameterType(type, at: field.type.range, in: "path")
            if type.isOptional { error("a path parameter cannot be optional", at: field.type.range) }
            let name = self.swiftName(for: field.wireName, explicit: field.swiftName, reserved: Naming.Reserved.parameters)
            unique(name, at: field.wireName.range, in: &parameterNames, what: "parameter")
            pathParameters.append(Parameter(doc: field.doc, wireName: field.wireName.text, swiftName: name, type: type))
        }

        let body = self.body(syntax, method: method, parameterNames: &parameterNames)
        let bodyFields = syntax.pathFromBody.compactMap { line in bodyField(line, body: body, in: "path").map { (line.name, $0) } }
        var used: Set<String> = []
        let ownPath: [PathComponent] = pathPieces(syntax.path).compactMap { piece in
            guard case .placeholder(let name, let range) = piece else { return piece.literal }
            used.insert(name)
            let value: PathValue
            if let parameter = pathParameters.first(where: { $0.wireName == name }) {
                value = .parameter(parameter.swiftName)
            } else if let field = bodyFields.first(where: { $0.0.text == name }) {
                value = .bodyField(field.1)
            } else if syntax.pathFromBody.contains(where: { $0.name.text == name }) {
                return nil  // its line was reported already
            } else if let parameter = bound.first(where: { $0.wireName == name }) {
                value = .parameter(parameter.swiftName)
            } else {
                error("the path uses {\(name)} but no path parameter declares it", at: range,
                      hint: "declare it in the endpoint's block: path \(name): String")
                return nil
            }
            return .placeholder(name: name, value: value)
        }
        for field in syntax.pathParameters where !used.contains(field.wireName.text) {
            error("path parameter '\(field.wireName.text)' is not used in the path \"\(syntax.path.text)\"",
                  at: field.wireName.range, hint: "add {\(field.wireName.text)} to the path or remove this line")
        }
        for (name, _) in bodyFields where !used.contains(name.text) {
            error("path parameter '\(name.text)' is not used in the path \"\(syntax.path.text)\"", at: name.range,
                  hint: "add {\(name.text)} to the path or remove this line")
        }

        let query = parameters(syntax.query, in: .query, names: &parameterNames)
        var queryNames = Set(query.map(\.wireName))
        let fromResources = bound.filter(\.inQuery).map { parameter in
            queryNames.insert(parameter.wireName)
            return Endpoint.BoundQueryItem(wireName: parameter.wireName, value: .parameter(parameter.swiftName))
        }
        let fromBody: [Endpoint.BoundQueryItem] = syntax.queryFromBody.compactMap { line in
            guard queryNames.insert(line.name.text).inserted else {
                error("query parameter '\(line.name.text)' is declared twice", at: line.name.range)
                return nil
            }
            return bodyField(line, body: body, in: "query").map {
                Endpoint.BoundQueryItem(wireName: line.name.text, value: .bodyField($0))
            }
        }
        let headers = parameters(syntax.headers, in: .header, names: &parameterNames)
        for header in syntax.headers where !Self.isToken(header.wireName.text) {
            error("'\(header.wireName.text)' is not a valid header name", at: header.wireName.range)
        }
        let kind = self.kind(syntax, body: body)
        return (
            Endpoint(
                doc: syntax.doc, swiftName: swiftName, operationID: operation + "." + swiftName, method: method,
                path: join(resourcePath, ownPath), pathParameters: pathParameters, query: query,
                boundQuery: fromResources + fromBody, headers: headers,
                body: body, kind: kind ?? .call(.empty),
                timeouts: syntax.timeouts.isEmpty ? nil : timeouts(syntax.timeouts), idempotent: syntax.idempotent != nil),
            syntax.starts
        )
    }

    private mutating func body(
        _ syntax: EndpointSyntax, method: String, parameterNames: inout [String: SourceRange]
    ) -> Endpoint.Body? {
        switch syntax.body {
        case nil:
            return nil
        case .type(let type)?:
            if method == "GET" || method == "HEAD" {
                error("a \(method) request has no body", at: type.range, hint: "send the values as query parameters")
            }
            let resolved = resolve(type, allowFile: true, allowBytes: true)
            return resolved == .primitive(.bytes) ? .bytes : resolved == .primitive(.file) ? .file : .json(resolved)
        case .multipart(let parts, _)?:
            let fields = self.fields(parts, allowFile: true)
            for (field, part) in zip(fields, parts) {
                unique(field.swiftName, at: part.wireName.range, in: &parameterNames, what: "parameter")
            }
            return .multipart(fields.map {
                Parameter(doc: $0.doc, wireName: $0.wireName, swiftName: $0.swiftName, type: $0.type, defaultValue: $0.defaultValue)
            })
        case .form(let fields, let range)?:
            if method == "GET" || method == "HEAD" {
                error("a \(method) request has no body", at: range, hint: "send the values as query parameters")
            }
            return .form(parameters(fields, in: .form, names: &parameterNames))
        }
    }

    private mutating func parameters(
        _ fields: [FieldSyntax], in place: FieldPlace, names: inout [String: SourceRange]
    ) -> [Parameter] {
        fields.map { field in
            checkModifiers(of: field, in: place)
            let type = resolve(field.type)
            checkParameterType(type, at: field.type.range, in: place.rawValue)
            let name = self.swiftName(for: field.wireName, explicit: field.swiftName, reserved: Naming.Reserved.parameters)
            unique(name, at: field.swiftName?.range ?? field.wireName.range, in: &names, what: "parameter",
                   hint: "write '\(field.wireName.text) as otherName: ...' to choose another Swift name")
            if let separator = field.separator, place == .query,
                type.isNested || !{ if case .array = type.wrapped { true } else { false } }()
            {
                error("only a query array of scalars can be joined", at: separator.range, hint: "joined \"\(separator.text)\" sends [1, 2] as 1\(separator.text)2")
            }
            return Parameter(doc: field.doc, wireName: field.wireName.text, swiftName: name, type: type,
                             defaultValue: field.defaultValue.flatMap { defaultValue($0, for: type) }, separator: field.separator?.text)
        }
    }

    /// What the endpoint is. At most one of `paginate`, `stream`, `upload`, `poll` and `starts` may be written; a
    /// `starts` endpoint is a plain call until its status endpoint is resolved.
    private mutating func kind(_ syntax: EndpointSyntax, body: Endpoint.Body?) -> Endpoint.Kind? {
        let markers: [(String, Located)] = [
            syntax.paginate.map { ("paginate", $0) }, syntax.stream.map { ("stream", $0.framing) },
            syntax.upload.map { ("upload", $0.style) }, syntax.poll.map { ("poll", $0) },
            syntax.starts.map { ("starts", $0) },
        ].compactMap { $0 }
        if markers.count > 1 {
            error("an endpoint is one kind of call, but this one says both '\(markers[0].0)' and '\(markers[1].0)'",
                  at: markers[1].1.range,
                  hint: "an endpoint either pages, streams, uploads, reads a job's status or starts a job; split it in two")
            return nil
        }
        var response = Endpoint.Response.empty
        var result: TypeRef?
        if let type = syntax.response {
            let resolved = resolve(type, allowBytes: true)
            response = resolved == .primitive(.bytes) ? .bytes : .json(resolved)
            if case .json(let type) = response { result = type }
        }
        let responseRange = syntax.response?.range ?? markers.first?.1.range ?? syntax.name.range
        if let rule = syntax.paginate {
            guard let pagination = paginations[rule.text] else {
                error("unknown pagination rule '\(rule.text)'", at: rule.range,
                      hint: suggest(rule.text, Array(paginations.keys)) ?? "declare it: pagination \(rule.text): next-link { }")
                return nil
            }
            guard case .array(let item)? = result else {
                error("a paginated endpoint returns its item list, e.g. -> [Item]", at: responseRange)
                return nil
            }
            return .paginated(item: item, rule: pagination)
        }
        if let stream = syntax.stream {
            guard let framing = EventFraming(keyword: stream.framing.text) else {
                error("unknown stream framing '\(stream.framing.text)'", at: stream.framing.range,
                      hint: "write stream sse (Server-Sent Events) or stream ndjson (one JSON document a line)")
                return nil
            }
            if let reconnect = stream.reconnect, framing != .serverSentEvents {
                error("only Server-Sent Events carry the ids a reconnect resumes from", at: reconnect.range,
                      hint: "remove 'reconnect', or use stream sse")
            }
            guard result != nil || (response == .empty && framing == .serverSentEvents) else {
                error("a streaming endpoint returns its event type, e.g. -> Event", at: responseRange,
                      hint: framing == .serverSentEvents ? "leave the response out to get the raw Server-Sent Events" : nil)
                return nil
            }
            return .stream(event: result, framing: framing, reconnects: stream.reconnect != nil, end: stream.end?.text)
        }
        if let upload = syntax.upload {
            guard UploadProtocol(keyword: upload.style.text) == .chunked else {
                error("unknown upload protocol '\(upload.style.text)'", at: upload.style.range,
                      hint: "write upload chunked (drf-chunked-upload: PUT chunks with Content-Range, POST the MD5)")
                return nil
            }
            if syntax.body != nil {
                error("an upload endpoint sends the file itself, not a body", at: upload.style.range)
            }
            guard let result else {
                error("an upload endpoint returns what its finalize answers, e.g. -> UploadResponse", at: responseRange)
                return nil
            }
            var rule = ChunkedUploadRule()
            if let written = upload.chunkSize {
                guard let size = Double(written.text), LanguageLimits.NumberRange.chunkSize.contains(size) else {
                    error("a chunk size is \(LanguageLimits.NumberRange.chunkSize.description) bytes", at: written.range)
                    return nil
                }
                rule.chunkSize = Int(size)
            }
            return .upload(result: result, rule: rule)
        }
        if let rule = syntax.poll {
            guard let job = jobs[rule.text] else {
                error("unknown job rule '\(rule.text)'", at: rule.range,
                      hint: suggest(rule.text, Array(jobs.keys)) ?? "declare it: job \(rule.text) { state status processing PENDING }")
                return nil
            }
            guard let result else {
                error("a job's status endpoint returns the job's result, e.g. -> Result", at: responseRange)
                return nil
            }
            return .jobStatus(result: result, rule: job)
        }
        if syntax.starts != nil, let written = syntax.response {
            error("a job's start endpoint returns the job; its result type is the status endpoint's", at: written.range)
            return nil
        }
        return .call(response)
    }

    /// A path placeholder or query item filled from the JSON body (`path entityId from body`): the Swift name of
    /// the body model's field of that wire name. A query item's field may be optional (nil leaves it out); a path's
    /// may not.
    private mutating func bodyField(
        _ line: (name: Located, source: Located), body: Endpoint.Body?, in location: String
    ) -> String? {
        guard line.source.text == "body" else {
            error("a \(location) value comes from the body, found '\(line.source.text)'", at: line.source.range,
                  hint: "write \(location) \(line.name.text) from body, or declare it: \(location) \(line.name.text): String")
            return nil
        }
        guard case .json(.declared(let modelName, .model))? = body, let model = models[modelName] else {
            error("only a model body has fields to fill the \(location) from", at: line.source.range,
                  hint: "give the endpoint a body of a model type with a '\(line.name.text)' field")
            return nil
        }
        guard let field = model.fields.first(where: { $0.wireName == line.name.text }) else {
            error("\(modelName) has no field '\(line.name.text)'", at: line.name.range,
                  hint: suggest(line.name.text, model.fields.map(\.wireName)) ?? "add the field to \(modelName)")
            return nil
        }
        checkParameterType(field.type, at: line.name.range, in: location, nested: false)
        if location == "path", field.type.isOptional {
            error("\(modelName).\(line.name.text) is optional, and a path needs a value", at: line.name.range,
                  hint: "make the field non-optional")
        }
        return field.swiftName
    }

    /// - Parameter nested: whether a query or form value may be a model, map, union or JSON, sent in bracket
    ///   notation; values filled from a body are scalars or arrays of them.
    private mutating func checkParameterType(_ type: TypeRef, at range: SourceRange, in location: String, nested: Bool = true) {
        if type.isScalar { return }
        // Queries and forms repeat a name for each item of an array, and write nested values in brackets; paths and
        // headers have no way to.
        guard location == "query" || location == "form" else {
            error("a \(location) parameter must be a string, number, boolean, date, URL, UUID or enum", at: range)
            return
        }
        if !type.holdsBinary, nested || !type.isNested { return }
        error("a \(location) parameter must be a string, number, boolean, date, URL, UUID or enum, or \(nested ? "a value without Bytes or File" : "an array of them")",
              at: range)
    }

    /// A path as written: literal text and `{name}` placeholders with where each stands.
    private enum PathPiece {
        case text(String)
        case placeholder(String, SourceRange)

        var literal: PathComponent? {
            if case .text(let text) = self { return .literal(text) }
            return nil
        }
    }

    private mutating func pathPieces(_ path: Located) -> [PathPiece] {
        var pieces: [PathPiece] = []
        var literal = ""
        var name: String?
        var start = 0
        let line = path.range.start.line
        let file = path.range.start.file
        for (offset, character) in path.text.enumerated() {
            let column = path.range.start.column + 1 + offset
            switch character {
            case "{":
                if name != nil { error("'{' inside a placeholder", at: SourceRange(SourceLocation(line: line, column: column, file: file))) }
                name = ""
                start = column
            case "}":
                guard let current = name else {
                    error("'}' without a matching '{'", at: SourceRange(SourceLocation(line: line, column: column, file: file)))
                    continue
                }
                name = nil
                let range = SourceRange(SourceLocation(line: line, column: start, file: file), length: current.count + 2)
                guard Naming.isIdentifier(current) else {
                    error("'{\(current)}' is not a valid placeholder", at: range, hint: "placeholders are names: {id}")
                    continue
                }
                if !literal.isEmpty { pieces.append(.text(literal)) }
                literal = ""
                pieces.append(.placeholder(current, range))
            default:
                if name != nil { name!.append(character) } else { literal.append(character) }
            }
        }
        if name != nil {
            error("unclosed '{' in the path", at: SourceRange(SourceLocation(line: line, column: start, file: file)),
                  hint: "close the placeholder with '}'")
        }
        if !literal.isEmpty { pieces.append(.text(literal)) }
        return pieces
    }

    /// `prefix` and `path` with exactly one `/` between them.
    private func join(_ prefix: [PathComponent], _ path: [PathComponent]) -> [PathComponent] {
        if prefix.isEmpty { return path }
        if path.isEmpty { return prefix }
        var left = prefix
        var right = path
        if case .literal(let text) = left.last! {
            left.removeLast()
            let trimmed = String(text.reversed().drop { $0 == "/" }.reversed())
            if !trimmed.isEmpty { left.append(.literal(trimmed)) }
        }
        var separator = "/"
        if case .literal(let text) = right.first! {
            right.removeFirst()
            // A path that is only a query (`?beta=true`) follows its resource's path with no `/` between them.
            separator = text.hasPrefix("?") ? text : separator + text.drop { $0 == "/" }
        }
        if case .literal(let text)? = left.last {
            left.removeLast()
            separator = text + separator
        }
        return left + [.literal(separator)] + right
    }
}
