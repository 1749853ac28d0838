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

/// The checks URLSession passes over plain http, which on Linux it is the default transport only for `https://`.
/// Left out, for what FoundationNetworking does with them: on Linux a broken or oversized answer, a trailer, or an
/// interim answer can stop the process inside libcurl's handling, and its read timeout is whole seconds.
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
