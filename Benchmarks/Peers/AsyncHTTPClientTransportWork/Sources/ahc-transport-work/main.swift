import BinderyAsyncHTTPClient
import BinderyRuntime
import Foundation
import SynapseBackend

// What `bindery-benchmarks client` does with the default transport, on the AsyncHTTPClient transport, trusting the
// benchmark's own certificate authority; prints the same JSON line.
//
//     ahc-transport-work walk|get|post BASE_URL TOKEN ARGUMENT AUTHORITY_PEM

let arguments = Array(CommandLine.arguments.dropFirst())
guard arguments.count == 5, let baseURL = URL(string: arguments[1]) else {
    FileHandle.standardError.write(Data("usage: ahc-transport-work walk|get|post BASE_URL TOKEN ARGUMENT AUTHORITY_PEM\n".utf8))
    exit(2)
}
let transport = try AsyncHTTPClientTransport(trust: .adding(certificateAuthorities: URL(fileURLWithPath: arguments[4])), proxy: .none)
let client = SynapseBackendClient(baseURL: baseURL, apiToken: arguments[2], options: ClientOptions(transport: transport, environment: [:]))

func processorSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
}

let (wall, processor) = (Date(), processorSeconds())
var count = 0
let argument = arguments[3]
switch arguments[0] {
case "walk":
    for try await _ in client.tasks.listAll(pageSize: Int(argument)!) { count += 1 }
case "get":
    count = Int(argument)!
    for _ in 0..<count { _ = try await client.projects.get(id: 1) }
case "post":
    let (times, file) = (Int(argument.prefix { $0 != ":" })!, URL(fileURLWithPath: String(argument.drop { $0 != ":" }.dropFirst())))
    for _ in 0..<times { _ = try await client.dataFiles.create(file: file) }
    count = times
default:
    FileHandle.standardError.write(Data("unknown command \(arguments[0])\n".utf8))
    exit(2)
}
let figures = ["seconds": Date().timeIntervalSince(wall), "cpu": processorSeconds() - processor, "count": Double(count)]
print(String(decoding: try JSONSerialization.data(withJSONObject: figures), as: UTF8.self))
