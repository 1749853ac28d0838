import BinderyRuntime
import BinderyTestSupport
import Foundation

// Figures measured on demand, never asserted in tests. From the repository root, after `Tests/run` made the venv:
//   BINDERY_PYTHON=.venv-tests/bin/python swift run -c release bindery-benchmarks [retries] [upload] [md5] [writes]
// (no argument runs them all)
// - retries: what a request that always gets 503 costs in wall time under the runtime's default retry policy and
//   under the Synapse backend spec's policy, against the fault server on 127.0.0.1.
// - upload: chunked-upload throughput of a 1 GiB random file in 50 MiB chunks against drf-chunked-upload (the
//   Synapse emulator), MD5 and all, with the client's peak resident memory.
// - md5: the runtime's MD5 against `md5sum` on the same 1 GiB file.
// - writes: 200 POSTs whose answer the fault server drops after reading them (with and without a body, on fresh and
//   reused connections): how many the server ran more than once, and how long each took to fail.

let gibibyte = 1 << 30

func seconds(_ body: () async throws -> Void) async rethrows -> Double {
    let start = Date()
    try await body()
    return Date().timeIntervalSince(start)
}

func format(_ value: Double, _ unit: String = "s") -> String { String(format: "%.2f \(unit)", value) }

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
    print(
        "\(label): \(policy.maxAttempts) attempts, backoff \(policy.initialDelay) s doubling to \(policy.maxDelay) s, full jitter; "
            + "\(runs) runs: min \(format(times.first!)), median \(format(times[times.count / 2])), "
            + "mean \(format(mean)), max \(format(times.last!))")
}

func retries() async throws {
    let server = try await LiveServer(script: "Tests/Servers/faults.py")
    defer { server.stop() }
    print("503 loop, wall time until the error (fault server on 127.0.0.1)")
    await measureRetries("runtime-default", policy: ExponentialBackoff(), runs: 20, server: server)
    await measureRetries(
        "synapse-spec", policy: ExponentialBackoff(maxAttempts: 4, initialDelay: 2, maxDelay: 30, retryableStatuses: [502, 503, 504]),
        runs: 10, server: server)
}

let benchmarkFileURL = FileManager.default.temporaryDirectory.appending(path: "bindery-benchmark-\(getpid()).bin")

/// A 1 GiB file of random bytes, written on first use and removed at exit.
let benchmarkFile: URL = {
    _ = FileManager.default.createFile(atPath: benchmarkFileURL.path, contents: nil)
    atexit { try? FileManager.default.removeItem(at: benchmarkFileURL) }
    let handle = try! FileHandle(forWritingTo: benchmarkFileURL)
    var generator = SystemRandomNumberGenerator()
    for _ in 0..<(gibibyte >> 24) {
        let words = (0..<(1 << 21)).map { _ in generator.next() as UInt64 }
        handle.write(words.withUnsafeBytes { Data($0) })
    }
    try! handle.close()
    return benchmarkFileURL
}()

/// Starts the peak over from the current resident size (Linux), so making the file does not count.
func resetPeakMemory() {
    try? Data("5".utf8).write(to: URL(fileURLWithPath: "/proc/self/clear_refs"))
}

/// The process's peak resident set size in MiB (Linux `VmHWM`).
func peakMemoryMiB() -> Double? {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
        let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
        let kilobytes = Double(line.split(separator: " ")[1])
    else { return nil }
    return kilobytes / 1024
}

struct Finalized: Decodable, Sendable {
    var id: String
    var md5: String?
}

func upload() async throws {
    let file = benchmarkFile
    let server = try await LiveServer(script: "Tests/Servers/synapse/serve.py")
    defer { server.stop() }
    let client = APIClient(
        api: APIDefinition(
            name: "Bench", baseURL: server.baseURL.absoluteString,
            auth: [AuthScheme(name: "access", kind: .header(name: "Synapse-Access-Token", template: "Token {token}"))]),
        credentials: ["access": "emulator-access-token"],
        options: ClientOptions(environment: [:]))
    let rule = ChunkedUploadRule()
    resetPeakMemory()
    let upload = client.chunkedUpload(
        Request<Finalized>("core.createChunkedUpload", .put, "chunked_upload/", response: .json), rule: rule, file: file)
    let updates = Locked(0)
    let elapsed = try await seconds { _ = try await upload.run { _ in updates.withLock { $0 += 1 } } }
    let mebibytes = Double(gibibyte) / Double(1 << 20)
    print(
        "chunked upload, 1 GiB in \(rule.chunkSize >> 20) MiB chunks to drf-chunked-upload on 127.0.0.1: "
            + "\(format(elapsed)), \(format(mebibytes / elapsed, "MiB/s")), \(updates.withLock { $0 }) progress updates, "
            + "client peak memory \(peakMemoryMiB().map { format($0, "MiB") } ?? "unknown")")
}

func md5() async throws {
    let file = benchmarkFile
    let handle = try FileHandle(forReadingFrom: file)
    var digest = MD5()
    let ours = try await seconds {
        while let chunk = try handle.read(upToCount: 1 << 22), !chunk.isEmpty { digest.update(chunk) }
    }
    var reference = ""
    let theirs = try await seconds { reference = try run("md5sum", [file.path]).output }
    let mebibytes = Double(gibibyte) / Double(1 << 20)
    let agreement = reference.hasPrefix(digest.hexDigest()) ? "digests agree" : "DIGESTS DIFFER: \(reference)"
    print(
        "MD5 of 1 GiB: BinderyRuntime \(format(ours)) (\(format(mebibytes / ours, "MiB/s"))), "
            + "md5sum \(format(theirs)) (\(format(mebibytes / theirs, "MiB/s"))); \(agreement)")
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
    print(
        "Lost answers: 200 writes, \(runs) run by the server (\(runs - 200) duplicates); outcomes \(outcomes); "
            + "wait to fail: median \(format(waits[100])), max \(format(waits.last!))")
}

let chosen = Set(CommandLine.arguments.dropFirst())
let all = chosen.isEmpty
if all || chosen.contains("retries") { try await retries() }
if all || chosen.contains("upload") { try await upload() }
if all || chosen.contains("md5") { try await md5() }
if all || chosen.contains("writes") { try await writes() }
