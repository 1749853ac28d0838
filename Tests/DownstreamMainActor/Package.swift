// swift-tools-version: 6.2
// A package like an app made with Xcode 26 uses Bindery: its targets are isolated to the main actor by default
// (`defaultIsolation(MainActor.self)`), and the plugin generates the bindings into such a target. The generated
// client must build there and be callable from the main actor and from nonisolated code.
import PackageDescription

let package = Package(
    name: "DownstreamMainActor",
    dependencies: [.package(name: "Bindery", path: "../..")],
    targets: [
        .target(
            name: "Greetings",
            dependencies: [.product(name: "BinderyRuntime", package: "Bindery")],
            swiftSettings: [.defaultIsolation(MainActor.self)],
            plugins: [.plugin(name: "BinderyPlugin", package: "Bindery")]
        ),
        .executableTarget(
            name: "greet", dependencies: ["Greetings", .product(name: "BinderyRuntime", package: "Bindery")],
            swiftSettings: [.defaultIsolation(MainActor.self)]),
    ],
    swiftLanguageModes: [.v6]
)
