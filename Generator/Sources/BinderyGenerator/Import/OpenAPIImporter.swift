import Foundation

/// Something in an OpenAPI document the spec language cannot say, or says differently; named by its JSON pointer.
public struct ImportWarning: Hashable, Sendable, CustomStringConvertible {
    /// A JSON pointer in the first file (`/paths/…`), or a file and a pointer in it (`models/pet.yml#/properties`)
    /// for a warning in another file.
    public var pointer: String
    public var message: String
    /// Where it is; `location.file` indexes the import's `files`.
    public var location: SourceLocation

    public var description: String {
        "\(location.line):\(location.column): warning: \(message)" + (pointer.isEmpty && location.file != 0 ? "" : " (at \(location.file == 0 ? "#" : "")\(pointer))")
    }
}

/// Turns an OpenAPI 3.0 or 3.1 document (JSON or YAML) into a `.bindery` spec: document → YAML nodes
/// (`YAMLReader`) → one tree with the files its `$ref`s name (`DocumentSet`) → its overlays applied (`Overlay`) →
/// a draft (`Importer`) → spec text (`SpecWriter`).
public enum OpenAPIImporter {
    public struct Result: Sendable {
        /// The spec's text.
        public var spec: String
        public var warnings: [ImportWarning]
        /// The files the document was read from, the first one's name first: what a warning's `location.file` indexes.
        public var files: [String]
    }

    /// Whether a file's name says it is an OpenAPI Overlay: `NAME.overlay.yaml` (or `.yml`, `.json`), `overlay.yaml`.
    public static func isOverlay(_ path: String) -> Bool { Overlay.isOverlay(path) }

    /// - Parameters:
    ///   - file: The document's name in messages.
    ///   - url: Where the document is, for the files its `$ref`s name relative to it; nil when it has no file.
    ///   - name: The API's name in the spec; by default, made from the document's title.
    ///   - overlays: OpenAPI Overlay 1.0 documents (their text and name), applied in order before the import.
    /// - Throws: `SpecErrors` positioned in the file that holds each problem: YAML it cannot read, dangling `$ref`s,
    ///   references to URLs or to files that cannot be read, a document that is not OpenAPI 3, an overlay's mistakes.
    public static func importDocument(
        _ text: String, file: String, url: URL? = nil, name: String? = nil, overlays: [(text: String, file: String)] = []
    ) throws -> Result {
        let root = try YAMLReader.read(text, file: file)
        var documents = DocumentSet(root: root, text: text, name: file, url: url) { url in
            try SpecSource.text(of: Data(contentsOf: url), file: url.path)
        }
        var joined = documents.joined()
        var overlayErrors: [Diagnostic] = []
        var overlayWarnings: [ImportWarning] = []
        for overlay in overlays {
            let parsed = Overlay(try documents.overlay(overlay.text, name: overlay.file))
            overlayErrors += parsed.errors
            joined = parsed.applied(to: joined) { target in
                overlayWarnings.append(ImportWarning(pointer: "", message: "this target selects nothing in the document", location: target.location))
            }
        }
        var importer = Importer(root: joined, file: file, documents: documents)
        importer.warnings = overlayWarnings
        let draft = importer.run(name: name)
        let errors = documents.errors + overlayErrors + importer.errors
        if !errors.isEmpty {
            throw SpecErrors(files: documents.files.map { SourceFile(name: $0.name, text: $0.text) }, diagnostics: errors)
        }
        return Result(spec: SpecWriter.text(of: draft), warnings: importer.warnings.sorted { $0.location < $1.location },
                      files: documents.files.map(\.name))
    }
}

/// The import's state: the document, the draft built so far, and the names given out.
struct Importer {
    let root: YAMLNode
    let file: String
    /// The files the document was read from, for naming where a warning is.
    let documents: DocumentSet
    var warnings: [ImportWarning] = []
    var errors: [Diagnostic] = []
    var draft = SpecDraft(name: "API")
    /// Type names by the schema pointer they were made from; a model's name is recorded before its fields are read,
    /// so schemas that contain themselves end.
    var namedSchemas: [String: String] = [:]
    /// The type of each schema read, by its pointer and what binary data is where it is used.
    var knownTypes: [String: (type: String, nullable: Bool)] = [:]
    /// Schemas being read, to end `$ref` chains that come back to themselves.
    var visiting: Set<String> = []
    var typeNames: Set<String> = []
    /// The wire names each model requires, for telling a union's models apart.
    var requiredKeys: [String: [String]] = [:]
    var modelNames: Set<String> = []
    /// Where each union was declared, for warnings about it once every schema is read.
    var unionOrigins: [String: (pointer: String, node: YAMLNode)] = [:]
    /// How deep a schema may nest in those it is made of before the rest is read as JSON: deep enough for any real
    /// API, shallow enough that a chain of thousands of references cannot overflow the stack.
    static let maxSchemaNesting = 100
    /// How many schemas a model's `allOf` may gather fields from, through theirs: each model holds the fields of
    /// them all, so a long chain of them would make a spec far larger than its document.
    static let maxAllOfChain = 32
    /// operationIds that more than one operation has, which name none of them.
    var sharedOperationIDs: Set<String> = []
    /// How deep the resource being filled is nested.
    var resourceNesting = 0
    /// Unions read as JSON after their name was given out.
    var abandonedUnions: Set<String> = []
    var apiUpperSnake = "API"

