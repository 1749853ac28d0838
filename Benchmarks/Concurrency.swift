import BinderyRuntime
import BinderyTestSupport
import Foundation

#if canImport(Glibc)
    import Glibc
    private let streamSocket = Int32(SOCK_STREAM.rawValue)
    private let noSignal = Int32(MSG_NOSIGNAL)
#elseif canImport(Darwin)
    import Darwin
    private let streamSocket = SOCK_STREAM
    private let noSignal: Int32 = 0
#endif

/// 10,000 GETs of a 1 KB JSON file from nginx at 1, 16, 128 and 512 tasks in flight, by Bindery's client, curl
/// (`--parallel`) and AsyncHTTPClient 1.37 (a scratch package in Benchmarks/Peers, tuned to as many connections as
/// Bindery's pool opens), each in a process of its own, interleaved: requests/s, latency, the threads, descriptors and
/// memory the process peaked at (sampled from /proc), and in the Swift clients the longest a task ticking every
/// 10 ms was held up.
func concurrency() async throws {
    let (count, rounds) = (10_000, 3)
    let nginx = try Nginx(logging: false)
    defer { nginx.stop() }
    let url = "http://127.0.0.1:\(nginx.port)/item.json"
    let peer = try buildAsyncHTTPClientPeer()
    for tasks in [1, 16, 128, 512] {
        let connections = min(tasks, SocketTransport().maximumConnectionsPerOrigin)
        let contenders = [
            Contender(name: "Bindery") {
                try runChild(benchmarkExecutable, ["client", "load", url, String(tasks), String(count)], sampling: true).figures()
            },
            Contender(name: "AsyncHTTPClient") {
                try runChild(peer, [url, String(tasks), String(count), String(connections)], sampling: true).figures()
            },
            Contender(name: "curl") { try curlParallel(url, tasks: tasks, count: count) },
        ]
        let results = try interleaved(contenders, rounds: rounds)
        for (name, runs) in results where runs.contains(where: { $0.count != count }) {
            throw BenchmarkFailure("\(name) completed \(runs.map(\.count)) requests, not \(count)")
        }
        let rows = ["Bindery", "AsyncHTTPClient", "curl"].map { name in
            let runs = results[name]!
            let tick = name == "curl" ? "" : String(format: ", longest tick gap %.1f ms", median(runs.map(\.tickGap)))
            return (
                name,
                String(
                    format: "%.0f requests/s, p50 %.2f ms, p99 %.2f ms, %.0f threads, %.0f descriptors, %.1f MiB",
                    Double(count) / median(runs.map(\.seconds)), median(runs.map(\.p50)), median(runs.map(\.p99)),
                    median(runs.map(\.threads)), median(runs.map(\.descriptors)), median(runs.map(\.peakMiB))) + tick
            )
        }
        report(
            "Concurrency: \(count) GETs of 1 KB JSON from nginx, \(tasks) in flight (AsyncHTTPClient on \(connections) "
                + "connections), medians of \(rounds) interleaved runs",
            rows,
            verdict: "Bindery's rate is \(multiple(ratioByRound(results, "curl", "Bindery", \.seconds))) curl's and "
                + "\(multiple(ratioByRound(results, "AsyncHTTPClient", "Bindery", \.seconds))) AsyncHTTPClient's (medians of each round's ratios)")
    }
}

