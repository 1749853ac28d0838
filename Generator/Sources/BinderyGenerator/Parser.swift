import BinderyRules

/// Reads tokens into a syntax tree. On a mistake it records a diagnostic and resumes at the next line of the same
/// block, so one run reports every error in the file.
public struct Parser {
    private var tokens: [Token]
    private var position = 0
    public private(set) var diagnostics: [Diagnostic] = []

    /// Thrown to abandon the current item after its diagnostic was recorded.
    private struct Abandon: Error {}

    /// How deep the resource or type being read is nested, against `LanguageLimits.maxNesting`.
    private var depth = 0

    public init(tokens: [Token]) {
        self.tokens = tokens
    }

    /// Lexes and parses `source`, returning the tree and every problem found on the way.
    public static func parse(_ source: String, file: Int = 0) -> (SpecSyntax, [Diagnostic]) {
        var lexer = Lexer(source, file: file)
        let tokens = lexer.tokenize()
        var parser = Parser(tokens: tokens)
        let syntax = parser.parseFile()
        return (syntax, lexer.diagnostics + parser.diagnostics)
    }

    public mutating func parseFile() -> SpecSyntax {
        var syntax = SpecSyntax()
        while current.kind != .end {
            let doc = docComments()
            guard current.kind != .end else { break }
            do {
                syntax.declarations.append(try declaration(doc: doc))
            } catch {
                skipToDeclaration()
            }
        }
        return syntax
    }

    // MARK: Declarations

    private mutating func declaration(doc: [String]) throws -> DeclarationSyntax {
        let keyword = current
        guard keyword.kind == .identifier, let declaration = DeclarationKeyword(keyword: keyword.text) else {
            throw fail(
                "expected a declaration, found \(keyword.quoted)", at: keyword.range,
                hint: suggestion(for: keyword, among: DeclarationKeyword.keywords)
                    ?? "a spec is made of api, model, enum, union, pagination, job and resource declarations")
        }
        advance()
        switch declaration {
        case .api: return .api(try api(doc: doc))
        case .model: return .model(try model(doc: doc))
        case .enumeration: return .enumeration(try enumeration(doc: doc))
        case .union: return .union(try union(doc: doc))
        case .pagination: return .pagination(try pagination(doc: doc))
        case .job: return .job(try job(doc: doc))
        case .extend: return .extend(try extensionOf(keyword: keyword, doc: doc))
        case .resource: return .resource(try resource(doc: doc))
        }
    }

    private mutating func extensionOf(keyword: Token, doc: [String]) throws -> ExtensionSyntax {
        let (what, _) = try self.keyword(ExtensionTarget.self, "what it extends")
        let located = Located(text: keyword.text, range: keyword.range)
        switch what {
        case .api: return ExtensionSyntax(keyword: located, target: .api(try api(doc: doc)))
        case .model: return ExtensionSyntax(keyword: located, target: .model(try model(doc: doc)))
        case .enumeration: return ExtensionSyntax(keyword: located, target: .enumeration(try enumeration(doc: doc)))
        case .resource:
            var path = [try identifier("the resource's name, e.g. pets or pets.photos")]
            while current.text == ".", current.kind == .symbol {
                advance()
                path.append(try identifier("a nested resource's name"))
            }
            var resource = ResourceSyntax(doc: doc, name: path.last!, parameters: [], path: nil, endpoints: [], resources: [])
            var amendments: [AmendmentSyntax] = []
            var removals: [Located] = []
            try block("extend resource \(path.map(\.text).joined(separator: "."))") { parser in
                let doc = parser.docComments()
                if parser.current.text == "remove", parser.peek.kind == .identifier {
                    parser.advance()
                    removals.append(try parser.identifier("the name of an endpoint or resource to remove"))
                } else if parser.current.text == "resource", parser.peek.text != ":" {
                    parser.advance()
                    resource.resources.append(try parser.resource(doc: doc))
                } else if parser.peek.text == ":" {
                    resource.endpoints.append(try parser.endpoint(doc: doc))
                } else {
                    let name = try parser.identifier("an endpoint's name")
                    var amendment = AmendmentSyntax(
                        doc: doc, name: name, newName: nil,
                        changes: EndpointSyntax(doc: doc, name: name, method: Located(text: "", range: name.range), path: Located(text: "", range: name.range)))
                    if try parser.consume("as") { amendment.newName = try parser.identifier("the endpoint's new name") }
                    if try parser.consume("->") { amendment.changes.response = try parser.type() }
                    if parser.current.text == "{", parser.current.kind == .symbol { try parser.endpointSettings(of: &amendment.changes) }
                    amendments.append(amendment)
                }
            }
            return ExtensionSyntax(keyword: located, target: .resource(path: path, resource, amendments: amendments, removals: removals))
        }
    }

