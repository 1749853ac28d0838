import BinderyRuntime
import BinderyTestSupport
import Foundation

/// Tests/Servers/faults.py, started for one test, with what it received decoded.
struct FaultServer {
    let server: LiveServer

    init() async throws {
        server = try await LiveServer(script: "Tests/Servers/faults.py")
    }

    var baseURL: URL { server.baseURL }

    /// The requests received for `id` (the path's first two segments, e.g. `status/abc`), in order, once at least
    /// `count` of them arrived (for up to 5 s): the server's log line can come after its answer.
    func received(_ id: String, atLeast count: Int = 0) async -> [[String: Any]] {
        await server.records(atLeast: count) { $0["id"] as? String == id ? $0 : nil }
    }

    func headers(_ record: [String: Any]) -> [String: String] {
        (record["headers"] as? [String: String] ?? [:]).reduce(into: [:]) { $0[$1.key.lowercased()] = $1.value }
    }

    func stop() { server.stop() }
}

/// A path id no other test uses.
func uniqueID() -> String { UUID().uuidString.lowercased().prefix(8).description }

/// A retry policy with short waits, so retry tests take milliseconds.
let quickRetries = ExponentialBackoff(maxAttempts: 4, initialDelay: 0.01, maxDelay: 0.05)

func makeClient(
    _ server: FaultServer, auth: [AuthScheme] = [], credentials: [String: String?] = [:],
    retry: any RetryPolicy = quickRetries, timeouts: Timeouts? = nil, middlewares: [any Middleware] = [],
    environment: [String: String] = [:], defaultQuery: [DefaultParameter] = [], parameters: [String: String?] = [:],
    transport: any Transport = DefaultTransport(), clock: any BinderyClock = SystemClock()
) -> APIClient {
    APIClient(
        api: APIDefinition(name: "Faults", baseURL: server.baseURL.absoluteString, auth: auth, defaultQuery: defaultQuery),
        credentials: credentials, parameters: parameters,
        options: ClientOptions(
            transport: transport, middlewares: middlewares, timeouts: timeouts, retry: retry, environment: environment,
            clock: clock))
}

/// The `attempt` a fault-server answer reports.
struct Attempt: Decodable, Sendable {
    var attempt: Int
}

/// The BinderyError `body` throws, or nil.
func failure(_ body: () async throws -> Void) async -> BinderyError? {
    do {
        try await body()
        return nil
    } catch let error as BinderyError {
        return error
    } catch {
        return BinderyError(kind: .invalidRequest, operation: "?", method: .get, url: nil, attempts: 0, message: "not a BinderyError: \(error)")
    }
}

/// Runs `body` in a task that prefers an `IOThread` of its own when `onIOThread` is set, as it is otherwise.
func running<Value: Sendable>(onIOThread: Bool, _ body: @Sendable @escaping () async throws -> Value) async throws -> Value {
    if onIOThread, #available(macOS 15.0, iOS 18.0, tvOS 18.0, watchOS 11.0, visionOS 2.0, *) {
        return try await withTaskExecutorPreference(IOThread()) { try await body() }
    }
    return try await body()
}
