import BinderyTestSupport
import Foundation
import Testing

/// Public OpenAPI documents of real APIs (Tests/Corpus/corpus.tsv names each: its source, version, sha256 and
/// licence), as a new user brings them: `bindery import` writes a spec with no error, `bindery generate` makes Swift
/// from the document itself, and that Swift compiles with no warning. The documents whose licences allow it are kept
/// in Tests/Corpus/documents (their licences in Tests/Corpus/licences) and always run; the others run when
/// `$BINDERY_CORPUS` names a folder that holds them.
/// One document at a time: the largest take a gigabyte or more to compile, and two cores.
@Suite("Public OpenAPI documents", .serialized, .timeLimit(.minutes(30)))
struct CorpusTests {
    struct Document: Sendable, CustomTestStringConvertible {
        var name: String
        var file: String
        var size: Int
        var sha256: String
        var licence: String
        var testDescription: String { name }

        /// Whether the document is kept in this repository: its licence lets it be copied.
        var isKept: Bool { ["MIT", "Apache-2.0"].contains(licence) }

        /// The folder that holds the document, if any does.
        var folder: URL? {
            if isKept { return Repository.root.appendingPathComponent("Tests/Corpus/documents") }
            return ProcessInfo.processInfo.environment["BINDERY_CORPUS"].map { URL(fileURLWithPath: $0) }
                .flatMap { FileManager.default.fileExists(atPath: $0.appendingPathComponent(file).path) ? $0 : nil }
        }
    }

    static let manifest: [Document] = {
        let text = (try? Repository.text("Tests/Corpus/corpus.tsv")) ?? ""
        return text.split(separator: "\n").filter { !$0.hasPrefix("#") }.map { line in
            let columns = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            return Document(name: columns[0], file: columns[2], size: Int(columns[8]) ?? 0, sha256: columns[9], licence: columns[10])
        }
    }()

    static let documents = manifest.filter { $0.folder != nil }

    @Test func theKeptCorpusIsWhatItsManifestSays() throws {
        let kept = Self.manifest.filter(\.isKept)
        #expect(kept.count >= 20)
        #expect(kept.filter { $0.size > 2 << 20 }.count >= 3, "three over 2 MB")
        #expect(kept.contains { $0.sha256.hasPrefix("tree:") }, "one spread over many files")
        let folder = Repository.root.appendingPathComponent("Tests/Corpus/documents")
        let present = try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
        #expect(present == kept.map { String($0.file.prefix { $0 != "/" }) }.sorted(), "Tests/Corpus/documents holds what the manifest keeps")
    }

    @Test(arguments: documents)
    func importsGeneratesAndCompiles(document: Document) async throws {
        let folder = try #require(document.folder)
        let path = folder.appendingPathComponent(document.file)
        #expect(try await Self.sha256(of: document, in: folder) == document.sha256, "\(document.file) is not the version the manifest names")

        let output = FileManager.default.temporaryDirectory.appendingPathComponent("corpus-\(document.name)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: output) }
        let imported = try await run(Repository.bindery.path, ["import", path.path, "--output", output.appendingPathComponent("spec.bindery").path], timeout: 600)
        #expect(imported.status == 0, "\(imported.output.suffix(3_000))")
        let swift = output.appendingPathComponent("Swift")
        let generated = try await run(Repository.bindery.path, ["generate", path.path, "--output", swift.path], timeout: 600)
        try #require(generated.status == 0, "\(generated.output.suffix(3_000))")
        #expect(generated.output.isEmpty, "a build prints nothing: \(generated.output.prefix(2_000))")
        let compile = try await typecheck(swift, module: "Imported")
        #expect(compile.status == 0, "the Swift made from \(document.file) does not compile:\n\(compile.output.prefix(4_000))")
    }

    /// A file's sha256, or for a folder (`tree:`) the sha256 of `sha256sum`'s lines for every file in it, by path.
    static func sha256(of document: Document, in folder: URL) async throws -> String {
        let path = folder.appendingPathComponent(document.file)
        let script = document.sha256.hasPrefix("tree:")
            ? "cd \"$0\" && find . -type f -printf '%P\\n' | LC_ALL=C sort | xargs -d '\\n' sha256sum | sha256sum | sed 's/^/tree:/'"
            : "sha256sum < \"$0\""
        let target = document.sha256.hasPrefix("tree:") ? path.deletingLastPathComponent().path : path.path
        let result = try await run("bash", ["-c", script, target], timeout: 120)
        return String(result.output.prefix { !$0.isWhitespace })
    }
}
