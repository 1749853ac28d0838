/// Turns wire names into idiomatic Swift names: `created_at` → `createdAt`, `READ_YOUR_DATA` → `readYourData`,
/// `agentRegistrationId` → `agentRegistrationID`, `storage_category` → `StorageCategory`.
enum Naming {
    /// Words Swift writes in one case throughout (`taskID`, `baseURL`).
    static let acronyms: Set<String> = ["id", "ids", "url", "urls", "uri", "uuid", "json", "http", "https", "api", "md5", "csv", "tls", "mtls", "ui", "sse", "ml"]

    static func words(_ name: String) -> [String] {
        var words: [String] = []
        var word = ""
        let characters = Array(name)
        for (index, character) in characters.enumerated() {
            guard character.isLetter || character.isNumber else {
                if !word.isEmpty { words.append(word) }
                word = ""
                continue
            }
            if !word.isEmpty, character.isUppercase {
                let previous = characters[index - 1]
                let next = index + 1 < characters.count ? characters[index + 1] : nil
                if previous.isLowercase || previous.isNumber && word.count > 1
                    || (previous.isUppercase && (next?.isLowercase ?? false))
                {
                    words.append(word)
                    word = ""
                }
            }
            word.append(character)
        }
        if !word.isEmpty { words.append(word) }
        return words
    }

    static func lowerCamel(_ name: String) -> String {
        let parts = words(name)
        guard let first = parts.first else { return name }
        let keepsCapitals = !isShouting(name)
        return first.lowercased() + parts.dropFirst().map { capitalized($0, keepingCapitals: keepsCapitals) }.joined()
    }

    static func upperCamel(_ name: String) -> String {
        let keepsCapitals = !isShouting(name)
        return words(name).map { capitalized($0, keepingCapitals: keepsCapitals) }.joined()
    }

    /// `READ_YOUR_DATA`: capitals throughout, so its words are not acronyms.
    private static func isShouting(_ name: String) -> Bool {
        !name.contains { $0.isLowercase }
    }

    /// A word in Swift's case: acronyms Swift knows, and (in a name that is not all capitals) any word written in
    /// capitals, stay capitals: `OpenAI` → `OpenAI`, `HTTPStatus` → `HTTPStatus`.
    private static func capitalized(_ word: String, keepingCapitals: Bool) -> String {
        let lowered = word.lowercased()
        if acronyms.contains(lowered) { return lowered == "ids" ? "IDs" : lowered == "urls" ? "URLs" : word.uppercased() }
        if keepingCapitals, word.count > 1, word.allSatisfy({ $0.isUppercase || $0.isNumber }) { return word }
        return lowered.prefix(1).uppercased() + lowered.dropFirst()
    }

    /// A name the generated code can use: an ASCII letter or `_`, then ASCII letters, digits and `_`.
    static func isIdentifier(_ name: String) -> Bool {
        guard let first = name.first, first.isASCII, first.isLetter || first == "_", name != "_" else { return false }
        return name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }
    }

    /// Names Swift or the generated code already gives: a model's fields may not take `hashValue` (Hashable's) or `self`,
    /// which its initializer's parameters would hide;
    /// an enum's or union's cases not its initializer or `rawValue`; a call's parameters not `self` or the builder's
    /// locals; endpoints and resources not what a type's members cannot be called.
    enum Reserved {
        static let fields: Set<String> = ["hashValue", "self", "Self", "super"]
        static let cases: Set<String> = ["init", "rawValue", "hashValue"]
        static let parameters: Set<String> = ["self", "Self", "super", "queryItems", "headerFields", "formParts", "formFields"]
        static let members: Set<String> = ["self", "Self", "super", "init", "deinit", "subscript", "Type", "Protocol"]
    }

    /// `name` ready to declare: in backticks when it is a Swift keyword.
    static func escaped(_ name: String) -> String {
        keywords.contains(name) ? "`\(name)`" : name
    }

    static let keywords: Set<String> = [
        "associatedtype", "class", "deinit", "enum", "extension", "fileprivate", "func", "import", "init", "inout",
        "internal", "let", "open", "operator", "private", "precedencegroup", "protocol", "public", "rethrows",
        "static", "struct", "subscript", "typealias", "var", "break", "case", "catch", "continue", "default",
        "defer", "do", "else", "fallthrough", "for", "guard", "if", "in", "repeat", "return", "throw", "switch",
        "where", "while", "Any", "as", "await", "false", "is", "nil", "self", "Self", "super", "throws", "true", "try",
        "Type", "Protocol", "some", "any", "async", "consume", "copy", "discard", "each", "borrowing", "consuming",
        "package",
    ]

    /// Type names that would shadow types the generated code or its users rely on: Swift's and Foundation's common
    /// ones, and the runtime module's own name. A type may take a runtime type's name: the generated code then
    /// spells every runtime type with its module (`BinderyRuntime.Page`).
    static let reservedTypeNames: Set<String> = swiftTypeNames.union(["BinderyRuntime"])

    static let swiftTypeNames: Set<String> = [
        "Task", "Data", "Date", "URL", "UUID", "String", "Int", "Int64", "Double", "Bool", "Array", "Dictionary",
        "Set", "Optional", "Result", "Error", "Never", "Void", "Codable", "Decodable", "Encodable", "Sendable",
        "Hashable", "Any", "Self", "Type", "Character", "Float", "Duration", "Decimal", "CodingKeys", "Protocol",
    ]

    /// Every public type of BinderyRuntime (a test keeps this list complete).
    static let runtimeTypeNames: Set<String> = [
        "APIClient", "APIDefinition", "AttemptFailure", "AuthMiddleware", "AuthProvider", "AuthScheme", "BasicAuth", "BinderyError",
        "BinderyClock", "ChunkedUpload", "ChunkedUploadRule", "ClientOptions", "Coders", "DateFormat", "DefaultParameter",
        "DefaultTransport",
        "EventFraming", "EventReading", "EventStream", "ExponentialBackoff", "FileURLs", "HeaderAuth", "HTTPBody", "HTTPHeaders",
        "HTTPMethod", "HTTPRequest", "HTTPResponse", "Indirect", "InMemoryTransport", "IOThread", "Job", "JobProgress", "JobRule", "JobStart", "JSONValue", "MD5",
        "ManualClock", "Middleware", "ModelContainer", "MultipartForm", "MultipartPart", "Nanoseconds", "Origin", "Page", "Paginated", "PaginationRule",
        "ParameterValue", "Proxy", "QueryItems", "Redirect", "Request", "RequestBody", "RequestHead", "RequestOptions",
        "ResponseReader", "RetryPolicy",
        "Secret", "ServerSentEvent", "SocketTransport", "SpecRetryPolicy", "StreamingResponse", "StreamingTransport", "SystemClock",
        "TaggedUnion", "Timeouts", "Transport",
        "TransportError", "UntaggedUnion", "UploadProgress", "URLSessionTransport", "WireKey", "WithResponse",
    ]
}