/// Bindery's side of `concurrency`: `count` GETs of `url` decoded as JSON by the API client, from `tasks` tasks,
/// beside a task that ticks every 10 ms.
func loadWork(_ arguments: [String]) async throws {
    guard arguments.count == 3, let url = URL(string: arguments[0]), let tasks = Int(arguments[1]), let count = Int(arguments[2]) else {
        throw BenchmarkFailure("usage: client load URL TASKS COUNT")
    }
    let origin = URL(string: "/", relativeTo: url)!.absoluteURL
    let client = APIClient(
        api: APIDefinition(name: "Load", baseURL: origin.absoluteString),
        options: ClientOptions(proxy: Proxy.none, retry: ExponentialBackoff.never, environment: [:]))
    let request = Request<JSONValue>("load.get", .get, url.path, response: .json)
    let next = Counter()
    let done = Counter()
    let start = ContinuousClock.now
    let ticker = Task {
        var longest = Duration.zero
        while done.value == 0 {
            let before = ContinuousClock.now
            try? await Task.sleep(for: .milliseconds(10))
            longest = max(longest, ContinuousClock.now - before - .milliseconds(10))
        }
        return longest
    }
    let latencies = try await withThrowingTaskGroup(of: [Double].self) { group in
        for _ in 0..<tasks {
            group.addTask {
                var mine: [Double] = []
                while next.increment() < count {
                    let sent = ContinuousClock.now
                    _ = try await client.send(request)
                    mine.append((ContinuousClock.now - sent) / .milliseconds(1))
                }
                return mine
            }
        }
        return try await group.reduce(into: []) { $0 += $1 }
    }
    let elapsed = (ContinuousClock.now - start) / .seconds(1)
    _ = done.increment()
    let gap = await ticker.value / .milliseconds(1)
    let sorted = latencies.sorted()
    let figures: [String: Double] = [
        "seconds": elapsed, "cpu": 0, "count": Double(sorted.count), "p50": sorted[sorted.count / 2],
        "p99": sorted[min(sorted.count - 1, sorted.count * 99 / 100)], "tickGap": gap,
    ]
    say(String(decoding: try JSONSerialization.data(withJSONObject: figures), as: UTF8.self))
}

/// A count shared by tasks.
private final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0

    var value: Int { lock.withLock { count } }

    /// The count before this call added one.
    func increment() -> Int {
        lock.withLock {
            defer { count += 1 }
            return count
        }
    }
}

/// curl fetching `url` `count` times, `tasks` at once (at most 300, curl's own limit), one connection each.
private func curlParallel(_ url: String, tasks: Int, count: Int) throws -> ClientFigures {
    let config = FileManager.default.temporaryDirectory.appending(path: "bindery-benchmark-curl-\(getpid())")
    defer { try? FileManager.default.removeItem(at: config) }
    try String(repeating: "url = \"\(url)\"\noutput = \"/dev/null\"\n", count: count).write(to: config, atomically: true, encoding: .utf8)
    let run = try runChild(
        "curl",
        ["--silent", "--no-progress-meter", "--show-error", "--fail", "--parallel", "--parallel-immediate", "--parallel-max", String(min(tasks, 300)),
         "--write-out", "%{time_total}\\n", "--config", config.path],
        sampling: true)
    guard run.status == 0 else { throw BenchmarkFailure("curl failed: \(run.output.prefix(2000))") }
    let latencies = run.output.split(separator: "\n").compactMap { Double($0) }.map { $0 * 1000 }.sorted()
    guard !latencies.isEmpty else { throw BenchmarkFailure("curl reported no transfers") }
    var figures = ClientFigures(seconds: run.seconds, cpu: run.cpu, count: latencies.count, peakMiB: run.peakMiB)
    figures.p50 = latencies[latencies.count / 2]
    figures.p99 = latencies[min(latencies.count - 1, latencies.count * 99 / 100)]
    figures.threads = run.threads
    figures.descriptors = run.descriptors
    return figures
}

/// Builds the AsyncHTTPClient peer (a release build of Benchmarks/Peers/AsyncHTTPClientLoad) and returns its path.
private func buildAsyncHTTPClientPeer() throws -> String {
    let package = "Benchmarks/Peers/AsyncHTTPClientLoad"
    say("Building \(package) (AsyncHTTPClient 1.37.0)")
    let build = try runChild("swift", ["build", "-c", "release", "--package-path", package])
    guard build.status == 0 else { throw BenchmarkFailure("the AsyncHTTPClient peer did not build:\n\(build.output)") }
    return FileManager.default.currentDirectoryPath + "/\(package)/.build/release/ahc-load"
}


