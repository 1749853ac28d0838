/// The words of the spec language and the ranges its numbers may take, in one place: the parser reads by these
/// tables and the validator checks by them.
enum Keywords {
    static let declarations = ["api", "model", "enum", "union", "pagination", "job", "resource", "extend"]
    static let extensible = ["api", "model", "enum", "resource"]
    static let apiSettings = ["base-url", "auth", "query", "header", "error-message", "idempotency-key", "timeout", "retry", "dates", "version"]
    static let endpointSettings = [
        "path", "query", "header", "body", "paginate", "stream", "upload", "poll", "starts", "timeout", "idempotent",
    ]
    static let authSchemes = ["header", "bearer", "basic"]
    static let dateFormats = ["iso8601", "seconds", "milliseconds"]
    static let httpMethods = ["GET", "PUT", "POST", "PATCH", "DELETE", "HEAD"]
    static let timeouts = ["connect", "read", "total"]
    static let retrySettings = ["attempts", "backoff", "max-backoff", "on", "max-retry-after", "none"]
    static let jobSettings = [
        "state", "processing", "failed", "succeeded", "message", "details", "progress", "timeout", "interval",
        "max-interval",
    ]

    /// The settings each pagination style takes.
    static func paginationSettings(_ style: Pagination.Style) -> [String] {
        switch style {
        case .nextLink: ["items", "next", "count", "has-more", "page-size-param"]
        case .linkHeader: ["items", "count", "page-size-param"]
        case .cursor: ["items", "next", "has-more", "cursor-param", "page-size-param"]
        case .offset: ["items", "count", "has-more", "offset-param", "limit-param"]
        case .pageNumber: ["items", "count", "page-param", "page-size-param"]
        }
    }

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
