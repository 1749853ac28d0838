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

/// The checks URLSession passes over plain http (on Linux it is the default transport only for `https://`). Left
/// out, for what FoundationNetworking does with them on Linux: broken, oversized, trailing or interim answers, which
/// can stop the process inside its libcurl handling; a lost POST or a closed kept connection, where libcurl decides
/// on its own whether to send again; an early answer, and sub-second read timeouts, which it rounds up to seconds.
@Suite(
    "URLSession transport conformance", .enabled(if: liveTestsEnabled, "needs the test command (BINDERY_LIVE=1)"),
    .timeLimit(.minutes(2)))
struct URLSessionTransportConformanceTests {
    @Test(arguments: [
        TransportConformance.Check.roundTrip, .bodyOfPieces, .redirectKeepsTheBody, .totalHoldsInAHeadThatNeverEnds,
        .totalHoldsInABodyThatNeverEnds, .cancellingAQuietStream, .refusedConnection, .headerInjectionIsRefused,
    ])
    func conforms(check: TransportConformance.Check) async throws {
        let server = try await TransportConformance.Server(.http)
        try await TransportConformance.run(check, on: URLSessionTransport(), against: server)
    }
}
