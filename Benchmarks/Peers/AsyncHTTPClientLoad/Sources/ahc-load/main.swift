import AsyncHTTPClient
import Foundation
import NIOCore
import Synchronization

// ahc-load URL TASKS COUNT CONNECTIONS: COUNT GETs of URL from TASKS tasks on at most CONNECTIONS connections, beside
// a task that ticks every 10 ms; prints the figures as `bindery-benchmarks client load` does.
let arguments = CommandLine.arguments
guard arguments.count == 5, let tasks = Int(arguments[2]), let count = Int(arguments[3]), let connections = Int(arguments[4])
else {
    FileHandle.standardError.write(Data("usage: ahc-load URL TASKS COUNT CONNECTIONS\n".utf8))
    exit(2)
}
let url = arguments[1]
var configuration = HTTPClient.Configuration()
configuration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: connections)
let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)

let next = Mutex(0)
let done = Atomic(false)
let start = ContinuousClock.now
let ticker = Task {
    var longest = Duration.zero
    while !done.load(ordering: .relaxed) {
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
            while next.withLock({ value in
                defer { value += 1 }
                return value < count
            }) {
                let sent = ContinuousClock.now
                let response = try await client.execute(HTTPClientRequest(url: url), timeout: .seconds(30))
                _ = try await response.body.collect(upTo: 1 << 20)
                guard response.status == .ok else { throw HTTPClientError.invalidURL }
                mine.append((ContinuousClock.now - sent) / .milliseconds(1))
            }
            return mine
        }
    }
    var all: [Double] = []
    for try await some in group { all += some }
    return all
}
let elapsed = (ContinuousClock.now - start) / .seconds(1)
done.store(true, ordering: .relaxed)
let gap = await ticker.value / .milliseconds(1)
try await client.shutdown().get()
let sorted = latencies.sorted()
let figures: [String: Double] = [
    "seconds": elapsed, "cpu": 0, "count": Double(sorted.count), "p50": sorted[sorted.count / 2],
    "p99": sorted[min(sorted.count - 1, sorted.count * 99 / 100)], "tickGap": gap,
]
print(String(decoding: try JSONSerialization.data(withJSONObject: figures), as: UTF8.self))
