import Foundation

/// Whether this run includes the tests that need a Python server (the test command sets `BINDERY_LIVE=1`).
public let liveTestsEnabled = ProcessInfo.processInfo.environment["BINDERY_LIVE"] == "1"

/// A test server run as a child process on 127.0.0.1. The server prints its port on its first line of output,
/// then one line for each thing worth asserting on (the requests it received); `lines` collects them.
public final class LiveServer: Sendable {
    public let port: Int
    private let process: ChildProcess
    /// Open for as long as this lives: the server's stdin (our servers exit when it closes, so none outlives a crashed
    /// test run), and the pipes its output is read from.
    private let pipes: [Pipe]
    private let output: Locked<[String]>
    private let errors: Locked<String>

    public var baseURL: URL { URL(string: "http://127.0.0.1:\(port)")! }

    /// Everything the server printed after its port, one entry a line.
    public var lines: [String] { output.withLock { $0 } }

    /// Starts `script` (a path from the repository root) with the Python the environment variable `python` names
    /// (the test command sets it), and waits for its port.
    public init(
        script: String, arguments: [String] = [], environment: [String: String] = [:], timeout: TimeInterval = 60,
        python: String = "BINDERY_PYTHON"
    ) async throws {
        let python = ProcessInfo.processInfo.environment[python] ?? "python3"
        let stdout = Pipe()
        let stderr = Pipe()
        let lifeline = Pipe()
        let output = Locked<[String]>([])
        let errors = Locked("")
        let portLine = Locked<String?>(nil)
        let pending = Locked("")
        stdout.fileHandleForReading.readabilityHandler = { handle in
            let data = handle.availableData
            guard !data.isEmpty else {
                handle.readabilityHandler = nil
                return
            }
            let complete: [String] = pending.withLock { buffer in
                buffer += String(decoding: data, as: UTF8.self)
                var lines = buffer.components(separatedBy: "\n")
                buffer = lines.removeLast()
                return lines
            }
            for line in complete {
                if portLine.withLock({ $0 == nil }) {
                    portLine.withLock { $0 = line }
                } else {
                    output.withLock { $0.append(line) }
                }
            }
        }
        stderr.fileHandleForReading.readabilityHandler = { handle in
            let data = handle.availableData
            if data.isEmpty { handle.readabilityHandler = nil } else { errors.withLock { $0 += String(decoding: data, as: UTF8.self) } }
        }
        let process = try ChildProcess(
            "/usr/bin/env", [python, "-u", Repository.url(script).path] + arguments, environment: environment,
            directory: Repository.root, standardInput: lifeline.fileHandleForReading.fileDescriptor,
            standardOutput: stdout.fileHandleForWriting.fileDescriptor,
            standardError: stderr.fileHandleForWriting.fileDescriptor)
        // The child has its own copies; the output pipes end when it does only once ours are closed.
        try lifeline.fileHandleForReading.close()
        try stdout.fileHandleForWriting.close()
        try stderr.fileHandleForWriting.close()
        let deadline = Date().addingTimeInterval(timeout)
        while portLine.withLock({ $0 == nil }) {
            if !process.isRunning || Date() > deadline {
                process.signal(SIGKILL)
                let text = errors.withLock { $0 }
                throw ServerFailure(
                    "\(script) did not start\(process.isRunning ? " within \(timeout) s" : ""); its errors:\n\(text)")
            }
            try await Task.sleep(nanoseconds: 20_000_000)
        }
        guard let port = portLine.withLock({ $0 }).flatMap({ Int($0.trimmingCharacters(in: .whitespaces)) }) else {
            process.signal(SIGKILL)
            throw ServerFailure("\(script) printed '\(portLine.withLock { $0 } ?? "")' instead of its port")
        }
        self.port = port
        self.process = process
        self.output = output
        self.errors = errors
        self.pipes = [lifeline, stdout, stderr]
    }

