import BinderyRuntime
import BinderyTestSupport
import Foundation

func measureRetries(_ label: String, policy: ExponentialBackoff, runs: Int, server: LiveServer) async {
    let client = APIClient(
        api: APIDefinition(name: "Bench", baseURL: server.baseURL.absoluteString, retry: policy),
        options: ClientOptions(environment: [:]))
    var times: [Double] = []
    for run in 0..<runs {
        times.append(
            await seconds {
                do {
                    _ = try await client.send(Request<JSONValue>("bench", .get, "status/\(label)-\(run)?seq=503", response: .json))
                } catch let error as BinderyError {
                    precondition(error.attempts == policy.maxAttempts, "expected \(policy.maxAttempts) attempts, got \(error.attempts)")
                } catch {
                    fatalError("\(error)")
                }
            })
    }
    times.sort()
    let mean = times.reduce(0, +) / Double(times.count)
    say(
        "\(label): \(policy.maxAttempts) attempts, backoff \(policy.initialDelay) s doubling to \(policy.maxDelay) s, full jitter; "
            + "\(runs) runs: min \(format(times.first!)), median \(format(times[times.count / 2])), "
            + "mean \(format(mean)), max \(format(times.last!))")
}

func retries() async throws {
    let server = try await LiveServer(script: "Tests/Servers/faults.py")
    defer { server.stop() }
    say("503 loop, wall time until the error (fault server on 127.0.0.1)")
    await measureRetries("runtime-default", policy: ExponentialBackoff(), runs: 20, server: server)
    await measureRetries(
        "synapse-spec", policy: ExponentialBackoff(maxAttempts: 4, initialDelay: 2, maxDelay: 30, retryableStatuses: [502, 503, 504]),
        runs: 10, server: server)
}

func writes() async throws {
    let server = try await LiveServer(script: "Tests/Servers/faults.py")
    defer { server.stop() }
    let client = APIClient(
        api: APIDefinition(name: "Bench", baseURL: server.baseURL.absoluteString),
        options: ClientOptions(timeouts: Timeouts(connect: 5, read: 30), environment: [:]))
    var waits: [Double] = []
    var outcomes: [String: Int] = [:]
    for trial in 0..<200 {
        let (withBody, reused) = (trial % 2 == 1, trial % 4 >= 2)
        if reused { _ = try await client.send(Request<JSONValue>("warm", .get, "echo/warm-\(trial)", response: .json)) }
        let body: RequestBody? = withBody ? .json(["trial": trial]) : nil
        waits.append(
            try await seconds {
                do {
                    _ = try await client.send(Request<JSONValue>("write", .post, "drop/w\(trial)?times=9", body: body, response: .json))
                    outcomes["answered", default: 0] += 1
                } catch let error as BinderyError {
                    outcomes[error.kind.rawValue, default: 0] += 1
                }
            })
    }
    _ = try await client.send(Request<JSONValue>("marker", .get, "echo/after", response: .json))
    var lines = server.lines
    for _ in 0..<100 where !lines.contains(where: { $0.contains("echo/after") }) {
        try await Task.sleep(nanoseconds: 50_000_000)
        lines = server.lines
    }
    let runs = lines.filter { $0.contains(#""id": "drop/w"#) }.count
    waits.sort()
    say(
        "Lost answers: 200 writes, \(runs) run by the server (\(runs - 200) duplicates); outcomes \(outcomes); "
            + "wait to fail: median \(format(waits[100])), max \(format(waits.last!))")
}
