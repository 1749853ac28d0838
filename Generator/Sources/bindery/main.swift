import BinderyGenerator
import Foundation

/// `bindery`: generate Swift bindings from a Bindery spec, check a spec, or list its operations.
let usage = """
    Usage:
      bindery generate SPEC... --output DIR   Write the Swift bindings of SPEC into DIR
      bindery check SPEC...                   Report every problem in SPEC, or nothing
      bindery list SPEC...                    Print each operation: METHOD /path  swiftCall
      bindery import DOCUMENT [OVERLAY...] --output FILE [--name NAME]
                                              Write the spec of an OpenAPI 3 document (JSON or YAML; - reads
                                              standard input), after its overlays, its API named NAME or after the
                                              document's title
      bindery diff OLD NEW [ADDITIONS...]     What changed from OLD to NEW (each a spec or a document, with the
                                              ADDITIONS files extending both), as changes to the generated Swift API;
                                              source-breaking ones are marked
      bindery --help | --version

    A SPEC is one or more files: .bindery files, whose `extend` declarations add to the others', an OpenAPI
    document (.json, .yaml, .yml), imported as it is read, and OpenAPI Overlay 1.0 documents for it (named
    NAME.overlay.yaml, .yml or .json), applied in order before the import. A document's $refs to other files are
    read relative to the file they are written in.
    Exit status: 0 on success, 1 when the spec has errors or a file cannot be read or written, 2 on a usage error.
    """

func fail(_ message: String, status: Int32) -> Never {
    FileHandle.standardError.write(Data((message.hasSuffix("\n") ? message : message + "\n").utf8))
    exit(status)
}

func readFile(_ path: String) -> Data {
    do {
        return try Data(contentsOf: URL(fileURLWithPath: path))
    } catch {
        fail("error: cannot read \(path): \((error as NSError).localizedDescription)", status: 1)
    }
}

/// The files of a spec: `.bindery` files as they are, OpenAPI documents imported. What a document says that the
/// spec cannot is printed by `check` and `import`, not on every build.
func readSpec(_ paths: [String], warn: Bool = false) throws -> [SourceFile] {
    let overlays = try paths.filter(OpenAPIImporter.isOverlay).map { (text: try SpecSource.text(of: readFile($0), file: $0), file: $0) }
    let documents = paths.filter { !OpenAPIImporter.isOverlay($0) && ["json", "yaml", "yml"].contains(($0 as NSString).pathExtension.lowercased()) }
    if !overlays.isEmpty, documents.count != 1 {
        fail("error: overlays apply to one OpenAPI document; \(documents.count) are given\n\n" + usage, status: 2)
    }
    return try paths.filter { !OpenAPIImporter.isOverlay($0) }.map { path in
        let text = try SpecSource.text(of: readFile(path), file: path)
        guard documents.contains(path) else { return SourceFile(name: path, text: text) }
        return SourceFile(name: path + " (imported)", text: try importDocument(text, path: path, name: nil, overlays: overlays, warn: warn))
    }
}

/// The spec an OpenAPI document makes, after its overlays, having printed what it could not say.
func importDocument(_ text: String, path: String, name: String?, overlays: [(text: String, file: String)], warn: Bool) throws -> String {
    let url = path == "<stdin>" ? nil : URL(fileURLWithPath: path)
    let result = try OpenAPIImporter.importDocument(text, file: path, url: url, name: name, overlays: overlays)
    if warn {
        for warning in result.warnings {
            FileHandle.standardError.write(Data("\(result.files[warning.location.file]):\(warning)\n".utf8))
        }
    }
    return result.spec
}

/// `arguments` without `--flag value` pairs, and the values given.
func options(_ arguments: [String], _ flags: [String]) -> (rest: [String], values: [String: String]) {
    var rest = arguments
    var values: [String: String] = [:]
    for flag in flags {
        guard let index = rest.firstIndex(of: flag) else { continue }
        guard index + 1 < rest.count else { fail("error: \(flag) needs a value\n\n" + usage, status: 2) }
        values[flag] = rest[index + 1]
        rest.removeSubrange(index...index + 1)
    }
    return (rest, values)
}

var arguments = Array(CommandLine.arguments.dropFirst())
guard let command = arguments.first else { fail(usage, status: 2) }
arguments.removeFirst()

do {
    switch command {
    case "--help", "-h", "help":
        print(usage)
    case "--version":
        print("bindery \(Generator.version)")
    case "check":
        guard !arguments.isEmpty else { fail("error: check takes a spec\n\n" + usage, status: 2) }
        _ = try Generator.check(readSpec(arguments, warn: true))
    case "list":
        guard !arguments.isEmpty else { fail("error: list takes a spec\n\n" + usage, status: 2) }
        let api = try Generator.check(readSpec(arguments))
        print(Listing.lines(for: api).joined(separator: "\n"))
    case "generate":
        let (paths, values) = options(arguments, ["--output"])
        guard !paths.isEmpty, let output = values["--output"] else {
            fail("error: generate takes a spec and --output DIR\n\n" + usage, status: 2)
        }
        let files = try Generator.generate(readSpec(paths))
        do {
            try Generator.write(files, to: URL(fileURLWithPath: output))
        } catch {
            fail("error: cannot write to \(output): \((error as NSError).localizedDescription)", status: 1)
        }
    case "import":
        let (paths, values) = options(arguments, ["--output", "--name"])
        let documents = paths.filter { !OpenAPIImporter.isOverlay($0) }
        guard documents.count == 1, let output = values["--output"] else {
            fail("error: import takes a document, its overlays, and --output FILE\n\n" + usage, status: 2)
        }
        let overlays = try paths.filter(OpenAPIImporter.isOverlay).map { (text: try SpecSource.text(of: readFile($0), file: $0), file: $0) }
        let path = documents[0] == "-" ? "<stdin>" : documents[0]
        let data = documents[0] == "-" ? FileHandle.standardInput.readDataToEndOfFile() : readFile(path)
        let spec = try importDocument(try SpecSource.text(of: data, file: path), path: path, name: values["--name"], overlays: overlays, warn: true)
        // What is written must stand as a spec; an import that does not is the importer's bug, reported as such.
        _ = try Generator.check(source: spec, file: output)
        do {
            try Data(spec.utf8).write(to: URL(fileURLWithPath: output), options: .atomic)
        } catch {
            fail("error: cannot write \(output): \((error as NSError).localizedDescription)", status: 1)
        }
    case "diff":
        guard arguments.count >= 2 else { fail("error: diff takes two specs, OLD and NEW\n\n" + usage, status: 2) }
        let additions = Array(arguments.dropFirst(2))
        let changes = SpecDiff.changes(
            from: try Generator.check(readSpec([arguments[0]] + additions)), to: try Generator.check(readSpec([arguments[1]] + additions)))
        for change in changes { print(change) }
        let breaking = changes.filter { $0.breaks != nil }.count
        print(changes.isEmpty ? "No changes to the Swift API." : "\(changes.count) change\(changes.count == 1 ? "" : "s"), \(breaking) source-breaking.")
    default:
        fail("error: unknown command '\(command)'\n\n" + usage, status: 2)
    }
} catch let errors as SpecErrors {
    fail(errors.description, status: 1)
} catch {
    fail("error: \(error)", status: 1)
}
