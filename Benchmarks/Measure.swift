import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Wall-clock seconds `body` took.
func seconds(_ body: () async throws -> Void) async rethrows -> Double {
    let start = Date()
    try await body()
    return Date().timeIntervalSince(start)
}

#if canImport(Glibc)
    private let RUSAGE_SELF_WHO = __rusage_who_t(RUSAGE_SELF.rawValue)
#else
    private let RUSAGE_SELF_WHO = RUSAGE_SELF
#endif

/// User plus system CPU seconds this process has used so far.
func processorSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF_WHO, &usage)
    return usage.cpuSeconds
}

extension rusage {
    var cpuSeconds: Double {
        Double(ru_utime.tv_sec) + Double(ru_utime.tv_usec) / 1e6 + Double(ru_stime.tv_sec) + Double(ru_stime.tv_usec) / 1e6
    }
}

func format(_ value: Double, _ unit: String = "s") -> String { String(format: "%.2f \(unit)", value) }

func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
}

let mebibyte = Double(1 << 20)

/// What a client program reports of its own work, timed from after its start-up, and what the kernel says of its
/// peak memory (and, when sampled, of its threads and descriptors).
struct ClientFigures: Decodable {
    /// Wall seconds of the work itself.
    var seconds: Double
    /// The process's CPU seconds over the same span.
    var cpu: Double
    /// Items walked, requests sent or bytes stored: a check that the work was done.
    var count: Int
    var peakMiB: Double = 0
    /// Latency percentiles in milliseconds, from clients that report them.
    var p50 = 0.0
    var p99 = 0.0
    /// The longest a task ticking every 10 ms was held up, in milliseconds.
    var tickGap = 0.0
    var threads = 0.0
    var descriptors = 0.0
    /// Connections the server saw the client open, and how many of them resumed a TLS session, where counted.
    var connections = 0
    var resumed = 0

    init(seconds: Double, cpu: Double, count: Int, peakMiB: Double) {
        (self.seconds, self.cpu, self.count, self.peakMiB) = (seconds, cpu, count, peakMiB)
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        seconds = try container.decode(Double.self, forKey: .seconds)
        cpu = try container.decode(Double.self, forKey: .cpu)
        count = try container.decode(Int.self, forKey: .count)
        p50 = try container.decodeIfPresent(Double.self, forKey: .p50) ?? 0
        p99 = try container.decodeIfPresent(Double.self, forKey: .p99) ?? 0
        tickGap = try container.decodeIfPresent(Double.self, forKey: .tickGap) ?? 0
    }

    enum CodingKeys: String, CodingKey { case seconds, cpu, count, p50, p99, tickGap }
}

/// How a child process ended, with the kernel's count of its resources.
struct ChildRun {
    var status: Int32
    var output: String
    var seconds: Double
    var cpu: Double
    var peakMiB: Double
    /// The most threads and open descriptors seen, when sampled.
    var threads = 0.0
    var descriptors = 0.0

    /// The figures the child printed as a JSON line (see `Benchmarks/python/synapse_sdk_client.py`).
    func figures() throws -> ClientFigures {
        guard status == 0, let line = output.split(separator: "\n").last(where: { $0.hasPrefix("{") }),
            var figures = try? JSONDecoder().decode(ClientFigures.self, from: Data(line.utf8))
        else { throw BenchmarkFailure("a client failed (exit \(status)):\n\(output)") }
        (figures.peakMiB, figures.threads, figures.descriptors) = (peakMiB, threads, descriptors)
        return figures
    }
}

