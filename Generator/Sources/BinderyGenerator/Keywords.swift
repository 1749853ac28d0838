import BinderyRules

/// A family of the spec language's words. Each case knows how it is written; the family's list of words, for
/// messages and "did you mean" hints, is derived from its cases, so a new word is one new case and every `switch`
/// over the family asks for it.
protocol Keyword: CaseIterable, Hashable {
    /// The word as a spec writes it.
    var keyword: String { get }
}

extension Keyword {
    /// The case written `keyword`; nil for a word of no case.
    init?(keyword: String) {
        guard let found = Self.allCases.first(where: { $0.keyword == keyword }) else { return nil }
        self = found
    }

    /// Every word of the family, in declaration order.
    static var keywords: [String] { allCases.map(\.keyword) }

    /// The words quoted, for a message: "'header', 'bearer' or 'basic'".
    static var alternatives: String {
        let quoted = keywords.map { "'\($0)'" }
        return quoted.count < 2 ? quoted.joined() : quoted.dropLast().joined(separator: ", ") + " or " + quoted.last!
    }
}

extension Keyword where Self: RawRepresentable, RawValue == String {
    var keyword: String { rawValue }
}

/// What a spec file is made of.
enum DeclarationKeyword: String, Keyword {
    case api, model, enumeration = "enum", union, pagination, job, resource, extend
}

/// What `extend` may add to.
enum ExtensionTarget: String, Keyword {
    case api, model, enumeration = "enum", resource
}

/// The lines of an `api` block.
enum APISetting: String, Keyword {
    case baseURL = "base-url", auth, query, header, errorMessage = "error-message", idempotencyKey = "idempotency-key"
    case timeout, retry, dates, version
}

/// The lines of an endpoint's block.
enum EndpointSetting: String, Keyword {
    case path, query, header, body, paginate, stream, upload, poll, starts, timeout, idempotent
}

/// How an auth scheme sends its credential.
enum AuthKind: String, Keyword {
    /// A header of the spec's naming, with an optional template around the credential.
    case header
    /// `Authorization: Bearer {token}`.
    case bearer
    /// HTTP Basic, the credential as the user name.
    case basic
}

/// The settings of `timeout`, at the API's level and an endpoint's.
enum TimeoutSetting: String, Keyword {
    case connect, read, total
}

/// The settings of `retry`.
enum RetrySetting: String, Keyword {
    case attempts, backoff, maxBackoff = "max-backoff", on, maxRetryAfter = "max-retry-after", none
}

/// The settings of a `job` rule.
enum JobSetting: String, Keyword {
    case state, processing, failed, succeeded, message, details, progress, timeout, interval
    case maxInterval = "max-interval"
}

/// The settings of a `pagination` rule; which ones a style takes is `PaginationRule.Style.settings`.
enum PaginationSetting: String, Keyword {
    case items, next, count, hasMore = "has-more", cursorParam = "cursor-param", pageParam = "page-param"
    case pageSizeParam = "page-size-param", offsetParam = "offset-param", limitParam = "limit-param"
}

/// Where a field is declared, which decides the modifiers it may have.
enum FieldPlace: String, Hashable {
    case model, path, query, header, form, multipart
}

/// The words that may follow a field's type, in any order (with `= default`): each knows where it is allowed.
enum FieldModifier: String, Keyword {
    /// `file-url`: the field holds links to files, which `rewritingFileURLs` can rewrite.
    case fileURL = "file-url"
    /// `joined ","`: a query array's items go in one value, joined by that text.
    case joined

    /// The places the modifier means something.
    var allowed: Set<FieldPlace> {
        switch self {
        case .fileURL: [.model]
        case .joined: [.query]
        }
    }

    /// The error for the modifier anywhere else.
    var misplaced: String {
        switch self {
        case .fileURL: "only a model's fields can be marked file-url"
        case .joined: "only a query array can be joined"
        }
    }
}

/// The protocols of `upload`.
enum UploadProtocol: String, Keyword {
    /// drf-chunked-upload's: `ChunkedUploadRule`.
    case chunked
}

/// The methods an endpoint may have.
enum HTTPMethodKeyword: String, Keyword {
    case get = "GET", put = "PUT", post = "POST", patch = "PATCH", delete = "DELETE", head = "HEAD"
}

extension PaginationRule.Style: Keyword {
    var keyword: String {
        switch self {
        case .nextLink: "next-link"
        case .linkHeader: "link-header"
        case .cursor: "cursor"
        case .cursorHeader: "cursor-header"
        case .offset: "offset"
        case .pageNumber: "page-number"
        }
    }

    /// The settings a rule of this style takes.
    var settings: [PaginationSetting] {
        switch self {
        case .nextLink: [.items, .next, .count, .hasMore, .pageSizeParam]
        case .linkHeader: [.items, .count, .pageSizeParam]
        case .cursor: [.items, .next, .hasMore, .cursorParam, .pageSizeParam]
        case .cursorHeader: [.items, .next, .cursorParam, .pageSizeParam]
        case .offset: [.items, .count, .hasMore, .offsetParam, .limitParam]
        case .pageNumber: [.items, .count, .pageParam, .pageSizeParam]
        }
    }
}

extension DateFormat: Keyword {
    var keyword: String {
        switch self {
        case .iso8601: "iso8601"
        case .secondsSince1970: "seconds"
        case .millisecondsSince1970: "milliseconds"
        }
    }
}

extension EventFraming: Keyword {
    var keyword: String {
        switch self {
        case .serverSentEvents: "sse"
        case .ndjson: "ndjson"
        }
    }
}

/// Limits of the spec language.
enum LanguageLimits {
    /// How many levels deep types (`[[String: T]]`) and resources may nest; deeper input is refused with a position
    /// rather than risking the generator's stack or the Swift compiler's patience.
    static let maxNesting = 16
    /// How many errors a run prints before summing up the rest.
    static let maxReportedErrors = 50

    /// What a numeric setting accepts: the runtime converts seconds to nanoseconds in 64 bits, and a day is longer
    /// than any single wait a client should make.
    struct NumberRange {
        var lowest: Double
        var highest: Double
        var whole = false
        var lowestIncluded = false

        static let seconds = NumberRange(lowest: 0, highest: 86_400)
        /// A job may run for weeks.
        static let jobSeconds = NumberRange(lowest: 0, highest: 30 * 86_400)
        static let attempts = NumberRange(lowest: 1, highest: 100, whole: true, lowestIncluded: true)
        /// A chunk is held in memory while it is sent.
        static let chunkSize = NumberRange(lowest: 1, highest: 4_294_967_296, whole: true, lowestIncluded: true)

        func contains(_ value: Double) -> Bool {
            value.isFinite && (lowestIncluded ? value >= lowest : value > lowest) && value <= highest
                && (!whole || value == value.rounded())
        }

        /// "a number of seconds above 0 and at most 86400", for messages.
        var description: String {
            let kind = whole ? "a whole number" : "a number"
            let low = lowestIncluded ? "from \(Self.format(lowest))" : "above \(Self.format(lowest))"
            return "\(kind) \(low) \(lowestIncluded ? "to" : "and at most") \(Self.format(highest))"
        }

        private static func format(_ value: Double) -> String {
            value == value.rounded() ? String(Int64(value)) : String(value)
        }
    }
}