/// Beside 500 open event streams that say nothing, 400 calls to a server that never answers, each with a `total`
/// of 250 ms, on one transport, while a task ticks every 10 ms: how far past its deadline each call ended, how many
/// ticks the ticking task kept, and how long cancelling each of 200 waiting exchanges took to end it.
func deadlines() async throws {
    let quiet = try QuietServer()
    defer { quiet.stop() }
    let transport = SocketTransport(maximumConnectionsPerOrigin: 2048, proxy: .none)
    var streams: [StreamingResponse] = []
    for _ in 0..<500 {
        streams.append(try await transport.open(HTTPRequest(method: .get, url: quiet.streamURL), body: nil, timeouts: Timeouts(read: 600)))
    }
    let ticks = Task {
        var count = 0
        let start = ContinuousClock.now
        while ContinuousClock.now - start < .seconds(2) {
            try? await Task.sleep(for: .milliseconds(10))
            count += 1
        }
        return count
    }
    let total = 0.25
    let overshoots = await withTaskGroup(of: Double.self) { group in
        for _ in 0..<400 {
            group.addTask {
                let start = ContinuousClock.now
                _ = try? await transport.send(HTTPRequest(method: .get, url: quiet.silentURL), body: nil, timeouts: Timeouts(read: 60, total: total))
                return (ContinuousClock.now - start) / .milliseconds(1) - total * 1000
            }
        }
        return await group.reduce(into: []) { $0.append($1) }.sorted()
    }
    let kept = Double(await ticks.value) / 200
    let cancellations = await withTaskGroup(of: Double.self) { group in
        for _ in 0..<200 {
            group.addTask {
                let call = Task { try await transport.send(HTTPRequest(method: .get, url: quiet.silentURL), body: nil, timeouts: Timeouts(read: 600)) }
                try? await Task.sleep(for: .milliseconds(100))
                let cancelled = ContinuousClock.now
                call.cancel()
                _ = try? await call.value
                return (ContinuousClock.now - cancelled) / .milliseconds(1)
            }
        }
        return await group.reduce(into: []) { $0.append($1) }.sorted()
    }
    for stream in streams { stream.cancel() }
    report(
        "Deadlines: 400 calls with a 250 ms total to a server that never answers, beside 500 quiet streams and a task ticking every 10 ms",
        [
            ("past the deadline", String(format: "p50 %.1f ms, p99 %.1f ms, max %.1f ms", overshoots[200], overshoots[396], overshoots.last!)),
            ("ticks kept", String(format: "%.0f%% of 200 (at most: each tick also waits for its turn)", kept * 100)),
            ("cancel to end", String(format: "p50 %.2f ms, max %.2f ms over 200 waiting exchanges", cancellations[100], cancellations.last!)),
        ],
        verdict: overshoots.last! <= 50 && cancellations.last! < 50
            ? "every call ended within 50 ms of its deadline, and every cancelled exchange within 50 ms"
            : "some calls or cancellations took longer than 50 ms: see above")
}

/// Two listeners on 127.0.0.1 that never answer a request: one sends the head of an event stream as soon as a
/// connection opens, the other nothing at all. Connections are held open until `stop`.
private final class QuietServer: @unchecked Sendable {
    private let listeners: [Int32]
    private let lock = NSLock()
    private var accepted: [Int32] = []
    private var stopped = false
    let streamURL: URL
    let silentURL: URL

    init() throws {
        var made: [(Int32, Int)] = []
        for _ in 0..<2 {
            let descriptor = socket(AF_INET, streamSocket, 0)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            let listening = withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    bind(descriptor, $0, length) == 0 && listen(descriptor, 4096) == 0 && getsockname(descriptor, $0, &length) == 0
                }
            }
            guard listening else { throw BenchmarkFailure("cannot listen on 127.0.0.1") }
            made.append((descriptor, Int(UInt16(bigEndian: address.sin_port))))
        }
        listeners = made.map(\.0)
        streamURL = URL(string: "http://127.0.0.1:\(made[0].1)/events")!
        silentURL = URL(string: "http://127.0.0.1:\(made[1].1)/silent")!
        let head = Array("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n".utf8)
        for (index, listener) in listeners.enumerated() {
            Thread.detachNewThread { [self] in
                while true {
                    let connection = accept(listener, nil, nil)
                    guard connection >= 0 else { return }
                    if index == 0 { _ = head.withUnsafeBytes { send(connection, $0.baseAddress, $0.count, noSignal) } }
                    lock.withLock { accepted.append(connection) }
                }
            }
        }
    }

    func stop() {
        for listener in listeners { shutdown(listener, Int32(SHUT_RDWR)) }
        for connection in lock.withLock({ accepted }) { close(connection) }
    }
}
