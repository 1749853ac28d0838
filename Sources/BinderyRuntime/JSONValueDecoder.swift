import Foundation

/// Decodes `Decodable` values from a parsed `JSONValue`, as `JSONDecoder` would from the same text, with the same
/// errors and coding paths. A `JSONValue` inside a model is handed over as parsed, without decoding it again, and
/// the coding path is kept as a chain that becomes an array only when an error or a caller asks for it.
final class JSONValueDecoder: Decoder {
    let value: JSONValue
    private let path: CodingPathNode?
    let context: Context

    /// What every decoder of one document shares.
    final class Context {
        let dateFormat: DateFormat
        let userInfo: [CodingUserInfoKey: Any]

        init(dateFormat: DateFormat, userInfo: [CodingUserInfoKey: Any]) {
            self.dateFormat = dateFormat
            self.userInfo = userInfo
        }
    }

    init(_ value: JSONValue, path: CodingPathNode?, context: Context) {
        self.value = value
        self.path = path
        self.context = context
    }

    static func decode<T: Decodable>(_ type: T.Type, from data: Data, dateFormat: DateFormat, userInfo: [CodingUserInfoKey: Any]) throws -> T {
        let root = JSONValueDecoder(try JSONParser.parse(data), path: nil, context: Context(dateFormat: dateFormat, userInfo: userInfo))
        return try root.unwrap(root.value, as: type, at: nil)
    }

    var codingPath: [any CodingKey] { path?.keys ?? [] }
    var userInfo: [CodingUserInfoKey: Any] { context.userInfo }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard case .object(let members) = value else { throw mismatch([String: Any].self, value, at: path) }
        return KeyedDecodingContainer(Keyed<Key>(members: members, decoder: self))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        guard case .array(let elements) = value else { throw mismatch([Any].self, value, at: path) }
        return Unkeyed(elements: elements, decoder: self)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer { Single(decoder: self) }

    // MARK: Values

    /// `value`, found at `path`, as a `T`: the runtime's own types directly, anything else by its `init(from:)`.
    func unwrap<T: Decodable>(_ value: JSONValue, as type: T.Type, at path: @autoclosure () -> CodingPathNode?) throws -> T {
        // Each check compares two type pointers; the casts after one that held cannot fail.
        if T.self == JSONValue.self { return unsafeBitCast(value, to: T.self) }
        if T.self == String.self { return unsafeBitCast(try string(value, at: path()), to: T.self) }
        if T.self == Int.self { return unsafeBitCast(try integer(value, as: Int.self, at: path()), to: T.self) }
        if T.self == Double.self { return unsafeBitCast(try double(value, at: path()), to: T.self) }
        if T.self == Bool.self { return unsafeBitCast(try bool(value, at: path()), to: T.self) }
        if T.self == Date.self { return unsafeBitCast(try date(value, at: path()), to: T.self) }
        if T.self == URL.self {
            let text = try string(value, at: path())
            guard let url = URL(string: text) else { throw corrupted("'\(text)' is not a valid URL", at: path()) }
            return unsafeBitCast(url, to: T.self)
        }
        return try T(from: JSONValueDecoder(value, path: path(), context: context))
    }

    func string(_ value: JSONValue, at path: @autoclosure () -> CodingPathNode?) throws -> String {
        guard case .string(let text) = value else { throw mismatch(String.self, value, at: path()) }
        return text
    }

    func bool(_ value: JSONValue, at path: @autoclosure () -> CodingPathNode?) throws -> Bool {
        guard case .bool(let flag) = value else { throw mismatch(Bool.self, value, at: path()) }
        return flag
    }

    func double(_ value: JSONValue, at path: @autoclosure () -> CodingPathNode?) throws -> Double {
        switch value {
        case .integer(let number): return Double(number)
        case .number(let number): return number
        default: throw mismatch(Double.self, value, at: path())
        }
    }

