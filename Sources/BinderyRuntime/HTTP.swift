import Foundation

/// An HTTP method.
public struct HTTPMethod: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue.uppercased() }
    public var description: String { rawValue }

    /// `GET`
    public static let get = HTTPMethod(rawValue: "GET")
    /// `PUT`
    public static let put = HTTPMethod(rawValue: "PUT")
    /// `POST`
    public static let post = HTTPMethod(rawValue: "POST")
    /// `PATCH`
    public static let patch = HTTPMethod(rawValue: "PATCH")
    /// `DELETE`
    public static let delete = HTTPMethod(rawValue: "DELETE")
    /// `HEAD`
    public static let head = HTTPMethod(rawValue: "HEAD")

    /// Whether sending the request twice has the same effect as sending it once (RFC 9110 §9.2.2).
    public var isIdempotent: Bool { !(self == .post || self == .patch) }
}

/// Header fields, kept in order, looked up without regard to case.
public struct HTTPHeaders: Hashable, Sendable, Sequence {
    /// Every field in the order added, a name that occurs more than once included each time.
    public private(set) var fields: [(name: String, value: String)] = []

    /// Headers holding `fields`, in order.
    public init(_ fields: [(String, String)] = []) {
        for (name, value) in fields { add(name, value) }
    }

    /// The first value of the field `name`, compared without regard to ASCII case; setting replaces every value.
    public subscript(name: String) -> String? {
        get { fields.first { Self.sameName($0.name, name) }?.value }
        set {
            fields.removeAll { Self.sameName($0.name, name) }
            if let newValue { fields.append((name, newValue)) }
        }
    }

    /// Whether two field names are one, ignoring ASCII case as RFC 9110 §5.1 has it: compared byte by byte, without
    /// the locale-aware comparison Foundation would make on every lookup.
    static func sameName(_ name: String, _ other: String) -> Bool {
        name.utf8.count == other.utf8.count
            && zip(name.utf8, other.utf8).allSatisfy { byte, otherByte in
                let folded = byte | 0x20
                return byte == otherByte || (folded == otherByte | 0x20 && folded >= UInt8(ascii: "a") && folded <= UInt8(ascii: "z"))
            }
    }

    /// Adds a field, keeping any others of the same name.
    public mutating func add(_ name: String, _ value: String) { fields.append((name, value)) }

    /// Adds `more` to the last field's value after a space: an obs-fold line that continues it.
    mutating func continueLast(with more: String) {
        guard !more.isEmpty, let last = fields.popLast() else { return }
        fields.append((last.name, last.value.isEmpty ? more : last.value + " " + more))
    }

    /// Sets a header from a parameter; a nil value leaves it out.
    public mutating func set(_ name: String, _ value: (some ParameterValue)?) {
        self[name] = value?.parameterValue
    }

    public func makeIterator() -> IndexingIterator<[(name: String, value: String)]> { fields.makeIterator() }

    public static func == (lhs: HTTPHeaders, rhs: HTTPHeaders) -> Bool {
        lhs.fields.elementsEqual(rhs.fields) { $0.name == $1.name && $0.value == $1.value }
    }

    public func hash(into hasher: inout Hasher) {
        for field in fields {
            hasher.combine(field.name)
            hasher.combine(field.value)
        }
    }
}

/// A request as it goes on the wire: absolute URL, method, headers.
public struct HTTPRequest: Sendable {
    /// The request's method.
    public var method: HTTPMethod
    /// The URL the request is sent to.
    public var url: URL
    /// The request's header fields.
    public var headers: HTTPHeaders

    /// A request for `url`.
    public init(method: HTTPMethod, url: URL, headers: HTTPHeaders = HTTPHeaders()) {
        self.method = method
        self.url = url
        self.headers = headers
    }
}

/// A response as it came off the wire.
public struct HTTPResponse: Sendable {
    /// The status code, e.g. 200.
    public var status: Int
    /// The response's header fields.
    public var headers: HTTPHeaders
    /// The whole body.
    public var body: Data
    /// The URL the response came from, after any redirects the transport followed.
    public var url: URL?

    /// A response with these parts.
    public init(status: Int, headers: HTTPHeaders = HTTPHeaders(), body: Data = Data(), url: URL? = nil) {
        self.status = status
        self.headers = headers
        self.body = body
        self.url = url
    }
}
