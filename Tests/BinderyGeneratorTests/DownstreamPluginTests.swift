import BinderyTestSupport
import Foundation
import Testing

/// A package that depends on Bindery by path, with its own spec in its target's folder, builds with the plugin and
/// calls a local server through the generated client; a resource added to its spec is compiled by the next plain
/// `swift build`.
@Suite("Plugin in a downstream package", .enabled(if: liveTestsEnabled, "needs the test command (BINDERY_LIVE=1)"))
struct DownstreamPluginTests {
    @Test func buildsFromItsOwnSpecAndCompilesWhatTheSpecGainsBetweenBuilds() async throws {
        let (fixture, package) = try Self.copy("Downstream")
        defer { try? FileManager.default.removeItem(at: package.deletingLastPathComponent()) }
        let build = ["build", "--package-path", package.path, "--scratch-path", fixture.appendingPathComponent(".build").path]
        let executable = fixture.appendingPathComponent(".build/debug/greet").path

        let first = try await run("swift", build)
        try #require(first.status == 0, "swift build of the downstream package failed:\n\(first.output)")
        #expect(first.output.contains("Generating Greetings from Greetings.bindery"))

        let server = try await LiveServer(script: "Tests/Downstream/server.py")
        defer { server.stop() }
        let environment = ["GREETINGS_URL": server.baseURL.absoluteString, "GREETINGS_KEY": "s3cret"]
        let greet = try await run(executable, ["Ada Lovelace/1"], environment: environment, timeout: 60)
        #expect(greet.status == 0, "\(greet.output)")
        #expect(greet.output == "Hello, Ada Lovelace/1!\nkey: s3cret\n")
        #expect(await server.waitForLines(1) == ["GET /greetings/Ada%20Lovelace%2F1?excited=true s3cret"])

        // A new top-level resource and a model, and code that calls it: the next plain build compiles both.
        let spec = package.appendingPathComponent("Sources/Greetings/Greetings.bindery")
        try (try String(contentsOf: spec, encoding: .utf8) + """

            model Version { version: String }

            resource meta "meta/" {
                version: GET "version" -> Version
            }

            """).write(to: spec, atomically: true, encoding: .utf8)
        let main = package.appendingPathComponent("Sources/greet/main.swift")
        try (try String(contentsOf: main, encoding: .utf8) + """

            print("version: \\((try? await client.meta.version().version) ?? "unknown")")

            """).write(to: main, atomically: true, encoding: .utf8)
        let second = try await run("swift", build)
        try #require(second.status == 0, "the build after adding a resource failed:\n\(second.output)")
        let again = try await run(executable, ["Grace"], environment: environment, timeout: 60)
        #expect(again.output == "Hello, Grace!\nkey: s3cret\nversion: 1.2.3\n", "\(again.output)")
        #expect(await server.waitForLines(3).suffix(2) == ["GET /greetings/Grace?excited=true s3cret", "GET /meta/version s3cret"])
    }

    /// An app's target isolated to the main actor by default (Swift 6.2's `defaultIsolation(MainActor.self)`, what
    /// Xcode 26 makes new apps with): the plugin's client builds there, with no warning from the generated files, and is
    /// called from the main actor, from nonisolated code and from a detached task.
    @Test func buildsAndRunsInATargetIsolatedToTheMainActor() async throws {
        let (fixture, package) = try Self.copy("DownstreamMainActor")
        defer { try? FileManager.default.removeItem(at: package.deletingLastPathComponent()) }
        let build = try await run("swift", ["build", "--package-path", package.path, "--scratch-path", fixture.appendingPathComponent(".build").path])
        try #require(build.status == 0, "swift build of the main-actor package failed:\n\(build.output)")
        let generatedWarnings = build.output.split(separator: "\n").filter { $0.contains("/Generated/") && $0.contains("warning:") }
        #expect(generatedWarnings.isEmpty, "\(generatedWarnings.joined(separator: "\n"))")

        let server = try await LiveServer(script: "Tests/Downstream/server.py")
        defer { server.stop() }
        let environment = ["GREETINGS_URL": server.baseURL.absoluteString, "GREETINGS_KEY": "s3cret"]
        let greet = try await run(fixture.appendingPathComponent(".build/debug/greet").path, ["Ada"], environment: environment, timeout: 60)
        #expect(greet.status == 0, "\(greet.output)")
        #expect(greet.output == "Hello, Ada!\nHello, Ada. no tone\nkey: s3cret\n")
        #expect(await server.waitForLines(3) == ["GET /greetings/Ada?excited=true s3cret", "GET /greetings/Ada?excited=false s3cret", "GET /greetings/Ada s3cret"])
    }

    /// A copy of the fixture package `Tests/<name>`, depending on this checkout, so a test can edit it; it builds in
    /// the fixture's own ignored .build, whose products of an earlier run are removed first (the copied sources keep
    /// their old dates, so those products would look up to date).
    static func copy(_ name: String) throws -> (fixture: URL, package: URL) {
        let fixture = Repository.url("Tests/\(name)")
        let package = FileManager.default.temporaryDirectory.appendingPathComponent("bindery-\(name)-\(UUID().uuidString)/\(name)")
        try FileManager.default.createDirectory(at: package, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: fixture.appendingPathComponent("Sources"), to: package.appendingPathComponent("Sources"))
        let manifest = try String(contentsOf: fixture.appendingPathComponent("Package.swift"), encoding: .utf8)
            .replacingOccurrences(of: #"path: "../..""#, with: #"path: "\#(Repository.root.path)""#)
        try manifest.write(to: package.appendingPathComponent("Package.swift"), atomically: true, encoding: .utf8)
        for product in ["greet", "greet.build", "greet.product", "Greetings.build"] {
            try? FileManager.default.removeItem(at: fixture.appendingPathComponent(".build/debug/\(product)"))
        }
        return (fixture, package)
    }
}
