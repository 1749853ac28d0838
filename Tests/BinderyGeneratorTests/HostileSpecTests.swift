import BinderyTestSupport
import Foundation
import Testing

/// Specs written to break the generator. `bindery check` must end each by exiting 0 or 1 (never by a signal or a
/// timeout), every error it prints has a position, and every spec it accepts generates Swift that compiles.
@Suite("Hostile specs")
struct HostileSpecTests {
    static let api = #"api Hostile { base-url "https://h.example.com" }"# + "\n"

    /// Specs that must be refused, each with a few words its first error must contain.
    static let refused: [(name: String, source: Data, expected: String)] = [
        ("attempts past Int", "api A { base-url \"https://a.example.com\"\n retry attempts 9223372036854775808 }", "whole number from 1 to 100"),
        ("total timeout past the runtime", "api A { base-url \"https://a.example.com\"\n timeout total 99999999999 }", "above 0 and at most 86400"),
        ("negative backoff", "api A { base-url \"https://a.example.com\"\n retry backoff -5 }", "above 0"),
        ("deep array type", api + "model M { x: " + String(repeating: "[", count: 50_000) + "Int" + String(repeating: "]", count: 50_000) + " }", "nest more than 16"),
        ("deep map type", api + "model M { x: " + String(repeating: "[String: ", count: 10_000) + "Int" + String(repeating: "]", count: 10_000) + " }", "nest more than 16"),
        ("deep resources", api + String(repeating: "resource r {\n", count: 4_000) + String(repeating: "}\n", count: 4_000), "nest more than 16"),
        ("a line of comment ends", api + "model M { id: Int }\n" + String(repeating: "*/", count: 10_000) + "\n", "unexpected character"),
        ("Int enum value past Int64", api + "enum P: Int { 99999999999999999999 as big }", "fits in 64 bits"),
        ("upload that also polls", api + "job j { processing P }\nmodel R { id: Int }\nresource r { u: PUT \"u\" -> R { upload chunked\n poll j } }", "both 'upload' and 'poll'"),
        ("stream that also starts a job", api + "job j { processing P }\nmodel R { id: Int }\nresource r {\n s: GET \"s\" { stream sse\n starts t }\n t: GET \"t/{id}\" -> R { path id: String\n poll j }\n}", "both 'stream' and 'starts'"),
        ("unbound resource placeholder", api + "resource r \"a/{zzz}/\" { get: GET \"\" }", "binds no parameter"),
        ("model hiding CodingKeys", api + "model CodingKeys { a: Int }", "would hide"),
        ("resource hiding String", api + "resource string { get: GET \"s\" -> String }", "would hide"),
        ("resource hiding a model", api + "model Pets { a: Int }\nresource pets { get: GET \"p\" -> Pets }", "would hide"),
        ("resource named runtime", api + "resource runtime { get: GET \"s\" }", "member every client has"),
        ("malformed Double default", api + "model M { x: Double = 1.2.3 }", "not a value"),
        ("chunk size past 4 GiB", api + "model R { id: Int }\nresource r { u: PUT \"u\" -> R { upload chunked chunk-size 99999999999 } }", "chunk size"),
        ("non-ASCII Swift name", api + "model M { café: Int }", "no usable Swift name"),
        ("parameter named self", api + "resource r { get: GET \"x\" { query self: Int? } }", "no usable Swift name"),
        ("query clashing with the upload's file", api + "model R { id: Int }\nresource r { u: PUT \"u\" -> R { upload chunked\n query file: String } }", "used twice"),
    ].map { ($0.0, Data($0.1.utf8), $0.2) } + [
        ("a byte that is not UTF-8", Data((api + "model M { a: Int }\n").utf8) + Data([0x6D, 0x6F, 0xFF, 0x0A]), "3:3: error: byte 0xFF is not UTF-8"),
    ]

