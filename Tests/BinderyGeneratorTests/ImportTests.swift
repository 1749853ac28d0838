import BinderyGenerator
import BinderyTestSupport
import Foundation
import Testing

/// `bindery import` on OpenAPI documents: one written by hand to use every construct (OpenAPI/everything.yaml), the
/// documents our FastAPI test servers publish (OpenAPI/*.json) and the LlamaDeploy apiserver's. Each import must
/// match its golden file (Golden/Imported/NAME.bindery, its warnings in NAME.warnings) and generate Swift that
/// compiles without warnings. After an intended change: `BINDERY_UPDATE_GOLDEN=1 swift test --filter ImportTests`.
@Suite("OpenAPI import")
struct ImportTests {
    static let documents = [
        "Tests/BinderyGeneratorTests/OpenAPI/everything.yaml", "Tests/BinderyGeneratorTests/OpenAPI/github.json",
        "Tests/BinderyGeneratorTests/OpenAPI/openai.json", "Tests/BinderyGeneratorTests/OpenAPI/streams.json",
        "Tests/LlamaDeployImport/openapi.json", "Tests/BinderyGeneratorTests/OpenAPI/shapes.yaml",
    ]
    static let golden = Repository.url("Tests/BinderyGeneratorTests/Golden/Imported")

    static func goldenName(_ document: String) -> String {
        let name = ((document as NSString).lastPathComponent as NSString).deletingPathExtension
        return name == "openapi" ? "llamadeploy" : name
    }

    @Test(arguments: documents)
    func importMatchesItsGoldenFile(document: String) throws {
        let result = try OpenAPIImporter.importDocument(try Repository.text(document), file: (document as NSString).lastPathComponent)
        let warnings = result.warnings.map(\.description).joined(separator: "\n") + "\n"
        let spec = Self.golden.appendingPathComponent(Self.goldenName(document) + ".bindery")
        let warningsFile = Self.golden.appendingPathComponent(Self.goldenName(document) + ".warnings")
        if ProcessInfo.processInfo.environment["BINDERY_UPDATE_GOLDEN"] == "1" {
            try FileManager.default.createDirectory(at: Self.golden, withIntermediateDirectories: true)
            try Data(result.spec.utf8).write(to: spec)
            try Data(warnings.utf8).write(to: warningsFile)
        }
        #expect(result.spec == (try String(contentsOf: spec, encoding: .utf8)), "the import of \(document) differs from its golden file")
        #expect(warnings == (try String(contentsOf: warningsFile, encoding: .utf8)))
    }

