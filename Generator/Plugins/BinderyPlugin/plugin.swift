import Foundation
import PackagePlugin

/// Generates a target's Swift bindings from its Bindery spec at build time. The spec is the `.bindery` file in the
/// target's own folder or, for this package's API targets, `Spec/<TargetName>.bindery`. The generator always writes
/// the same files (`OutputFiles`), so the build compiles whatever the spec declares now, without reading it here.
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
        return [
            .buildCommand(
                displayName: "Generating \(target.name) from \(spec.lastPathComponent)",
                executable: tool.url,
                arguments: ["generate", spec.path, "--output", output.path],
                inputFiles: [spec],
                outputFiles: OutputFiles.all.map { output.appending(path: $0) })
        ]
    }
}
