@_spi(Generated) import BinderyRuntime
import BinderyTestSupport
import Foundation
import Testing

/// Walks 10,500 items through each pagination style of a Django REST framework server.
@Suite("Pagination, against Django REST framework", .enabled(if: liveTestsEnabled, "needs the test command (BINDERY_LIVE=1)"))
struct PaginationTests {
    static let itemCount = 10_500

    func emulator() async throws -> LiveServer {
        try await LiveServer(script: "Tests/Servers/synapse/serve.py")
    }

    func client(_ server: LiveServer) -> APIClient {
        APIClient(
            api: APIDefinition(
                name: "Emulator", baseURL: server.baseURL.absoluteString,
                defaultQuery: [DefaultParameter(name: "urlHost", wireName: "url_host")]),
            parameters: ["urlHost": "internal"], options: ClientOptions(retry: quickRetries, environment: [:]))
    }

    /// The query strings of the requests the server received for `path`. The server prints each request as it
    /// answers it, so its last lines can arrive after the client is done: wait for `expected` of them, then a
    /// little longer so that any extra request shows too.
    func queries(_ server: LiveServer, _ path: String, expected: Int) async -> [String] {
        func matching() -> [String] {
            server.lines.compactMap { line in
                guard let record = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                    record["path"] as? String == path
                else { return nil }
                return record["query"] as? String
            }
        }
        for _ in 0..<500 where matching().count < expected { try? await Task.sleep(nanoseconds: 10_000_000) }
        try? await Task.sleep(nanoseconds: 100_000_000)
        return matching()
    }

    /// Also on an `IOThread`, where the walk and the page ahead wait on one thread.
    @Test(arguments: [false, true])
    func followsNextLinksAsGiven(onIOThread: Bool) async throws {
        let server = try await emulator()
        defer { server.stop() }
        let drf = PaginationRule(style: .nextLink, items: ["results"], next: ["next"], count: ["count"])
        var query = QueryItems()
        query.add("page_size", 1000)
        let request = Request<Page<Item>>("items.list", .get, "items/", query: query.items, response: .page(drf))
        let client = client(server)
        let ids = try await running(onIOThread: onIOThread) {
            var ids: [Int] = []
            for try await item in client.paginate(request) { ids.append(item.id) }
            return ids
        }
        #expect(ids == Array(1...Self.itemCount))
        let received = await queries(server, "/items/", expected: 11)
        try #require(received.count == 11)
        #expect(received.first == "page_size=1000&url_host=internal")
        #expect(received.dropFirst().first == "page=2&page_size=1000&url_host=internal")
        #expect(received.allSatisfy { $0.components(separatedBy: "url_host=internal").count == 2 })
    }

    @Test func sendsTheCursorOnTheSamePath() async throws {
        let server = try await emulator()
        defer { server.stop() }
        let rule = PaginationRule(style: .cursor, items: ["data"], next: ["meta", "pagination", "next_cursor"], cursorParameter: "cursor")
        var query = QueryItems()
        query.add("per_page", 1000)
        var count = 0
        var last = 0
        for try await item in client(server).paginate(Request<Page<Item>>("t", .get, "cursor-items/", query: query.items, response: .page(rule))) {
            #expect(item.id == last + 1)
            last = item.id
            count += 1
        }
        #expect(count == Self.itemCount)
        let received = await queries(server, "/cursor-items/", expected: 11)
        try #require(received.count == 11)
        #expect(received[1] == "per_page=1000&cursor=1000&url_host=internal")
        #expect(received[10] == "per_page=1000&cursor=10000&url_host=internal")
    }

    @Test func asksForPageNumbersAndStopsAtTheCount() async throws {
        let server = try await emulator()
        defer { server.stop() }
        let rule = PaginationRule(style: .pageNumber, items: ["results"], count: ["count"], pageParameter: "page")
        var query = QueryItems()
        query.add("page_size", 1000)
        var counts: [Int?] = []
        var total = 0
        for try await page in client(server).paginate(Request<Page<Item>>("t", .get, "items/", query: query.items, response: .page(rule))).pages {
            counts.append(page.count)
            total += page.items.count
        }
        #expect(total == Self.itemCount)
        #expect(counts == Array(repeating: Self.itemCount, count: 11))
        let received = await queries(server, "/items/", expected: 11)
        try #require(received.count == 11)
        #expect(received.last == "page_size=1000&page=11&url_host=internal")
    }

    @Test func withoutACountStopsAtDjangosInvalidPage() async throws {
        let server = try await emulator()
        defer { server.stop() }
        let rule = PaginationRule(style: .pageNumber, items: ["results"], pageParameter: "page")
        var query = QueryItems()
        query.add("page_size", 1000)
        var total = 0
        for try await item in client(server).paginate(Request<Page<Item>>("t", .get, "items/", query: query.items, response: .page(rule))) {
            total += item.id > 0 ? 1 : 0
        }
        #expect(total == Self.itemCount)
        #expect(await queries(server, "/items/", expected: 12).count == 12)
    }

    /// Pages are fetched as the walk needs them, at most one page ahead: the next page is asked for as soon as the
    /// current one's link arrived, so the server works while the current page is decoded and walked.
    @Test func fetchesLazilyAtMostOnePageAhead() async throws {
        let server = try await emulator()
        defer { server.stop() }
        let drf = PaginationRule(style: .nextLink, items: ["results"], next: ["next"], count: ["count"])
        var taken = 0
        for try await _ in client(server).paginate(Request<Page<Item>>("t", .get, "items/", response: .page(drf))) {
            taken += 1
            if taken == 150 { break }
        }
        let asked = await queries(server, "/items/", expected: 2)
        #expect(asked.count >= 2 && asked.count <= 3, "pages 1 and 2, and page 3 at most: \(asked)")
        #expect(!asked.contains { $0.contains("page=4") })
    }

    @Test func stopsWhenANextLinkComesBackAgain() async throws {
        let faults = try await FaultServer()
        defer { faults.stop() }
        let id = uniqueID()
        let drf = PaginationRule(style: .nextLink, items: ["results"], next: ["next"])
        let client = APIClient(api: APIDefinition(name: "F", baseURL: faults.baseURL.absoluteString), options: ClientOptions(environment: [:]))
        var items: [Int] = []
        for try await item in client.paginate(Request<Page<Int>>("t", .get, "loop/\(id)", response: .page(drf))) {
            items.append(item)
        }
        // The first page links to itself; that link is followed once, and its second appearance ends the walk.
        #expect(items == [1, 2])
        #expect(await faults.received("loop/\(id)", atLeast: 2).count == 2)
    }
}