    @Test(arguments: documents)
    func importedSpecsCompileWithoutWarnings(document: String) async throws {
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("import-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: output) }
        let generate = try await run(Repository.bindery.path, ["generate", Repository.url(document).path, "--output", output.path], timeout: 120)
        try #require(generate.status == 0, "\(generate.output)")
        #expect(generate.output.isEmpty, "a build prints nothing: \(generate.output)")
        let compile = try await typecheck(output, module: "Imported")
        #expect(compile.status == 0, "the generated Swift does not compile:\n\(compile.output.prefix(4_000))")
    }

    @Test("Every construct of the hand-written document lands where it should")
    func everythingIsRead() throws {
        let result = try OpenAPIImporter.importDocument(try Repository.text(Self.documents[0]), file: "everything.yaml")
        let api = try Generator.check(source: result.spec, file: "everything.bindery")
        #expect(api.baseURL == "https://eu.pets.example.com/v2", "server variables take their defaults")
        #expect(api.auth.map(\.name) == ["bearer", "basicAuth", "apiKey", "oauth"])
        #expect(api.defaultParameters.map(\.wireName) == ["api_key"], "an API key in the query is a default query item")
        let pet = try #require(api.types.lazy.compactMap { if case .model(let model) = $0, model.name == "Pet" { model } else { nil } }.first)
        let fields = Dictionary(uniqueKeysWithValues: pet.fields.map { ($0.wireName, $0) })
        #expect(fields["created_at"]?.type == .optional(.primitive(.date)), "allOf brings the timestamps; read-only is optional")
        #expect(fields["id"]?.type == .primitive(.int64))
        #expect(fields["tag"]?.type == .optional(.primitive(.string)), "nullable")
        #expect(fields["owner"]?.type.isOptional == true, "anyOf [Owner, null]")
        #expect(fields["chip"]?.type == .optional(.primitive(.uuid)))
        #expect(fields["weight"]?.defaultValue == .number("1.5"))
        #expect(fields["parent"]?.isIndirect == true, "a model that contains itself")
        #expect(result.warnings.contains { $0.pointer == "/paths/~1pets/get/parameters/5" }, "a cookie parameter")
        #expect(result.warnings.contains { $0.pointer == "/paths/~1notes/get/operationId" && $0.location.line == 366 })
        let calls = Listing.lines(for: api).map { $0.split(separator: " ").last.map(String.init) ?? "" }
        #expect(calls.contains("pets.createMultipart(name:photo:meta:xRequestID:)"), "a second content type is a second call")
        #expect(calls.contains("pets.createForm(name:xRequestID:)"), "and a third")
        #expect(calls.contains("events.get()") && calls.contains("exports.get()"))
    }

    @Test("The shapes public documents take become calls, not errors or left-out operations")
    func shapesOfPublicDocuments() throws {
        let result = try OpenAPIImporter.importDocument(try Repository.text("Tests/BinderyGeneratorTests/OpenAPI/shapes.yaml"), file: "shapes.yaml")
        let api = try Generator.check(source: result.spec, file: "shapes.bindery")
        #expect(api.name == "Shapes", "a short name from a long title")
        #expect(api.auth.map(\.name) == ["apiKey", "apiKey2"], "schemes whose names differ by case keep apart")
        let lines = Listing.lines(for: api).map { $0.split(separator: " ", omittingEmptySubsequences: true).map(String.init) }
        func call(_ method: String, _ path: String) -> String? { lines.first { $0.first == method && $0.dropFirst().first == path }?.last }
        #expect(call("GET", "/Accounts/{AccountSid}/Calls/{Sid}.json") == "accounts.account(_:).calls.get(sid:)", "text beside a placeholder")
        #expect(lines.contains { $0 == ["GET", "/files/{file_id}", "files.getSharedLink(fileID:fields:)"] }, "a fragment names a second call")
        #expect(call("POST", "/responses?beta=true") == "responses.create(_:)", "a fixed query")
        #expect(call("GET", "/models/{model}") == "models.get(model:`operator`:action:order:tool:choice:)", "a path parameter named like a keyword")
        #expect(call("GET", "/search") == "search.get(filter:metadata:gt:lt:project:skuIDs:xTrace:)", "deepObject values, a form object's properties")
        #expect(call("POST", "/checkout/sessions") == "checkout.sessions(lineItems:metadata:expand:)", "a form of nested values")
        #expect(call("POST", "/uploads") == "uploads.create(files:meta:)", "an array of files")
        #expect(call("POST", "/empty-form") == "emptyForm.create()", "a form with no fields keeps its operation")
        #expect(call("PUT", "/me/albums") == "me.albums.saveAlbumsUser(ids:)", "the operationId, not replaceAll, for a PUT of a collection")
        #expect(lines.contains { $0.dropFirst().first == "/deployments/{deployment_series_name}/builds/{deployment_build_id}/events/{date}-{id}" },
                "placeholders that are not names, several in a segment, and an explicit YAML key")
        let content = try #require(api.types.lazy.compactMap { if case .union(let union) = $0, union.name == "Content" { union } else { nil } }.first)
        #expect(content.choices.map(\.swiftName) == ["text", "image", "mediaCase2", "object"], "a union's union listed in it, the object case last")
        #expect(result.warnings.allSatisfy { !$0.message.contains("left out") }, "\(result.warnings.map(\.message))")
        let enums = Dictionary(uniqueKeysWithValues: api.types.compactMap { if case .enumeration(let e) = $0 { (e.name, e) } else { nil } })
        #expect(enums["AuditAction"]?.cases.map(\.swiftName) == ["guildUpdate", "channelCreate", "value99"], "constants named by their titles")
        #expect(enums["SortOrder"]?.cases.map(\.swiftName) == ["newestFirst", "oldestFirst"])
        let unions = Dictionary(uniqueKeysWithValues: api.types.compactMap { if case .union(let u) = $0 { (u.name, u) } else { nil } })
        for name in ["Tool", "ToolChoice"] {
            #expect(unions[name]?.discriminator == "type", "\(name)")
            #expect(unions[name]?.variants.map(\.value) == ["function", "file_search"], "each member's constant, not its schema's name: \(name)")
        }
    }