    private mutating func api(doc: [String]) throws -> APISyntax {
        var api = APISyntax(doc: doc, name: try identifier("an API name"))
        if try consume("as") { api.typeName = try identifier("the client's Swift type name") }
        try block("api \(api.name.text)") { parser in
            _ = parser.docComments()
            let (setting, keyword) = try parser.keyword(APISetting.self, "an API setting")
            switch setting {
            case .baseURL:
                api.baseURL = (try parser.string("the base URL"), try parser.environment())
            case .auth:
                let name = try parser.identifier("an auth scheme name")
                try parser.expect(":")
                let scheme = try parser.identifier(AuthKind.alternatives)
                var auth = AuthSyntax(name: name, scheme: scheme, environment: [])
                if parser.current.kind == .string { auth.header = parser.take() }
                if parser.current.kind == .string { auth.template = parser.take() }
                auth.environment = try parser.environment()
                api.auth.append(auth)
            case .query, .header:
                let isHeader = setting == .header
                let wireName = try parser.wireName(isHeader ? "a header name, e.g. \"X-Api-Version\"" : "a query parameter name")
                let name = try parser.consume("as") ? try parser.identifier("a Swift name") : isHeader ? nil : wireName
                let value = try parser.consume("=") ? try parser.string("the value sent when none is given") : nil
                api.defaultParameters.append(DefaultParameterSyntax(
                    isHeader: isHeader, name: name, wireName: wireName, value: value, environment: try parser.environment()))
            case .idempotencyKey:
                api.idempotencyKey = try parser.string("the header's name, e.g. \"Idempotency-Key\"")
            case .errorMessage:
                api.errorMessage.append(try parser.string("a key path, e.g. \"error.message\""))
                while try parser.consume(",") { api.errorMessage.append(try parser.string("a key path")) }
            case .version: api.version = try parser.string("the API's version, e.g. \"2024-06-01\"")
            case .timeout: api.timeouts += try parser.settings(after: keyword)
            case .retry: api.retry += try parser.settings(after: keyword)
            case .dates: api.dates = try parser.identifier("a date format")
            }
        }
        return api
    }

    private mutating func model(doc: [String]) throws -> ModelSyntax {
        var model = ModelSyntax(doc: doc, name: try identifier("a model name"), fields: [])
        try block("model \(model.name.text)") { parser in
            model.fields.append(try parser.field(parser.docComments()))
        }
        return model
    }

    private mutating func enumeration(doc: [String]) throws -> EnumSyntax {
        let name = try identifier("an enum name")
        var syntax = EnumSyntax(doc: doc, name: name, rawType: nil, cases: [])
        if try consume(":") { syntax.rawType = try identifier("'String' or 'Int'") }
        try block("enum \(name.text)") { parser in
            let doc = parser.docComments()
            let token = parser.current
            guard [.identifier, .string, .number].contains(token.kind) else {
                throw parser.fail(
                    "expected an enum case, found \(token.quoted)", at: token.range,
                    hint: "write the value as it appears on the wire, e.g. PENDING or \"in-progress\"")
            }
            parser.advance()
            let swiftName = try parser.consume("as") ? try parser.identifier("a Swift case name") : nil
            _ = try parser.consume(",")
            syntax.cases.append(
                EnumSyntax.Case(
                    doc: doc, value: Located(text: token.text, range: token.range), isNumber: token.kind == .number,
                    swiftName: swiftName))
        }
        return syntax
    }

