import BinderyGenerator
import BinderyRuntime
import BinderyTestSupport
import Testing

/// One version for the whole of Bindery: what `bindery --version` prints, what each generated file says made it, and
/// what the runtime sends in its `User-Agent`.
@Suite struct VersionTests {
    @Test func theGeneratorAndTheRuntimeReportOneVersion() async throws {
        #expect(Generator.version == APIClient.runtimeVersion)
        let printed = try await run(Repository.bindery.path, ["--version"], timeout: 60)
        #expect(printed.output == "bindery \(Generator.version)\n")
    }

    @Test func theChangelogHasAnEntryForTheNextVersion() throws {
        let changelog = try Repository.text("CHANGELOG.md")
        #expect(changelog.contains("## [Unreleased]") || changelog.contains("## [\(Generator.version)]"))
    }
}
