import BinderyRuntime
import BinderyTestSupport
import Foundation
import PetShop
import Testing

/// PetShop's `listNotices`, paginated by a cursor in a response header, over loopback against Tests/Servers/faults.py.
@Suite("A cursor in a response header, on the wire", .enabled(if: liveTestsEnabled), .timeLimit(.minutes(2)))
struct CursorHeaderLiveTests {
    @Test func everyPageIsAskedForWithTheCursorTheLastOneGave() async throws {
        let server = try await LiveServer(script: "Tests/Servers/faults.py")
        defer { server.stop() }
        let id = UUID().uuidString.lowercased().prefix(8)
        let client = PetShopClient(
            baseURL: URL(string: server.baseURL.absoluteString + "/feed/\(id)/")!, options: ClientOptions(environment: [:]))

        var notices: [Notice] = []
        for try await notice in client.pets.listNoticesAll() { notices.append(notice) }

        #expect(notices.map(\.id) == [1, 2, 3, 4, 5, 6, 7])
        #expect(notices.last?.text == "notice 7")
        let records = await server.records(atLeast: 3) { record -> String? in
            guard record["id"] as? String == "feed/\(id)" else { return nil }
            return "\(record["path"] as? String ?? "")?\(record["query"] as? String ?? "")"
        }
        // `locale=en` is the API's default query item, sent on every request.
        #expect(records == [
            "/feed/\(id)/pets/notices/paged/?limit=3&locale=en",
            "/feed/\(id)/pets/notices/paged/?limit=3&cursor=after-3&locale=en",
            "/feed/\(id)/pets/notices/paged/?limit=3&cursor=after-6&locale=en",
        ])
    }
}
