import BinderyGenerator
import BinderyTestSupport
import Foundation
import Testing

/// A spec in several files, the later ones extending the first (as additions extend an imported spec).
@Suite("extend, and specs in several files")
struct ExtendTests {
    static let base = """
        api Imported {
            base-url "http://localhost"
        }
        pagination pages: next-link {
            items results
            next next
        }
        enum Status { available, sold }
        model Pet {
            id: Int
            tag: String
        }
        model PetPage {
            results: [Pet]
            next: String?
        }
        resource pets "pets" {
            list: GET "" -> PetPage {
                query limit: Int?
            }
            get: GET "{id}" -> Pet { path id: Int }
            resource pet(_ id: Int) as PetResource "/{id}" {
                events: GET "/events" -> JSON
            }
        }
        """

    static let additions = """
        extend api Shop {
            base-url "https://shop.example.com" env SHOP_URL
        }
        extend model Pet {
            tag: String?
            name: String = ""
        }
        extend enum Status { adopted }
        extend resource pets {
            /// Every pet, a page at a time.
            list as page -> [Pet] {
                paginate pages
                query limit: Int = 50
            }
            search: GET "search" -> [Pet]
            remove get
        }
        extend resource pets.pet {
            events -> Pet {
                stream ndjson
            }
        }
        """

    func check(_ files: [(String, String)]) throws -> API {
        try Generator.check(files.map { SourceFile(name: $0.0, text: $0.1) })
    }

    @Test("Extensions rename the API, replace and add fields, cases, endpoints and settings, and remove endpoints")
    func extensionsApply() throws {
        let api = try check([("Imported.bindery", Self.base), ("Additions.bindery", Self.additions)])
        #expect(api.name == "Shop" && api.clientTypeName == "ShopClient")
        #expect(api.baseURL == "https://shop.example.com" && api.baseURLEnvironment == ["SHOP_URL"])
        let calls = Listing.calls(for: api)
        #expect(calls.map(\.selector) == [
            "pets.page(limit:)", "pets.pageAll(limit:)", "pets.search()", "pets.pet(_:).events()",
        ])
        #expect(calls.first?.parameters.first?.hasDefault == true)
        #expect(calls.last?.returns == "EventStream<Pet>")
        let pet = api.types.lazy.compactMap { if case .model(let model) = $0, model.name == "Pet" { model } else { nil } }.first
        #expect(pet?.fields.map(\.swiftName) == ["id", "tag", "name"])
        #expect(pet?.fields[1].type == .optional(.primitive(.string)))
        let status = api.types.lazy.compactMap { if case .enumeration(let item) = $0 { item } else { nil } }.first
        #expect(status?.cases.map(\.swiftName) == ["available", "sold", "adopted"])
    }

    @Test("An extension that no longer matches is an error at its name, in its own file, with what there is")
    func staleExtensionsArePositioned() throws {
        let stale = """
            extend resource pets.pets {
                list { paginate pages }
            }
            extend resource pets {
                lst { paginate pages }
            }
            extend model Pett { extra: Int? }
            extend resource pets { remove gett }
            """
        let error = try #require(throws: SpecErrors.self) {
            try check([("Imported.bindery", Self.base), ("Additions.bindery", stale)])
        }
        let text = "\(error)"
        #expect(text.contains("Additions.bindery:1:22: error: there is no resource pets here to extend"))
        #expect(text.contains("hint: did you mean 'pet'? (the spec it extends may have changed)"))
        #expect(text.contains("Additions.bindery:5:5: error: resource pets has no endpoint lst to change"))
        #expect(text.contains("Additions.bindery:7:14: error: there is no model Pett to extend"))
        #expect(text.contains("Additions.bindery:8:31: error: resource pets has no endpoint or resource gett to remove"))
        #expect(text.hasSuffix("4 errors in Additions.bindery\n"))
    }

    @Test("Errors of each file are reported with that file's name and line")
    func errorsNameTheirFile() throws {
        let broken = "model Extra { owner: Ownr }\n"
        let error = try #require(throws: SpecErrors.self) {
            try check([("Imported.bindery", Self.base + "\nmodel Other { x: Nope }\n"), ("Additions.bindery", broken)])
        }
        let text = "\(error)"
        #expect(text.contains("Imported.bindery:26:18: error: unknown type 'Nope'"))
        #expect(text.contains("Additions.bindery:1:22: error: unknown type 'Ownr'"))
        #expect(text.contains(" 1 | model Extra { owner: Ownr }"), "the line quoted is from its own file")
        #expect(text.hasSuffix("2 errors in Imported.bindery, Additions.bindery\n"))
    }

    @Test("generate takes several files, and an OpenAPI document among them")
    func commandLine() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("extend-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let additions = folder.appendingPathComponent("Additions.bindery")
        try Data("extend api GitHub {}\nextend resource repos.owner {\n    get as repository\n}\n".utf8).write(to: additions)
        let document = Repository.url("Tests/BinderyGeneratorTests/OpenAPI/github.json").path
        let list = try await run(Repository.bindery.path, ["list", document, additions.path], timeout: 60)
        #expect(list.status == 0, "\(list.output)")
        #expect(list.output.contains("GET /repos/{owner}/{repo}         repos.owner(_:).repository(repo:)"), "\(list.output)")
        let generate = try await run(Repository.bindery.path, ["generate", document, additions.path, "--output", folder.appendingPathComponent("out").path], timeout: 60)
        #expect(generate.status == 0)
        let client = try String(contentsOf: folder.appendingPathComponent("out/Client.swift"), encoding: .utf8)
        #expect(client.contains("public nonisolated struct GitHubClient"))
        #expect(client.hasPrefix("// Generated by Bindery \(Generator.version) from github.json (imported), Additions.bindery."))
    }
}
