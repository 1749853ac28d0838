import BinderyRuntime
import BinderyTestSupport
import Foundation

/// Over TLS: nginx (Debian's package) with a certificate of a throwaway authority, in front of the Synapse emulator;
/// the 20,000-task walk (page_size 100), 400 GETs of a project and 200 small multipart POSTs, by Bindery's default
/// transport (URLSession on Linux), by the AsyncHTTPClient transport (Benchmarks/Peers/AsyncHTTPClientTransportWork),
/// by curl and by synapse_sdk, interleaved. nginx's log tells each run's connections (each a handshake) and how many
/// of those resumed a TLS session. Every contender trusts the authority, and only its own process does: curl and
/// synapse_sdk by their settings, the AsyncHTTPClient transport by `Trust.adding`, and URLSession, which on Linux
/// reads no setting for it, through a private mount namespace where the system bundle has it added.
func https() async throws {
    let (total, gets, posts, rounds) = (20_000, 400, 200, 5)
    let server = try await emulator(tasks: total)
    defer { server.stop() }
    let certificates = try await TestCertificates.made()
    let nginx = try Nginx(
        listen: ["ssl"], certificate: (certificates.certificate, certificates.key),
        server: """
            client_max_body_size 64m;
            location / {
                proxy_pass http://synapse;
                proxy_http_version 1.1;
                proxy_set_header Connection "";
                proxy_set_header Host $host:$server_port;
                proxy_set_header X-Forwarded-Host $host:$server_port;
                proxy_set_header X-Forwarded-Proto https;
            }
            """,
        http: "upstream synapse { server 127.0.0.1:\(server.port); keepalive 32; }")
    defer { nginx.stop() }
    let base = URL(string: "https://127.0.0.1:\(nginx.port)")!
    let bundle = FileManager.default.temporaryDirectory.appending(path: "bindery-benchmark-bundle-\(getpid()).pem")
    defer { try? FileManager.default.removeItem(at: bundle) }
    try (try Data(contentsOf: URL(fileURLWithPath: "/etc/ssl/certs/ca-certificates.crt")) + Data(contentsOf: certificates.authority))
        .write(to: bundle)
    let file = FileManager.default.temporaryDirectory.appending(path: "bindery-benchmark-small-\(getpid()).txt")
    defer { try? FileManager.default.removeItem(at: file) }
    try Data(String(repeating: "a small file to upload\n", count: 40).utf8).write(to: file)
    let peer = try buildTransportPeer()

    /// The contenders for one kind of work, each run counting the connections nginx saw it open.
    func contenders(_ command: String, _ argument: String, curlURLs: [URL], curlOptions: [String] = []) -> [Contender] {
        let arguments = [command, base.absoluteString, emulatorToken, argument]
        let runs: [(String, () throws -> ClientFigures)] = [
            ("Bindery, URLSession", {
                // URLSession on Linux trusts only the system bundle: here it is the bundle with the authority added,
                // for this process alone.
                try runChild("unshare", ["--mount", "sh", "-c", "mount --bind \"$0\" /etc/ssl/certs/ca-certificates.crt && exec \"$@\"",
                                          bundle.path, benchmarkExecutable, "client"] + arguments).figures()
            }),
            ("Bindery, AsyncHTTPClient", { try runChild(peer, arguments + [certificates.authority.path]).figures() }),
            ("synapse_sdk", { try runChild(python, [pythonClient] + arguments, environment: ["REQUESTS_CA_BUNDLE": certificates.authority.path]).figures() }),
            ("curl", Contender.curl(curlURLs, options: ["cacert = \"\(certificates.authority.path)\""] + curlOptions).run),
        ]
        return runs.map { name, run in
            Contender(name: name) {
                let before = nginx.accessLog.count
                var figures = try run()
                let lines = nginx.accessLog.dropFirst(before).map { $0.split(separator: " ") }
                var firstOfEach: [Substring: Substring] = [:]
                for line in lines where line.count == 5 && firstOfEach[line[3]] == nil { firstOfEach[line[3]] = line[4] }
                figures.connections = firstOfEach.count
                figures.resumed = firstOfEach.values.filter { $0 == "r" }.count
                return figures
            }
        }
    }

    let pages = (1...(total / 100)).map { base.appending(path: "sdk/tasks/").appending(queryItems: [
        URLQueryItem(name: "page_size", value: "100"), URLQueryItem(name: "page", value: String($0)),
    ]) }
    let work: [(title: String, contenders: [Contender], count: Int)] = [
        ("walk \(total) tasks, page_size 100", contenders("walk", "100", curlURLs: pages), total),
        ("GET projects/1/ \(gets) times", contenders("get", String(gets), curlURLs: Array(repeating: base.appending(path: "projects/1/"), count: gets)), gets),
        ("\(posts) multipart POSTs of a 1 KB file to data_files/",
         contenders("post", "\(posts):\(file.path)", curlURLs: Array(repeating: base.appending(path: "data_files/"), count: posts),
                    curlOptions: ["form = \"file=@\(file.path)\""]), posts),
    ]
    for (title, contenders, count) in work {
        let results = try interleaved(contenders, rounds: rounds)
        for (name, figures) in results where name != "curl" && figures.contains(where: { $0.count != count }) {
            throw BenchmarkFailure("\(name) handled \(figures.map(\.count)), not \(count)")
        }
        report(
            "HTTPS: \(title) through nginx's TLS, medians of \(rounds) interleaved runs",
            contenders.map(\.name).map { name in
                let figures = results[name]!
                return (name, "\(format(median(figures.map(\.seconds)))), client CPU \(format(median(figures.map(\.cpu)))), "
                    + "\(Int(median(figures.map { Double($0.connections) }))) connections (\(Int(median(figures.map { Double($0.resumed) }))) resumed)")
            },
            verdict: ["Bindery, URLSession", "Bindery, AsyncHTTPClient", "synapse_sdk"].map { name in
                "\(name) \(multiple(ratioByRound(results, name, "curl", \.seconds)))"
            }.joined(separator: ", ") + " curl's time (medians of each round's ratios)")
    }
}

/// Builds the AsyncHTTPClient transport's contender (a release build of Benchmarks/Peers/AsyncHTTPClientTransportWork)
/// and returns its path.
private func buildTransportPeer() throws -> String {
    let package = "Benchmarks/Peers/AsyncHTTPClientTransportWork"
    say("Building \(package) (the AsyncHTTPClient transport)")
    let build = try runChild("swift", ["build", "-c", "release", "--package-path", package])
    guard build.status == 0 else { throw BenchmarkFailure("the AsyncHTTPClient transport's contender did not build:\n\(build.output)") }
    return FileManager.default.currentDirectoryPath + "/\(package)/.build/release/ahc-transport-work"
}
