import BinderyTestSupport
import Foundation
import Testing

@testable import BinderyGenerator

@Suite("Swift names from wire names")
struct NamingTests {
    @Test(arguments: [
        ("created_at", "createdAt"), ("is_default", "isDefault"), ("PENDING", "pending"),
        ("READ_YOUR_PRIVATE_DATA", "readYourPrivateData"), ("agentRegistrationId", "agentRegistrationID"),
        ("task_id", "taskID"), ("photo_url", "photoURL"), ("amazon_s3", "amazonS3"), ("free-range", "freeRange"),
        ("Healthy", "healthy"), ("HTTPServer", "httpServer"), ("url_host", "urlHost"), ("md5", "md5"),
        ("annotateTaskData", "annotateTaskData"), ("X-Request-Id", "xRequestID"), ("ids", "ids"),
    ])
    func lowerCamel(wire: String, swift: String) {
        #expect(Naming.lowerCamel(wire) == swift)
    }

    @Test(arguments: [
        ("storage_category", "StorageCategory"), ("Project", "Project"), ("callback_auth", "CallbackAuth"), ("ml_model", "MLModel"),
        ("data_collections", "DataCollections"), ("mtls_auth", "MTLSAuth"), ("OpenAI", "OpenAI"), ("GitHub", "GitHub"),
        ("HTTPStatus", "HTTPStatus"), ("READ_YOUR_DATA", "ReadYourData"), ("chatGPT_model", "ChatGPTModel"),
    ])
    func upperCamel(wire: String, swift: String) {
        #expect(Naming.upperCamel(wire) == swift)
    }

    @Test func theClientIsNamedAfterTheAPIOrAsTheSpecSays() throws {
        let spec = #"api OpenAI { base-url "https://api.openai.com/v1" }"#
        #expect(try Generator.check(source: spec, file: "OpenAI.bindery").clientTypeName == "OpenAIClient")
        let chosen = #"api openai as OpenAI { base-url "https://api.openai.com/v1" }"#
        #expect(try Generator.check(source: chosen, file: "OpenAI.bindery").clientTypeName == "OpenAI")
        let files = try Generator.generate(source: chosen, file: "OpenAI.bindery")
        #expect(files.first { $0.name == "Client.swift" }?.contents.contains("public nonisolated struct OpenAI: Sendable {") == true)
    }

    @Test func keywordsAreEscaped() {
        #expect(Naming.escaped("default") == "`default`")
        #expect(Naming.escaped("internal") == "`internal`")
        #expect(Naming.escaped("name") == "name")
    }

    /// Every public type of BinderyRuntime is known to the generator, so a spec declaring a type of the same name
    /// gets generated code that spells the runtime's with its module.
    @Test func everyPublicRuntimeTypeIsKnown() throws {
        var declared: Set<String> = []
        // The runtime's files, and those of the rules module it re-exports.
        let files = try ["Sources/BinderyRuntime", "Sources/BinderyRules"].flatMap { folder in
            try FileManager.default.subpathsOfDirectory(atPath: Repository.url(folder).path)
                .filter { $0.hasSuffix(".swift") }.map { Repository.url(folder).appendingPathComponent($0) }
        }
        for file in files {
            let text = try String(contentsOf: file, encoding: .utf8)
            for line in text.split(separator: "\n") {
                let words = line.split(separator: " ").map(String.init)
                guard line.hasPrefix("public ") || line.hasPrefix("@_spi(Generated) public ") else { continue }
                let kinds = ["struct", "enum", "class", "protocol", "actor"]
                if let index = words.firstIndex(where: kinds.contains), index + 1 < words.count {
                    declared.insert(String(words[index + 1].prefix { $0.isLetter || $0.isNumber }))
                }
            }
        }
        #expect(declared.count > 20)
        #expect(declared.subtracting(Naming.runtimeTypeNames).isEmpty, "\(declared.subtracting(Naming.runtimeTypeNames).sorted())")
    }
}
