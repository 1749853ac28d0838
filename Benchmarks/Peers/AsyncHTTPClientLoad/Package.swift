// swift-tools-version: 6.0
// A peer for `Benchmarks/run concurrency`: AsyncHTTPClient doing the load Bindery's client does. A scratch package of
// its own, so the product never depends on it.
import PackageDescription

let package = Package(
    name: "AsyncHTTPClientLoad",
    platforms: [.macOS(.v15)],
    dependencies: [.package(url: "https://github.com/swift-server/async-http-client", exact: "1.37.0")],
    targets: [
        .executableTarget(
            name: "ahc-load", dependencies: [.product(name: "AsyncHTTPClient", package: "async-http-client")])
    ]
)
