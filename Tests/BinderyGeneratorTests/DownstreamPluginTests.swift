import BinderyTestSupport
import Foundation
import Testing

/// A package that depends on Bindery by path, with its own spec in its target's folder, builds with the plugin and
/// calls a local server through the generated client.
@Suite("Plugin in a downstream package", .enabled(if: liveTestsEnabled, "needs the test command (BINDERY_LIVE=1)"))
struct DownstreamPluginTests {
    @Test func buildsFromItsOwnSpecAndCallsTheServer() async throws {
        let package = Repository.url("Tests/Downstream")
        // Drop what an earlier run generated, so this build must run the plugin again.
        try? FileManager.default.removeItem(at: package.appendingPathComponent(".build/plugins/outputs"))
        let build = try run("swift", ["build", "--package-path", package.path])
        try #require(build.status == 0, "swift build of Tests/Downstream failed:\n\(build.output)")
        #expect(build.output.contains("Generating Greetings from Greetings.bindery"))

        let server = try await LiveServer(script: "Tests/Downstream/server.py")
        defer { server.stop() }
        let greet = try run(
            package.appendingPathComponent(".build/debug/greet").path, ["Ada Lovelace/1"],
            environment: ["GREETINGS_URL": server.baseURL.absoluteString, "GREETINGS_KEY": "s3cret"])
        #expect(greet.status == 0, "\(greet.output)")
        #expect(greet.output == "Hello, Ada Lovelace/1!\nkey: s3cret\n")
        #expect(await server.waitForLines(1) == ["GET /greetings/Ada%20Lovelace%2F1?excited=true s3cret"])
    }
}
