import BinderyRuntime
import BinderyTestSupport
import Foundation
import PetShop
import Testing

/// PetShop's orders over loopback, against Tests/Servers/faults.py's echo: what the server received for nested query
/// values, nested form fields, a path with text beside its placeholder, a fixed query and arrays of file parts.
@Suite("Nested values on the wire", .enabled(if: liveTestsEnabled), .timeLimit(.minutes(2)))
struct NestedValuesLiveTests {
    /// The echo server, and a client whose base URL puts every call under `echo/ID/`.
    static func start() async throws -> (LiveServer, PetShopClient, String) {
        let server = try await LiveServer(script: "Tests/Servers/faults.py")
        let id = UUID().uuidString.lowercased().prefix(8).description
        let client = PetShopClient(
            baseURL: URL(string: server.baseURL.absoluteString + "/echo/\(id)/")!, options: ClientOptions(environment: [:]))
        return (server, client, "echo/\(id)")
    }

    /// What the server received for `id`: each line it printed is one request.
    static func received(_ server: LiveServer, _ id: String) async throws -> [String: Any] {
        let lines = await server.waitForLines(1, timeout: 10)
        let records = lines.compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        return try #require(records.first { $0["id"] as? String == id }, "the server received no request for \(id)")
    }

    /// Name–value pairs of a query string or form body, decoded as a server decodes them.
    static func pairs(_ encoded: String) -> [String] {
        encoded.split(separator: "&").map { pair in
            pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                .map { $0.replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String($0) }.joined(separator: "=")
        }
    }

    @Test func nestedQueryValuesInBracketsAfterAFixedQuery() async throws {
        let (server, client, id) = try await Self.start()
        defer { server.stop() }
        let placed = Date(timeIntervalSince1970: 1_700_000_000)
        _ = try await client.orders.search(
            filter: OrderFilter(status: "open & paid", tags: ["a", "b/c"], placedAfter: placed), labels: ["team": "north", "tier": "1"])
        let record = try await Self.received(server, id)
        #expect(record["path"] as? String == "/\(id)/orders")
        let query = try #require(record["query"] as? String)
        #expect(Self.pairs(query) == [
            "beta=true", "filter[placed_after]=2023-11-14T22:13:20.000Z", "filter[status]=open & paid", "filter[tags][0]=a", "filter[tags][1]=b/c",
            "labels[team]=north", "labels[tier]=1", "locale=en",
        ])
        #expect(query.contains("filter%5Bstatus%5D=open%20%26%20paid"), "brackets and values percent-encoded: \(query)")
    }

    @Test func nestedFormFieldsAndAPathWithTextBesideItsPlaceholder() async throws {
        let (server, client, id) = try await Self.start()
        defer { server.stop() }
        _ = try await client.orders.place(
            number: 42, lines: [OrderLine(sku: "s1", quantity: 2), OrderLine(sku: "s2")], metadata: ["order_id": "6735"], expand: ["a", "b"])
        let record = try await Self.received(server, id)
        #expect(record["path"] as? String == "/\(id)/orders/42.json")
        #expect(Self.headers(record)["content-type"] == "application/x-www-form-urlencoded")
        #expect(Self.pairs(try #require(record["body"] as? String)) == [
            "lines[0][quantity]=2", "lines[0][sku]=s1", "lines[1][sku]=s2", "metadata[order_id]=6735", "expand=a", "expand=b",
        ])
    }

    @Test func anArrayOfFilesIsAPartEach() async throws {
        let (server, client, id) = try await Self.start()
        defer { server.stop() }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("receipts-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let files = try ["one.txt", "two.txt"].map { name in
            let url = folder.appendingPathComponent(name)
            try Data("receipt \(name)".utf8).write(to: url)
            return url
        }
        _ = try await client.orders.attach(number: 7, receipts: files, notes: [Data("first".utf8), Data("second".utf8)])
        let record = try await Self.received(server, id)
        #expect(record["path"] as? String == "/\(id)/orders/7/receipts")
        let body = try #require(record["body"] as? String)
        #expect(body.components(separatedBy: #"name="receipts"; filename="one.txt""#).count == 2)
        #expect(body.components(separatedBy: #"name="receipts"; filename="two.txt""#).count == 2)
        #expect(body.contains("receipt one.txt") && body.contains("receipt two.txt"))
        #expect(body.components(separatedBy: #"form-data; name="notes""#).count == 3)
        #expect(body.contains("\r\n\r\nfirst\r\n") && body.contains("\r\n\r\nsecond\r\n"), "\(body.suffix(600))")
    }

    static func headers(_ record: [String: Any]) -> [String: String] {
        (record["headers"] as? [String: String] ?? [:]).reduce(into: [:]) { $0[$1.key.lowercased()] = $1.value }
    }
}
