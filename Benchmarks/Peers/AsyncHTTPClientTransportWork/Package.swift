// swift-tools-version: 6.0
// A contender for `Benchmarks/run https`: the generated Synapse backend client on the AsyncHTTPClient transport
// (Integrations/AsyncHTTPClient). A scratch package of its own, so Bindery's own package never depends on it.
import PackageDescription

let package = Package(
    name: "AsyncHTTPClientTransportWork",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "Bindery", path: "../../.."),
        .package(name: "BinderyAsyncHTTPClient", path: "../../../Integrations/AsyncHTTPClient"),
    ],
    targets: [
        .executableTarget(
            name: "ahc-transport-work",
            dependencies: [
                .product(name: "SynapseBackend", package: "Bindery"),
                .product(name: "BinderyAsyncHTTPClient", package: "BinderyAsyncHTTPClient"),
            ])
    ],
    swiftLanguageModes: [.v6]
)