    /// The JSON objects the server printed, each turned into a record by `read` (nil leaves it out), once at least
    /// `count` records are there or `timeout` passed: requests the server logs after answering are waited for.
    public func records<Record>(
        atLeast count: Int = 1, timeout: TimeInterval = 5, _ read: ([String: Any]) -> Record?
    ) async -> [Record] {
        func current() -> [Record] {
            lines.compactMap { line in (try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]).flatMap(read) }
        }
        let deadline = Date().addingTimeInterval(timeout)
        while current().count < count, Date() < deadline { try? await Task.sleep(nanoseconds: 10_000_000) }
        return current()
    }

    /// Waits until the server has printed at least `count` lines, for asserting on requests it handles after
    /// answering.
    public func waitForLines(_ count: Int, timeout: TimeInterval = 10) async -> [String] {
        let deadline = Date().addingTimeInterval(timeout)
        while lines.count < count, Date() < deadline { try? await Task.sleep(nanoseconds: 10_000_000) }
        return lines
    }

    /// Kills the server. SIGKILL, because a child of the test process inherits a signal mask that blocks SIGTERM.
    public func stop() {
        process.signal(SIGKILL)
        process.waitUntilExit()
    }

    deinit { stop() }
}

public struct ServerFailure: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// How a command ended: its exit status, or the signal that ended it, and everything it printed.
public struct CommandResult: Sendable {
    public var status: Int32
    public var output: String
    /// Ended by a signal (a crash, or the timeout's kill) rather than by exiting.
    public var signalled: Bool
    public var timedOut: Bool
}

/// Runs a command to completion, or kills it after `timeout` seconds, and returns how it ended with its combined
/// output. The wait is on a thread of its own, not on one of Swift's few cooperative threads: a test that compiles
/// for minutes must not hold back every other test of the run.
public func run(
    _ executable: String, _ arguments: [String], in directory: URL? = nil, environment: [String: String] = [:],
    timeout: TimeInterval = 900
) async throws -> CommandResult {
    try await withCheckedThrowingContinuation { continuation in
        Thread.detachNewThread {
            continuation.resume(with: Result {
                try runBlocking(executable, arguments, in: directory, environment: environment, timeout: timeout)
            })
        }
    }
}

private func runBlocking(
    _ executable: String, _ arguments: [String], in directory: URL?, environment: [String: String], timeout: TimeInterval
) throws -> CommandResult {
    // A file, not a pipe: nothing has to read it while the command runs, however much it prints.
    let outputFile = FileManager.default.temporaryDirectory.appendingPathComponent("bindery-run-\(UUID().uuidString)")
    guard FileManager.default.createFile(atPath: outputFile.path, contents: nil) else {
        throw ServerFailure("cannot create \(outputFile.path)")
    }
    defer { try? FileManager.default.removeItem(at: outputFile) }
    let output = try FileHandle(forWritingTo: outputFile)
    defer { try? output.close() }
    let process = try ChildProcess(
        "/usr/bin/env", [executable] + arguments, environment: environment, directory: directory,
        standardOutput: output.fileDescriptor, standardError: output.fileDescriptor)
    let timedOut = Locked(false)
    let watchdog = DispatchWorkItem {
        guard process.isRunning else { return }
        timedOut.withLock { $0 = true }
        process.signal(SIGKILL)
    }
    DispatchQueue.global().asyncAfter(deadline: .now() + timeout, execute: watchdog)
    let termination = process.waitUntilExit()
    watchdog.cancel()
    let data = (try? Data(contentsOf: outputFile)) ?? Data()
    return CommandResult(
        status: termination.status, output: String(decoding: data, as: UTF8.self),
        signalled: termination.signalled, timedOut: timedOut.withLock { $0 })
}

/// A value shared between threads, read and written under a lock.
public final class Locked<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value

    public init(_ value: Value) { self.value = value }

    public func withLock<Result>(_ body: (inout Value) throws -> Result) rethrows -> Result {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
}
