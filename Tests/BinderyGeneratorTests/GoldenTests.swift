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

    @Test func outputIsDeterministic() throws {
        let source = try Repository.text(specPath)
        let first = try Generator.generate(source: source, file: specPath)
        for _ in 0..<3 { #expect(try Generator.generate(source: source, file: specPath) == first) }
    }

    @Test func filesAreSplitAsThePluginPredicts() throws {
        let files = try Generator.generate(source: try Repository.text(specPath), file: specPath)
        #expect(files.map(\.name) == Renderer.fileNames(topLevelResources: ["pets", "grooming", "shop", "callbacks"]))
    }

    @Test func writesOnlyFilesWhoseContentChanged() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("bindery-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let source = try Repository.text(specPath)
        let files = try Generator.generate(source: source, file: specPath)
        #expect(try Generator.write(files, to: directory).count == files.count)
        let modelsURL = directory.appendingPathComponent("Models.swift")
        let before = try FileManager.default.attributesOfItem(atPath: modelsURL.path)[.modificationDate] as? Date
        Thread.sleep(forTimeInterval: 0.05)
        #expect(try Generator.write(files, to: directory).isEmpty)

        // Changing one endpoint's doc rewrites only that resource's file.
        let edited = source.replacingOccurrences(of: "/// Gets one pet.", with: "/// Gets one pet by id.")
        #expect(try Generator.write(try Generator.generate(source: edited, file: specPath), to: directory) == ["Client+pets.swift"])
        let after = try FileManager.default.attributesOfItem(atPath: modelsURL.path)[.modificationDate] as? Date
        #expect(before == after)
    }

    @Test func removesFilesOfResourcesThatWereRemoved() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("bindery-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let source = try Repository.text(specPath)
        try Generator.write(try Generator.generate(source: source, file: specPath), to: directory)
        let handwritten = directory.appendingPathComponent("Notes.swift")
        try "// mine".write(to: handwritten, atomically: true, encoding: .utf8)
        let withoutCallbacks = String(source[..<source.range(of: "resource callbacks")!.lowerBound])
        try Generator.write(try Generator.generate(source: withoutCallbacks, file: specPath), to: directory)
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
        #expect(names == [
            "Client+grooming.swift", "Client+pets.swift", "Client+shop.swift", "Client.swift", "Models.swift", "Notes.swift",
        ])
    }

    @Test func listsEveryOperationInSpecOrder() throws {
        let (api, _) = try Generator.check(source: try Repository.text(specPath), file: specPath)
        #expect(Listing.lines(for: api) == [
            "GET /pets/                           pets.list(tag:tags:housing:pageSize:)",
            "GET /pets/{id}/                      pets.get(id:requestID:)",
            "POST /pets/                          pets.create(_:)",
            "DELETE /pets/{id}/                   pets.delete(id:)",
            "GET /pets/{id}/photo/                pets.photo(id:)",
            "PUT /pets/{id}/photo/                pets.uploadPhoto(id:_:)",
            "POST /pets/{id}/files/               pets.attach(id:file:filename:meta:)",
            "GET /pets/search/                    pets.search()",
            "GET /pets/changes/                   pets.changes()",
            "GET /pets/notices/                   pets.notices(since:)",
            "PUT /pets/{id}/video/                pets.uploadVideo(id:)",
            "GET /pets/feed/                      pets.feed()",
            "POST /grooming/{pet_id}/             grooming.start(petID:_:)",
            "POST /grooming/{pet_id}/bookings/    grooming.book(_:)",
            "GET /grooming/{pet_id}/{task_id}/    grooming.status(petID:taskID:)",
            "GET /shops/{code}/status             shop(_:).status()",
            "GET /shops/{code}/staff/             shop(_:).staff.list()",
            "GET /shops/{code}/staff/{staff_id}/  shop(_:).staff.get(member:)",
            "POST /callbacks/                     callbacks.register(_:)",
        ])
    }
}
