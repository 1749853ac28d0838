// swift-tools-version: 6.0
// AsyncHTTPClient as a transport for Bindery's clients: a package of its own, so that Bindery itself keeps no
// dependencies. A server application adds this package and passes `AsyncHTTPClientTransport()` in its
// `ClientOptions`.
import PackageDescription

let package = Package(
    name: "BinderyAsyncHTTPClient",
    platforms: [.macOS(.v13), .iOS(.v16), .tvOS(.v16), .watchOS(.v9)],
    products: [.library(name: "BinderyAsyncHTTPClient", targets: ["BinderyAsyncHTTPClient"])],
    dependencies: [
        .package(name: "Bindery", path: "../.."),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.81.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.29.0"),
    ],
    targets: [
        .target(
            name: "BinderyAsyncHTTPClient",
            dependencies: [
                .product(name: "BinderyRuntime", package: "Bindery"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]
        ),
        .testTarget(
            name: "BinderyAsyncHTTPClientTests",
            dependencies: [
                "BinderyAsyncHTTPClient", .product(name: "BinderyTransportConformance", package: "Bindery"),
                .product(name: "BinderyTestSupport", package: "Bindery"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
