import Foundation
import PackagePlugin

/// Generates a target's Swift bindings from its Bindery spec at build time. The spec is the `.bindery` file in the
/// target's own folder or, for this package's API targets, `Spec/<TargetName>.bindery`.
@main
struct BinderyPlugin: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) async throws -> [Command] {
        guard let target = target as? SourceModuleTarget else { return [] }
        let ownSpecs = target.sourceFiles.map(\.url).filter { $0.pathExtension == "bindery" }
        let packageSpec = context.package.directoryURL.appending(path: "Spec/\(target.name).bindery")
        let spec: URL
        switch ownSpecs.count {
        case 1: spec = ownSpecs[0]
        case 0 where FileManager.default.fileExists(atPath: packageSpec.path): spec = packageSpec
        case 0:
            Diagnostics.error("\(target.name) uses the Bindery plugin but has no .bindery spec in its folder")
            return []
        default:
            Diagnostics.error("\(target.name) has \(ownSpecs.count) .bindery specs; a target holds one API")
            return []
        }
        let tool = try context.tool(named: "bindery")
        let output = context.pluginWorkDirectoryURL.appending(path: "Generated")
        let source = (try? String(contentsOf: spec, encoding: .utf8)) ?? ""
        let files = ["Client.swift", "Models.swift"] + topLevelResources(in: source).map { "Client+\($0).swift" }
        return [
            .buildCommand(
                displayName: "Generating \(target.name) from \(spec.lastPathComponent)",
                executable: tool.url,
                arguments: ["generate", spec.path, "--output", output.path],
                inputFiles: [spec] + templateFiles(besides: tool.url),
                outputFiles: files.map { output.appending(path: $0) })
        ]
    }

    /// The templates shipped beside the tool, so editing one regenerates.
    private func templateFiles(besides tool: URL) -> [URL] {
        let directory = tool.deletingLastPathComponent()
        let candidates = [
            directory.appending(path: "Bindery_BinderyTemplates.resources/Swift"),
            directory.appending(path: "Bindery_BinderyTemplates.bundle/Contents/Resources/Swift"),
            directory.appending(path: "Bindery_BinderyTemplates.bundle/Swift"),
        ]
        for candidate in candidates {
            if let names = try? FileManager.default.contentsOfDirectory(atPath: candidate.path) {
                return names.sorted().map { candidate.appending(path: $0) }
            }
        }
        return []
    }

    /// The names of the spec's top-level resources, which name the generated files (`Client+<name>.swift`). A light
    /// scan that skips comments and strings; the generator proper validates everything else.
    private func topLevelResources(in source: String) -> [String] {
        var names: [String] = []
        var depth = 0
        var index = source.startIndex
        var expectName = false
        func isNameCharacter(_ character: Character) -> Bool { character.isLetter || character.isNumber || character == "_" }
        while index < source.endIndex {
            let character = source[index]
            let rest = source[index...]
            if rest.hasPrefix("//") {
                index = rest.firstIndex(of: "\n") ?? source.endIndex
            } else if rest.hasPrefix("/*") {
                index = rest.range(of: "*/").map(\.upperBound) ?? source.endIndex
            } else if character == "\"" {
                var cursor = source.index(after: index)
                while cursor < source.endIndex, source[cursor] != "\"", source[cursor] != "\n" {
                    cursor = source.index(cursor, offsetBy: source[cursor] == "\\" ? 2 : 1, limitedBy: source.endIndex) ?? source.endIndex
                }
                index = cursor < source.endIndex ? source.index(after: cursor) : cursor
                expectName = false
            } else if character.isLetter || character == "_" {
                let end = rest.firstIndex { !isNameCharacter($0) && $0 != "-" } ?? source.endIndex
                let word = String(source[index..<end])
                if expectName { names.append(word) }
                expectName = depth == 0 && word == "resource"
                index = end
            } else {
                if character == "{" { depth += 1 }
                if character == "}" { depth -= 1 }
                if !character.isWhitespace { expectName = false }
                index = source.index(after: index)
            }
        }
        return names
    }
}
