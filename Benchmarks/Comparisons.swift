import BinderyRuntime
import BinderyTestSupport
import Foundation

/// The Synapse emulator (Django REST framework + drf-chunked-upload) with `tasks` tasks, logging nothing.
func emulator(tasks: Int) async throws -> LiveServer {
    try await LiveServer(
        script: "Tests/Servers/synapse/serve.py",
        environment: ["BINDERY_EMULATOR_TASKS": String(tasks), "BINDERY_EMULATOR_QUIET": "1"])
}

func multiple(_ value: Double) -> String { String(format: "%.2f×", value) }

func ratio(_ value: Double, _ other: Double) -> String { multiple(value / other) }

/// The median, over interleaved rounds, of `name`'s figure divided by `other`'s in the same round: runs made side by
/// side are compared with each other, so the machine's load, which changes from one minute to the next, cancels out.
func ratioByRound(_ results: [String: [ClientFigures]], _ name: String, _ other: String, _ figure: (ClientFigures) -> Double) -> Double {
    median(zip(results[name]!, results[other]!).map { figure($0) / figure($1) })
}

/// Rounds of the walks: a page_size-1000 walk lasts a quarter of a second, so one hiccup of the shared machine moves
/// a round's ratio by a tenth or more; more rounds keep the median steady.
let walkRounds = 9

/// Walking 20,000 tasks through DRF pages with the generated client's `listAll`, the published Python client's
/// `list_all`, and curl fetching the same pages on one connection (the ceiling).
func walk() async throws {
    let total = 20_000
    let server = try await emulator(tasks: total)
    defer { server.stop() }
    for pageSize in [100, 1000] {
        let pages = (total + pageSize - 1) / pageSize
        let urls = (1...pages).map { server.baseURL.appending(path: "sdk/tasks/").appending(queryItems: [
            URLQueryItem(name: "page_size", value: String(pageSize)), URLQueryItem(name: "page", value: String($0)),
        ]) }
        let results = try interleaved(
            [.bindery("walk", server.baseURL, String(pageSize)), .synapseSDK("walk", server.baseURL, String(pageSize)), .curl(urls)],
            rounds: walkRounds)
        for name in ["Bindery", "synapse_sdk"] where results[name]!.contains(where: { $0.count != total }) {
            throw BenchmarkFailure("\(name) walked \(results[name]!.map(\.count)) items, not \(total)")
        }
        let time = results.mapValues { median($0.map(\.seconds)) }
        let cpuPerPage = results.mapValues { median($0.map(\.cpu)) / Double(pages) * 1000 }
        report(
            "Walk: \(total) tasks, page_size \(pageSize) (\(pages) pages), medians of \(walkRounds) interleaved runs",
            ["Bindery", "synapse_sdk", "curl"].map { name in
                (name, "\(format(time[name]!)), client CPU \(format(cpuPerPage[name]!, "ms")) a page")
            },
            verdict: "Bindery takes \(multiple(ratioByRound(results, "Bindery", "curl", \.seconds))) curl's time and "
                + "\(multiple(ratioByRound(results, "Bindery", "synapse_sdk", \.seconds))) synapse_sdk's; its CPU a page is "
                + "\(multiple(ratioByRound(results, "Bindery", "synapse_sdk", \.cpu))) synapse_sdk's (medians of each round's ratios)")
    }
}

/// One DRF page of 1,000 tasks, as the emulator sends it, decoded 200 times in a process of its own: by the runtime
/// into the generated models, by Foundation's `JSONDecoder` into the same models, and by Python's `json.loads` into
/// dictionaries (what the published client does with a page, and the least it could do).
func decoding() async throws {
    let (pageSize, times) = (1000, 200)
    let page = FileManager.default.temporaryDirectory.appending(path: "bindery-benchmark-page-\(getpid()).json")
    defer { try? FileManager.default.removeItem(at: page) }
    do {
        let server = try await emulator(tasks: pageSize)
        defer { server.stop() }
        let url = server.baseURL.appending(path: "sdk/tasks/").appending(queryItems: [URLQueryItem(name: "page_size", value: String(pageSize))])
        let run = try runChild(
            "curl", ["--silent", "--show-error", "--fail", "-H", "Synapse-Access-Token: Token \(emulatorToken)", "-o", page.path, url.absoluteString])
        guard run.status == 0 else { throw BenchmarkFailure("curl failed: \(run.output)") }
    }
    let script = """
        import json, resource, sys, time
        def cpu():
            usage = resource.getrusage(resource.RUSAGE_SELF)
            return usage.ru_utime + usage.ru_stime
        text = open(sys.argv[1], "rb").read()
        wall, processor, count = time.perf_counter(), cpu(), 0
        for _ in range(int(sys.argv[2])):
            count += len(json.loads(text)["results"])
        print(json.dumps({"seconds": time.perf_counter() - wall, "cpu": cpu() - processor, "count": count}))
        """
    let decoders = ["bindery": "Bindery", "foundation": "JSONDecoder"].map { argument, name in
        Contender(name: name) { try runChild(benchmarkExecutable, ["client", "decode", argument, page.path, String(times)]).figures() }
    }
    let loads = Contender(name: "json.loads") { try runChild(python, ["-c", script, page.path, String(times)]).figures() }
    let results = try interleaved(decoders + [loads], rounds: 5)
    for (name, runs) in results where runs.contains(where: { $0.count != pageSize * times }) {
        throw BenchmarkFailure("\(name) decoded \(runs.map(\.count)) tasks, not \(pageSize * times)")
    }
    let perPage = results.mapValues { median($0.map(\.cpu)) / Double(times) * 1000 }
    report(
        "Decode: one page of \(pageSize) tasks, \(times) times, CPU a page, medians of 5 interleaved runs",
        ["Bindery", "JSONDecoder", "json.loads"].map { ($0, format(perPage[$0]!, "ms")) },
        verdict: "Bindery takes \(multiple(ratioByRound(results, "Bindery", "json.loads", \.cpu))) json.loads's CPU and "
            + "\(multiple(ratioByRound(results, "Bindery", "JSONDecoder", \.cpu))) JSONDecoder's (medians of each round's ratios)")
}