    private mutating func union(doc: [String]) throws -> UnionSyntax {
        let name = try identifier("a union name")
        if current.text == "{", current.kind == .symbol {
            var syntax = UnionSyntax(doc: doc, name: name, discriminator: nil, variants: [])
            try block("union \(name.text)") { parser in
                let doc = parser.docComments()
                let caseName = try parser.identifier("a case name, e.g. text: String")
                try parser.expect(":")
                syntax.choices.append(UnionSyntax.Choice(doc: doc, name: caseName, type: try parser.type()))
            }
            return syntax
        }
        try expectWord("on", hint: "name the discriminator field (union \(name.text) on kind { ... }), or list cases by type")
        var syntax = UnionSyntax(
            doc: doc, name: name, discriminator: try wireName("the discriminator field"), variants: [])
        try block("union \(name.text)") { parser in
            let doc = parser.docComments()
            let value = try parser.wireName("a discriminator value")
            let swiftName = try parser.consume("as") ? try parser.identifier("a Swift case name") : nil
            try parser.expect(":")
            let model = try parser.identifier("the model of this variant")
            syntax.variants.append(UnionSyntax.Variant(doc: doc, value: value, swiftName: swiftName, model: model))
        }
        return syntax
    }

    private mutating func pagination(doc: [String]) throws -> PaginationSyntax {
        let name = try identifier("a pagination rule name")
        try expect(":")
        let style = try identifier(PaginationRule.Style.alternatives)
        return PaginationSyntax(
            doc: doc, name: name, style: style, settings: try settingsBlock("pagination", named: name))
    }

    private mutating func job(doc: [String]) throws -> JobSyntax {
        let name = try identifier("a job rule name")
        return JobSyntax(doc: doc, name: name, settings: try settingsBlock("job", named: name))
    }

    /// A rule's `{ key value ... }` block, one setting a line.
    private mutating func settingsBlock(_ kind: String, named name: Located) throws -> [SettingSyntax] {
        var settings: [SettingSyntax] = []
        try block("\(kind) \(name.text)") { parser in
            _ = parser.docComments()
            let key = try parser.identifier("a \(kind) setting")
            settings += try parser.settings(after: parser.tokens[parser.position - 1], firstKey: key)
        }
        return settings
    }

    private mutating func resource(doc: [String]) throws -> ResourceSyntax {
        try enterNesting("resources", at: current.range)
        defer { depth -= 1 }
        var resource = ResourceSyntax(
            doc: doc, name: try identifier("a resource name"), parameters: [], typeName: nil, path: nil, endpoints: [],
            resources: [])
        if try consume("(") {
            repeat {
                let first = try identifier("a parameter name")
                var parameter = ResourceParameterSyntax(label: nil, name: first, type: .named(first))
                if current.kind == .identifier {
                    parameter.label = first
                    parameter.name = take()
                }
                try expect(":")
                parameter.type = try type()
                resource.parameters.append(parameter)
            } while try consume(",")
            try expect(")")
        }
        if try consume("as") { resource.typeName = try identifier("a type name") }
        if current.kind == .string { resource.path = take() }
        try block("resource \(resource.name.text)") { parser in
            let doc = parser.docComments()
            if parser.current.text == "resource", parser.peek.text != ":" {
                parser.advance()
                resource.resources.append(try parser.resource(doc: doc))
            } else {
                resource.endpoints.append(try parser.endpoint(doc: doc))
            }
        }
        return resource
    }

    private mutating func endpoint(doc: [String]) throws -> EndpointSyntax {
        let name = try identifier("an endpoint name")
        try expect(":", hint: "an endpoint reads: name: GET \"path/{id}/\" -> Response")
        var endpoint = EndpointSyntax(
            doc: doc, name: name, method: try identifier("an HTTP method"), path: try string("the endpoint's path"))
        if try consume("->") { endpoint.response = try type() }
        guard current.text == "{", current.kind == .symbol else { return endpoint }
        try endpointSettings(of: &endpoint)
        return endpoint
    }