    func integer<T: FixedWidthInteger>(_ value: JSONValue, as type: T.Type, at path: @autoclosure () -> CodingPathNode?) throws -> T {
        switch value {
        case .integer(let number):
            guard let exact = T(exactly: number) else { throw corrupted("\(number) does not fit in \(T.self)", at: path()) }
            return exact
        case .number(let number):
            guard let exact = T(exactly: number) else { throw corrupted("\(number) does not fit in \(T.self)", at: path()) }
            return exact
        default:
            throw mismatch(T.self, value, at: path())
        }
    }

    private func date(_ value: JSONValue, at path: @autoclosure () -> CodingPathNode?) throws -> Date {
        switch context.dateFormat {
        case .iso8601:
            let text = try string(value, at: path())
            guard let date = ISO8601.parse(text) else { throw corrupted("'\(text)' is not an ISO 8601 date-time", at: path()) }
            return date
        case .secondsSince1970: return Date(timeIntervalSince1970: try double(value, at: path()))
        case .millisecondsSince1970: return Date(timeIntervalSince1970: try double(value, at: path()) / 1000)
        }
    }

    // MARK: Errors, worded as JSONDecoder words them

    func mismatch(_ expected: Any.Type, _ value: JSONValue, at path: @autoclosure () -> CodingPathNode?) -> DecodingError {
        if case .null = value {
            return .valueNotFound(
                expected, .init(codingPath: path()?.keys ?? [], debugDescription: "Expected \(expected) value but found null instead."))
        }
        return .typeMismatch(
            expected, .init(codingPath: path()?.keys ?? [], debugDescription: "Expected to decode \(expected) but found \(value.kind) instead."))
    }

    func corrupted(_ description: String, at path: @autoclosure () -> CodingPathNode?) -> DecodingError {
        .dataCorrupted(.init(codingPath: path()?.keys ?? [], debugDescription: description))
    }

    // MARK: Containers

    private struct Keyed<Key: CodingKey>: KeyedDecodingContainerProtocol {
        let members: [String: JSONValue]
        let decoder: JSONValueDecoder

        var codingPath: [any CodingKey] { decoder.codingPath }
        var allKeys: [Key] { members.keys.compactMap { Key(stringValue: $0) } }

        func contains(_ key: Key) -> Bool { members[key.stringValue] != nil }

        private func path(_ key: Key) -> CodingPathNode { CodingPathNode(key, parent: decoder.path) }

        private func member(_ key: Key) throws -> JSONValue {
            guard let value = members[key.stringValue] else {
                throw DecodingError.keyNotFound(
                    key, .init(codingPath: decoder.codingPath, debugDescription: "No value associated with key \(key.stringValue)."))
            }
            return value
        }

        func decodeNil(forKey key: Key) throws -> Bool {
            if case .null = try member(key) { return true }
            return false
        }

