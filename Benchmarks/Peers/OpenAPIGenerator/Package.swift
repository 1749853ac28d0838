// swift-tools-version: 6.0
// A peer for `Benchmarks/run import`: swift-openapi-generator's command and the runtime its generated clients build
// against. A scratch package of its own, so the product never depends on it.
import PackageDescription

let package = Package(
    name: "OpenAPIGeneratorPeer",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(url: "https://github.com/apple/swift-openapi-generator", exact: "1.14.3"),
        .package(url: "https://github.com/apple/swift-openapi-runtime", exact: "1.13.4"),
    ],
    targets: [
        // Builds OpenAPIRuntime and HTTPTypes, whose modules the generated clients are compiled against.
        .target(name: "GeneratedClientRuntime", dependencies: [.product(name: "OpenAPIRuntime", package: "swift-openapi-runtime")])
    ]
)
