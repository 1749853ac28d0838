import BinderyRuntime
import BinderyTestSupport
import Foundation

// Figures measured on demand, never asserted in tests:
//   swift run -c release bindery-benchmarks
// Prints what a request that always gets 503 costs in wall time under the runtime's default retry policy and under
// the Synapse backend spec's policy, against the fault server on 127.0.0.1.

func measure(_ label: String, policy: ExponentialBackoff, runs: Int, server: LiveServer) async {
    let client = APIClient(
        api: APIDefinition(name: "Bench", baseURL: server.baseURL.absoluteString, retry: policy),
        options: ClientOptions(environment: [:]))
    var seconds: [Double] = []
    for run in 0..<runs {
        let start = Date()
        do {
            _ = try await client.send(Request<JSONValue>("bench", .get, "status/\(label)-\(run)?seq=503", response: .json))
        } catch let error as BinderyError {
            precondition(error.attempts == policy.maxAttempts, "expected \(policy.maxAttempts) attempts, got \(error.attempts)")
        } catch {
            fatalError("\(error)")
        }
        seconds.append(Date().timeIntervalSince(start))
    }
    seconds.sort()
    let mean = seconds.reduce(0, +) / Double(seconds.count)
    let format = { (value: Double) in String(format: "%.2f s", value) }
    print(
        "\(label): \(policy.maxAttempts) attempts, backoff \(policy.initialDelay) s doubling to \(policy.maxDelay) s, full jitter; "
            + "\(runs) runs: min \(format(seconds.first!)), median \(format(seconds[seconds.count / 2])), "
            + "mean \(format(mean)), max \(format(seconds.last!))")
}

let server = try await LiveServer(script: "Tests/Servers/faults.py")
defer { server.stop() }
print("503 loop, wall time until the error (fault server on 127.0.0.1)")
await measure("runtime-default", policy: ExponentialBackoff(), runs: 20, server: server)
await measure(
    "synapse-spec", policy: ExponentialBackoff(maxAttempts: 4, initialDelay: 2, maxDelay: 30, retryableStatuses: [502, 503, 504]),
    runs: 10, server: server)
