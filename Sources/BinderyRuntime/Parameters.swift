import Foundation

/// A value that can stand in a path segment, a query string or a header.
public protocol ParameterValue: Sendable {
    var parameterValue: String { get }
}

extension String: ParameterValue { public var parameterValue: String { self } }
extension Int: ParameterValue { public var parameterValue: String { String(self) } }
extension Int64: ParameterValue { public var parameterValue: String { String(self) } }
extension Double: ParameterValue { public var parameterValue: String { String(self) } }
extension Bool: ParameterValue { public var parameterValue: String { self ? "true" : "false" } }
extension UUID: ParameterValue { public var parameterValue: String { uuidString.lowercased() } }
extension Date: ParameterValue { public var parameterValue: String { ISO8601.format(self) } }
extension URL: ParameterValue { public var parameterValue: String { absoluteString } }

extension ParameterValue where Self: RawRepresentable, RawValue: ParameterValue {
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

    /// One item whose value is `values` joined by `separator` (`ids=1,2,3`), as OpenAPI's `explode: false`.
    public mutating func add(_ name: String, _ values: [some ParameterValue]?, joinedBy separator: String) {
        if let values { items.append(URLQueryItem(name: name, value: values.map(\.parameterValue).joined(separator: separator))) }
    }
}

enum PercentEncoding {
    /// RFC 3986 unreserved characters; everything else is escaped.
    private static let unreserved = CharacterSet(
        charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")

    static func segment(_ value: String) -> String {
        if value == "." { return "%2E" }
        if value == ".." { return "%2E%2E" }
        return value.addingPercentEncoding(withAllowedCharacters: unreserved) ?? value
    }

    static func query(_ items: [URLQueryItem]) -> String {
        items.map { item in
            let name = item.name.addingPercentEncoding(withAllowedCharacters: unreserved) ?? item.name
            guard let value = item.value else { return name }
            return name + "=" + (value.addingPercentEncoding(withAllowedCharacters: unreserved) ?? value)
        }.joined(separator: "&")
    }
}