    init(root: YAMLNode, file: String, documents: DocumentSet) {
        self.root = root
        self.file = file
        self.documents = documents
    }

    mutating func run(name: String?) -> SpecDraft {
        guard let version = root["openapi"]?.string, version.hasPrefix("3.") else {
            let found = root["swagger"]?.string.map { "Swagger \($0)" } ?? "no 'openapi' version"
            errors.append(Diagnostic("this is not an OpenAPI 3 document (\(found))", at: SourceRange(root.location),
                                     hint: "convert Swagger 2 documents to OpenAPI 3 first"))
            return draft
        }
        let info = root["info"]
        let title = info?["title"]?.string ?? "API"
        let apiName = Naming.upperCamel(name ?? Self.shortName(title)).filter { $0.isLetter || $0.isNumber }
        draft.name = Naming.isIdentifier(apiName) ? apiName : "API" + apiName
        apiUpperSnake = Naming.words(draft.name).map { $0.uppercased() }.joined(separator: "_")
        draft.header = [
            "Imported by `bindery import` from \((file as NSString).lastPathComponent): \(title) \(info?["version"]?.string ?? ""), OpenAPI \(version).",
            "Import again to update it; keep what you add in a spec file of your own.",
        ]
        draft.doc = docLines(info?["description"]?.string ?? info?["summary"]?.string)
        typeNames = Naming.swiftTypeNames.union(["BinderyRuntime", draft.name + "Client"])
        apiSettings()
        for (key, _) in root["components"]?["schemas"]?.pairs ?? [] {
            _ = componentType(key)
        }
        operations()
        finishUnions()
        return draft
    }

    /// What a person would call the API of a title: its first line up to a dash, a parenthesis or a clause,
    /// without the words every API's title has (`Spotify Web API with fixes and improvements` is `Spotify`,
    /// `Discord HTTP API (Preview)` is `Discord`); the whole first line when nothing else is left.
    static func shortName(_ title: String) -> String {
        var text = title.split(whereSeparator: { $0.isNewline }).first.map(String.init) ?? ""
        for cut in [" - ", " – ", " — ", "(", ":", ",", " with ", " for ", " from ", " by "] {
            if let range = text.range(of: cut, options: .caseInsensitive) { text = String(text[..<range.lowerBound]) }
        }
        let generic: Set<String> = ["api", "apis", "rest", "http", "documentation", "docs", "public", "web", "reference", "specification",
                                    "spec", "openapi", "the", "service"]
        // Words as written, so that `FastAPI` keeps its `API`.
        let words = text.split(whereSeparator: { $0.isWhitespace }).map(String.init).filter { !generic.contains($0.lowercased()) }
        guard !words.isEmpty else { return title.split(whereSeparator: { $0.isNewline }).first.map(String.init) ?? title }
        return words.prefix(4).joined(separator: " ")
    }

    // MARK: The api block

