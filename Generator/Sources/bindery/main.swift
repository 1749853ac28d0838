import BinderyGenerator
import Foundation

/// `bindery`: generate Swift bindings from a Bindery spec, check a spec, or list its operations.
let usage = """
    Usage:
      bindery generate SPEC --output DIR   Write the Swift bindings of SPEC into DIR
      bindery check SPEC                   Report every problem in SPEC, or nothing
      bindery list SPEC                    Print each operation: METHOD /path  swiftCall
      bindery import DOCUMENT --output SPEC [--name NAME]
                                           Write the spec of an OpenAPI 3 document (JSON or YAML; - reads
                                           standard input), named NAME or after the document's title
      bindery --help | --version

    Exit status: 0 on success, 1 when the spec has errors or a file cannot be read or written, 2 on a usage error.
    """

let version = "0.1.0"

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

/// The spec's text; bytes that are not UTF-8 are reported with their position, as `SpecErrors`.
func readSpec(_ path: String) throws -> String {
    try SpecSource.text(of: readFile(path), file: path)
}

var arguments = Array(CommandLine.arguments.dropFirst())
guard let command = arguments.first else { fail(usage, status: 2) }
arguments.removeFirst()

do {
    switch command {
    case "--help", "-h", "help":
        print(usage)
    case "--version":
        print("bindery \(version)")
    case "check":
        guard arguments.count == 1 else { fail("error: check takes one spec file\n\n" + usage, status: 2) }
        _ = try Generator.check(source: readSpec(arguments[0]), file: arguments[0])
    case "list":
        guard arguments.count == 1 else { fail("error: list takes one spec file\n\n" + usage, status: 2) }
        let api = try Generator.check(source: readSpec(arguments[0]), file: arguments[0])
        print(Listing.lines(for: api).joined(separator: "\n"))
    case "generate":
        guard arguments.count == 3, let flag = arguments.firstIndex(of: "--output"), flag < 2 else {
            fail("error: generate takes a spec file and --output DIR\n\n" + usage, status: 2)
        }
        let output = arguments[flag + 1]
        var rest = arguments
        rest.removeSubrange(flag...flag + 1)
        let files = try Generator.generate(source: readSpec(rest[0]), file: rest[0])
        do {
            try Generator.write(files, to: URL(fileURLWithPath: output))
        } catch {
            fail("error: cannot write to \(output): \((error as NSError).localizedDescription)", status: 1)
        }
    case "import":
        var options = arguments
        var values: [String: String] = [:]
        for flag in ["--output", "--name"] {
            guard let index = options.firstIndex(of: flag) else { continue }
            guard index + 1 < options.count else { fail("error: \(flag) needs a value\n\n" + usage, status: 2) }
            values[flag] = options[index + 1]
            options.removeSubrange(index...index + 1)
        }
        guard options.count == 1, let output = values["--output"] else {
            fail("error: import takes a document and --output SPEC\n\n" + usage, status: 2)
        }
        let document = options[0]
        let data = document == "-" ? FileHandle.standardInput.readDataToEndOfFile() : readFile(document)
        let name = document == "-" ? "<stdin>" : document
        let result = try OpenAPIImporter.importDocument(try SpecSource.text(of: data, file: name), file: name, name: values["--name"])
        for warning in result.warnings { FileHandle.standardError.write(Data("\(name):\(warning)\n".utf8)) }
        // What is written must stand as a spec; an import that does not is the importer's bug, reported as such.
        _ = try Generator.check(source: result.spec, file: output)
        do {
            try Data(result.spec.utf8).write(to: URL(fileURLWithPath: output), options: .atomic)
        } catch {
            fail("error: cannot write \(output): \((error as NSError).localizedDescription)", status: 1)
        }
    default:
        fail("error: unknown command '\(command)'\n\n" + usage, status: 2)
    }
} catch let errors as SpecErrors {
    fail(errors.description, status: 1)
} catch {
    fail("error: \(error)", status: 1)
}
