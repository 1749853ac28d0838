import Foundation
import PackagePlugin

/// Generates a target's Swift bindings from its Bindery spec at build time. The spec is what the target's own folder
/// holds — an OpenAPI document (`openapi.json`, `openapi.yaml`, or `NAME.openapi.yaml`), imported as it is read after
/// the OpenAPI Overlays beside it (`NAME.overlay.yaml`), in the order of their names, and `.bindery` files, whose
/// `extend` declarations add to it — or, for this package's API targets,
/// `Spec/<TargetName>.bindery`. The generator always writes the same files (`OutputFiles`), so the build compiles
/// whatever the spec declares now, without reading it here.
@main
struct BinderyPlugin: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) async throws -> [Command] {
        guard let target = target as? SourceModuleTarget else { return [] }
        let files = target.sourceFiles.map(\.url)
        let documents = files.filter(Self.isOpenAPIDocument)
        let specs = files.filter { $0.pathExtension == "bindery" }.sorted { $0.lastPathComponent < $1.lastPathComponent }
        let overlays = files.filter(Self.isOverlay).sorted { $0.lastPathComponent < $1.lastPathComponent }
        let packageSpec = context.package.directoryURL.appending(path: "Spec/\(target.name).bindery")
        var inputs = documents + overlays + specs
        if inputs.isEmpty, FileManager.default.fileExists(atPath: packageSpec.path) { inputs = [packageSpec] }
        guard !inputs.isEmpty else {
            Diagnostics.error("\(target.name) uses the Bindery plugin but has no .bindery spec or OpenAPI document in its folder")
            return []
        }
        guard documents.count <= 1 else {
            Diagnostics.error("\(target.name) has \(documents.count) OpenAPI documents; a target holds one API")
            return []
        }
        let tool = try context.tool(named: "bindery")
        let output = context.pluginWorkDirectoryURL.appending(path: "Generated")
        return [
            .buildCommand(
                displayName: "Generating \(target.name) from \(inputs.map(\.lastPathComponent).joined(separator: ", "))",
                executable: tool.url,
                arguments: ["generate"] + inputs.map(\.path) + ["--output", output.path],
                // The document's $refs may name the folder's other JSON and YAML files: a change to one builds again.
                inputFiles: inputs + files.filter { ["json", "yaml", "yml"].contains($0.pathExtension.lowercased()) && !inputs.contains($0) },
                outputFiles: OutputFiles.all.map { output.appending(path: $0) })
        ]
    }

    /// `overlay.yaml`, `.yml` or `.json`, or any of them after a name and a dot, as `bindery` reads overlays.
    static func isOverlay(_ url: URL) -> Bool {
        let name = url.lastPathComponent.lowercased()
        return ["json", "yaml", "yml"].contains { name == "overlay.\($0)" || name.hasSuffix(".overlay.\($0)") }
    }

    /// `openapi.json`, `openapi.yaml`, `openapi.yml`, or any of them after a name and a dot.
    static func isOpenAPIDocument(_ url: URL) -> Bool {
        let name = url.lastPathComponent.lowercased()
        return ["json", "yaml", "yml"].contains { name == "openapi.\($0)" || name.hasSuffix(".openapi.\($0)") }
    }
}