    /// Specs that must be accepted, and whose Swift must compile.
    static let accepted: [(name: String, source: Data)] = [
        ("CRLF line ends", Data(("api A { base-url \"https://a.example.com\" }\r\nmodel M {\r\n    a: Int\r\n}\r\n").utf8)),
        ("CR line ends", Data(("api A { base-url \"https://a.example.com\" }\rmodel M {\r    a: Int\r}\r").utf8)),
        ("byte-order mark", Data([0xEF, 0xBB, 0xBF]) + Data((api + "model M { a: Int }\n").utf8)),
        ("UTF-16", (api + "model M { a: Int }\n").data(using: .utf16)!),
        ("quotes in wire names", Data((api + #"""
            model M { "x\"y" as xy: String = "a\"b\\c\nd" }
            enum E { "q\"uote" as quote, "back\\slash" as backslash }
            resource r "a\"b/" {
                /// A doc comment with */ and \ in it.
                get: GET "{id}/\"x\"" -> M { path id: String
                    query "x\"y" as xy: String?
                    header "X-Quote" as quoteHeader: String? }
            }
            """#).utf8)),
        ("self-containing models", Data((api + """
            model Category { name: String\n parent: Category? }
            model A { b: B? }
            model B { a: A }
            model Node { children: [Node]\n labels: [String: Node]? }
            union Shape on kind { box: Box }
            model Box { inner: Shape? }
            """).utf8)),
        ("Swift keywords as names", Data((api + """
            model Keywords { class: Int\n protocol: String?\n import: Bool?\n Type: Int? }
            enum Reserved { default, case, in }
            resource func "f/" { default: GET "{in}" -> Keywords { path in: String
                query class: Int? } }
            """).utf8)),
        ("names the builder uses", Data((api + """
            model Body { id: Int }
            resource items { search: POST "s/{id}" -> Body { path id: Int
                query query: String?
                query headers: String?
                header form: String?
                body multipart { query_part as queryPart: String\n runtime: String? } } }
            """).utf8)),
        ("nesting just inside the limit", Data((api + "model M { x: " + String(repeating: "[", count: 12) + "Int" + String(repeating: "]", count: 12) + " }\n"
            + String(repeating: "resource r {\n", count: 15) + "get: GET \"x\"\n" + String(repeating: "}\n", count: 15)).utf8)),
        ("widest Int enum", Data((api + "enum Big: Int { 9223372036854775807 as most, -9223372036854775808 as least }").utf8)),
        ("runtime type names", Data((api + """
            pagination pages: next-link { items results\n next next }
            job work { state status\n processing RUNNING\n failed FAILED }
            model Page { results: [Request]\n next: String? }
            model Request { id: Int\n extra: JSON? }
            model Job { status: String\n result: Request? }
            union JSONValue { text: String\n request: Request }
            enum ParameterValue { a, b }
            resource paginated as Paginated "p/" {
                list: GET "" -> [Request] { paginate pages\n query kind: ParameterValue? }
                page: GET "one" -> Page
                start: POST "" { body Request\n starts status }
                status: GET "{id}" -> Job { path id: String\n poll work }
                events: GET "e" -> JSONValue { stream sse }
                raw: GET "r" { stream sse }
                upload: PUT "u" -> Job { upload chunked }
            }
            """).utf8)),
        ("no resources", Data(api.utf8)),
        ("empty model", Data((api + "model Nothing {}").utf8)),
    ]

    func check(_ source: Data) async throws -> (CommandResult, URL) {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("hostile-\(UUID().uuidString).bindery")
        try source.write(to: url)
        return (try await run(Repository.bindery.path, ["check", url.path], timeout: 120), url)
    }

    @Test(arguments: refused.map(\.name))
    func refusedWithPositions(name: String) async throws {
        let spec = Self.refused.first { $0.name == name }!
        let (result, url) = try await check(spec.source)
        defer { try? FileManager.default.removeItem(at: url) }
        #expect(!result.timedOut && !result.signalled, "bindery check did not exit by itself")
        #expect(result.status == 1, "\(result.output.prefix(2_000))")
        #expect(result.output.contains(spec.expected), "\(result.output.prefix(2_000))")
        #expect(result.output.utf8.count < 64 << 10, "printed \(result.output.utf8.count) bytes")
        let errors = result.output.split(separator: "\n").filter { $0.contains(": error: ") }
        #expect(!errors.isEmpty)
        for line in errors {
            #expect(line.hasPrefix(url.path + ":") && line.dropFirst(url.path.count + 1).first?.isNumber == true,
                    "an error without a position: \(line)")
        }
    }

    @Test(arguments: accepted.map(\.name))
    func acceptedSpecsCompile(name: String) async throws {
        let spec = Self.accepted.first { $0.name == name }!
        let (result, url) = try await check(spec.source)
        defer { try? FileManager.default.removeItem(at: url) }
        try #require(result.status == 0 && !result.signalled, "\(result.output.prefix(2_000))")
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("hostile-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: output) }
        let generate = try await run(Repository.bindery.path, ["generate", url.path, "--output", output.path], timeout: 120)
        try #require(generate.status == 0, "\(generate.output)")
        let compile = try await typecheck(output, module: "Hostile")
        #expect(compile.status == 0, "the generated Swift does not compile:\n\(compile.output.prefix(4_000))")
    }

    @Test func crlfPositionsAreOnTheirLines() async throws {
        let (result, url) = try await check(Data("api A { base-url \"https://a.example.com\" }\r\nmodel M {\r\n    a: Nope\r\n}\r\n".utf8))
        defer { try? FileManager.default.removeItem(at: url) }
        #expect(result.output.hasPrefix("\(url.path):3:8: error: unknown type 'Nope'"), "\(result.output)")
    }

    @Test func manyErrorsAreSummedUpAndLongLinesTrimmed() async throws {
        let fields = (0..<120).map { "    f\($0): Nope" }.joined(separator: "\n")
        let (result, url) = try await check(Data((Self.api + "model M {\n\(fields)\n}\n" + "model L { " + String(repeating: "a", count: 5_000) + " }\n").utf8))
        defer { try? FileManager.default.removeItem(at: url) }
        #expect(result.status == 1)
        #expect(result.output.contains("and 71 more errors\n121 errors in"), "\(result.output.suffix(500))")
        #expect(result.output.split(separator: "\n").allSatisfy { $0.count < 300 })
    }
}
