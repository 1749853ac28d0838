import BinderyRuntime
import BinderyTestSupport
import BinderyTransportConformance
import Testing

/// The transport contract (Tests/TransportConformance) on the socket transport, which speaks plain http.
@Suite(
    "Socket transport conformance", .enabled(if: liveTestsEnabled, "needs the test command (BINDERY_LIVE=1)"),
    .timeLimit(.minutes(2)))
struct SocketTransportConformanceTests {
    @Test(arguments: TransportConformance.Check.allCases)
    func conforms(check: TransportConformance.Check) async throws {
        let server = try await TransportConformance.Server(.http)
        try await TransportConformance.run(check, on: SocketTransport(proxy: .none), against: server)
    }
}