/// Peak memory of the generated client walking 100,000 tasks against walking 1,000: a walk holds a page, not the list.
func walkMemory() async throws {
    var peaks: [Int: Double] = [:]
    for total in [1_000, 100_000] {
        let server = try await emulator(tasks: total)
        defer { server.stop() }
        let runs = try interleaved([.bindery("walk", server.baseURL, "1000")], rounds: 3)["Bindery"]!
        guard runs.allSatisfy({ $0.count == total }) else { throw BenchmarkFailure("the walk missed items: \(runs.map(\.count))") }
        peaks[total] = median(runs.map(\.peakMiB))
    }
    report(
        "Walk memory: peak resident memory of the Bindery client, page_size 1000, medians of 3 runs",
        [("1,000 items", format(peaks[1_000]!, "MiB")), ("100,000 items", format(peaks[100_000]!, "MiB"))],
        verdict: "100,000 items take \(ratio(peaks[100_000]!, peaks[1_000]!)) the memory of 1,000")
}

/// Requests a second fetching one project again and again on one keep-alive connection. Many short rounds: the
/// shared machine's load changes within seconds and moves the server's speed, which sets the rate, by half or more;
/// runs two seconds apart meet about the same load, so each round's ratio holds still where a median of long
/// runs did not.
func requests() async throws {
    let (count, rounds) = (400, 25)
    let server = try await emulator(tasks: 0)
    defer { server.stop() }
    let url = server.baseURL.appending(path: "projects/1/")
    let results = try interleaved(
        [.bindery("get", server.baseURL, String(count)), .bindery("io-get", server.baseURL, String(count)),
         .synapseSDK("get", server.baseURL, String(count)), .curl(Array(repeating: url, count: count))],
        rounds: rounds)
    let rate = results.mapValues { Double(count) / median($0.map(\.seconds)) }
    let share = { (name: String) in String(format: "%.0f%%", ratioByRound(results, "curl", name, \.seconds) * 100) }
    report(
        "Requests: GET projects/1/ \(count) times on one connection, medians of \(rounds) interleaved runs",
        ["Bindery", "Bindery, IOThread", "synapse_sdk", "curl"].map { ($0, String(format: "%.0f requests/s", rate[$0]!)) },
        verdict: "Bindery's rate is \(share("Bindery")) of curl's, \(share("Bindery, IOThread")) in a task preferring an IOThread, and "
            + "\(multiple(ratioByRound(results, "synapse_sdk", "Bindery", \.seconds))) synapse_sdk's (medians of each round's ratios)")
}

