import Foundation

/// `bindery import` and `bindery generate` straight from a large OpenAPI document: 100 resources of 5 operations each
/// (500 operations) over 300 schemas, written as JSON and as YAML, each run 5 times by the release build.
func importing() throws {
    let bindery = URL(fileURLWithPath: benchmarkExecutable).deletingLastPathComponent().appending(path: "bindery").path
    let folder = FileManager.default.temporaryDirectory.appending(path: "bindery-benchmark-import-\(getpid())")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    let document = largeDocument(resources: 100)
    let json = folder.appending(path: "large.openapi.json")
    try JSONSerialization.data(withJSONObject: document, options: [.prettyPrinted, .sortedKeys]).write(to: json)
    let yaml = folder.appending(path: "large.openapi.yaml")
    try Data(yamlText(document).utf8).write(to: yaml)
    var rows: [(String, String)] = []
    for (name, path) in [("JSON", json), ("YAML", yaml)] {
        let size = try FileManager.default.attributesOfItem(atPath: path.path)[.size] as? Int ?? 0
        for (step, arguments) in [
            ("import", ["import", path.path, "--output", folder.appending(path: "large.bindery").path]),
            ("import + generate", ["generate", path.path, "--output", folder.appending(path: "Generated").path]),
        ] {
            var runs: [ChildRun] = []
            for _ in 0..<5 {
                try? FileManager.default.removeItem(at: folder.appending(path: "Generated"))
                let run = try runChild(bindery, arguments)
                guard run.status == 0 else { throw BenchmarkFailure("bindery \(arguments[0]) of the \(name) document failed:\n\(run.output)") }
                runs.append(run)
            }
            rows.append((
                "\(name) (\(format(Double(size) / mebibyte, "MiB"))), \(step)",
                "\(format(median(runs.map(\.seconds)) * 1000, "ms")) wall, \(format(median(runs.map(\.cpu)) * 1000, "ms")) CPU, "
                    + "peak memory \(format(runs.map(\.peakMiB).max()!, "MiB"))"))
        }
    }
    let lines = try FileManager.default.contentsOfDirectory(at: folder.appending(path: "Generated"), includingPropertiesForKeys: nil)
        .map { try String(contentsOf: $0, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false).count }
        .reduce(0, +)
    report(
        "Import: a 500-operation, 300-schema OpenAPI document (release build), medians of 5 runs", rows,
        verdict: "one process a run, start-up included; the client generated has \(lines) lines of Swift")
    try corpusBesideOpenAPIGenerator()
}

