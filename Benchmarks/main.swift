import Foundation

// Figures measured on demand, never asserted in tests. From the repository root: `Benchmarks/run [NAME…]`, which
// prepares the Python packages and runs `swift run -c release bindery-benchmarks [NAME…]` (no name runs them all).
// Each figure is measured beside its ceiling in the same run; clients run in processes of their own, interleaved.
// - walk: 20,000 tasks walked through DRF pages (page_size 100 and 1000) by the generated Synapse backend client,
//   by the published Python client (synapse_sdk) and by curl fetching the same pages, against the Synapse emulator.
// - decode: one page of 1,000 tasks decoded by the runtime, by Foundation's JSONDecoder and by Python's json.loads.
// - memory: the generated client's peak memory walking 100,000 tasks against 1,000.
// - requests: one project fetched 2,000 times on one keep-alive connection, by the same three.
// - upload: 1 GiB in 50 MiB chunks to a discard sink that answers like drf-chunked-upload (curl -T beside it), and
//   end to end to drf-chunked-upload itself (chunks, finalize, data file), Bindery against synapse_sdk.
// - md5: the runtime's MD5 against `md5sum`.
// - generation: `bindery generate` time and peak memory for each spec in Spec/.
// - import: `bindery import`, and `bindery generate` straight from the document, on a 500-operation OpenAPI
//   document (JSON and YAML): time and peak memory. Then each document of the corpus (Tests/Corpus) beside
//   swift-openapi-generator 1.14.3 (Benchmarks/Peers/OpenAPIGenerator): generate CPU and memory, lines of Swift,
//   and a debug compile's CPU and peak memory. `BINDERY_IMPORT_DOCUMENTS=openai,figma` chooses documents.
// - retries: what a request that always gets 503 costs under the default and the Synapse spec's retry policies.
// - writes: 200 POSTs whose answer the fault server drops after reading them: how many ran twice.
// - concurrency: 10,000 GETs of 1 KB JSON from nginx at 1, 16, 128 and 512 tasks in flight, beside curl --parallel
//   and AsyncHTTPClient 1.37 (Benchmarks/Peers): requests/s, latency, threads, descriptors, memory, tick gaps.
// - deadlines: 400 calls with a 250 ms total to a server that never answers, beside 500 quiet streams: how far past
//   the deadline each ended, the ticks a ticking task kept, and how long cancelling a waiting exchange takes.
// - https: the walk, 400 GETs and 200 multipart POSTs through nginx's TLS in front of the Synapse emulator, by the
//   default transport, the AsyncHTTPClient transport, curl and synapse_sdk: time, client CPU, connections opened.
// `bindery-benchmarks client …` is the Swift client's side of a comparison, run by the others.

let benchmarks: [(String, () async throws -> Void)] = [
    ("walk", walk), ("decode", decoding), ("memory", walkMemory), ("requests", requests), ("upload", upload), ("md5", md5),
    ("generation", generation), ("import", importing), ("retries", retries), ("writes", writes),
    ("concurrency", concurrency), ("deadlines", deadlines), ("https", https),
]
let arguments = Array(CommandLine.arguments.dropFirst())
do {
    if arguments.first == "client" {
        try await clientWork(Array(arguments.dropFirst()))
    } else {
        let unknown = Set(arguments).subtracting(benchmarks.map(\.0))
        guard unknown.isEmpty else {
            throw BenchmarkFailure("unknown benchmark \(unknown.sorted()); choose from \(benchmarks.map(\.0))")
        }
        for (name, run) in benchmarks where arguments.isEmpty || arguments.contains(name) { try await run() }
    }
} catch {
    FileHandle.standardError.write(Data("bindery-benchmarks: \(error)\n".utf8))
    exit(1)
}
