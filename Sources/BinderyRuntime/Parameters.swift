import Foundation

/// A value that can stand in a path segment, a query string or a header.
public protocol ParameterValue: Sendable {
    /// The value as it is written in a path, query or header.
    var parameterValue: String { get }
}

extension String: ParameterValue {
    /// The string itself.
    public var parameterValue: String { self }
}
extension Int: ParameterValue {
    /// The number in decimal.
    public var parameterValue: String { String(self) }
}
extension Int64: ParameterValue {
    /// The number in decimal.
    public var parameterValue: String { String(self) }
}
extension Double: ParameterValue {
    /// The number as `description` writes it: the shortest form that reads back the same.
    public var parameterValue: String { String(self) }
}
extension Bool: ParameterValue {
    /// `true` or `false`.
    public var parameterValue: String { self ? "true" : "false" }
}
extension UUID: ParameterValue {
    /// The UUID in lower case.
    public var parameterValue: String { uuidString.lowercased() }
}
extension Date: ParameterValue {
    /// The date in ISO 8601, in UTC.
    public var parameterValue: String { ISO8601.format(self) }
}
extension URL: ParameterValue {
    /// The URL as written.
    public var parameterValue: String { absoluteString }
}

extension ParameterValue where Self: RawRepresentable, RawValue: ParameterValue {
    /// The raw value, written as it is.
    public var parameterValue: String { rawValue.parameterValue }
}

extension String.StringInterpolation {
    /// Interpolates a path parameter as exactly one segment: `/`, `?`, `#` and `%` are escaped, and `.` or `..`
    /// cannot climb to another endpoint.
    public mutating func appendInterpolation(segment value: some ParameterValue) {
        appendLiteral(PercentEncoding.segment(value.parameterValue))
    }
}

/// Query parameters in order; arrays repeat their name (`tag=a&tag=b`), nil values are left out.
@_spi(Generated) public struct QueryItems: Sendable {
    public private(set) var items: [URLQueryItem] = []

    public init() {}

    public mutating func add(_ name: String, _ value: (some ParameterValue)?) {
        if let value { items.append(URLQueryItem(name: name, value: value.parameterValue)) }
    }

    public mutating func add(_ name: String, _ values: [some ParameterValue]?) {
        for value in values ?? [] { items.append(URLQueryItem(name: name, value: value.parameterValue)) }
    }

    /// A model, map, union or free-form value in bracket notation, as Stripe's forms and OpenAPI's `deepObject`
    /// style write them: `metadata[order_id]=6735`, `line_items[0][price]=p_1`. Members are written in the order of
    /// their names; nulls are left out, and so is a nil value. Dates are written as ISO 8601, as in a query.
    public mutating func add(_ name: String, nested value: (some Encodable & Sendable)?) {
        guard let value else { return }
        Self.flatten(JSONValue(encoding: value), name, into: &items)
    }

    private static func flatten(_ value: JSONValue, _ name: String, into items: inout [URLQueryItem]) {
        switch value {
        case .null: break
        case .bool(let flag): items.append(URLQueryItem(name: name, value: flag ? "true" : "false"))
        case .integer(let number): items.append(URLQueryItem(name: name, value: String(number)))
        case .number(let number): items.append(URLQueryItem(name: name, value: number.parameterValue))
        case .string(let text): items.append(URLQueryItem(name: name, value: text))
        case .array(let elements):
            for (index, element) in elements.enumerated() { flatten(element, "\(name)[\(index)]", into: &items) }
        case .object(let members):
            for key in members.keys.sorted() { flatten(members[key]!, "\(name)[\(key)]", into: &items) }
        }
    }

    /// One item whose value is `values` joined by `separator` (`ids=1,2,3`), as OpenAPI's `explode: false`.
    public mutating func add(_ name: String, _ values: [some ParameterValue]?, joinedBy separator: String) {
        if let values { items.append(URLQueryItem(name: name, value: values.map(\.parameterValue).joined(separator: separator))) }
    }
}

enum PercentEncoding {
    static func segment(_ value: String) -> String {
        if value == "." { return "%2E" }
        if value == ".." { return "%2E%2E" }
        return escaped(value)
    }

    static func query(_ items: [URLQueryItem]) -> String {
        items.map { item in
            let name = escaped(item.name)
            guard let value = item.value else { return name }
            return name + "=" + escaped(value)
        }.joined(separator: "&")
    }

    /// `text` with each UTF-8 byte outside RFC 3986's unreserved characters written as `%XX`, byte by byte: what
    /// Foundation's `addingPercentEncoding` gives, without the trip through its character sets on every request.
    static func escaped(_ text: String) -> String {
        guard text.utf8.contains(where: { !isUnreserved($0) }) else { return text }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count * 3)
        for byte in text.utf8 {
            if isUnreserved(byte) {
                bytes.append(byte)
            } else {
                bytes += [UInt8(ascii: "%"), hexDigits[Int(byte >> 4)], hexDigits[Int(byte & 0x0F)]]
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    private static let hexDigits = Array("0123456789ABCDEF".utf8)

    private static func isUnreserved(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
            UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
            true
        default: false
        }
    }
}