/// Each document of the corpus made into a client by Bindery and by swift-openapi-generator 1.14.3 (types and
/// client, public), and each client compiled as a debug build compiles it (`-Onone -g`, batch mode, both cores),
/// against release builds of its runtime. One run each: a compile of the largest takes minutes.
private func corpusBesideOpenAPIGenerator() throws {
    let bindery = URL(fileURLWithPath: benchmarkExecutable).deletingLastPathComponent().appending(path: "bindery").path
    let peer = try buildOpenAPIGeneratorPeer()
    let chosen = ProcessInfo.processInfo.environment["BINDERY_IMPORT_DOCUMENTS"].map { Set($0.split(separator: ",").map(String.init)) }
    let documents = try corpusDocuments().filter { chosen?.contains($0.name) ?? true }
    let folder = FileManager.default.temporaryDirectory.appending(path: "bindery-benchmark-corpus-\(getpid())")
    defer { try? FileManager.default.removeItem(at: folder) }
    let configuration = folder.appending(path: "openapi-generator-config.yaml")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    try "generate: [types, client]\naccessModifier: public\nnamingStrategy: idiomatic\n".write(to: configuration, atomically: true, encoding: .utf8)
    let binderyModules = ["-I", URL(fileURLWithPath: bindery).deletingLastPathComponent().appending(path: "Modules").path,
                          "-I", "Sources/CBinderyEpoll/include"]
    var rows: [(String, String)] = []
    var ratios: [Double] = []
    for document in documents {
        say("  \(document.name)…")
        let swift = folder.appending(path: "\(document.name)-bindery"), peerSwift = folder.appending(path: "\(document.name)-peer")
        try FileManager.default.createDirectory(at: peerSwift, withIntermediateDirectories: true)
        let ours = try runChild("timeout", ["1800", bindery, "generate", document.path, "--output", swift.path])
        let theirs = try runChild("timeout", ["1800", peer.generator, "generate", document.path, "--config", configuration.path, "--output-directory", peerSwift.path])
        let ourCompile = ours.status == 0 ? try compileDebug(swift, module: "BinderyClient", imports: binderyModules, languageMode: "6") : nil
        let theirCompile = theirs.status == 0 ? try compileDebug(peerSwift, module: "GeneratedClient", imports: ["-I", peer.modules], languageMode: "5") : nil
        func describe(_ generate: ChildRun, _ compile: ChildRun?, _ folder: URL) -> String {
            guard generate.status == 0 else { return "generate failed (\(generate.status == 124 ? "over 30 min" : "exit \(generate.status)"))" }
            let figures = "generate \(format(generate.cpu, "s")) CPU, \(format(generate.peakMiB, "MiB")); \(linesOfSwift(in: folder)) lines"
            guard let compile else { return figures }
            guard compile.status == 0 else { return figures + "; compile failed (\(compile.status == 124 ? "over 30 min" : "exit \(compile.status)"))" }
            return figures + "; compile \(format(compile.cpu, "s")) CPU, \(format(compile.peakMiB, "MiB"))"
        }
        var comparison = ""
        if let ourCompile, let theirCompile, ourCompile.status == 0, theirCompile.status == 0 {
            ratios.append(ourCompile.cpu / theirCompile.cpu)
            comparison = " (compile CPU \(ratio(ourCompile.cpu, theirCompile.cpu)))"
        }
        rows.append(("\(document.name) (\(format(Double(document.size) / mebibyte, "MiB"))), Bindery", describe(ours, ourCompile, swift) + comparison))
        rows.append(("\(document.name), swift-openapi-generator", describe(theirs, theirCompile, peerSwift)))
        try? FileManager.default.removeItem(at: swift)
        try? FileManager.default.removeItem(at: peerSwift)
    }
    let compiled = rows.count / 2
    report(
        "Import: the corpus's documents, Bindery beside swift-openapi-generator 1.14.3, one run each (release builds of both tools)", rows,
        verdict: ratios.isEmpty ? "no document compiled with both" :
            "\(ratios.count) of \(compiled) documents compile with both; Bindery's debug compile takes \(multiple(ratios.min()!))–\(multiple(ratios.max()!)) of the peer's CPU")
}

/// A corpus document at hand: those Tests/Corpus keeps, and the others when `$BINDERY_CORPUS` holds them.
private struct CorpusDocument {
    var name: String
    var path: String
    var size: Int
}

private func corpusDocuments() throws -> [CorpusDocument] {
    let elsewhere = ProcessInfo.processInfo.environment["BINDERY_CORPUS"]
    return try String(contentsOfFile: "Tests/Corpus/corpus.tsv", encoding: .utf8).split(separator: "\n").filter { !$0.hasPrefix("#") }
        .compactMap { line in
            let columns = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            let folders = ["Tests/Corpus/documents"] + (elsewhere.map { [$0] } ?? [])
            guard let folder = folders.first(where: { FileManager.default.fileExists(atPath: "\($0)/\(columns[2])") }) else { return nil }
            return CorpusDocument(name: columns[0], path: "\(folder)/\(columns[2])", size: Int(columns[8]) ?? 0)
        }
}

/// A debug compile of the Swift files in `folder` into objects and a module, in a folder of its own.
private func compileDebug(_ folder: URL, module: String, imports: [String], languageMode: String) throws -> ChildRun {
    let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".swift") }.map { folder.appending(path: $0).path }
    let objects = folder.appending(path: "objects")
    try FileManager.default.createDirectory(at: objects, withIntermediateDirectories: true)
    let arguments = ["-Onone", "-g", "-c", "-parse-as-library", "-emit-module", "-module-name", module, "-swift-version", languageMode]
        + imports.map { $0.hasPrefix("-") || $0.hasPrefix("/") ? $0 : FileManager.default.currentDirectoryPath + "/" + $0 } + files
    return try runChild("timeout", ["1800", "sh", "-c", "cd \"$0\" && exec swiftc \"$@\"", objects.path] + arguments)
}

private func linesOfSwift(in folder: URL) -> Int {
    let files = (try? FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil)) ?? []
    return files.filter { $0.pathExtension == "swift" }
        .compactMap { try? String(contentsOf: $0, encoding: .utf8) }
        .reduce(0) { $0 + $1.split(separator: "\n", omittingEmptySubsequences: false).count }
}

