import BinderyRuntime
import BinderyTestSupport
import Foundation
import GitHubSlice
import OpenAISlice
import Testing

/// What a request looked like to one of the emulators (Tests/Servers/github.py, openai.py).
struct Received {
    var method: String
    var path: String
    var query: String
    var headers: [String: String]
    var body: String

    static func all(_ server: LiveServer, atLeast count: Int = 1, where matches: (Received) -> Bool) async -> [Received] {
        await server.records(atLeast: count) { record in
            let received = Received(
                method: record["method"] as? String ?? "", path: record["path"] as? String ?? "",
                query: record["query"] as? String ?? "", headers: record["headers"] as? [String: String] ?? [:],
                body: record["body"] as? String ?? "")
            return matches(received) ? received : nil
        }
    }
}

/// A slice of the GitHub API declared in Tests/GitHub/GitHub.bindery, against Tests/Servers/github.py.
@Suite("GitHub-like API, against its emulator", .enabled(if: liveTestsEnabled, "needs the test command (BINDERY_LIVE=1)"))
struct GitHubTests {
    static let emulator = Task { try await LiveServer(script: "Tests/Servers/github.py") }

    let server: LiveServer
    let client: GitHubClient

    init() async throws {
        server = try await Self.emulator.value
        client = GitHubClient(baseURL: server.baseURL, token: "ghp-test", options: ClientOptions(environment: [:]))
    }

    @Test("A walk follows the Link header over pages that are JSON arrays, and stops where no next link is")
    func linkHeaderWalk() async throws {
        var numbers: [Int] = []
        for try await issue in client.repo("apple", "swift").issuesAll(state: "all", perPage: 3) { numbers.append(issue.number) }
        #expect(numbers == [7, 6, 5, 4, 3, 2, 1])
        let pages = await Received.all(server, atLeast: 3) { $0.path == "/repos/apple/swift/issues" && $0.query.split(separator: "&").contains("per_page=3") }
        #expect(pages.map(\.query) == ["state=all&per_page=3", "per_page=3&page=2&state=all", "per_page=3&page=3&state=all"])
    }

    @Test("A query array declared joined goes as one comma-separated item, as GitHub takes labels")
    func joinedQueryArray() async throws {
        var numbers: [Int] = []
        for try await issue in client.repo("apple", "swift").issuesAll(state: "all", labels: ["bug"]) { numbers.append(issue.number) }
        #expect(numbers == [7, 5, 3, 1])
        let none = try await client.repo("apple", "swift").issues(state: "all", labels: ["bug", "ui"])
        #expect(none.items.isEmpty)
        let sent = await Received.all(server, atLeast: 2) { $0.path == "/repos/apple/swift/issues" && $0.query.contains("labels=") }
        #expect(Set(sent.map(\.query)) == ["state=all&labels=bug&per_page=30", "state=all&labels=bug%2Cui&per_page=30"])
    }

    @Test("Rate-limit headers are read from a typed call, with its status")
    func rateLimitHeaders() async throws {
        let answer = try await client.withResponse(GitHubClient.Repo.get(owner: "apple", name: "swift"))
        #expect(answer.value.fullName == "apple/swift")
        #expect(answer.status == 200)
        #expect(answer.headers["X-RateLimit-Remaining"] == "4999")
        let page = try await client.withResponse(GitHubClient.Repo.issues(owner: "apple", name: "swift", perPage: 2))
        #expect(page.value.items.count == 2)
        #expect(page.headers["Link"]?.contains(#"rel="next""#) == true)
    }

    @Test("GitHub's media type and API version go on every request, declared once in the spec")
    func constantHeaders() async throws {
        let repository = try await client.repo("apple", "swift").get()
        #expect(repository.fullName == "apple/swift")
        let sent = try #require(await Received.all(server) { $0.path == "/repos/apple/swift" }.first)
        #expect(sent.headers["accept"] == "application/vnd.github+json")
        #expect(sent.headers["x-github-api-version"] == "2022-11-28")
        #expect(sent.headers["authorization"] == "Bearer ghp-test")
    }

