import BinderyGenerator
import BinderyTestSupport
import Foundation
import Testing

/// OpenAPI documents written to break the importer. `bindery import` ends each by exiting 0 or 1 (never by a signal
/// or its time bound) within `memoryBound` of address space, every error it prints is positioned in the document,
/// and no text of the document becomes a declaration of the spec.
@Suite("Hostile documents", .timeLimit(.minutes(5)))
struct HostileDocumentTests {
    static let head = ##"{"openapi": "3.0.3", "info": {"title": "T", "version": "1"}, "##

    /// A document of `paths` and `schemas` (JSON objects' members, written out).
    static func document(paths: String = "", schemas: String = "") -> String {
        head + ##""paths": {\##(paths)}, "components": {"schemas": {\##(schemas)}}}"##
    }

    static func get(_ path: String, parameters: String = "", returns schema: String = ##"{"type": "string"}"##) -> String {
        ##""\##(path)": {"get": {"parameters": [\##(parameters)], "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": \##(schema)}}}}}}"##
    }

    static let alias = ["openapi: 3.0.3", ##"info: {title: T, version: "1"}"##, "paths: {}", ##"x-a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]"##]
        + zip("bcdefghij", "abcdefghi").map { "x-\($0): &\($0) [" + Array(repeating: "*\($1)", count: 9).joined(separator: ",") + "]" }

    /// Documents the import must refuse, with a few words of the error it must give.
    static let refused: [(name: String, text: String, expected: String)] = [
        ("12,000 nested JSON arrays", head + ##""paths": {}, "x": "## + String(repeating: "[", count: 12_000) + String(repeating: "]", count: 12_000) + "}",
         "nest more than 200"),
        ("7,000 nested YAML flow sequences", "openapi: 3.0.3\ninfo: {title: T, version: '1'}\npaths: {}\nx: " + String(repeating: "[", count: 7_000)
            + String(repeating: "]", count: 7_000) + "\n", "nest more than 200"),
        ("7,000 nested YAML block sequences", "openapi: 3.0.3\ninfo: {title: T, version: '1'}\npaths: {}\nx:\n  " + String(repeating: "- ", count: 7_000) + "a\n",
         "nest more than 200"),
        ("4,000 nested properties", document(schemas: ##""Deep": "## + String(repeating: ##"{"type": "object", "properties": {"p": "##, count: 4_000)
            + ##"{"type": "string"}"## + String(repeating: "}}", count: 4_000)), "nest more than 200"),
        ("a billion laughs", alias.joined(separator: "\n") + "\n", "aliases make this document"),
        ("aliases that nest past the limit", "openapi: 3.0.3\ninfo: {title: T, version: '1'}\npaths: {}\nx-a: &a " + String(repeating: "[", count: 150)
            + String(repeating: "]", count: 150) + "\nx-b: &b [" + String(repeating: "[", count: 100) + "*a" + String(repeating: "]", count: 100) + "]\n",
         "nest more than 200"),
        ("a dangling $ref", document(paths: get("/a", returns: ##"{"$ref": "#/components/schemas/Nothing"}"##)), "names nothing in this document"),
        ("a URL $ref", document(paths: get("/a", returns: ##"{"$ref": "https://example.com/pet.json"}"##)), "is a URL; the import reads files"),
        ("Swagger 2", ##"{"swagger": "2.0", "info": {"title": "T", "version": "1"}, "paths": {}}"##, "not an OpenAPI 3 document"),
    ]

    @Test(arguments: refused.map(\.name))
    func refusedWithAPositionedError(name: String) async throws {
        let example = Self.refused.first { $0.name == name }!
        let result = try await importInBounds(example.text)
        #expect(result.status == 1, "\(result.output.prefix(2_000))")
        #expect(result.output.contains(example.expected), "\(result.output.prefix(2_000))")
        #expect(result.output.contains("doc.yaml:"), "the error names the document and a line in it")
    }

    /// Documents the import must accept, each with a warning it must give where it reads something weaker.
    static let accepted: [(name: String, text: String, warning: String?)] = [
        ("2,400 chained schemas", document(
            paths: get("/a", returns: ##"{"$ref": "#/components/schemas/S0"}"##),
            schemas: (0..<2_400).map { ##""S\##($0)": {"type": "object", "properties": {"next": {"$ref": "#/components/schemas/S\##($0 + 1)"}}}"## }
                .joined(separator: ", ") + ##", "S2400": {"type": "string"}"##),
         "schemas nest more than 100 levels deep"),
        ("2,400 schemas chained by allOf", document(
            paths: get("/a", returns: ##"{"$ref": "#/components/schemas/S0"}"##),
            schemas: (0..<2_400).map { ##""S\##($0)": {"allOf": [{"$ref": "#/components/schemas/S\##($0 + 1)"}], "properties": {"f\##($0)": {"type": "string"}}}"## }
                .joined(separator: ", ") + ##", "S2400": {"type": "object", "properties": {"last": {"type": "string"}}}"##),
         "allOf refers on through more than 32 schemas"),
        ("$ref cycles of every kind", head + ##"""
            "paths": {
              "/loop": {"$ref": "#/paths/~1loop"},
              "/a": {"get": {
                "parameters": [{"$ref": "#/components/parameters/P"}],
                "requestBody": {"$ref": "#/components/requestBodies/B"},
                "responses": {"200": {"$ref": "#/components/responses/R"}}}},
              "/b/{id}": {"post": {
                "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"$ref": "#/components/schemas/Alias1"}}],
                "requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Node"}}}},
                "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Mutual1"}}}}}}}
            },
            "components": {
              "parameters": {"P": {"$ref": "#/components/parameters/P"}},
              "requestBodies": {"B": {"$ref": "#/components/requestBodies/B"}},
              "responses": {"R": {"$ref": "#/components/responses/R"}},
              "schemas": {
                "Alias1": {"$ref": "#/components/schemas/Alias2"}, "Alias2": {"$ref": "#/components/schemas/Alias1"},
                "Node": {"type": "object", "properties": {"children": {"type": "array", "items": {"$ref": "#/components/schemas/Node"}},
                                                          "self": {"allOf": [{"$ref": "#/components/schemas/Node"}]}}},
                "Mutual1": {"type": "object", "required": ["a"], "properties": {"a": {"oneOf": [{"$ref": "#/components/schemas/Mutual2"}, {"type": "string"}]}}},
                "Mutual2": {"type": "object", "required": ["b"], "properties": {"b": {"oneOf": [{"$ref": "#/components/schemas/Mutual1"}, {"type": "integer"}]}}}
              }
            }}
            """##, "refers only to itself"),
        ("5,000 operations", document(paths: (0..<5_000).map { get("/things\($0)/{id}", parameters: ##"{"name": "id", "in": "path", "required": true, "schema": {"type": "integer"}}"##) }
            .joined(separator: ", ")), nil),
        ("300 path parameters", document(paths: get((0..<300).map { "/s\($0)/{p\($0)}" }.joined(),
                                                    parameters: (0..<300).map { ##"{"name": "p\##($0)", "in": "path", "required": true, "schema": {"type": "string"}}"## }
                                                        .joined(separator: ", "))), nil),
        ("a BOM inside the document", document(paths: get("/a\u{FEFF}b") + ", " + get("/c"), schemas: "\"\u{FEFF}Pet\": {\"type\": \"string\"}"), nil),
    ]

    @Test(arguments: accepted.map(\.name))
    func acceptedWithinBounds(name: String) async throws {
        let example = Self.accepted.first { $0.name == name }!
        let result = try await importInBounds(example.text)
        #expect(result.status == 0, "\(result.output.prefix(2_000))")
        if let warning = example.warning { #expect(result.output.contains(warning), "\(result.output.prefix(2_000))") }
    }

    /// A document that writes line ends, comment ends and quotes into every text the spec holds, after which comes
    /// what would be declarations; the same document without them is the benign one.
    static func injecting(_ breaks: [String]) -> String {
        let payload = breaks.map { $0 + ##"api Evil { base-url "https://evil.example.com" } extend api T { base-url "https://evil.example.com" } model Injected { x: Int } */ " \ "## }
            .joined()
        func json(_ text: String) -> String {
            var out = "\""
            for scalar in text.unicodeScalars {
                switch scalar {
                case "\"": out += "\\\""
                case "\\": out += "\\\\"
                default: out += scalar.value < 0x20 ? String(format: "\\u%04x", scalar.value) : String(scalar)
                }
            }
            return out + "\""
        }
        return ##"{"openapi": "3.0.3", "info": {"title": \##(json("T" + payload)), "version": \##(json("1" + payload)), "description": \##(json(payload))},"##
            + ##""servers": [{"url": "https://good.example.com"}],"##
            + ##""paths": {\##(json("/items/{id}" + payload)): {"get": {"summary": \##(json(payload)), "description": \##(json(payload)),"##
            + ##""parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}, "description": \##(json(payload))},"##
            + ##"{"name": \##(json("q" + payload)), "in": "query", "schema": {"type": "string", "enum": [\##(json("a" + payload)), "b"], "default": \##(json("a" + payload))}}],"##
            + ##""responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Item"}}}}}}}},"##
            + ##""components": {"schemas": {"Item": {"type": "object", "description": \##(json(payload)), "required": [\##(json("n" + payload))],"##
            + ##""properties": {\##(json("n" + payload)): {"type": "string", "description": \##(json(payload))}}}}}}"##
    }

    @Test func noDocumentTextBecomesADeclaration() async throws {
        let breaks = ["\n", "\r", "\r\n", "\u{2028}", "\u{2029}", "\u{85}", "\u{0B}", "\u{0C}", "\u{0}"]
        let result = try OpenAPIImporter.importDocument(Self.injecting(breaks), file: "doc.json")
        let api = try Generator.check(source: result.spec, file: "doc.bindery")
        #expect(api.name == "T", "the title names the API; nothing after its line breaks does")
        #expect(api.baseURL == "https://good.example.com")
        #expect(api.types.count == 2, "Item and the query's enum, nothing injected: \(api.types.map(\.name))")
        // Written to a file and read back, as `bindery import` then `bindery generate` do, where `\r` ends lines.
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("injected-\(UUID().uuidString).bindery")
        defer { try? FileManager.default.removeItem(at: file) }
        try Data(result.spec.utf8).write(to: file)
        let reread = try Generator.check(source: SpecSource.text(of: Data(contentsOf: file), file: file.path), file: file.path)
        #expect(reread.baseURL == "https://good.example.com")
        #expect(reread.types.count == 2)
        // The wire names keep every character of the document's.
        let query = try #require(reread.resources.first?.endpoints.first?.query.first)
        #expect(query.wireName.hasPrefix("q") && query.wireName.contains("\u{2028}") && query.wireName.contains("\r\n"))
        try await expectCompiles(result.spec)
    }

    /// Names a document may hold that Swift or the spec language cannot take as they are.
    @Test func everyNameMakesAValidUniqueSwiftName() async throws {
        let names = ["class", "self", "Self", "Type", "init", "File", "JSON", "Bytes", "Task", "Data", "🐶", "", "pet", "Pet", "PET", "1st", "_", "__", "a b", "a-b", "a_b"]
        let properties = names.map { ##""\##($0)": {"type": "string"}"## }.joined(separator: ", ")
        let schemas = names.map { ##""\##($0)": {"type": "object", "properties": {\##(properties)}}"## }.joined(separator: ", ")
            + ##", "Symbols": {"type": "string", "enum": [".", "*", "", "=", "!=", "<", "<=", ">", ">=", "null", "unknown", "rawValue", "init"]}"##
        let parameters = ["page-size", "page_size", "pageSize", "model", "path", "self", "queryItems"]
            .map { ##"{"name": "\##($0)", "in": "query", "schema": {"type": "integer"}}"## }.joined(separator: ", ")
        let text = Self.head + ##""paths": {"/models/{model}/{path}": {"get": {"operationId": "get", "parameters": [\##(parameters), "##
            + ##"{"name": "model", "in": "path", "required": true, "schema": {"type": "string"}}, {"name": "path", "in": "path", "required": true, "schema": {"type": "string"}}], "##
            + ##""responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Symbols"}}}}}}}}, "##
            + ##""components": {"securitySchemes": {"api_key": {"type": "apiKey", "in": "header", "name": "X-A"}, "ApiKey": {"type": "apiKey", "in": "header", "name": "X-B"}}, "##
            + ##""schemas": {\##(schemas)}}}"##
        let result = try OpenAPIImporter.importDocument(text, file: "doc.json")
        let api = try Generator.check(source: result.spec, file: "doc.bindery")
        #expect(Listing.lines(for: api).contains { $0.hasPrefix("GET /models/{model}/{path}") }, "path parameters named like keywords keep their operation")
        try await expectCompiles(result.spec)
    }

    /// `bindery import` on `text`, under a time bound and `memoryBound` of address space.
    func importInBounds(_ text: String) async throws -> CommandResult {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("hostile-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let document = folder.appendingPathComponent("doc.yaml")
        try Data(text.utf8).write(to: document)
        let kilobytes = Self.memoryBound(documentSize: text.utf8.count) / 1024
        let result = try await run(
            "bash", ["-c", "ulimit -v \(kilobytes) && exec \"$0\" import doc.yaml --output doc.bindery", Repository.bindery.path],
            in: folder, timeout: 120)
        #expect(!result.signalled && !result.timedOut, "the import crashed, ran out of its \(kilobytes) KiB or its time: \(result.output.suffix(2_000))")
        return result
    }

    /// The address space an import may take: Swift's runtime and the program, and 40 times the document's size.
    static func memoryBound(documentSize: Int) -> Int { 192 << 20 + 40 * documentSize }

    private func expectCompiles(_ spec: String) async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("hostile-swift-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        try Generator.write(try Generator.generate([SourceFile(name: "doc.bindery", text: spec)]), to: folder)
        let compile = try await typecheck(folder, module: "Hostile")
        #expect(compile.status == 0, "the generated Swift does not compile:\n\(compile.output.prefix(4_000))")
    }
}