/// Builds the swift-openapi-generator peer (Benchmarks/Peers/OpenAPIGenerator) in release: its command, and the
/// runtime modules its clients import.
private func buildOpenAPIGeneratorPeer() throws -> (generator: String, modules: String) {
    let package = "Benchmarks/Peers/OpenAPIGenerator"
    say("Building \(package) (swift-openapi-generator 1.14.3)")
    for target in [["--product", "swift-openapi-generator"], ["--target", "GeneratedClientRuntime"]] {
        let build = try runChild("swift", ["build", "-c", "release", "--package-path", package] + target)
        guard build.status == 0 else { throw BenchmarkFailure("the swift-openapi-generator peer did not build:\n\(build.output)") }
    }
    let products = FileManager.default.currentDirectoryPath + "/\(package)/.build/release"
    return (products + "/swift-openapi-generator", products + "/Modules")
}

/// An OpenAPI 3.1 document of `resources` resources, each with list, create, get, update and delete, and three
/// schemas each: an enum, a model using it and an optional nested one.
private func largeDocument(resources: Int) -> [String: Any] {
    var paths: [String: Any] = [:]
    var schemas: [String: Any] = [:]
    for index in 0..<resources {
        let name = "Thing\(index)"
        let reference = ["$ref": "#/components/schemas/\(name)"]
        schemas["\(name)State"] = ["type": "string", "enum": ["new", "active", "retired"]]
        schemas["\(name)Detail"] = ["type": "object", "properties": ["note": ["type": "string"], "score": ["type": "number"]]]
        schemas[name] = [
            "type": "object", "required": ["id", "name", "state"], "description": "A thing of kind \(index).",
            "properties": [
                "id": ["type": "integer", "format": "int64"], "name": ["type": "string"],
                "state": ["$ref": "#/components/schemas/\(name)State"],
                "created_at": ["type": "string", "format": "date-time", "readOnly": true],
                "detail": ["anyOf": [["$ref": "#/components/schemas/\(name)Detail"], ["type": "null"]]],
                "tags": ["type": "array", "items": ["type": "string"]],
            ] as [String: Any],
        ]
        let json = ["application/json": ["schema": reference]]
        let id = [["name": "id", "in": "path", "required": true, "schema": ["type": "integer", "format": "int64"]]]
        paths["/things\(index)"] = [
            "get": [
                "operationId": "list\(name)s",
                "parameters": [["name": "limit", "in": "query", "schema": ["type": "integer", "default": 20]]],
                "responses": ["200": ["description": "Them.", "content": ["application/json": ["schema": ["type": "array", "items": reference]]]]],
            ] as [String: Any],
            "post": ["operationId": "create\(name)", "requestBody": ["content": json], "responses": ["201": ["description": "It.", "content": json]]],
        ]
        paths["/things\(index)/{id}"] = [
            "get": ["operationId": "get\(name)", "parameters": id, "responses": ["200": ["description": "It.", "content": json]]],
            "put": ["operationId": "update\(name)", "parameters": id, "requestBody": ["content": json], "responses": ["200": ["description": "It.", "content": json]]],
            "delete": ["operationId": "delete\(name)", "parameters": id, "responses": ["204": ["description": "Gone."]]],
        ] as [String: Any]
    }
    return [
        "openapi": "3.1.0", "info": ["title": "Large", "version": "1.0"], "servers": [["url": "https://large.example.com"]],
        "paths": paths, "components": ["schemas": schemas],
    ]
}

/// `value` as block-style YAML, keys sorted, strings quoted.
private func yamlText(_ value: Any, indent: String = "") -> String {
    func scalar(_ value: Any) -> String {
        switch value {
        case let text as String: return "'" + text.replacingOccurrences(of: "'", with: "''") + "'"
        case let flag as Bool: return flag ? "true" : "false"
        default: return "\(value)"
        }
    }
    if let dictionary = value as? [String: Any] {
        return dictionary.keys.sorted().map { key in
            let child = dictionary[key]!
            let quoted = scalar(key)
            if let nested = child as? [String: Any], !nested.isEmpty { return "\(indent)\(quoted):\n" + yamlText(nested, indent: indent + "  ") }
            if let items = child as? [Any], !items.isEmpty { return "\(indent)\(quoted):\n" + yamlText(items, indent: indent) }
            return "\(indent)\(quoted): \(child is [String: Any] ? "{}" : child is [Any] ? "[]" : scalar(child))\n"
        }.joined()
    }
    if let items = value as? [Any] {
        return items.map { item in
            if let nested = item as? [String: Any], !nested.isEmpty {
                let body = yamlText(nested, indent: indent + "  ")
                return indent + "- " + body.dropFirst(indent.count + 2)
            }
            return "\(indent)- \(scalar(item))\n"
        }.joined()
    }
    return indent + scalar(value) + "\n"
}
