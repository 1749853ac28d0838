import Foundation

/// Files of this repository, found from this source file's location.
public enum Repository {
    public static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    public static func url(_ path: String) -> URL { root.appendingPathComponent(path) }

    public static func text(_ path: String) throws -> String { try String(contentsOf: url(path), encoding: .utf8) }

    /// The `bindery` executable built beside the test bundle.
    public static var bindery: URL { buildProduct("bindery") ?? root.appendingPathComponent(".build/debug/bindery") }

    /// The folder of the built Swift modules, where `BinderyRuntime.swiftmodule` is, for compiling generated code.
    public static var modules: URL {
        buildProduct("Modules") ?? root.appendingPathComponent(".build/debug/Modules")
    }

    /// What a compiler needs besides `modules` to import the runtime: the C module it uses for epoll.
    public static var runtimeImports: [String] { ["-I", url("Sources/CBinderyEpoll/include").path] }

    /// `name` in the build folder of the running tests, found upwards from the test bundle.
    private static func buildProduct(_ name: String) -> URL? {
        var directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        while !directory.path.isEmpty, directory.path != "/" {
            let candidate = directory.appendingPathComponent(name)
            if FileManager.default.fileExists(atPath: candidate.path) { return candidate }
            directory = directory.deletingLastPathComponent()
        }
        return nil
    }
}

/// Type-checks the Swift files of `folder` against the built runtime as module `module`, warnings as errors, as a
/// user's build of generated code would.
public func typecheck(_ folder: URL, module: String) async throws -> CommandResult {
    let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".swift") }
        .map { folder.appendingPathComponent($0).path }
    return try await run(
        "swiftc",
        ["-typecheck", "-swift-version", "6", "-warnings-as-errors", "-module-name", module, "-I", Repository.modules.path]
            + Repository.runtimeImports + files,
        timeout: 900)
}