    private mutating func apiSettings() {
        var baseURL = "http://localhost"
        if let server = root["servers"]?.items.first, var url = server["url"]?.string {
            for (variable, value) in server["variables"]?.pairs ?? [] {
                url = url.replacingOccurrences(of: "{\(variable)}", with: value["default"]?.string ?? "")
            }
            if url.hasPrefix("http://") || url.hasPrefix("https://") {
                baseURL = url
            } else {
                baseURL = "http://localhost" + (url.hasPrefix("/") ? url : "/" + url)
                warn("the server URL '\(url)' is relative: the base URL is \(baseURL) until baseURL: or $\(apiUpperSnake)_BASE_URL says otherwise",
                     at: "/servers/0/url", server["url"])
            }
        } else {
            warn("no servers: the base URL is \(baseURL) until baseURL: or $\(apiUpperSnake)_BASE_URL says otherwise", at: "", root)
        }
        draft.apiSettings.append("base-url \(SpecWriter.literal(baseURL)) env \(apiUpperSnake)_BASE_URL")
        if let version = root["info"]?["version"]?.string, !version.isEmpty {
            if Validator.isToken(version) {
                draft.apiSettings.append("version \(SpecWriter.literal(version))")
            } else {
                warn("the version '\(version)' cannot go in a User-Agent: the client sends none", at: "/info/version", root["info"]?["version"])
            }
        }
        var authNames: Set<String> = []
        for (key, scheme) in root["components"]?["securitySchemes"]?.pairs ?? [] {
            let pointer = "/components/securitySchemes/" + escape(key)
            let name = Naming.words(key).map { $0.lowercased() }.joined(separator: "_")
            // Schemes whose names differ only in case or punctuation (`api_key`, `ApiKey`) take numbered names.
            var authName = SpecWriter.isPlainName(name) && !name.isEmpty ? name : "credential"
            let stem = authName
            var counter = 2
            while !authNames.insert(Naming.lowerCamel(authName)).inserted {
                authName = stem + "_\(counter)"
                counter += 1
            }
            let environment = "\(apiUpperSnake)_\(authName.uppercased())"
            switch (scheme["type"]?.string, scheme["in"]?.string, scheme["scheme"]?.string?.lowercased()) {
            case ("http", _, "bearer"?):
                draft.apiSettings.append("auth \(authName): bearer env \(environment)")
            case ("http", _, "basic"?):
                draft.apiSettings.append("auth \(authName): basic env \(environment)")
            case ("apiKey", "header"?, _):
                let header = scheme["name"]?.string ?? "Authorization"
                draft.apiSettings.append("auth \(authName): header \(SpecWriter.literal(header)) env \(environment)")
            case ("apiKey", "query"?, _):
                let parameter = scheme["name"]?.string ?? key
                draft.apiSettings.append("query \(SpecWriter.wireName(parameter, authName == parameter ? nil : Naming.lowerCamel(authName))) env \(environment)")
            case ("oauth2", _, _), ("openIdConnect", _, _):
                draft.apiSettings.append("auth \(authName): bearer env \(environment)")
                warn("\(key) is \(scheme["type"]?.string ?? ""): the client sends a bearer token you fetch; a middleware can refresh it",
                     at: pointer, scheme)
            default:
                warn("the security scheme \(key) cannot be declared (only API keys in headers or queries, bearer and basic)",
                     at: pointer, scheme)
            }
        }
    }

    // MARK: Schemas

    /// The type a component schema stands for, declaring it on first use.
    mutating func componentType(_ key: String, binary: BinaryAs = .text) -> (type: String, nullable: Bool) {
        namedType(at: "/components/schemas/" + escape(key), name: key, binary: binary)
    }

    /// The type of the schema at `pointer`, declared as `name` when it needs a declaration: a component, or a schema
    /// of another file, named after the file (`models/droplet.yml` is `Droplet`) or the last part of its pointer.
    private mutating func namedType(at pointer: String, name: String, binary: BinaryAs) -> (type: String, nullable: Bool) {
        if let known = knownTypes[pointer + "#" + binary.rawValue] { return known }
        if let declared = namedSchemas[pointer] { return (declared, false) }
        guard let schema = root.resolve(pointer: pointer) else { return ("JSON", false) }
        let declaring = declaresType(schema) ? uniqueTypeName(name) : nil
        return type(of: schema, pointer: pointer, context: Naming.upperCamel(name), declaring: declaring, binary: binary)
    }

    /// Whether a schema becomes a declaration of its own: a model, an enum or a union.
    private func declaresType(_ schema: YAMLNode) -> Bool {
        if schema["$ref"] != nil { return false }
        if schema["enum"] != nil { return true }
        if schema["properties"] != nil || schema["allOf"] != nil { return true }
        if let variants = schema["oneOf"] ?? schema["anyOf"] { return variants.items.filter { !isNullSchema($0) }.count > 1 }
        return false
    }

    func isNullSchema(_ schema: YAMLNode) -> Bool {
        schema["type"]?.string == "null" || (schema["enum"]?.items.count == 1 && schema["enum"]?.items.first?.isNull == true)
    }

    /// What binary data (`format: binary`) is where a schema is used: a whole body's `Bytes`, a multipart part's
    /// `File`, or base64 text inside JSON.
    enum BinaryAs: String {
        case body = "Bytes"
        case part = "File"
        case text = "String"
    }

    /// A schema's type as the spec writes it, and whether the document lets it be null. Schemas that need a
    /// declaration (objects with properties, enums, unions) are declared as `context`, or as `declaring` when the
    /// schema is a component being declared under that name.
    mutating func type(of schema: YAMLNode, pointer: String, context: String, declaring: String? = nil, binary: BinaryAs = .text)
        -> (type: String, nullable: Bool)
    {
        let key = pointer + "#" + binary.rawValue
        if let known = knownTypes[key] { return known }
        if let name = namedSchemas[pointer] { return (name, false) }
        guard visiting.count < Self.maxSchemaNesting else {
            warn("schemas nest more than \(Self.maxSchemaNesting) levels deep here, through properties, items or references; read as JSON",
                 at: pointer, schema)
            return ("JSON", false)
        }
        guard visiting.insert(pointer).inserted else {
            warn("this schema refers only to itself; read as JSON", at: pointer, schema)
            return ("JSON", false)
        }
        let result = computeType(of: schema, pointer: pointer, context: context, declaring: declaring, binary: binary)
        visiting.remove(pointer)
        knownTypes[key] = result
        return result
    }