        func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try decoder.bool(member(key), at: path(key)) }
        func decode(_ type: String.Type, forKey key: Key) throws -> String { try decoder.string(member(key), at: path(key)) }
        func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try decoder.double(member(key), at: path(key)) }
        func decode(_ type: Float.Type, forKey key: Key) throws -> Float { Float(try decoder.double(member(key), at: path(key))) }
        func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try decoder.integer(member(key), as: type, at: path(key)) }
        func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try decoder.integer(member(key), as: type, at: path(key)) }
        func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try decoder.integer(member(key), as: type, at: path(key)) }
        func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try decoder.integer(member(key), as: type, at: path(key)) }
        func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try decoder.integer(member(key), as: type, at: path(key)) }
        func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try decoder.integer(member(key), as: type, at: path(key)) }
        func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try decoder.integer(member(key), as: type, at: path(key)) }
        func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try decoder.integer(member(key), as: type, at: path(key)) }
        func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try decoder.integer(member(key), as: type, at: path(key)) }
        func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try decoder.integer(member(key), as: type, at: path(key)) }

        func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
            try decoder.unwrap(member(key), as: type, at: path(key))
        }

        /// One lookup instead of the three the default implementations make.
        func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
            guard let value = members[key.stringValue] else { return nil }
            if case .null = value { return nil }
            return try decoder.unwrap(value, as: type, at: path(key))
        }

        func decodeIfPresent(_ type: Bool.Type, forKey key: Key) throws -> Bool? { try present(key) { try decoder.bool($0, at: path(key)) } }
        func decodeIfPresent(_ type: String.Type, forKey key: Key) throws -> String? { try present(key) { try decoder.string($0, at: path(key)) } }
        func decodeIfPresent(_ type: Double.Type, forKey key: Key) throws -> Double? { try present(key) { try decoder.double($0, at: path(key)) } }
        func decodeIfPresent(_ type: Int.Type, forKey key: Key) throws -> Int? { try present(key) { try decoder.integer($0, as: type, at: path(key)) } }
        func decodeIfPresent(_ type: Int64.Type, forKey key: Key) throws -> Int64? { try present(key) { try decoder.integer($0, as: type, at: path(key)) } }

        private func present<T>(_ key: Key, _ read: (JSONValue) throws -> T) rethrows -> T? {
            guard let value = members[key.stringValue] else { return nil }
            if case .null = value { return nil }
            return try read(value)
        }

        func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws
            -> KeyedDecodingContainer<NestedKey>
        {
            try JSONValueDecoder(member(key), path: path(key), context: decoder.context).container(keyedBy: type)
        }

        func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
            try JSONValueDecoder(member(key), path: path(key), context: decoder.context).unkeyedContainer()
        }

        func superDecoder() throws -> any Decoder { try superDecoder(named: SuperKey()) }

        func superDecoder(forKey key: Key) throws -> any Decoder { try superDecoder(named: key) }

        private func superDecoder(named key: some CodingKey) throws -> any Decoder {
            JSONValueDecoder(members[key.stringValue] ?? .null, path: CodingPathNode(key, parent: decoder.path), context: decoder.context)
        }
    }

    private struct Unkeyed: UnkeyedDecodingContainer {
        let elements: [JSONValue]
        let decoder: JSONValueDecoder
        private(set) var currentIndex = 0

        init(elements: [JSONValue], decoder: JSONValueDecoder) {
            self.elements = elements
            self.decoder = decoder
        }

        var codingPath: [any CodingKey] { decoder.codingPath }
        var count: Int? { elements.count }
        var isAtEnd: Bool { currentIndex >= elements.count }

        private mutating func next(_ type: Any.Type) throws -> (JSONValue, CodingPathNode) {
            let path = CodingPathNode(IndexKey(currentIndex), parent: decoder.path)
            guard !isAtEnd else {
                throw DecodingError.valueNotFound(type, .init(codingPath: path.keys, debugDescription: "Unkeyed container is at end."))
            }
            currentIndex += 1
            return (elements[currentIndex - 1], path)
        }

        mutating func decodeNil() throws -> Bool {
            guard !isAtEnd, case .null = elements[currentIndex] else { return false }
            currentIndex += 1
            return true
        }

        mutating func decode(_ type: Bool.Type) throws -> Bool { let (v, p) = try next(type); return try decoder.bool(v, at: p) }
        mutating func decode(_ type: String.Type) throws -> String { let (v, p) = try next(type); return try decoder.string(v, at: p) }
        mutating func decode(_ type: Double.Type) throws -> Double { let (v, p) = try next(type); return try decoder.double(v, at: p) }
        mutating func decode(_ type: Float.Type) throws -> Float { let (v, p) = try next(type); return Float(try decoder.double(v, at: p)) }
        mutating func decode(_ type: Int.Type) throws -> Int { try integer(type) }
        mutating func decode(_ type: Int64.Type) throws -> Int64 { try integer(type) }
        mutating func decode(_ type: Int8.Type) throws -> Int8 { try integer(type) }
        mutating func decode(_ type: Int16.Type) throws -> Int16 { try integer(type) }
        mutating func decode(_ type: Int32.Type) throws -> Int32 { try integer(type) }
        mutating func decode(_ type: UInt.Type) throws -> UInt { try integer(type) }
        mutating func decode(_ type: UInt8.Type) throws -> UInt8 { try integer(type) }
        mutating func decode(_ type: UInt16.Type) throws -> UInt16 { try integer(type) }
        mutating func decode(_ type: UInt32.Type) throws -> UInt32 { try integer(type) }
        mutating func decode(_ type: UInt64.Type) throws -> UInt64 { try integer(type) }

        private mutating func integer<T: FixedWidthInteger>(_ type: T.Type) throws -> T {
            let (value, path) = try next(type)
            return try decoder.integer(value, as: type, at: path)
        }

        mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
            let (value, path) = try next(type)
            return try decoder.unwrap(value, as: type, at: path)
        }

        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
            let (value, path) = try next([String: Any].self)
            return try JSONValueDecoder(value, path: path, context: decoder.context).container(keyedBy: type)
        }

        mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
            let (value, path) = try next([Any].self)
            return try JSONValueDecoder(value, path: path, context: decoder.context).unkeyedContainer()
        }

        mutating func superDecoder() throws -> any Decoder {
            let (value, path) = try next(Any.self)
            return JSONValueDecoder(value, path: path, context: decoder.context)
        }
    }

    private struct Single: SingleValueDecodingContainer {
        let decoder: JSONValueDecoder

        var codingPath: [any CodingKey] { decoder.codingPath }

        func decodeNil() -> Bool {
            if case .null = decoder.value { return true }
            return false
        }

        func decode(_ type: Bool.Type) throws -> Bool { try decoder.bool(decoder.value, at: decoder.path) }
        func decode(_ type: String.Type) throws -> String { try decoder.string(decoder.value, at: decoder.path) }
        func decode(_ type: Double.Type) throws -> Double { try decoder.double(decoder.value, at: decoder.path) }
        func decode(_ type: Float.Type) throws -> Float { Float(try decoder.double(decoder.value, at: decoder.path)) }
        func decode(_ type: Int.Type) throws -> Int { try integer(type) }
        func decode(_ type: Int64.Type) throws -> Int64 { try integer(type) }
        func decode(_ type: Int8.Type) throws -> Int8 { try integer(type) }
        func decode(_ type: Int16.Type) throws -> Int16 { try integer(type) }
        func decode(_ type: Int32.Type) throws -> Int32 { try integer(type) }
        func decode(_ type: UInt.Type) throws -> UInt { try integer(type) }
        func decode(_ type: UInt8.Type) throws -> UInt8 { try integer(type) }
        func decode(_ type: UInt16.Type) throws -> UInt16 { try integer(type) }
        func decode(_ type: UInt32.Type) throws -> UInt32 { try integer(type) }
        func decode(_ type: UInt64.Type) throws -> UInt64 { try integer(type) }

        private func integer<T: FixedWidthInteger>(_ type: T.Type) throws -> T {
            try decoder.integer(decoder.value, as: type, at: decoder.path)
        }

        func decode<T: Decodable>(_ type: T.Type) throws -> T { try decoder.unwrap(decoder.value, as: type, at: decoder.path) }
    }
}

