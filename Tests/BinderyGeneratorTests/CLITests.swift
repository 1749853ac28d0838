import BinderyTestSupport
import Foundation
import Testing

/// The `bindery` executable: its commands, messages and exit codes.
@Suite("bindery command line")
struct CLITests {
    struct Run {
        var status: Int32
        var output: String
        var errors: String
    }

    func bindery(_ arguments: String...) throws -> Run {
        let output = Pipe()
        let errors = Pipe()
        let process = try ChildProcess(
            Repository.bindery.path, arguments, standardOutput: output.fileHandleForWriting.fileDescriptor,
            standardError: errors.fileHandleForWriting.fileDescriptor)
        try output.fileHandleForWriting.close()
        try errors.fileHandleForWriting.close()
        let outputData = output.fileHandleForReading.readDataToEndOfFile()
        let errorData = errors.fileHandleForReading.readDataToEndOfFile()
        return Run(
            status: process.waitUntilExit().status, output: String(decoding: outputData, as: UTF8.self),
            errors: String(decoding: errorData, as: UTF8.self))
    }

    func temporarySpec(_ text: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("bindery-\(UUID().uuidString).bindery")
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    @Test func checkAcceptsAValidSpecSilently() throws {
        let run = try bindery("check", Repository.url("Spec/SynapseBackend.bindery").path)
        #expect(run.status == 0)
        #expect(run.output.isEmpty && run.errors.isEmpty)
    }

    @Test func checkReportsEveryErrorWithPositionCaretAndHint() throws {
        let spec = try temporarySpec("api A { base-url \"https://a.example.com\" }\nmodel Owner { name: String }\nmodel M {\n    owner: Ownr\n    when: Dat\n}\n")
        let run = try bindery("check", spec.path)
        #expect(run.status == 1)
        #expect(run.output.isEmpty)
        #expect(run.errors == """
            \(spec.path):4:12: error: unknown type 'Ownr'
             4 |     owner: Ownr
               |            ^~~~
              hint: did you mean 'Owner'?
            \(spec.path):5:11: error: unknown type 'Dat'
             5 |     when: Dat
               |           ^~~
              hint: did you mean 'Date'?
            2 errors in \(spec.path)

            """)
    }

    @Test func generateWritesNothingForABrokenSpec() throws {
        let spec = try temporarySpec("api A { base-url \"https://a.example.com\" }\nresource r { get: GTE \"x/\" }\n")
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("bindery-out-\(UUID().uuidString)")
        let run = try bindery("generate", spec.path, "--output", output.path)
        #expect(run.status == 1)
        #expect(run.errors.contains("unknown HTTP method 'GTE'"))
        #expect(!FileManager.default.fileExists(atPath: output.path))
    }

    @Test func generateWritesTheFiles() throws {
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("bindery-out-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: output) }
        let run = try bindery("generate", Repository.url("Tests/PetShop/PetShop.bindery").path, "--output", output.path)
        #expect(run.status == 0)
        #expect(try FileManager.default.contentsOfDirectory(atPath: output.path).sorted() == [
            "Client.swift", "Models1.swift", "Models2.swift", "Models3.swift", "Models4.swift", "Operations1.swift",
            "Operations2.swift", "Operations3.swift", "Operations4.swift",
        ])
    }

    /// The templates are compiled in: a copy of the binary anywhere else generates the same files.
    @Test func theBinaryWorksWhereverItIsCopied() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("bindery-copy-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let copy = directory.appendingPathComponent("bindery")
        try FileManager.default.copyItem(at: Repository.bindery, to: copy)
        let output = directory.appendingPathComponent("out")
        let result = try await run(copy.path, ["generate", Repository.url("Tests/PetShop/PetShop.bindery").path, "--output", output.path], in: directory, timeout: 60)
        #expect(result.status == 0, "\(result.output)")
        let golden = Repository.url("Tests/BinderyGeneratorTests/Golden/PetShop")
        for name in try FileManager.default.contentsOfDirectory(atPath: golden.path) {
            #expect(try Data(contentsOf: output.appendingPathComponent(name)) == Data(contentsOf: golden.appendingPathComponent(name)), "\(name)")
        }
    }

    @Test func listPrintsEachOperation() throws {
        let run = try bindery("list", Repository.url("Tests/PetShop/PetShop.bindery").path)
        #expect(run.status == 0)
        #expect(run.output.split(separator: "\n").first == "GET /pets/                              pets.list(tag:tags:housing:pageSize:)")
    }

    @Test func helpVersionAndUsageErrors() throws {
        #expect(try bindery("--help").output.contains("bindery generate SPEC... --output DIR"))
        #expect(try bindery("import", "x.json").status == 2)
        #expect(try bindery("--version").output.hasPrefix("bindery "))
        let unknown = try bindery("frobnicate")
        #expect(unknown.status == 2)
        #expect(unknown.errors.hasPrefix("error: unknown command 'frobnicate'"))
        #expect(try bindery("generate", "x.bindery").status == 2)
        #expect(try bindery().status == 2)
        let missing = try bindery("check", "/nonexistent/Spec.bindery")
        #expect(missing.status == 1)
        #expect(missing.errors.hasPrefix("error: cannot read /nonexistent/Spec.bindery"))
    }
}