    private mutating func computeType(of schema: YAMLNode, pointer: String, context: String, declaring: String?, binary: BinaryAs)
        -> (type: String, nullable: Bool)
    {
        if let reference = schema["$ref"] {
            guard let target = follow(reference, at: pointer + "/$ref") else { return ("JSON", false) }
            let ref = reference.string!
            let prefix = "#/components/schemas/"
            if ref.hasPrefix(prefix), !ref.dropFirst(prefix.count).contains("/") {
                let key = String(ref.dropFirst(prefix.count)).replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
                let component = componentType(key, binary: binary)
                return (component.type, component.nullable || schema["nullable"]?.bool == true)
            }
            if let name = documents.schemaName(String(ref.dropFirst())) {
                let external = namedType(at: String(ref.dropFirst()), name: name, binary: binary)
                return (external.type, external.nullable || schema["nullable"]?.bool == true)
            }
            return type(of: target, pointer: String(ref.dropFirst()), context: context, binary: binary)
        }
        var nullable = schema["nullable"]?.bool == true
        var types: [String] = []
        if let declared = schema["type"] { types = declared.string.map { [$0] } ?? declared.items.compactMap(\.string) }
        if types.contains("null") {
            nullable = true
            types.removeAll { $0 == "null" }
        }
        if let variants = schema["oneOf"] ?? schema["anyOf"] {
            let which = schema["oneOf"] != nil ? "oneOf" : "anyOf"
            let members = variants.items.enumerated().filter { !isNullSchema($0.element) }
            if members.count < variants.items.count { nullable = true }
            if members.count == 1 {
                let only = type(of: members[0].element, pointer: "\(pointer)/\(which)/\(members[0].offset)", context: context, declaring: declaring,
                                binary: binary)
                return (only.type, nullable || only.nullable)
            }
            if members.isEmpty { return ("JSON", true) }
            // `oneOf` of constants, each maybe with a title, is how OpenAPI 3.1 documents write enums with case names.
            let constants = members.map { Self.constant(of: $0.element) }
            if constants.allSatisfy({ $0 != nil }) {
                let values = constants.map { $0!.value }
                return (enumeration(schema, values: values, titles: constants.map { $0!.title }, pointer: pointer, name: declaring ?? uniqueTypeName(context)),
                        nullable)
            }
            return (union(schema, members: members.map { ($0.offset, $0.element) }, which: which, pointer: pointer, name: declaring ?? uniqueTypeName(context)), nullable)
        }
        if let parts = schema["allOf"] {
            if parts.items.count == 1, schema["properties"] == nil {
                let only = type(of: parts.items[0], pointer: pointer + "/allOf/0", context: context, declaring: declaring, binary: binary)
                return (only.type, nullable || only.nullable)
            }
            return (model(schema, pointer: pointer, name: declaring ?? uniqueTypeName(context)), nullable)
        }
        if let values = schema["enum"] {
            if values.items.contains(where: \.isNull) { nullable = true }
            return (enumeration(schema, values: values.items.filter { !$0.isNull }, pointer: pointer, name: declaring ?? uniqueTypeName(context)), nullable)
        }
        if types.count > 1 {
            warn("a value of several types (\(types.joined(separator: ", "))) is read as JSON", at: pointer + "/type", schema["type"])
            return ("JSON", nullable)
        }
        let format = schema["format"]?.string
        switch types.first {
        case "string":
            switch format {
            case "date-time": return ("Date", nullable)
            case "uuid": return ("UUID", nullable)
            case "uri", "url": return ("URL", nullable)
            case "binary": return (binary.rawValue, nullable)
            default:
                // OpenAPI 3.1 says a string is raw bytes with a media type instead of `format: binary`.
                if let media = schema["contentMediaType"]?.string, schema["contentEncoding"] == nil, !media.hasPrefix("text/"), !media.contains("json") {
                    return (binary.rawValue, nullable)
                }
                return ("String", nullable)
            }
        case "integer": return (format == "int64" ? "Int64" : "Int", nullable)
        case "number": return ("Double", nullable)
        case "boolean": return ("Bool", nullable)
        case "array":
            guard let items = schema["items"] else { return ("[JSON]", nullable) }
            let element = type(of: items, pointer: pointer + "/items", context: singular(context), binary: binary)
            if element.nullable { warn("null items of this array are not kept apart: the items are read as \(element.type)", at: pointer + "/items", items) }
            return ("[\(element.type)]", nullable)
        default:
            if schema["properties"] != nil { return (model(schema, pointer: pointer, name: declaring ?? uniqueTypeName(context)), nullable) }
            if let additional = schema["additionalProperties"], additional.isMapping {
                let value = type(of: additional, pointer: pointer + "/additionalProperties", context: context + "Value")
                return ("[String: \(value.type)]", nullable)
            }
            return (types.first == "object" ? "[String: JSON]" : "JSON", nullable)
        }
    }