    @Test("A model may take a runtime type's name: GitHub's Page decodes, and the walks above still compile")
    func modelNamedLikeARuntimeType() async throws {
        let site: GitHubSlice.Page = try await client.repo("octo", "docs").pages()
        #expect(site.htmlURL == "https://octo.github.io/docs/")
        #expect(site.source == PageSource(branch: "main", path: "/docs"))
        #expect(await Received.all(server) { $0.path == "/repos/octo/docs/pages" }.count == 1)
    }
}

/// An OAuth-style auth written by a user: it sends the current token and, after a 401, fetches a new one and tries
/// the request again, once.
final class OAuthRefresh: Middleware, @unchecked Sendable {
    let token = Locked("tok-stale")
    let refreshes = Locked(0)
    let fetchToken: @Sendable () async throws -> String

    init(fetchToken: @escaping @Sendable () async throws -> String) {
        self.fetchToken = fetchToken
    }

    func intercept(
        _ request: HTTPRequest, body: HTTPBody?, operation: String,
        next: @Sendable (HTTPRequest, HTTPBody?) async throws -> (HTTPResponse, StreamingResponse?)
    ) async throws -> (HTTPResponse, StreamingResponse?) {
        func send() async throws -> (HTTPResponse, StreamingResponse?) {
            var request = request
            request.headers.set("Authorization", "Bearer \(token.withLock { $0 })")
            return try await next(request, body)
        }
        let first = try await send()
        guard first.0.status == 401 else { return first }
        first.1?.cancel()
        let fresh = try await fetchToken()
        token.withLock { $0 = fresh }
        refreshes.withLock { $0 += 1 }
        return try await send()
    }
}

/// A slice of the OpenAI API declared in Tests/OpenAI/OpenAI.bindery, against Tests/Servers/openai.py.
@Suite("OpenAI-like API, against its emulator", .enabled(if: liveTestsEnabled, "needs the test command (BINDERY_LIVE=1)"))
struct OpenAITests {
    static let emulator = Task { try await LiveServer(script: "Tests/Servers/openai.py") }

    let server: LiveServer
    let client: OpenAIClient

    init() async throws {
        server = try await Self.emulator.value
        client = OpenAIClient(baseURL: server.baseURL.appending(path: "v1"), apiKey: "sk-test", options: ClientOptions(environment: [:]))
    }

    @Test("A user-written auth middleware refreshes an OAuth-style token after a 401 and the call succeeds")
    func oauthRefresh() async throws {
        let base = server.baseURL.appending(path: "v1")
        let tokens = OpenAIClient(baseURL: base, options: ClientOptions(environment: [:]))
        let auth = OAuthRefresh { try await tokens.oauth.token(clientID: "bindery", clientSecret: "s3cret").accessToken }
        let client = OpenAIClient(baseURL: base, options: ClientOptions(auth: auth, environment: [:]))
        #expect(try await client.oauth.me().id == "user-1")
        #expect(auth.refreshes.withLock { $0 } == 1)
        let calls = await Received.all(server, atLeast: 2) { $0.path == "/v1/me" }
        let sentTokens = calls.map { $0.headers["authorization"] ?? "" }
        #expect(sentTokens.first == "Bearer tok-stale")
        #expect(sentTokens.last?.hasPrefix("Bearer tok-") == true && sentTokens.last != "Bearer tok-stale")
        #expect(try await client.oauth.me().id == "user-1", "the fresh token is kept")
        #expect(auth.refreshes.withLock { $0 } == 1)
        let form = try #require(await Received.all(server) { $0.path == "/v1/oauth/token" && $0.body.contains("client_id=bindery") }.first)
        #expect(form.headers["content-type"] == "application/x-www-form-urlencoded")
        #expect(form.body == "grant_type=client_credentials&client_id=bindery&client_secret=s3cret")
    }