    private mutating func endpointSettings(of endpoint: inout EndpointSyntax) throws {
        try block("endpoint \(endpoint.name.text)") { parser in
            let doc = parser.docComments()
            let (setting, keyword) = try parser.keyword(EndpointSetting.self, "an endpoint setting")
            switch setting {
            case .path where parser.peek.text == "from":
                let name = try parser.wireName("a path placeholder")
                parser.advance()
                endpoint.pathFromBody.append((name, try parser.identifier("where the value comes from: body")))
            case .query where parser.peek.text == "from":
                let name = try parser.wireName("a query parameter")
                parser.advance()
                endpoint.queryFromBody.append((name, try parser.identifier("where the value comes from: body")))
            case .path: endpoint.pathParameters.append(try parser.field(doc))
            case .query: endpoint.query.append(try parser.field(doc))
            case .header: endpoint.headers.append(try parser.field(doc))
            case .body:
                if ["multipart", "form"].contains(parser.current.text), parser.peek.text == "{" {
                    let start = parser.take()
                    var parts: [FieldSyntax] = []
                    try parser.block("\(start.text) body") { parser in parts.append(try parser.field(parser.docComments())) }
                    endpoint.body = start.text == "form" ? .form(parts, start.range) : .multipart(parts, start.range)
                } else {
                    endpoint.body = .type(try parser.type())
                }
            case .paginate: endpoint.paginate = try parser.identifier("a pagination rule name")
            case .stream:
                let framing = try parser.identifier("a framing, " + EventFraming.alternatives)
                let reconnect = parser.current.text == "reconnect" ? parser.take() : nil
                var end: Located?
                if parser.current.text == "end", parser.current.kind != .string {
                    parser.advance()
                    end = try parser.string("the data of the event that ends the stream, e.g. \"[DONE]\"")
                }
                endpoint.stream = (framing, reconnect, end)
            case .poll: endpoint.poll = try parser.identifier("a job rule name")
            case .starts: endpoint.starts = try parser.identifier("the name of the endpoint that reads the job's status")
            case .upload:
                let style = try parser.identifier("an upload protocol: " + UploadProtocol.alternatives)
                var chunkSize: Located?
                if parser.current.text == "chunk-size" {
                    parser.advance()
                    chunkSize = try parser.number("the chunk size in bytes")
                }
                endpoint.upload = (style, chunkSize)
            case .timeout: endpoint.timeouts += try parser.settings(after: keyword)
            case .idempotent: endpoint.idempotent = keyword.range
            }
        }
    }

    // MARK: Pieces

    private mutating func field(_ doc: [String]) throws -> FieldSyntax {
        let wireName = try wireName("a field name")
        let swiftName = try consume("as") ? try identifier("a Swift name") : nil
        try expect(":", hint: "a field reads: name: Type")
        var field = FieldSyntax(doc: doc, wireName: wireName, swiftName: swiftName, type: try type())
        // The default and the modifiers, in any order.
        while true {
            if field.defaultValue == nil, try consume("=") {
                field.defaultValue = try literal()
            } else if current.kind == .identifier, let modifier = FieldModifier(keyword: current.text) {
                let word = take()
                switch modifier {
                case .fileURL: field.fileURL = word.range
                case .joined: field.separator = try string("the text between the items, e.g. \",\"")
                }
                field.modifiers.append((modifier, word.range))
            } else {
                return field
            }
        }
    }

    private mutating func type() throws -> TypeSyntax {
        try enterNesting("types", at: current.range)
        defer { depth -= 1 }
        var type: TypeSyntax
        if current.text == "[", current.kind == .symbol {
            let start = take().range.start
            let element = try self.type()
            if try consume(":") {
                let value = try self.type()
                type = .map(key: element, value: value, SourceRange(start, length: current.range.start.column - start.column + 1))
            } else {
                type = .array(element, SourceRange(start, length: current.range.start.column - start.column + 1))
            }
            try expect("]")
        } else {
            type = .named(try identifier("a type"))
        }
        while current.text == "?", current.kind == .symbol {
            type = .optional(type, SourceRange(type.range.start, length: type.range.length + 1))
            advance()
        }
        return type
    }

    private mutating func literal() throws -> LiteralSyntax {
        let token = current
        switch (token.kind, token.text) {
        case (.string, _): advance(); return .string(Located(text: token.text, range: token.range))
        case (.number, _): advance(); return .number(Located(text: token.text, range: token.range))
        case (.identifier, "true"), (.identifier, "false"): advance(); return .bool(token.text == "true", token.range)
        case (.identifier, "null"): advance(); return .null(token.range)
        case (.symbol, "["):
            advance()
            try expect("]", hint: "only an empty array can be a default value")
            return .emptyArray(token.range)
        case (.symbol, "{"):
            advance()
            try expect("}", hint: "only an empty object can be a default value")
            return .emptyObject(token.range)
        default:
            throw fail(
                "expected a default value, found \(token.quoted)", at: token.range,
                hint: "a default is a string, a number, true, false, null, [] or {}")
        }
    }