    /// Declares a model from a schema's properties and those of its `allOf` parts.
    private mutating func model(_ schema: YAMLNode, pointer: String, name: String) -> String {
        namedSchemas[pointer] = name
        modelNames.insert(name)
        var properties: [(key: String, value: YAMLNode, pointer: String)] = []
        var required: Set<String> = []
        var visited: Set<String> = []
        func collect(_ schema: YAMLNode, _ pointer: String, importer: inout Importer) {
            for (index, part) in (schema["allOf"]?.items ?? []).enumerated() {
                var part = part
                var partPointer = "\(pointer)/allOf/\(index)"
                if let reference = part["$ref"] {
                    guard visited.count < Importer.maxAllOfChain else {
                        importer.warn("allOf refers on through more than \(Importer.maxAllOfChain) schemas; the fields of the rest are left out",
                                      at: partPointer, part)
                        continue
                    }
                    guard let target = importer.follow(reference, at: partPointer + "/$ref"), let ref = reference.string,
                        visited.insert(ref).inserted
                    else { continue }
                    part = target
                    partPointer = String(ref.dropFirst())
                }
                collect(part, partPointer, importer: &importer)
            }
            for (key, value) in schema["properties"]?.pairs ?? [] {
                if let index = properties.firstIndex(where: { $0.key == key }) {
                    properties[index] = (key, value, pointer + "/properties/" + importer.escape(key))
                } else {
                    properties.append((key, value, pointer + "/properties/" + importer.escape(key)))
                }
            }
            required.formUnion(schema["required"]?.items.compactMap(\.string) ?? [])
            if let additional = schema["additionalProperties"], additional.isMapping || additional.bool == true, schema["properties"] != nil {
                importer.warn("\(name) keeps only its declared properties; others the server sends are dropped",
                              at: pointer + "/additionalProperties", additional)
            }
        }
        collect(schema, pointer, importer: &self)
        var fields: [SpecDraft.Field] = []
        var swiftNames: Set<String> = []
        var keys: [String] = []
        for property in properties {
            var field = SpecDraft.Field(wireName: property.key, type: "JSON")
            let propertyType = type(of: property.value, pointer: property.pointer, context: name + Naming.upperCamel(property.key))
            field.doc = docLines(property.value["description"]?.string)
            let readOnly = property.value["readOnly"]?.bool == true
            let writeOnly = property.value["writeOnly"]?.bool == true
            if readOnly { field.doc += (field.doc.isEmpty ? [] : [""]) + ["Read-only: the server sets it; it is not sent in requests that leave it nil."] }
            if writeOnly { field.doc += (field.doc.isEmpty ? [] : [""]) + ["Write-only: sent, never answered."] }
            let isRequired = required.contains(property.key) && !readOnly && !writeOnly
            if !propertyType.nullable, let value = property.value["default"], let literal = defaultLiteral(value, type: propertyType.type) {
                field.type = propertyType.type
                field.defaultValue = literal
            } else {
                field.type = propertyType.type + (propertyType.nullable || !isRequired ? "?" : "")
            }
            if isRequired && propertyType.nullable {
                field.doc += (field.doc.isEmpty ? [] : [""]) + ["The server always sends it, maybe as null."]
                warn("\(name).\(property.key) is required and may be null: the client reads null and absent alike, and sends nil by leaving it out",
                     at: property.pointer, property.value)
            }
            if isRequired && field.defaultValue == nil && !propertyType.nullable { keys.append(property.key) }
            field.swiftName = swiftName(for: property.key, taken: &swiftNames, reserved: Naming.Reserved.fields)
            fields.append(field)
        }
        requiredKeys[name] = keys
        draft.types.append(.model(name: name, doc: docLines(schema["description"]?.string), fields: fields))
        return name
    }

    /// The value a schema allows alone (`const: 1`, `enum: [a]`) and its title, or nil.
    static func constant(of schema: YAMLNode) -> (value: YAMLNode, title: String?)? {
        let value = schema["const"] ?? (schema["enum"]?.items.count == 1 ? schema["enum"]?.items.first : nil)
        guard let value, value.string != nil else { return nil }
        return (value, schema["title"]?.string)
    }

    /// Names an enum's or union's case cannot take: Swift's and the generated code's, and `unknown`, the case for
    /// values the spec does not list.
    static let reservedCaseNames = Naming.Reserved.cases.union(["unknown"])