    @Test("An error's message is the API's own, where the spec's error-message says it is")
    func errorMessage() async throws {
        let wrongKey = OpenAIClient(baseURL: server.baseURL.appending(path: "v1"), apiKey: "sk-wrong", options: ClientOptions(environment: [:]))
        let error = try await #require(throws: BinderyError.self) { try await wrongKey.threads.messages(threadID: "t") }
        #expect(error.kind == .unauthorized)
        #expect(error.message == "Incorrect API key provided")
        #expect(error.detail?["error"]?["code"] == "invalid_api_key")
    }

    @Test("An idempotency key is made once per call and kept across its retries; errors keep their headers")
    func idempotencyKeyAcrossRetries() async throws {
        let batch = try await client.batches.create(BatchRequest(inputFileID: "file-1", endpoint: "/v1/chat/completions"))
        #expect(batch.endpoint == "/v1/chat/completions")
        let attempts = await Received.all(server, atLeast: 2) { $0.path == "/v1/batches" && $0.body.contains("file-1") }
        #expect(attempts.count == 2, "the 503 was retried")
        let keys = attempts.compactMap { $0.headers["idempotency-key"] }
        #expect(keys.count == 2 && keys[0] == keys[1] && !keys[0].isEmpty, "\(keys)")

        let wrongKey = OpenAIClient(baseURL: server.baseURL.appending(path: "v1"), apiKey: "sk-wrong", options: ClientOptions(environment: [:]))
        let error = try await #require(throws: BinderyError.self) { try await wrongKey.files.list() }
        #expect(error.headers?["content-type"] == "application/json", "an error carries its response's headers")
    }

    @Test("A has_more walk ends at the page that says so, without another request")
    func hasMoreWalk() async throws {
        var ids: [String] = []
        for try await file in client.files.listAll(limit: 2) { ids.append(file.id) }
        #expect(ids == ["file-1", "file-2", "file-3", "file-4", "file-5"])
        // Let any request made ahead of the walk reach the server's log before counting.
        try await Task.sleep(nanoseconds: 300_000_000)
        let pages = await Received.all(server, atLeast: 3) { $0.path == "/v1/files" && ($0.query == "limit=2" || $0.query.hasPrefix("limit=2&")) }
        #expect(pages.map(\.query) == ["limit=2", "limit=2&after=file-2", "limit=2&after=file-4"])
    }

    @Test("A message's content is a string in one and a list of parts in another")
    func contentByShape() async throws {
        let messages = try await client.threads.messages(threadID: "thread-1").data
        #expect(messages.map(\.id) == ["msg-1", "msg-2"])
        #expect(messages[0].content == .text("What is in this image?"))
        guard case .parts(let parts) = messages[1].content else {
            Issue.record("expected parts, got \(messages[1].content)")
            return
        }
        #expect(parts.map(\.type) == ["text", "image_url"])
        #expect(parts[0].text == "A cat.")
        #expect(parts[1].imageURL?.url == "https://example.com/cat.png")
    }

    @Test("A chat stream ends cleanly at data: [DONE], and a request's content may be either shape")
    func chatStreamEndsAtDone() async throws {
        let request = ChatRequest(
            model: "gpt-test",
            messages: [
                ChatMessage(role: "user", content: .text("Hi")),
                ChatMessage(role: "user", content: .parts([ContentPart(type: "text", text: "there")])),
            ],
            stream: true)
        var words: [String] = []
        for try await chunk in try await client.chat.stream(request) { words += chunk.choices.compactMap(\.delta.content) }
        #expect(words == ["Hello", " there", "!"])
        let sent = try #require(await Received.all(server) { $0.path == "/v1/chat/completions" && $0.body.contains("\"stream\":true") }.first)
        let body = try #require(try JSONSerialization.jsonObject(with: Data(sent.body.utf8)) as? [String: Any])
        let contents = (body["messages"] as? [[String: Any]])?.map { $0["content"] }
        #expect(contents?.first as? String == "Hi")
        #expect((contents?.last as? [[String: Any]])?.first?["text"] as? String == "there")

        let whole = try await client.chat.create(ChatRequest(model: "gpt-test", messages: [ChatMessage(role: "user", content: .text("Hi"))]))
        #expect(whole.choices.first?.message.content == "Hello there!")
    }
}
