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