    /// - Parameter titles: case names the document gives the values, as `oneOf` constants with titles do.
    private mutating func enumeration(_ schema: YAMLNode, values: [YAMLNode], titles: [String?] = [], pointer: String, name: String) -> String {
        namedSchemas[pointer] = name
        let isInteger = schema["type"]?.string == "integer" || (!values.isEmpty && values.allSatisfy { $0.number.flatMap { Int64($0) } != nil && $0.string != nil })
        var taken: Set<String> = []
        var cases: [(value: String, swiftName: String?)] = []
        for (index, value) in values.enumerated() {
            guard let text = value.string else { continue }
            if cases.contains(where: { $0.value == text }) { continue }
            // The document's title for the value, when it makes a case name not yet given.
            let titled = (titles.indices.contains(index) ? titles[index] : nil).map(Naming.lowerCamel)
                .flatMap { Naming.isIdentifier($0) && !Self.reservedCaseNames.contains($0) && !taken.contains($0) ? $0 : nil }
            if isInteger {
                guard Int64(text) != nil else {
                    warn("'\(text)' is not an integer; left out of \(name)", at: "\(pointer)/enum/\(index)", value)
                    continue
                }
                var caseName = titled ?? "value" + text.replacingOccurrences(of: "-", with: "Minus")
                while taken.contains(caseName) { caseName += "_" }
                taken.insert(caseName)
                cases.append((text, caseName))
            } else if let titled {
                taken.insert(titled)
                cases.append((text, titled == Naming.lowerCamel(text) ? nil : titled))
            } else {
                cases.append((text, swiftName(for: text, taken: &taken, reserved: Self.reservedCaseNames)))
            }
        }
        draft.types.append(.enumeration(name: name, doc: docLines(schema["description"]?.string), isInteger: isInteger, cases: cases))
        return name
    }

    /// A discriminated union when the document names a discriminator and every member is a model; otherwise a
    /// union decided by the JSON's shape, or JSON when two members take the same shape.
    private mutating func union(_ schema: YAMLNode, members: [(index: Int, schema: YAMLNode)], which: String, pointer: String, name: String) -> String {
        namedSchemas[pointer] = name
        let doc = docLines(schema["description"]?.string)
        let mapping = schema["discriminator"]?["mapping"]?.pairs ?? []
        let inferred = schema["discriminator"] == nil ? inferredTag(members.map(\.schema)) : nil
        if let property = schema["discriminator"]?["propertyName"]?.string ?? inferred?.property {
            var variants: [(value: String, swiftName: String?, model: String)] = []
            var caseNames: Set<String> = []
            func add(_ value: String, _ model: String, importer: inout Importer) {
                variants.append((value, importer.swiftName(for: value, taken: &caseNames, reserved: Importer.reservedCaseNames), model))
            }
            var allModels = true
            for (position, member) in members.enumerated() {
                let memberType = type(of: member.schema, pointer: "\(pointer)/\(which)/\(member.index)", context: name + "Variant")
                let ref = member.schema["$ref"]?.string
                guard modelNames.contains(memberType.type) else {
                    allModels = false
                    break
                }
                let values = inferred.map { [$0.values[position]] } ?? mapping.filter { $0.value.string == ref }.map(\.key)
                // Without a mapping, the member's own constant for the property, else (as OpenAPI says) its schema's name.
                let value = values.first ?? constants(of: member.schema)[property]
                    ?? ref.map { String($0.split(separator: "/").last!) } ?? memberType.type
                add(value, memberType.type, importer: &self)
                for extra in values.dropFirst() { add(extra, memberType.type, importer: &self) }
            }
            // Two members with one value (a request's and a response's `message`) leave the shape to tell them apart.
            if allModels, !variants.isEmpty, Set(variants.map(\.value)).count == variants.count {
                draft.types.append(.taggedUnion(name: name, doc: doc, discriminator: property, variants: variants))
                return name
            }
        }
        let typed = members.map { member in
            (member, type(of: member.schema, pointer: "\(pointer)/\(which)/\(member.index)", context: name + "Case\(member.index + 1)").type)
        }
        var choices: [(name: String, type: String, shape: String)] = []
        var caseNames: Set<String> = ["unknown"]
        for (member, memberType) in typed {
            let shape = self.shape(of: memberType)
            // One case may take any object (it goes last); models are told apart by the keys they require.
            if choices.contains(where: { $0.shape == shape }) {
                namedSchemas[pointer] = nil
                // Members that are all strings (a URL or any string) or all numbers are one of those.
                if ["string", "number", "bool"].contains(shape), typed.allSatisfy({ self.shape(of: $0.1) == shape }) {
                    return shape == "string" ? "String" : shape == "bool" ? "Bool" : typed.allSatisfy({ $0.1.hasPrefix("Int") }) ? "Int64" : "Double"
                }
                warn("two members of this \(which) take the same JSON, so \(name) cannot tell them apart: read as JSON",
                     at: "\(pointer)/\(which)/\(member.index)", member.schema)
                // Schemas inside it that refer back to it were given its name already.
                abandonedUnions.insert(name)
                return "JSON"
            }
            let base = memberType.hasPrefix("[String:") ? "object" : memberType.hasPrefix("[") ? "array" : memberType
            let caseName = swiftName(for: Naming.lowerCamel(base), taken: &caseNames, reserved: []) ?? Naming.lowerCamel(base)
            choices.append((caseName, memberType, shape))
        }
        unionOrigins[name] = (pointer, schema)
        draft.types.append(.untaggedUnion(name: name, doc: doc, choices: choices.map { ($0.name, $0.type) }))
        return name
    }