struct BenchmarkFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Runs a program found on `PATH` to its end, with its output in a file rather than a pipe (nothing to drain while it
/// runs), and measures it: wall time, and CPU time from `wait4`. Its peak resident memory comes from GNU time, which
/// starts it with a fork of its own: a child spawned from this process would report this process's peak as its own
/// (Linux carries the peak across `exec`), so `wait4`'s `ru_maxrss` cannot be used. Without /usr/bin/time the peak
/// is reported as 0. With `sampling`, the child is started directly and /proc is read every 5 ms while it runs
/// for its peak memory (VmHWM), threads and open descriptors.
func runChild(_ program: String, _ arguments: [String], environment: [String: String] = [:], sampling: Bool = false) throws -> ChildRun {
    if sampling { return try spawn(program, arguments, environment, sampling: true) }
    let timer = "/usr/bin/time"
    guard FileManager.default.isExecutableFile(atPath: timer) else { return try spawn(program, arguments, environment) }
    var run = try spawn(timer, ["-f", "bindery-peak-kib %M", program] + arguments, environment)
    var lines = run.output.split(separator: "\n", omittingEmptySubsequences: false)
    if let index = lines.lastIndex(where: { $0.hasPrefix("bindery-peak-kib ") }) {
        run.peakMiB = Double(lines[index].dropFirst("bindery-peak-kib ".count)).map { $0 / 1024 } ?? 0
        lines.remove(at: index)
        run.output = lines.joined(separator: "\n")
    }
    return run
}

private func spawn(_ program: String, _ arguments: [String], _ environment: [String: String], sampling: Bool = false) throws -> ChildRun {
    let outputPath = FileManager.default.temporaryDirectory.appending(path: "bindery-benchmark-child-\(UUID().uuidString)").path
    defer { try? FileManager.default.removeItem(atPath: outputPath) }
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    posix_spawn_file_actions_adddup2(&actions, 1, 2)
    let variables = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }.map { "\($0)=\($1)" }
    let argv = ([program] + arguments).map { strdup($0) } + [nil]
    let envp = variables.map { strdup($0) } + [nil]
    defer { (argv + envp).forEach { free($0) } }
    var pid = pid_t()
    let start = Date()
    let spawned = posix_spawnp(&pid, program, &actions, nil, argv, envp)
    guard spawned == 0 else { throw BenchmarkFailure("cannot start \(program): \(String(cString: strerror(spawned)))") }
    let sampler = sampling ? ProcessSampler(pid) : nil
    var status: Int32 = 0
    var usage = rusage()
    while wait4(pid, &status, 0, &usage) < 0 && errno == EINTR {}
    let elapsed = Date().timeIntervalSince(start)
    let output = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
    var run = ChildRun(
        status: (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f), output: output, seconds: elapsed,
        cpu: usage.cpuSeconds, peakMiB: 0)
    if let peaks = sampler?.stop() { (run.peakMiB, run.threads, run.descriptors) = peaks }
    return run
}

/// Reads a running process's /proc entries every 5 ms, keeping the peaks.
private final class ProcessSampler: @unchecked Sendable {
    private let lock = NSLock()
    private var running = true
    private var peaks = (mebibytes: 0.0, threads: 0.0, descriptors: 0.0)
    private let finished = DispatchSemaphore(value: 0)

    init(_ pid: pid_t) {
        Thread.detachNewThread { [self] in
            while lock.withLock({ running }) {
                let status = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? ""
                func field(_ name: String) -> Double {
                    status.split(separator: "\n").first { $0.hasPrefix(name + ":") }
                        .flatMap { Double($0.dropFirst(name.count + 1).split(whereSeparator: { $0 == " " || $0 == "\t" }).first ?? "") } ?? 0
                }
                let descriptors = Double((try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd").count) ?? 0)
                lock.withLock {
                    peaks = (max(peaks.mebibytes, field("VmHWM") / 1024), max(peaks.threads, field("Threads")), max(peaks.descriptors, descriptors))
                }
                usleep(5_000)
            }
            finished.signal()
        }
    }

    /// The peaks seen: resident MiB, threads, descriptors.
    func stop() -> (Double, Double, Double) {
        lock.withLock { running = false }
        finished.wait()
        return lock.withLock { peaks }
    }
}

/// This executable, for running the Swift client in a process of its own (`client …`), measured like the others.
let benchmarkExecutable = Bundle.main.executablePath ?? CommandLine.arguments[0]

/// The Python the servers and the published client run on.
let python = ProcessInfo.processInfo.environment["BINDERY_PYTHON"] ?? "python3"

/// A 1 GiB file of random bytes, written on first use and removed at exit.
let benchmarkFile: URL = {
    let url = FileManager.default.temporaryDirectory.appending(path: "bindery-benchmark-\(getpid()).bin")
    _ = FileManager.default.createFile(atPath: url.path, contents: nil)
    atexit { try? FileManager.default.removeItem(at: FileManager.default.temporaryDirectory.appending(path: "bindery-benchmark-\(getpid()).bin")) }
    let handle = try! FileHandle(forWritingTo: url)
    var generator = SystemRandomNumberGenerator()
    for _ in 0..<(gibibyte >> 24) {
        let words = (0..<(1 << 21)).map { _ in generator.next() as UInt64 }
        handle.write(words.withUnsafeBytes { Data($0) })
    }
    try! handle.close()
    return url
}()

let gibibyte = 1 << 30

/// Writes a line to standard output at once, also when it is a file (where `print` would hold it until exit).
func say(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}

/// Prints one figure: what was measured, and each contender's median beside the ceiling.
func report(_ title: String, _ rows: [(String, String)], verdict: String) {
    say("\n\(title)")
    let width = rows.map(\.0.count).max()! + 2
    for (name, value) in rows { say("  " + name.padding(toLength: width, withPad: " ", startingAt: 0) + value) }
    say("  → " + verdict)
}
