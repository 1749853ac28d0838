// swift-tools-version: 6.0
// A package that uses Bindery the way a user's would: it depends on Bindery by path, keeps its own spec in its
// target's folder, and lets the plugin generate the bindings at build time.
import PackageDescription

let package = Package(
    name: "Downstream",
    dependencies: [.package(name: "Bindery", path: "../..")],
    targets: [
        .target(
            name: "Greetings",
            dependencies: [.product(name: "BinderyRuntime", package: "Bindery")],
            plugins: [.plugin(name: "BinderyPlugin", package: "Bindery")]
        ),
        .executableTarget(name: "greet", dependencies: ["Greetings"]),
    ],
    swiftLanguageModes: [.v6]
)
