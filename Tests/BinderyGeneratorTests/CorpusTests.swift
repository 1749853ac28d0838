import BinderyTestSupport
import Foundation
import Testing

/// Where the corpus's documents are: `$BINDERY_CORPUS`, or `openapi-corpus/` in the shared folder beside the checkout.
let corpusFolder: URL? = {
    let environment = ProcessInfo.processInfo.environment["BINDERY_CORPUS"].map { URL(fileURLWithPath: $0) }
    let shared = Repository.root.deletingLastPathComponent().appendingPathComponent("shared/openapi-corpus")
    return [environment, shared].compactMap { $0 }.first { FileManager.default.fileExists(atPath: $0.path) }
}()

/// Public OpenAPI documents of real APIs (Tests/Corpus/corpus.tsv names each: its source, version and sha256), as
/// a new user brings them: `bindery import` writes a spec with no error, `bindery generate` makes Swift from the
/// document itself, and that Swift compiles with no warning. The documents are not kept in this repository; they
/// are read from `$BINDERY_CORPUS`, or from `openapi-corpus/` in the shared folder beside the checkout.
@Suite("Public OpenAPI documents", .enabled(if: corpusFolder != nil, "the documents of Tests/Corpus/corpus.tsv are not here"),
       .timeLimit(.minutes(30)))
struct CorpusTests {
    struct Document: Sendable, CustomTestStringConvertible {
        var name: String
        var file: String
        var size: Int
        var sha256: String
        var testDescription: String { name }
    }

    static let documents: [Document] = {
        let text = (try? Repository.text("Tests/Corpus/corpus.tsv")) ?? ""
        return text.split(separator: "\n").filter { !$0.hasPrefix("#") }.map { line in
            let columns = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            return Document(name: columns[0], file: columns[2], size: Int(columns[8]) ?? 0, sha256: columns[9])
        }
    }()

    @Test func theCorpusIsWhatItsManifestSays() throws {
        #expect(Self.documents.count >= 20)
        #expect(Self.documents.filter { $0.size > 2 << 20 }.count >= 3, "three over 2 MB")
        #expect(Self.documents.contains { $0.sha256.hasPrefix("tree:") }, "one spread over many files")
    }

    @Test(arguments: documents)
    func importsGeneratesAndCompiles(document: Document) throws {
        let folder = try #require(corpusFolder)
        let path = folder.appendingPathComponent(document.file)
        #expect(try Self.sha256(of: document, in: folder) == document.sha256, "\(document.file) is not the version the manifest names")

        let output = FileManager.default.temporaryDirectory.appendingPathComponent("corpus-\(document.name)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: output) }
        let imported = try run(Repository.bindery.path, ["import", path.path, "--output", output.appendingPathComponent("spec.bindery").path], timeout: 600)
        #expect(imported.status == 0, "\(imported.output.suffix(3_000))")
        let swift = output.appendingPathComponent("Swift")
        let generated = try run(Repository.bindery.path, ["generate", path.path, "--output", swift.path], timeout: 600)
        try #require(generated.status == 0, "\(generated.output.suffix(3_000))")
        #expect(generated.output.isEmpty, "a build prints nothing: \(generated.output.prefix(2_000))")
        let compile = try typecheck(swift, module: "Imported")
        #expect(compile.status == 0, "the Swift made from \(document.file) does not compile:\n\(compile.output.prefix(4_000))")
    }

    /// A file's sha256, or for a folder (`tree:`) the sha256 of `sha256sum`'s lines for every file in it, by path.
    static func sha256(of document: Document, in folder: URL) throws -> String {
        let path = folder.appendingPathComponent(document.file)
        let script = document.sha256.hasPrefix("tree:")
            ? "cd \"$0\" && find . -type f -printf '%P\\n' | LC_ALL=C sort | xargs -d '\\n' sha256sum | sha256sum | sed 's/^/tree:/'"
            : "sha256sum < \"$0\""
        let target = document.sha256.hasPrefix("tree:") ? path.deletingLastPathComponent().path : path.path
        let result = try run("bash", ["-c", script, target], timeout: 120)
        return String(result.output.prefix { !$0.isWhitespace })
    }
}