    /// `env NAME, NAME` when present.
    private mutating func environment() throws -> [Located] {
        guard try consume("env") else { return [] }
        var names = [try identifier("an environment variable name")]
        while try consume(",") { names.append(try identifier("an environment variable name")) }
        return names
    }

    /// `key value [, value] key value ...` up to the end of the line, e.g. `connect 5 read 30`. With `firstKey`, that
    /// key was already read and every later word on the line is one of its values (`items meta.results`).
    private mutating func settings(after keyword: Token, firstKey: Located? = nil) throws -> [SettingSyntax] {
        let line = keyword.range.start.line
        var settings = firstKey.map { [SettingSyntax(key: $0, values: [])] } ?? []
        func onLine(_ token: Token) -> Bool {
            token.range.start.line == line && token.kind != .end && !(token.kind == .symbol && token.text == "}")
        }
        if firstKey == nil, !onLine(current) {
            throw fail(
                "expected settings after '\(keyword.text)'", at: keyword.range,
                hint: keyword.text == "retry"
                    ? "e.g. retry attempts 4 backoff 0.5 max-backoff 8 on 429, 503" : "e.g. timeout connect 5 read 30")
        }
        while onLine(current) {
            if firstKey == nil, current.kind == .identifier {
                settings.append(SettingSyntax(key: take(), values: []))
                continue
            }
            guard !settings.isEmpty else {
                throw fail(
                    "expected a setting name, found \(current.quoted)", at: current.range,
                    hint: "name what the value sets, e.g. 'read \(current.text)'")
            }
            guard [.identifier, .number, .string].contains(current.kind) else {
                throw fail("expected a value, found \(current.quoted)", at: current.range)
            }
            var value = take()
            while current.text == ".", current.kind == .symbol, peek.kind == .identifier {
                advance()
                let part = take()
                value.text += "." + part.text
                value.range.length = part.range.start.column + part.range.length - value.range.start.column
            }
            settings[settings.count - 1].values.append(value)
            _ = try consume(",")
        }
        return settings
    }

    /// `{ item* }`, recovering from a bad item at the next line of the block.
    private mutating func block(_ what: String, item: (inout Parser) throws -> Void) throws {
        let open = current
        try expect("{", hint: "\(what) needs a body in braces")
        while !(current.kind == .symbol && current.text == "}") {
            if current.kind == .end {
                throw fail(
                    "expected '}' to close \(what)", at: current.range,
                    hint: "the '{' at line \(open.range.start.line) is never closed")
            }
            // A declaration (a keyword and a name, where an item would have a ':') that cannot stand inside this block
            // begins the next one: the block was left open. Closing it here reports that once, instead of an error
            // for every line up to the end of the file. Resources nest, so a resource inside one is an item.
            if current.kind == .identifier, DeclarationKeyword(keyword: current.text) != nil, peek.kind == .identifier,
                peek.range.start.line == current.range.start.line, !(current.text == "resource" && what.hasPrefix("resource"))
            {
                diagnostics.append(
                    Diagnostic(
                        "expected '}' to close \(what) before this \(current.text)", at: current.range,
                        hint: "the '{' at line \(open.range.start.line) is never closed"))
                return
            }
            let start = current
            do {
                try item(&self)
            } catch {
                skipLine(after: start)
            }
            let previous = tokens[max(0, position - 1)]
            if !(current.kind == .symbol && current.text == "}"), current.range.start.line == start.range.start.line,
                previous.range.start.line == start.range.start.line, previous.text != ",", current.kind != .end
            {
                let stray = current
                diagnostics.append(
                    Diagnostic(
                        "unexpected \(stray.quoted) after \(what.split(separator: " ").first ?? "item")", at: stray.range,
                        hint: "put each setting on its own line"))
                skipLine(after: stray)
            }
        }
        advance()
    }

    /// Takes one of `keywords`, or fails with the closest as a hint.
    /// A word of `family`, with its token.
    private mutating func keyword<Family: Keyword>(_ family: Family.Type, _ what: String) throws -> (Family, Token) {
        let token = current
        guard token.kind == .identifier, let word = Family(keyword: token.text) else {
            throw fail(
                "expected \(what), found \(token.quoted)", at: token.range,
                hint: suggestion(for: token, among: Family.keywords)
                    ?? "settings are: \(Family.keywords.joined(separator: ", "))")
        }
        advance()
        return (word, token)
    }