    /// The member every one of `members` holds a different constant in (`type: text` in one, `type: image` in
    /// another), which tells them apart as a discriminator would: `type` first, then the first such member.
    private func inferredTag(_ members: [YAMLNode]) -> (property: String, values: [String])? {
        var constants: [[String: String]] = []
        for member in members {
            let found = self.constants(of: member)
            guard !found.isEmpty else { return nil }
            constants.append(found)
        }
        guard members.count > 1, let first = constants.first else { return nil }
        let candidates = first.keys.filter { key in
            let values = constants.compactMap { $0[key] }
            return values.count == members.count && Set(values).count == values.count
        }
        guard let property = candidates.contains("type") ? "type" : candidates.sorted().first else { return nil }
        return (property, constants.map { $0[property]! })
    }

    /// The properties of an object schema (its own and its `allOf` parts') that allow one string alone.
    private func constants(of member: YAMLNode) -> [String: String] {
        let schema = resolved(member)
        var found: [String: String] = [:]
        for part in [schema] + (schema["allOf"]?.items.map(resolved) ?? []) {
            for (key, property) in part["properties"]?.pairs ?? [] {
                if let value = Self.constant(of: resolved(property))?.value.string { found[key] = value }
            }
        }
        return found
    }

    /// The JSON a value of a spec type is, as unions tell their cases apart.
    func shape(of type: String) -> String {
        switch type {
        case "String", "Date", "URL", "UUID": return "string"
        case "Int", "Int64", "Double": return "number"
        case "Bool": return "bool"
        case "JSON": return "object:"
        default:
            if type.hasPrefix("[String:") { return "object:" }
            if type.hasPrefix("[") { return "array" }
            if let keys = requiredKeys[type] { return "object:" + keys.sorted().joined(separator: ",") }
            for case .enumeration(let name, _, let isInteger, _) in draft.types where name == type { return isInteger ? "number" : "string" }
            return "object:?" + type
        }
    }

    /// A default the spec language can write for a field of `type`, or nil.
    func defaultLiteral(_ value: YAMLNode, type: String) -> String? {
        switch value.kind {
        case .sequence(let items) where items.isEmpty && type.hasPrefix("[") && !type.hasPrefix("[String:"): return "[]"
        case .mapping(let pairs) where pairs.isEmpty && (type.hasPrefix("[String:") || type == "JSON"): return "{}"
        case .scalar(let text, let plain):
            if value.isNull { return nil }
            switch type {
            case "String": return SpecWriter.literal(text)
            case "Int", "Int64": return plain && Int64(text) != nil ? text : nil
            case "Double": return plain && Double(text) != nil ? text : nil
            case "Bool": return value.bool.map { $0 ? "true" : "false" }
            default:
                for case .enumeration(let name, _, let isInteger, let cases) in draft.types where name == type && cases.contains(where: { $0.value == text }) {
                    return isInteger ? text : SpecWriter.literal(text)
                }
                return nil
            }
        default: return nil
        }
    }

    // MARK: Names

    /// A type name made from `base`, unique in the spec and hiding nothing of Swift's.
    mutating func uniqueTypeName(_ base: String) -> String {
        var name = Naming.upperCamel(base).filter { $0.isLetter || $0.isNumber || $0 == "_" }
        if name.isEmpty || !Naming.isIdentifier(name) { name = "Type" + name }
        if Naming.swiftTypeNames.contains(name) || TypeRef.Primitive(rawValue: name) != nil { name += "Model" }
        var unique = name
        var counter = 2
        while typeNames.contains(unique) {
            unique = name + String(counter)
            counter += 1
        }
        typeNames.insert(unique)
        return unique
    }

