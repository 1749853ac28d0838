import BinderyAsyncHTTPClient
import BinderyRuntime
import BinderyTransportConformance
import Foundation
import Testing

/// The runtime's transport contract (Tests/TransportConformance in Bindery) on AsyncHTTPClient, over plain http and
/// over TLS with a private certificate authority the transport trusts through `Trust.adding`.
@Suite("AsyncHTTPClient transport conformance", .timeLimit(.minutes(3)))
struct ConformanceTests {
    @Test(arguments: TransportConformance.Scheme.allCases, TransportConformance.Check.allCases)
    func conforms(scheme: TransportConformance.Scheme, check: TransportConformance.Check) async throws {
        let server = try await TransportConformance.Server(scheme)
        let trust = server.certificateAuthority.map { AsyncHTTPClientTransport.Trust.adding(certificateAuthorities: $0) } ?? .system
        let transport = try AsyncHTTPClientTransport(trust: trust, proxy: .none)
        try await TransportConformance.run(check, on: transport, against: server)
    }
}