    private mutating func docComments() -> [String] {
        var lines: [String] = []
        while current.kind == .docComment { lines.append(take().text) }
        return lines
    }

    private mutating func identifier(_ what: String) throws -> Located {
        guard current.kind == .identifier else {
            throw fail("expected \(what), found \(current.quoted)", at: current.range)
        }
        return take()
    }

    private mutating func number(_ what: String) throws -> Located {
        guard current.kind == .number else {
            throw fail("expected \(what), found \(current.quoted)", at: current.range)
        }
        return take()
    }

    private mutating func string(_ what: String) throws -> Located {
        guard current.kind == .string else {
            throw fail(
                "expected \(what) in double quotes, found \(current.quoted)", at: current.range,
                hint: current.kind == .identifier ? "write \"\(current.text)\"" : nil)
        }
        return take()
    }

    /// A name as it appears on the wire: an identifier, or a string for names like `Content-Type`.
    private mutating func wireName(_ what: String) throws -> Located {
        guard current.kind == .identifier || current.kind == .string else {
            throw fail("expected \(what), found \(current.quoted)", at: current.range)
        }
        return take()
    }

    private mutating func expect(_ symbol: String, hint: String? = nil) throws {
        guard current.kind == .symbol, current.text == symbol else {
            throw fail("expected '\(symbol)', found \(current.quoted)", at: current.range, hint: hint)
        }
        advance()
    }

    private mutating func expectWord(_ word: String, hint: String) throws {
        guard current.kind == .identifier, current.text == word else {
            throw fail("expected '\(word)', found \(current.quoted)", at: current.range, hint: hint)
        }
        advance()
    }

    /// Takes the current token if it is `text` (a symbol or a word).
    private mutating func consume(_ text: String) throws -> Bool {
        guard current.text == text, current.kind == .symbol || current.kind == .identifier else { return false }
        advance()
        return true
    }

    private func suggestion(for token: Token, among words: [String]) -> String? {
        guard token.kind == .identifier, let match = closest(to: token.text, in: words) else { return nil }
        return "did you mean '\(match)'?"
    }

    /// One level deeper, or a diagnostic when that passes `LanguageLimits.maxNesting`.
    private mutating func enterNesting(_ what: String, at range: SourceRange) throws {
        guard depth < LanguageLimits.maxNesting else {
            throw fail(
                "\(what) nest more than \(LanguageLimits.maxNesting) levels deep here", at: range,
                hint: "declare a model or resource for the inner part")
        }
        depth += 1
    }

    private mutating func fail(_ message: String, at range: SourceRange, hint: String? = nil) -> Abandon {
        diagnostics.append(Diagnostic(message, at: range, hint: hint))
        return Abandon()
    }

    private var current: Token { tokens[position] }
    private var peek: Token { tokens[min(position + 1, tokens.count - 1)] }

    private mutating func advance() {
        if position < tokens.count - 1 { position += 1 }
    }

    private mutating func take() -> Located {
        let token = current
        advance()
        return Located(text: token.text, range: token.range)
    }

    /// Skips to the first token on a later line than `start` that is still inside the current block.
    private mutating func skipLine(after start: Token) {
        var depth = 0
        while current.kind != .end {
            if current.kind == .symbol, current.text == "{" { depth += 1 }
            if current.kind == .symbol, current.text == "}" {
                if depth == 0 { return }
                depth -= 1
                if depth == 0 {
                    advance()
                    return
                }
            }
            if depth == 0, current.range.start.line > start.range.start.line { return }
            advance()
        }
    }

    /// Skips to the next top-level declaration keyword outside any braces.
    private mutating func skipToDeclaration() {
        var depth = 0
        advance()
        while current.kind != .end {
            if current.kind == .symbol, current.text == "{" { depth += 1 }
            if current.kind == .symbol, current.text == "}" { depth = max(0, depth - 1) }
            if depth == 0, current.kind == .identifier, DeclarationKeyword(keyword: current.text) != nil,
                current.range.start.column == 1 || tokens[position - 1].text == "}"
            {
                return
            }
            advance()
        }
    }
}
