import BinderyGenerator
import BinderyTestSupport
import Foundation
import Testing

/// `bindery diff`: what changed between two versions of a spec, as changes to the generated Swift API.
@Suite("Spec diff")
struct SpecDiffTests {
    static let old = """
        api Shop {
            base-url "https://shop.example.com"
            auth token: bearer
        }
        enum Status { available, sold }
        model Pet {
            id: Int
            name: String
            tag: String?
        }
        model Owner { name: String }
        resource pets "pets" {
            list: GET "" -> [Pet] {
                query limit: Int = 20
            }
            get: GET "{id}" -> Pet { path id: Int }
            delete: DELETE "{id}" { path id: Int }
            photo: GET "{id}/photo" -> Bytes { path id: Int }
        }
        """

    static let new = """
        api Shop {
            base-url "https://api.shop.example.com"
            auth token: bearer
            auth key: header "X-Key"
        }
        enum Status { available, sold, adopted }
        model Pet {
            id: Int
            name: String
            tag: Int?
            color: String?
            age: Int
        }
        model Photo { url: String }
        resource pets "pets" {
            list: GET "" -> [Pet] {
                query limit: Int = 20
                query kind: String?
            }
            get: GET "v2/{id}" -> Pet { path id: Int }
            photo: GET "{id}/photo" -> Photo { path id: Int }
            search: GET "search" -> [Pet] { query q: String }
        }
        """

    func changes() throws -> [String] {
        SpecDiff.changes(from: try Generator.check(source: Self.old, file: "old.bindery"), to: try Generator.check(source: Self.new, file: "new.bindery"))
            .map(\.description)
    }

    @Test("Types: added and removed, fields added (required ones break), types changed, enum cases added (they break switches)")
    func typeChanges() throws {
        let changes = try changes()
        #expect(changes.contains("+ model Photo"))
        #expect(changes.contains("- model Owner  [breaking: code naming Owner no longer compiles]"))
        #expect(changes.contains("+ Pet.color: String?"))
        #expect(changes.contains("+ Pet.age: Int  [breaking: the initializer needs it]"))
        #expect(changes.contains("~ Pet.tag: String? → Int?  [breaking: its type changed]"))
        #expect(changes.contains("+ Status.adopted  [breaking: a switch over every case needs it]"))
    }

    @Test("Calls: added, removed, moved, new parameters with defaults keep callers compiling, new answers break them")
    func callChanges() throws {
        let changes = try changes()
        #expect(changes.contains("+ GET /pets/search  pets.search(q:) -> [Pet]"))
        #expect(changes.contains("- DELETE /pets/{id}  pets.delete(id:)  [breaking: code calling it no longer compiles]"))
        #expect(changes.contains("~ pets.get(id:) sends GET /pets/v2/{id}, was GET /pets/{id}"))
        #expect(changes.contains("~ pets.list(limit: Int = …) -> [Pet]  →  pets.list(limit: Int = …, kind: String? = …) -> [Pet]"))
        #expect(changes.contains("~ pets.photo(id: Int) -> Data  →  pets.photo(id: Int) -> Photo  [breaking: it answers Photo, was Data]"))
        #expect(changes.contains("+ credential key (an initializer parameter with a default)"))
        #expect(changes.contains("~ base URL https://shop.example.com → https://api.shop.example.com"))
        #expect(changes.count == 13, "\(changes.joined(separator: "\n"))")
    }

    @Test("The command compares two imports of a document and sums up")
    func commandLine() async throws {
        let old = Repository.url("Tests/BinderyGeneratorTests/OpenAPI/everything.yaml")
        let newer = FileManager.default.temporaryDirectory.appendingPathComponent("everything-\(UUID().uuidString).yaml")
        defer { try? FileManager.default.removeItem(at: newer) }
        let text = try String(contentsOf: old, encoding: .utf8).replacingOccurrences(of: "enum: [available, pending, sold]", with: "enum: [available, sold]")
        try Data(text.utf8).write(to: newer)
        let result = try await run(Repository.bindery.path, ["diff", old.path, newer.path], timeout: 60)
        #expect(result.status == 0)
        #expect(result.output == "- Status.pending  [breaking: code naming the case no longer compiles]\n1 change, 1 source-breaking.\n")
        let same = try await run(Repository.bindery.path, ["diff", old.path, old.path], timeout: 60)
        #expect(same.output == "No changes to the Swift API.\n")
        let additions = FileManager.default.temporaryDirectory.appendingPathComponent("additions-\(UUID().uuidString).bindery")
        defer { try? FileManager.default.removeItem(at: additions) }
        try Data("extend enum Status { pending }\n".utf8).write(to: additions)
        let extended = try await run(Repository.bindery.path, ["diff", old.path, newer.path, additions.path], timeout: 60)
        #expect(extended.output == "No changes to the Swift API.\n", "the additions apply to both sides")
    }
}
