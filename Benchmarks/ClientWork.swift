import BinderyRuntime
import Foundation
import SynapseBackend

/// The generated Synapse backend client doing, in a process of its own, what `synapse_sdk_client.py` does with the
/// published Python client; prints the same JSON line.
///
///     bindery-benchmarks client walk|get|post|upload|data-file BASE_URL TOKEN ARGUMENT
///     bindery-benchmarks client decode bindery|foundation PAGE_FILE TIMES
///     bindery-benchmarks client load URL TASKS COUNT
func clientWork(_ arguments: [String]) async throws {
    if arguments.first == "decode" { return try decoding(Array(arguments.dropFirst())) }
    if arguments.first == "load" { return try await loadWork(Array(arguments.dropFirst())) }
    guard arguments.count == 4, let baseURL = URL(string: arguments[1]) else {
        throw BenchmarkFailure("usage: client walk|get|post|upload|data-file BASE_URL TOKEN ARGUMENT")
    }
    // `io-get`, `io-walk`: the same work in a task that prefers an `IOThread`.
    let onIOThread = arguments[0].hasPrefix("io-")
    let (command, argument) = (onIOThread ? String(arguments[0].dropFirst(3)) : arguments[0], arguments[3])
    let client = SynapseBackendClient(baseURL: baseURL, apiToken: arguments[2], options: ClientOptions(environment: [:]))
    let (wall, processor) = (Date(), processorSeconds())
    let count: Int
    if onIOThread, #available(macOS 15.0, iOS 18.0, tvOS 18.0, watchOS 11.0, visionOS 2.0, *) {
        count = try await withTaskExecutorPreference(IOThread()) { try await work(command, argument, client) }
    } else {
        count = try await work(command, argument, client)
    }
    let figures = ["seconds": Date().timeIntervalSince(wall), "cpu": processorSeconds() - processor, "count": Double(count)]
    say(String(decoding: try JSONSerialization.data(withJSONObject: figures), as: UTF8.self))
}

/// What one client command does; the number of items, requests or bytes it handled.
private func work(_ command: String, _ argument: String, _ client: SynapseBackendClient) async throws -> Int {
    var count = 0
    switch command {
    case "walk":
        for try await _ in client.tasks.listAll(pageSize: Int(argument)!) { count += 1 }
    case "get":
        count = Int(argument)!
        for _ in 0..<count { _ = try await client.projects.get(id: 1) }
    case "post":
        // ARGUMENT is `COUNT:FILE`: the file sent as a multipart POST COUNT times.
        let (times, file) = (Int(argument.prefix { $0 != ":" })!, URL(fileURLWithPath: String(argument.drop { $0 != ":" }.dropFirst())))
        for _ in 0..<times { _ = try await client.dataFiles.create(file: file) }
        count = times
    case "upload":
        count = try await client.chunkedUploads.create(file: URL(fileURLWithPath: argument)).run().id.count
    case "data-file":
        let upload = try await client.chunkedUploads.create(file: URL(fileURLWithPath: argument)).run()
        count = Int(try await client.dataFiles.createFromUpload(DataFileFromUpload(chunkedUpload: upload.id)).size ?? 0)
    default:
        throw BenchmarkFailure("unknown client command \(command)")
    }
    return count
}

/// A page of tasks as DRF sends it, decoded `times` over by the runtime's decoder or Foundation's `JSONDecoder`.
private func decoding(_ arguments: [String]) throws {
    guard arguments.count == 3, let times = Int(arguments[2]) else {
        throw BenchmarkFailure("usage: client decode bindery|foundation PAGE_FILE TIMES")
    }
    struct TaskPage: Decodable {
        var count: Int
        var next: String?
        var results: [AnnotationTask]
    }
    let page = try Data(contentsOf: URL(fileURLWithPath: arguments[1]))
    let decode: (Data) throws -> TaskPage =
        switch arguments[0] {
        case "bindery": { try Coders().decode(TaskPage.self, from: $0) }
        case "foundation": { try JSONDecoder().decode(TaskPage.self, from: $0) }
        default: throw BenchmarkFailure("decode with bindery or foundation, not \(arguments[0])")
        }
    var count = 0
    let (wall, processor) = (Date(), processorSeconds())
    for _ in 0..<times { count += try decode(page).results.count }
    let figures = ["seconds": Date().timeIntervalSince(wall), "cpu": processorSeconds() - processor, "count": Double(count)]
    say(String(decoding: try JSONSerialization.data(withJSONObject: figures), as: UTF8.self))
}

/// One contender in a comparison: how to run it, in a process of its own.
struct Contender {
    var name: String
    var run: () throws -> ClientFigures

    /// The generated Swift client; with an `io-` command, in a task that prefers an `IOThread`.
    static func bindery(_ command: String, _ server: URL, _ argument: String) -> Contender {
        Contender(name: command.hasPrefix("io-") ? "Bindery, IOThread" : "Bindery") {
            try runChild(benchmarkExecutable, ["client", command, server.absoluteString, emulatorToken, argument]).figures()
        }
    }

    /// The published Python client.
    static func synapseSDK(_ command: String, _ server: URL, _ argument: String) -> Contender {
        Contender(name: "synapse_sdk") {
            try runChild(
                python, [pythonClient, command, server.absoluteString, emulatorToken, argument]
            ).figures()
        }
    }

    /// curl fetching the given URLs one after another on one connection; `options` are more lines of its config,
    /// for every URL (`cacert = "…"`, `form = "file=@…"`).
    static func curl(_ urls: [URL], options: [String] = []) -> Contender {
        Contender(name: "curl") {
            let config = FileManager.default.temporaryDirectory.appending(path: "bindery-benchmark-curl-\(getpid())")
            defer { try? FileManager.default.removeItem(at: config) }
            let lines = urls.map { "url = \"\($0.absoluteString)\"\noutput = \"/dev/null\"\n" }.joined()
            let header = #"header = "Synapse-Access-Token: Token \#(emulatorToken)""#
            try (([header] + options).joined(separator: "\n") + "\n" + lines).write(to: config, atomically: true, encoding: .utf8)
            let run = try runChild("curl", ["--silent", "--show-error", "--fail", "--config", config.path])
            guard run.status == 0 else { throw BenchmarkFailure("curl failed: \(run.output)") }
            return ClientFigures(seconds: run.seconds, cpu: run.cpu, count: urls.count, peakMiB: run.peakMiB)
        }
    }
}

let emulatorToken = "emulator-access-token"
let pythonClient = "Benchmarks/python/synapse_sdk_client.py"

/// Runs the contenders in turn, `rounds` times, and returns each one's figures of every round, by name.
func interleaved(_ contenders: [Contender], rounds: Int) throws -> [String: [ClientFigures]] {
    var results: [String: [ClientFigures]] = [:]
    for _ in 0..<rounds {
        for contender in contenders { results[contender.name, default: []].append(try contender.run()) }
    }
    return results
}
