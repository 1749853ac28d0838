import BinderyTestSupport
import Foundation
import Testing

@testable import BinderyGenerator

/// The Swift generated from Tests/PetShop/PetShop.bindery, which uses every construct of the language, must match the
/// files under Golden/PetShop. After an intended change, regenerate them with
/// `BINDERY_UPDATE_GOLDEN=1 swift test --filter GoldenTests` and review the diff.
@Suite("Golden files")
struct GoldenTests {
    let specPath = "Tests/PetShop/PetShop.bindery"
    let goldenDirectory = Repository.url("Tests/BinderyGeneratorTests/Golden/PetShop")
    static let specs = [
        "Tests/PetShop/PetShop.bindery", "Spec/SynapseBackend.bindery", "Spec/SageSynapse.bindery", "Spec/Launch.bindery",
        "Spec/LlamaDeploy.bindery", "Spec/LlamaDeployCore.bindery", "Tests/GitHub/GitHub.bindery", "Tests/OpenAI/OpenAI.bindery",
    ]

    @Test func generatedCodeMatchesGoldenFiles() throws {
        let files = try Generator.generate(source: try Repository.text(specPath), file: specPath)
        if ProcessInfo.processInfo.environment["BINDERY_UPDATE_GOLDEN"] == "1" {
            try? FileManager.default.removeItem(at: goldenDirectory)
            try Generator.write(files, to: goldenDirectory)
        }
        let golden = try FileManager.default.contentsOfDirectory(atPath: goldenDirectory.path).sorted()
        #expect(files.map(\.name).sorted() == golden)
        for file in files {
            let expected = try String(contentsOf: goldenDirectory.appendingPathComponent(file.name), encoding: .utf8)
            #expect(file.contents == expected, "\(file.name) differs from its golden file")
        }
    }