/// Chunked upload of 1 GiB in 50 MiB chunks: to a sink that answers like drf-chunked-upload and keeps nothing (the
/// client's own ceiling; curl -T of the same file beside it), and end to end to the emulator (chunks, finalize, and
/// the data file made of the upload).
func upload() async throws {
    let file = benchmarkFile
    let total = Double(gibibyte) / mebibyte
    do {
        let sink = try await LiveServer(script: "Benchmarks/python/sink.py")
        defer { sink.stop() }
        let curl = Contender(name: "curl -T") {
            let run = try runChild(
                "curl", ["--silent", "--show-error", "--fail", "-T", file.path, "-o", "/dev/null", sink.baseURL.appending(path: "discard").absoluteString])
            guard run.status == 0 else { throw BenchmarkFailure("curl failed: \(run.output)") }
            return ClientFigures(seconds: run.seconds, cpu: run.cpu, count: 1, peakMiB: run.peakMiB)
        }
        let results = try interleaved(
            [.bindery("upload", sink.baseURL, file.path), .synapseSDK("upload", sink.baseURL, file.path), curl], rounds: 3)
        let rate = results.mapValues { total / median($0.map(\.seconds)) }
        let peak = results.mapValues { median($0.map(\.peakMiB)) }
        report(
            "Upload to a discard sink: 1 GiB in 50 MiB chunks, medians of 3 interleaved runs",
            ["Bindery", "synapse_sdk", "curl -T"].map { ($0, "\(format(rate[$0]!, "MiB/s")), peak memory \(format(peak[$0]!, "MiB"))") },
            verdict: "Bindery uploads at \(multiple(ratioByRound(results, "synapse_sdk", "Bindery", \.seconds))) synapse_sdk's rate and "
                + "\(multiple(ratioByRound(results, "curl -T", "Bindery", \.seconds))) curl's (medians of each round's ratios)")
    }
    let server = try await emulator(tasks: 0)
    defer { server.stop() }
    let results = try interleaved(
        [.bindery("data-file", server.baseURL, file.path), .synapseSDK("data-file", server.baseURL, file.path)], rounds: 3)
    for (name, runs) in results where runs.contains(where: { $0.count != gibibyte }) {
        throw BenchmarkFailure("\(name) made data files of \(runs.map(\.count)) bytes, not \(gibibyte)")
    }
    let rate = results.mapValues { total / median($0.map(\.seconds)) }
    report(
        "Upload end to end to drf-chunked-upload: 1 GiB chunks, finalize and data file, medians of 3 interleaved runs",
        ["Bindery", "synapse_sdk"].map { ($0, format(rate[$0]!, "MiB/s")) },
        verdict: "Bindery uploads at \(multiple(ratioByRound(results, "synapse_sdk", "Bindery", \.seconds))) synapse_sdk's rate "
            + "(medians of each round's ratios)")
}

/// The runtime's MD5 against `md5sum` on the same 1 GiB file (already in the page cache), best of 3 each.
func md5() async throws {
    let file = benchmarkFile
    var ours: [Double] = []
    var theirs: [Double] = []
    var agreement = true
    var buffer = [UInt8](repeating: 0, count: 1 << 20)
    for _ in 0..<3 {
        // Read as md5sum reads: into one buffer, again and again.
        let descriptor = open(file.path, O_RDONLY)
        defer { close(descriptor) }
        var digest = MD5()
        ours.append(await seconds {
            buffer.withUnsafeMutableBytes { buffer in
                while case let count = read(descriptor, buffer.baseAddress, buffer.count), count > 0 {
                    digest.update(UnsafeRawBufferPointer(rebasing: buffer[..<count]))
                }
            }
        })
        let run = try runChild("md5sum", [file.path])
        theirs.append(run.seconds)
        agreement = agreement && run.output.hasPrefix(digest.hexDigest())
    }
    let (rate, reference) = (Double(gibibyte) / mebibyte / ours.min()!, Double(gibibyte) / mebibyte / theirs.min()!)
    report(
        "MD5 of 1 GiB, best of 3 each" + (agreement ? "" : " — DIGESTS DIFFER"),
        [("BinderyRuntime", format(rate, "MiB/s")), ("md5sum", format(reference, "MiB/s"))],
        verdict: "the runtime hashes at \(ratio(rate, reference)) md5sum's rate")
}

/// `bindery generate` on each spec in Spec/, by the release build beside this executable.
func generation() throws {
    let bindery = URL(fileURLWithPath: benchmarkExecutable).deletingLastPathComponent().appending(path: "bindery").path
    let specs = try FileManager.default.contentsOfDirectory(atPath: "Spec").filter { $0.hasSuffix(".bindery") }.sorted()
    var rows: [(String, String)] = []
    for spec in specs {
        let output = FileManager.default.temporaryDirectory.appending(path: "bindery-benchmark-generated-\(getpid())")
        defer { try? FileManager.default.removeItem(at: output) }
        var runs: [ChildRun] = []
        for _ in 0..<5 {
            try? FileManager.default.removeItem(at: output)
            let run = try runChild(bindery, ["generate", "Spec/\(spec)", "--output", output.path])
            guard run.status == 0 else { throw BenchmarkFailure("bindery generate Spec/\(spec) failed:\n\(run.output)") }
            runs.append(run)
        }
        let lines = try FileManager.default.contentsOfDirectory(at: output, includingPropertiesForKeys: nil)
            .map { try String(contentsOf: $0, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false).count }
            .reduce(0, +)
        rows.append((
            spec, "\(format(median(runs.map(\.seconds)) * 1000, "ms")) wall, \(format(median(runs.map(\.cpu)) * 1000, "ms")) CPU, "
                + "peak memory \(format(runs.map(\.peakMiB).max()!, "MiB")), \(lines) lines of Swift"))
    }
    report("Generation: bindery generate (release build), medians of 5 runs", rows, verdict: "one process a spec, start-up included")
}