/// A coding path as a chain from the innermost key outwards, so going one level deeper allocates one small node
/// instead of copying an array.
final class CodingPathNode {
    let key: any CodingKey
    let parent: CodingPathNode?

    init(_ key: any CodingKey, parent: CodingPathNode?) {
        self.key = key
        self.parent = parent
    }

    var keys: [any CodingKey] {
        var keys: [any CodingKey] = []
        var node: CodingPathNode? = self
        while let current = node {
            keys.append(current.key)
            node = current.parent
        }
        return keys.reversed()
    }
}

/// The position of an element in an array, in a coding path.
struct IndexKey: CodingKey {
    let intValue: Int?
    var stringValue: String { "Index \(intValue!)" }
    init(_ index: Int) { intValue = index }
    init?(stringValue: String) { nil }
    init?(intValue: Int) { self.intValue = intValue }
}

private struct SuperKey: CodingKey {
    var stringValue: String { "super" }
    var intValue: Int? { nil }
    init() {}
    init?(stringValue: String) { nil }
    init?(intValue: Int) { nil }
}

extension JSONValue {
    /// The kind of value, as decoding errors name it.
    var kind: String {
        switch self {
        case .null: "null"
        case .bool: "bool"
        case .integer, .number: "number"
        case .string: "a string"
        case .array: "an array"
        case .object: "a dictionary"
        }
    }
}