    @Test("A document spread over files: references relative to the file they are in, cycles across files, errors in the file that holds them")
    func documentsSpreadOverFiles() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("multi-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        func write(_ path: String, _ text: String) throws {
            let url = folder.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(text.utf8).write(to: url)
        }
        try write("api.yaml", """
            openapi: 3.0.3
            info: {title: Multi, version: "1"}
            paths:
              /pets:
                get:
                  $ref: 'paths/pets_list.yml'
              /pets/{id}:
                $ref: 'paths/pet.yml'
            components:
              schemas:
                Owner:
                  type: object
                  properties:
                    pets: {type: array, items: {$ref: 'models/pet.yml'}}
            """)
        try write("paths/pets_list.yml", """
            operationId: listPets
            responses:
              '200':
                description: Pets.
                content:
                  application/json:
                    schema: {type: array, items: {$ref: '../models/pet.yml'}}
            """)
        try write("paths/pet.yml", """
            get:
              parameters: [{$ref: '../parameters.yml#/id'}]
              responses:
                '200':
                  description: A pet.
                  content:
                    application/json:
                      schema: {$ref: '../models/pet.yml'}
            """)
        try write("parameters.yml", "id: {name: id, in: path, required: true, schema: {type: integer}}\n")
        try write("models/pet.yml", """
            type: object
            required: [name]
            properties:
              name: {type: string}
              owner: {$ref: '../api.yaml#/components/schemas/Owner'}
            """)
        let main = folder.appendingPathComponent("api.yaml")
        let result = try OpenAPIImporter.importDocument(try String(contentsOf: main, encoding: .utf8), file: "api.yaml", url: main)
        let api = try Generator.check(source: result.spec, file: "multi.bindery")
        #expect(Listing.lines(for: api).map { $0.split(separator: " ").last.map(String.init) ?? "" } == ["pets.list()", "pets.get(id:)"])
        #expect(api.types.map(\.name).sorted() == ["Owner", "Pet"], "one model a file, named after it, the cycle through the first file ended")
        #expect(result.files == ["api.yaml", "paths/pets_list.yml", "paths/pet.yml", "models/pet.yml", "parameters.yml"])

        try write("models/pet.yml", "type: object\nproperties:\n  name: {$ref: 'missing.yml'}\n  tag:\n   - bad\n")
        #expect {
            _ = try OpenAPIImporter.importDocument(try String(contentsOf: main, encoding: .utf8), file: "api.yaml", url: main)
        } throws: { error in
            let text = "\(error)"
            return text.contains("models/pet.yml:3:16: error: cannot read") && text.contains("missing.yml") && text.contains("^")
        }
    }

    static let broken: [(name: String, document: String, expected: String)] = [
        ("dangling $ref", """
            openapi: 3.0.3
            info: {title: T, version: "1"}
            paths: {}
            components:
              schemas:
                Pet:
                  type: object
                  properties:
                    owner: {$ref: '#/components/schemas/Ownr'}
                Owner: {type: object}
            """, "d.yaml:9:23: error: '#/components/schemas/Ownr' names nothing in this document"),
        ("external $ref", """
            openapi: 3.0.3
            info: {title: T, version: "1"}
            paths:
              /a:
                get:
                  responses:
                    '200':
                      description: A.
                      content:
                        application/json:
                          schema: {$ref: 'other.yaml#/Pet'}
            """, "d.yaml:11:30: error: 'other.yaml#/Pet' names another file, and this document was read from standard input"),
        ("Swagger 2", "swagger: '2.0'\ninfo: {title: T, version: '1'}\n", "d.yaml:1:1: error: this is not an OpenAPI 3 document (Swagger 2.0)"),
        ("bad YAML", "openapi: 3.0.0\ninfo:\n  title: T\n   version: 1\n", "d.yaml:4:4: error: this line is indented more than the keys of its mapping"),
    ]

    @Test(arguments: broken.map(\.name))
    func brokenDocumentsArePositionedErrors(name: String) {
        let example = Self.broken.first { $0.name == name }!
        #expect {
            _ = try OpenAPIImporter.importDocument(example.document, file: "d.yaml")
        } throws: { error in
            "\(error)".hasPrefix(example.expected) && "\(error)".contains("^")
        }
    }

    @Test("import reads standard input, writes nothing when the document is broken, and checks what it writes")
    func commandLine() async throws {
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("import-\(UUID().uuidString).bindery")
        defer { try? FileManager.default.removeItem(at: output) }
        let document = Repository.url(Self.documents[1]).path
        let piped = try await run("/bin/sh", ["-c", "'\(Repository.bindery.path)' import - --output '\(output.path)' --name GitHub < '\(document)'"], timeout: 60)
        #expect(piped.status == 0, "\(piped.output)")
        #expect(try String(contentsOf: output, encoding: .utf8).contains("api GitHub {"))
        #expect(piped.output.contains("<stdin>:1:1: warning: no servers"))
        try FileManager.default.removeItem(at: output)
        let broken = FileManager.default.temporaryDirectory.appendingPathComponent("broken-\(UUID().uuidString).yaml")
        defer { try? FileManager.default.removeItem(at: broken) }
        try Data(Self.broken[0].document.utf8).write(to: broken)
        let failed = try await run(Repository.bindery.path, ["import", broken.path, "--output", output.path], timeout: 60)
        #expect(failed.status == 1)
        #expect(failed.output.contains("\(broken.path):9:23: error:"))
        #expect(!FileManager.default.fileExists(atPath: output.path), "no partial output")
    }
}
