// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "Bindery",
    platforms: [.macOS(.v13), .iOS(.v16), .tvOS(.v16), .watchOS(.v9)],
    products: [
        .library(name: "BinderyRuntime", targets: ["BinderyRuntime"]),
        .library(name: "SynapseBackend", targets: ["SynapseBackend"]),
        .executable(name: "bindery", targets: ["bindery"]),
        .plugin(name: "BinderyPlugin", targets: ["BinderyPlugin"]),
    ],
    targets: [
        // The handwritten runtime every generated client sends through.
        .target(name: "BinderyRuntime"),

        // Generator: spec text → syntax tree → validated model → rendered Swift.
        .target(
            name: "BinderyTemplates",
            path: "Templates",
            exclude: ["README.md"],
            resources: [.copy("Swift")]
        ),
        .target(
            name: "BinderyGenerator",
            dependencies: ["BinderyTemplates"],
            path: "Generator/Sources/BinderyGenerator"
        ),
        .executableTarget(
            name: "bindery",
            dependencies: ["BinderyGenerator"],
            path: "Generator/Sources/bindery"
        ),
        .plugin(
            name: "BinderyPlugin",
            capability: .buildTool(),
            dependencies: ["bindery"],
            path: "Generator/Plugins/BinderyPlugin"
        ),

        // One library per API, generated at build time from Spec/<Name>.bindery.
        .target(
            name: "SynapseBackend",
            dependencies: ["BinderyRuntime"],
            plugins: ["BinderyPlugin"]
        ),

        .testTarget(
            name: "BinderyGeneratorTests",
            dependencies: ["BinderyGenerator"],
            resources: [.copy("Specs"), .copy("Golden")]
        ),
        .testTarget(
            name: "BinderyRuntimeTests",
            dependencies: ["BinderyRuntime"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
