@testable import BinderyGenerator
import BinderyTestSupport
import Foundation
import Testing

/// OpenAPI Overlay 1.0: JSONPath targets read on bytes, updates and removals applied before the import, mistakes
/// positioned in the overlay, and the plugin applying the overlay beside a target's document.
@Suite("OpenAPI Overlay")
struct OverlayTests {
    static let document = """
        openapi: 3.0.3
        info: {title: Pets, version: "1"}
        paths:
          /pets:
            get:
              parameters:
                - {name: limit, in: query, schema: {type: integer}}
                - {name: X-Trace, in: header, schema: {type: string}}
              responses: {'200': {description: ok}}
            post:
              deprecated: true
              responses: {'201': {description: created}}
          /internal/metrics:
            get:
              responses: {'200': {description: ok}}
        """

    static func paths(_ target: String) throws -> [String] {
        try JSONPath(target).select(in: YAMLReader.read(document, file: "d.yaml")).map { path in
            path.map { if case .name(let name) = $0 { name } else if case .index(let index) = $0 { String(index) } else { "" } }.joined(separator: "/")
        }
    }

    @Test func jsonPathSelectsWhatRFC9535Says() throws {
        #expect(try Self.paths("$.info.title") == ["info/title"])
        #expect(try Self.paths("$.paths['/pets'].get") == ["paths//pets/get"])
        #expect(try Self.paths(#"$["paths"]["/internal/metrics"]"#) == ["paths//internal/metrics"])
        #expect(try Self.paths("$.paths.*.get") == ["paths//pets/get", "paths//internal/metrics/get"])
        #expect(try Self.paths("$.paths['/pets'].get.parameters[-1].name") == ["paths//pets/get/parameters/1/name"])
        #expect(try Self.paths("$..parameters[?@.in == 'query']") == ["paths//pets/get/parameters/0"])
        #expect(try Self.paths("$.paths.*[?(@.deprecated == true)]") == ["paths//pets/post"])
        #expect(try Self.paths("$.paths.*[?@.deprecated]") == ["paths//pets/post"])
        #expect(try Self.paths("$.paths.*[?@.deprecated != true]") == ["paths//pets/get", "paths//internal/metrics/get"])
        #expect(try Self.paths("$.paths['/pets', '/none']") == ["paths//pets"])
        #expect(try Self.paths("$..description").count == 3)
        for broken in ["paths", "$.", "$[", "$['a'", "$[?@.a == ]", "$.a b"] {
            #expect(throws: JSONPath.Failure.self, "\(broken)") { try JSONPath(broken) }
        }
    }

    static let overlay = """
        overlay: 1.0.0
        info: {title: Fixes, version: "1"}
        actions:
          - target: $.info
            update: {title: Pet Store, description: Pets for sale.}
          - target: $.paths['/pets'].get.parameters[?@.name == 'limit'].schema
            update: {default: 20, maximum: 100}
          - target: $.paths['/pets'].get.parameters
            update: {name: cursor, in: query, schema: {type: string}}
          - target: $.paths.*[?@.deprecated == true]
            remove: true
          - target: $.paths['/internal/metrics']
            remove: true
          - target: $.paths['/gone']
            update: {description: nothing here}
        """

    @Test func actionsApplyInOrderBeforeTheImport() throws {
        let result = try OpenAPIImporter.importDocument(Self.document, file: "d.yaml", overlays: [(Self.overlay, "fixes.overlay.yaml")])
        let api = try Generator.check(source: result.spec, file: "d.bindery")
        #expect(api.name == "PetStore", "info updated")
        #expect(api.doc == ["Pets for sale."])
        #expect(Listing.lines(for: api).map { $0.split(separator: " ").last.map(String.init) ?? "" } == ["pets.get(limit:cursor:xTrace:)"],
                "an array update appends; deprecated and internal operations removed")
        #expect(result.spec.contains("query limit: Int = 20"), "a filter selects the parameter whose schema is merged")
        #expect(result.files == ["d.yaml", "fixes.overlay.yaml"])
        let unmatched = try #require(result.warnings.first { $0.message.contains("selects nothing") })
        #expect(unmatched.location == SourceLocation(line: 14, column: 13, file: 1), "placed at the target in the overlay")
    }

    @Test func mistakesArePositionedInTheOverlay() {
        let overlay = "overlay: 1.0.0\ninfo: {title: F, version: '1'}\nactions:\n  - target: $.paths[\n    remove: true\n  - update: {a: 1}\n"
        #expect {
            _ = try OpenAPIImporter.importDocument(Self.document, file: "d.yaml", overlays: [(overlay, "f.overlay.yaml")])
        } throws: { error in
            let text = "\(error)"
            return text.contains("f.overlay.yaml:4:13: error: '$.paths[' is not a JSONPath this reads")
                && text.contains("f.overlay.yaml:6:5: error: an action needs a 'target'") && text.contains("^")
        }
        #expect {
            _ = try OpenAPIImporter.importDocument(Self.document, file: "d.yaml", overlays: [("openapi: 3.0.0\n", "f.overlay.yaml")])
        } throws: { "\($0)".contains("f.overlay.yaml:1:1: error: this is not an Overlay document") }
    }

    /// LlamaDeployImported's folder holds no-ui.overlay.yaml, which removes the UI proxy; what the plugin generated
    /// for the target has none of it.
    @Test func thePluginAppliesTheOverlayBesideTheDocument() throws {
        let outputs = Repository.url(".build/plugins/outputs")
        let packages = try FileManager.default.contentsOfDirectory(atPath: outputs.path)
        let generated = try #require(
            packages.map { outputs.appendingPathComponent("\($0)/LlamaDeployImported/destination/BinderyPlugin/Generated") }
                .first { FileManager.default.fileExists(atPath: $0.path) }, "the plugin's output for LlamaDeployImported")
        let swift = try FileManager.default.contentsOfDirectory(atPath: generated.path).map {
            try String(contentsOf: generated.appendingPathComponent($0), encoding: .utf8)
        }.joined()
        #expect(swift.contains("public nonisolated struct Deployment"), "the rest of the document is there")
        #expect(!swift.contains("/ui"), "the overlay removed the UI proxy")
    }
}