    @Test(arguments: specs)
    func everySpecProducesTheSameFiles(spec: String) throws {
        let files = try Generator.generate(source: try Repository.text(spec), file: spec)
        #expect(files.map(\.name) == OutputFiles.all)
        let tiny = try Generator.generate(source: #"api A { base-url "https://a.example.com" }"#, file: "A.bindery")
        #expect(tiny.map(\.name) == OutputFiles.all)
    }

    /// Two runs of the `bindery` executable write byte-identical files.
    @Test(arguments: specs)
    func outputIsDeterministicAcrossProcesses(spec: String) async throws {
        let directories = (0..<2).map { _ in
            FileManager.default.temporaryDirectory.appendingPathComponent("bindery-\(UUID().uuidString)")
        }
        defer { for directory in directories { try? FileManager.default.removeItem(at: directory) } }
        for directory in directories {
            let result = try await run(Repository.bindery.path, ["generate", Repository.url(spec).path, "--output", directory.path], timeout: 60)
            try #require(result.status == 0, "\(result.output)")
        }
        for name in OutputFiles.all {
            let first = try Data(contentsOf: directories[0].appendingPathComponent(name))
            #expect(try Data(contentsOf: directories[1].appendingPathComponent(name)) == first, "\(name) differs between runs")
        }
    }

    /// Generated code stays small: no more than 48 lines per operation (its models included). The Synapse backend's
    /// 56 operations came to 2,288 lines before the renderer worked from views, and every model has had an
    /// `init(from:)` of a line a field since models read their fields through `ModelContainer`, and an `encode(to:)`
    /// of a line a field since they have no `CodingKeys` (whose synthesized code cost more to compile than those
    /// lines). The spec has gained operations since, so the bound is per operation. Doc comments are not counted:
    /// every public declaration has one.
    @Test func theSynapseBackendIsNoLargerThanBefore() throws {
        let spec = "Spec/SynapseBackend.bindery"
        let source = try Repository.text(spec)
        let files = try Generator.generate(source: source, file: spec)
        let lines = files.map { file in
            file.contents.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
                .count { !$0.trimmingCharacters(in: .whitespaces).hasPrefix("///") }
        }.reduce(0, +)
        func operations(_ resource: Resource) -> Int { resource.endpoints.count + resource.resources.map(operations).reduce(0, +) }
        let count = try Generator.check(source: source, file: spec).resources.map(operations).reduce(0, +)
        #expect(lines <= 48 * count, "\(lines) lines for \(count) operations")
    }

    @Test func writesOnlyFilesWhoseContentChanged() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("bindery-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let source = try Repository.text(specPath)
        let files = try Generator.generate(source: source, file: specPath)
        #expect(try Generator.write(files, to: directory).count == files.count)
        let clientURL = directory.appendingPathComponent(OutputFiles.client)
        let before = try FileManager.default.attributesOfItem(atPath: clientURL.path)[.modificationDate] as? Date
        Thread.sleep(forTimeInterval: 0.05)
        #expect(try Generator.write(files, to: directory).isEmpty)

        // Changing one endpoint's doc rewrites only the file its resource is in.
        let edited = source.replacingOccurrences(of: "/// Gets one pet.", with: "/// Gets one pet by id.")
        #expect(try Generator.write(try Generator.generate(source: edited, file: specPath), to: directory)
            == [OutputFiles.operations(OutputFiles.shard(of: "Pets"))])
        // A new model lands in one models file, a new resource in one operations file.
        let extended = edited + "\nmodel Collar { size: Int }\nresource collars \"collars/\" { list: GET \"\" -> [Collar] }\n"
        #expect(try Generator.write(try Generator.generate(source: extended, file: specPath), to: directory) == [
            OutputFiles.models(OutputFiles.shard(of: "Collar")), OutputFiles.operations(OutputFiles.shard(of: "Collars")),
        ])
        let after = try FileManager.default.attributesOfItem(atPath: clientURL.path)[.modificationDate] as? Date
        #expect(before == after)
    }

    @Test func removesGeneratedFilesItNoLongerWrites() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("bindery-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        // A file an earlier version generated, and one of the user's.
        try "// Generated by Bindery from PetShop.bindery.".write(
            to: directory.appendingPathComponent("Client+pets.swift"), atomically: true, encoding: .utf8)
        try "// mine".write(to: directory.appendingPathComponent("Notes.swift"), atomically: true, encoding: .utf8)
        try Generator.write(try Generator.generate(source: try Repository.text(specPath), file: specPath), to: directory)
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
        #expect(names == (OutputFiles.all + ["Notes.swift"]).sorted())
    }

    @Test func listsEveryPublicCallInSpecOrder() throws {
        let api = try Generator.check(source: try Repository.text(specPath), file: specPath)
        #expect(Listing.lines(for: api) == [
            "GET /pets/                              pets.list(tag:tags:housing:pageSize:)",
            "GET /pets/                              pets.listAll(tag:tags:housing:pageSize:)",
            "GET /pets/{id}/                         pets.get(id:requestID:)",
            "POST /pets/                             pets.create(_:)",
            "DELETE /pets/{id}/                      pets.delete(id:)",
            "GET /pets/{id}/photo/                   pets.photo(id:)",
            "PUT /pets/{id}/photo/                   pets.uploadPhoto(id:_:)",
            "POST /pets/{id}/rating/                 pets.rate(id:stars:comment:housing:tags:)",
            "POST /pets/{id}/files/                  pets.attach(id:file:filename:meta:note:)",
            "GET /pets/search/                       pets.search(ids:)",
            "GET /pets/search/                       pets.searchAll(ids:)",
            "GET /pets/changes/                      pets.changes()",
            "GET /pets/notices/                      pets.notices(since:)",
            "PUT /pets/{id}/video/                   pets.uploadVideo(id:file:resumingFrom:chunkSize:)",
            "GET /pets/feed/                         pets.feed()",
            "GET /pets/linked/                       pets.listLinked()",
            "GET /pets/linked/                       pets.listLinkedAll()",
            "GET /pets/after/                        pets.listAfter(limit:)",
            "GET /pets/after/                        pets.listAfterAll(limit:)",
            "GET /pets/offset/                       pets.listOffset(limit:)",
            "GET /pets/offset/                       pets.listOffsetAll(limit:)",
            "GET /pets/notices/paged/                pets.listNotices(limit:)",
            "GET /pets/notices/paged/                pets.listNoticesAll(limit:)",
            "GET /pets/notices/                      pets.noticesUntilDone()",
            "POST /grooming/{pet_id}/                grooming.start(petID:_:)",
            "POST /grooming/{pet_id}/bookings/       grooming.book(_:)",
            "GET /grooming/{pet_id}/{task_id}/       grooming.status(petID:taskID:)",
            "GET /shops/{code}/status                shop(_:).status()",
            "GET /shops/{code}/staff/                shop(_:).staff.list()",
            "GET /shops/{code}/staff/                shop(_:).staff.listAll()",
            "GET /shops/{code}/staff/{staff_id}/     shop(_:).staff.get(member:)",
            "GET /shops/{code}/tills/{number}/total  shop(_:).till(_:shift:).total()",
            "POST /callbacks/                        callbacks.register(_:)",
            "GET /orders?beta=true                   orders.search(filter:labels:)",
            "POST /orders/{number}.json              orders.place(number:lines:metadata:expand:)",
            "POST /orders/{number}/receipts          orders.attach(number:receipts:notes:)",
        ])
    }

    /// Every call `bindery list` names is a public method of the generated code, and every public method is listed.
    @Test(arguments: specs)
    func listingMatchesTheGeneratedDeclarations(spec: String) throws {
        let source = try Repository.text(spec)
        let listed = Set(Listing.lines(for: try Generator.check(source: source, file: spec)).flatMap { line in
            Self.calls(in: String(line.split(separator: " ").last!))
        })
        let files = try Generator.generate(source: source, file: spec).filter { $0.name.hasPrefix("Operations") }
        let declared = Set(files.flatMap { Self.publicMethods(in: $0.contents) })
        #expect(listed.subtracting(declared).isEmpty, "listed but not declared: \(listed.subtracting(declared).sorted())")
        #expect(declared.subtracting(listed).isEmpty, "declared but not listed: \(declared.subtracting(listed).sorted())")
    }

    /// `a(_:).b.c(x:)` → `a(_:)`, `c(x:)`: the method calls of a listed access path.
    static func calls(in path: String) -> [String] {
        var calls: [String] = []
        var current = ""
        var depth = 0
        for character in path {
            if character == "(" { depth += 1 }
            if character == ")" { depth -= 1 }
            if character == ".", depth == 0 {
                if current.hasSuffix(")") { calls.append(current) }
                current = ""
            } else {
                current.append(character)
            }
        }
        if current.hasSuffix(")") { calls.append(current) }
        return calls
    }

    /// The selectors (`name(label:label:)`) of the instance methods declared `public func` in `source`.
    static func publicMethods(in source: String) -> [String] {
        var methods: [String] = []
        var rest = Substring(source)
        while let start = rest.range(of: "public func ") {
            let afterName = rest[start.upperBound...]
            guard let open = afterName.firstIndex(of: "(") else { break }
            let name = afterName[..<open].replacingOccurrences(of: "`", with: "")
            var depth = 0
            var parameters = ""
            var index = open
            repeat {
                let character = afterName[index]
                if "([<".contains(character) { depth += 1 }
                if ")]>".contains(character) { depth -= 1 }
                parameters.append(character)
                index = afterName.index(after: index)
            } while depth > 0
            var labels: [String] = []
            var piece = ""
            var level = 0
            for character in parameters.dropFirst().dropLast() {
                if "([<".contains(character) { level += 1 }
                if ")]>".contains(character) { level -= 1 }
                if character == ",", level == 0 {
                    labels.append(piece)
                    piece = ""
                } else {
                    piece.append(character)
                }
            }
            if !piece.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { labels.append(piece) }
            let selector = labels.map { parameter in
                let declared = parameter.split(separator: ":")[0].trimmingCharacters(in: .whitespacesAndNewlines)
                return String(declared.split(separator: " ")[0]).replacingOccurrences(of: "`", with: "") + ":"
            }.joined()
            methods.append("\(name)(\(selector))")
            rest = afterName[index...]
        }
        return methods
    }
}