    /// What to write after `as` for a wire name, when the Swift name Bindery would make of it does not do; nil when
    /// it does. Keeps Swift names unique within `taken`.
    mutating func swiftName(for wire: String, taken: inout Set<String>, reserved: Set<String>) -> String? {
        let made = Naming.lowerCamel(wire)
        if Naming.isIdentifier(made), !reserved.contains(made), taken.insert(made).inserted { return nil }
        var base = Naming.lowerCamel(wire.unicodeScalars.map { $0.isASCII && (Character($0).isLetter || Character($0).isNumber) ? String($0) : " " }.joined())
        if base.isEmpty || base.allSatisfy({ $0 == " " }) { base = Self.symbolName(wire) }
        if reserved.contains(base) { base += "Value" }
        if !Naming.isIdentifier(base) { base = "_" + base }
        if Naming.isIdentifier(base), !reserved.contains(base), taken.insert(base).inserted { return base }
        var counter = 2
        while !taken.insert(base + String(counter)).inserted { counter += 1 }
        return base + String(counter)
    }

    /// A name for a value written without letters or digits: `>=` → `greaterThanOrEqual`, `*` → `asterisk`.
    static func symbolName(_ wire: String) -> String {
        let operators = [
            "": "empty", "=": "equal", "==": "equal", "!=": "notEqual", "<>": "notEqual", "<": "lessThan", "<=": "lessThanOrEqual",
            ">": "greaterThan", ">=": "greaterThanOrEqual",
        ]
        if let name = operators[wire.trimmingCharacters(in: .whitespaces)] { return name }
        let symbols: [Character: String] = [
            "*": "asterisk", ".": "dot", "-": "minus", "+": "plus", "/": "slash", "\\": "backslash", "_": "underscore", "~": "tilde",
            "%": "percent", "&": "and", "|": "or", "^": "caret", "@": "at", "#": "hash", "$": "dollar", "?": "question",
            ":": "colon", ",": "comma", ";": "semicolon", "!": "not", "=": "equal", "<": "lessThan", ">": "greaterThan",
            "(": "open", ")": "close", "[": "open", "]": "close", "{": "open", "}": "close", "'": "quote", "\"": "quote",
        ]
        let words = wire.compactMap { $0 == " " ? "space" : symbols[$0] }
        guard let first = words.first else { return "value" }
        return first + words.dropFirst().map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
    }

    func singular(_ name: String) -> String {
        if name.hasSuffix("ies") { return String(name.dropLast(3)) + "y" }
        if name.hasSuffix("s") && !name.hasSuffix("ss") && !name.hasSuffix("us") && !name.hasSuffix("is") { return String(name.dropLast()) }
        return name + "Item"
    }

    // MARK: Helpers

    /// The node a local `$ref` names; a positioned error for one that names nothing or another file.
    mutating func follow(_ reference: YAMLNode, at pointer: String) -> YAMLNode? {
        guard let ref = reference.string else {
            errors.append(Diagnostic("$ref must be a string", at: SourceRange(reference.location)))
            return nil
        }
        // A reference to another file that could not be read, which the document set has reported.
        guard ref.hasPrefix("#") else { return nil }
        guard let target = root.resolve(pointer: String(ref.dropFirst())) else {
            let candidates = (root.resolve(pointer: (ref.dropFirst() as Substring).split(separator: "/").dropLast().map { "/" + $0 }.joined())?.pairs ?? []).map(\.key)
            let last = String(ref.split(separator: "/").last ?? "")
            errors.append(Diagnostic("'\(ref)' names nothing in this document", at: SourceRange(reference.location, length: ref.count + 2),
                                     hint: closest(to: last, in: candidates).map { "did you mean '\($0)'?" }))
            return nil
        }
        return target
    }

    func escape(_ key: String) -> String {
        key.replacingOccurrences(of: "~", with: "~0").replacingOccurrences(of: "/", with: "~1")
    }

    mutating func warn(_ message: String, at pointer: String, _ node: YAMLNode?) {
        let readable = documents.readable(pointer)
        warnings.append(ImportWarning(pointer: readable.hasPrefix("#") ? String(readable.dropFirst()) : readable, message: message,
                                      location: (node ?? root).location))
    }

    /// A description as doc lines: split wherever a reader could see a line end (`\r`, `\n`, U+2028 …), trimmed,
    /// without leading or trailing empty lines.
    func docLines(_ text: String?) -> [String] {
        guard let text else { return [] }
        var lines = text.replacingOccurrences(of: "\r\n", with: "\n").unicodeScalars.split(omittingEmptySubsequences: false) { ["\n", "\r", "\u{0B}", "\u{0C}", "\u{85}", "\u{2028}", "\u{2029}"].contains($0) }
            .map { String(String.UnicodeScalarView($0)) }
            .map { line in String(line.reversed().drop { $0 == " " || $0 == "\t" }.reversed()) }
        while lines.first?.isEmpty == true { lines.removeFirst() }
        while lines.last?.isEmpty == true { lines.removeLast() }
        return lines
    }
}
