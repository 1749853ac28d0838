import BinderyRuntime
import BinderyTestSupport
import Foundation
import Testing

/// A write the server ran but whose answer never came back (the fault server reads the whole request, then closes
/// the connection): it must reach the server exactly once, whatever the layers below the runtime would do, and the
/// client must say so as soon as the connection closes, not after the read timeout.
@Suite("Lost answers, against the fault server", .enabled(if: liveTestsEnabled, "needs the test command (BINDERY_LIVE=1)"))
struct LostAnswerTests {
    struct Trial: CustomTestStringConvertible, Sendable {
        enum Path: String, Sendable {
            case sockets = ""
            case socketsOnIOThread = ", waiting on an IOThread"
            case urlSession = ", through URLSession"
        }

        var withBody: Bool
        var reusedConnection: Bool
        var path: Path
        var testDescription: String {
            "\(withBody ? "with" : "without") a body, on a \(reusedConnection ? "reused" : "fresh") connection\(path.rawValue)"
        }
    }

    static let trials = [Trial.Path.sockets, .socketsOnIOThread, .urlSession].flatMap { path in
        [false, true].flatMap { body in [false, true].map { Trial(withBody: body, reusedConnection: $0, path: path) } }
    }

    @Test(arguments: trials)
    func aWriteWhoseAnswerIsLostRunsOnceAndFailsAtOnce(trial: Trial) async throws {
        let server = try await FaultServer()
        defer { server.stop() }
        let id = uniqueID()
        // A read timeout longer than the rest of the test: the failure must come from the closed connection.
        let client = makeClient(
            server, retry: quickRetries, timeouts: Timeouts(connect: 5, read: 30),
            transport: trial.path == .urlSession ? URLSessionTransport() : DefaultTransport())
        if trial.reusedConnection {
            _ = try await client.send(Request<JSONValue>("warm", .get, "echo/\(id)-warm", response: .json))
        }
        let body: RequestBody? = trial.withBody ? .json(["name": String(repeating: "x", count: 4096)]) : nil
        let error = await failure {
            try await running(onIOThread: trial.path == .socketsOnIOThread) {
                _ = try await client.send(Request<Attempt>("items.create", .post, "drop/\(id)?times=100", body: body, response: .json))
            }
        }
        #expect(error?.kind == .outcomeUnknown, "\(String(describing: error))")
        #expect(error?.attempts == 1)
        #expect(error?.message.contains("in time") == false && error?.message.contains("30 s") == false,
                "it waited for the read timeout: \(String(describing: error))")
        // Anything sent again below the runtime was sent before the error came back; a request made after it is
        // logged after any such copy.
        _ = try await client.send(Request<JSONValue>("marker", .get, "echo/\(id)-after", response: .json))
        _ = await server.received("echo/\(id)-after", atLeast: 1)
        let copies = await server.received("drop/\(id)")
        #expect(copies.count == 1, "the server ran the write \(copies.count) times")
        #expect(copies.first?["body_length"] as? Int == (trial.withBody ? 4107 : 0))
    }

    /// Read timeouts under a second hold: a quick answer is not cut off, a slow one is. (Over sockets they hold to
    /// the millisecond; URLSession on Linux rounds them up to a second.)
    @Test(arguments: [false, true])
    func shortReadTimeoutsAreHonoured(urlSession: Bool) async throws {
        let server = try await FaultServer()
        defer { server.stop() }
        let transport: any Transport = urlSession ? URLSessionTransport() : DefaultTransport()
        // Under a second, where FoundationNetworking's whole seconds made every request fail at once, yet long
        // enough for a loaded machine's server to answer.
        let client = makeClient(server, retry: ExponentialBackoff.none, timeouts: Timeouts(connect: 5, read: 0.9), transport: transport)
        for _ in 0..<3 {
            let answer = try await client.send(Request<Attempt>("t", .get, "echo/\(uniqueID())", response: .json))
            #expect(answer.attempt == 1)
        }
        let quick = makeClient(server, retry: ExponentialBackoff.none, timeouts: Timeouts(connect: 5, read: 0.1), transport: transport)
        let error = await failure { _ = try await quick.send(Request<Attempt>("t", .get, "slow/\(uniqueID())?delay=3", response: .json)) }
        #expect(error?.kind == .timedOut, "\(String(describing: error))")
    }

    /// A 307 or 308 asks for the same request elsewhere, body and all; a 303 for a GET there. A relative
    /// `Location` keeps its trailing slash.
    @Test(arguments: [(307, "POST", 13), (308, "PUT", 13), (303, "GET", 0)], [false, true])
    func redirectsKeepOrDropTheBodyAsTheirStatusSays(redirect: (status: Int, method: String, length: Int), urlSession: Bool) async throws {
        let (status, method, length) = redirect
        let server = try await FaultServer()
        defer { server.stop() }
        let id = uniqueID()
        let requestMethod: HTTPMethod = status == 308 ? .put : .post
        let transport: any Transport = urlSession ? URLSessionTransport() : DefaultTransport()
        let answer = try await makeClient(server, transport: transport).send(
            Request<JSONValue>("t", requestMethod, "redirect/\(id)?status=\(status)&to=../../echo/\(id)/", body: .json(["a": "hello"]), response: .json))
        #expect(answer["attempt"] == 1)
        let echoed = try #require(await server.received("echo/\(id)", atLeast: 2).first)
        #expect(echoed["method"] as? String == method)
        #expect(echoed["path"] as? String == "/echo/\(id)/")
        #expect(echoed["body_length"] as? Int == length)
    }
}
