import Foundation

/// Decodes `Decodable` values straight from a `JSONDocument`'s entries, as `JSONDecoder` would from the same text,
/// with the same errors and coding paths. A `JSONValue` inside a model is built from its entries once, without
/// guessing at its kind; a decoder is a position in the document, and its coding path is worked out only when an
/// error or a caller asks for it.
struct JSONDocumentDecoder: Decoder {
    let document: JSONDocument
    /// The entry of the value this decoder reads.
    let index: Int
    /// The path of a value the text does not have (`document.absent`), which no entry can tell.
    private let absentPath: [any CodingKey]?

    init(_ document: JSONDocument, at index: Int, absentPath: [any CodingKey]? = nil) {
        self.document = document
        self.index = index
        self.absentPath = absentPath
    }

    static func decode<T: Decodable>(_ type: T.Type, from data: Data, dateFormat: DateFormat, userInfo: [CodingUserInfoKey: Any]) throws -> T {
        try JSONDocumentDecoder(JSONDocument(data, dateFormat: dateFormat, userInfo: userInfo), at: 0).unwrap(0, as: type)
    }

    /// `decoder`, when it is one of these: told by comparing its type, which costs a fraction of a dynamic cast.
    static func itself<D: Decoder>(_ decoder: D) -> JSONDocumentDecoder? {
        D.self == JSONDocumentDecoder.self ? unsafeBitCast(decoder, to: JSONDocumentDecoder.self) : nil
    }

    var codingPath: [any CodingKey] { absentPath ?? document.path(to: index) }
    var userInfo: [CodingUserInfoKey: Any] { document.userInfo }

    private var entry: JSONDocument.Entry { document.entries[index] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        KeyedDecodingContainer(try keyed(by: type))
    }

    func keyed<Key: CodingKey>(by type: Key.Type) throws -> Keyed<Key> {
        guard entry.kind == .object else { throw mismatch([String: Any].self, index) }
        return Keyed(decoder: self)
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        guard entry.kind == .array else { throw mismatch([Any].self, index) }
        return Unkeyed(decoder: self)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer { Single(decoder: self) }
}

extension JSONDocumentDecoder {
    // MARK: Values

    /// The value at `index` as a `T`: the runtime's own types directly, anything else by its `init(from:)`.
    func unwrap<T: Decodable>(_ index: Int, as type: T.Type) throws -> T {
        // Each check compares two type pointers; the casts after one that held cannot fail.
        if T.self == JSONValue.self { return unsafeBitCast(document.value(at: index), to: T.self) }
        if T.self == String.self { return unsafeBitCast(try string(index), to: T.self) }
        if T.self == Int.self { return unsafeBitCast(try integer(index, as: Int.self), to: T.self) }
        if T.self == Double.self { return unsafeBitCast(try double(index), to: T.self) }
        if T.self == Bool.self { return unsafeBitCast(try bool(index), to: T.self) }
        if T.self == Date.self { return unsafeBitCast(try date(index), to: T.self) }
        if T.self == URL.self {
            let text = try string(index)
            guard let url = URL(string: text) else { throw corrupted("'\(text)' is not a valid URL", index) }
            return unsafeBitCast(url, to: T.self)
        }
        return try T(from: JSONDocumentDecoder(document, at: index, absentPath: index == document.absent ? absentPath : nil))
    }

    /// The array at `index` as `[Element]`, its elements read where they are rather than through an unkeyed container.
    func array<Element: Decodable>(_ index: Int, of type: Element.Type) throws -> [Element] {
        let entry = document.entries[index]
        // Anything else takes the general path, for the same errors.
        guard entry.kind == .array else { return try unwrap(index, as: [Element].self) }
        // An empty array is a shared constant; a new one needs its type's metadata, looked up at some cost.
        guard entry.count > 0 else { return [] }
        var elements: [Element] = []
        elements.reserveCapacity(entry.count)
        var element = index + 1
        for _ in 0..<entry.count {
            elements.append(try unwrap(element, as: type))
            element = document.after(element)
        }
        return elements
    }

    func string(_ index: Int) throws -> String {
        switch document.entries[index].kind {
        case .string, .escapedString: return document.string(at: index)
        default: throw mismatch(String.self, index)
        }
    }

    func bool(_ index: Int) throws -> Bool {
        switch document.entries[index].kind {
        case .true: return true
        case .false: return false
        default: throw mismatch(Bool.self, index)
        }
    }

    func double(_ index: Int) throws -> Double {
        let entry = document.entries[index]
        switch entry.kind {
        case .integer: return Double(entry.integer)
        case .number: return entry.number
        default: throw mismatch(Double.self, index)
        }
    }

    func integer<T: FixedWidthInteger>(_ index: Int, as type: T.Type) throws -> T {
        let entry = document.entries[index]
        switch entry.kind {
        case .integer:
            guard let exact = T(exactly: entry.integer) else { throw corrupted("\(entry.integer) does not fit in \(T.self)", index) }
            return exact
        case .number:
            guard let exact = T(exactly: entry.number) else { throw corrupted("\(entry.number) does not fit in \(T.self)", index) }
            return exact
        default:
            throw mismatch(T.self, index)
        }
    }

    private func date(_ index: Int) throws -> Date {
        switch document.dateFormat {
        case .iso8601:
            let text = try string(index)
            guard let date = ISO8601.parse(text) else { throw corrupted("'\(text)' is not an ISO 8601 date-time", index) }
            return date
        case .secondsSince1970: return Date(timeIntervalSince1970: try double(index))
        case .millisecondsSince1970: return Date(timeIntervalSince1970: try double(index) / 1000)
        }
    }

    // MARK: Errors, worded as JSONDecoder words them

    private func path(to index: Int) -> [any CodingKey] {
        index == document.absent ? absentPath ?? [] : document.path(to: index)
    }

    func mismatch(_ expected: Any.Type, _ index: Int) -> DecodingError {
        let found: String
        switch document.entries[index].kind {
        case .null:
            return .valueNotFound(
                expected, .init(codingPath: path(to: index), debugDescription: "Expected \(expected) value but found null instead."))
        case .false, .true: found = "bool"
        case .integer, .number: found = "number"
        case .string, .escapedString: found = "a string"
        case .array: found = "an array"
        case .object: found = "a dictionary"
        }
        return .typeMismatch(
            expected, .init(codingPath: path(to: index), debugDescription: "Expected to decode \(expected) but found \(found) instead."))
    }

    private func corrupted(_ description: String, _ index: Int) -> DecodingError {
        .dataCorrupted(.init(codingPath: path(to: index), debugDescription: description))
    }

    // MARK: Containers

    struct Keyed<Key: CodingKey>: KeyedDecodingContainerProtocol {
        let decoder: JSONDocumentDecoder
        /// The members' entries by name, for objects too large to search by comparing names.
        private let names: [String: Int]?

        init(decoder: JSONDocumentDecoder) {
            self.decoder = decoder
            let large = decoder.document.entries[decoder.index].count > JSONDocument.membersFoundByComparing
            names = large ? decoder.document.members(of: decoder.index) : nil
        }

        var codingPath: [any CodingKey] { decoder.codingPath }
        var allKeys: [Key] {
            (names ?? decoder.document.members(of: decoder.index)).keys.compactMap { Key(stringValue: $0) }
        }

        func contains(_ key: Key) -> Bool { member(key.stringValue) != nil }

        private func member(_ name: String) -> Int? {
            if let names { return names[name] }
            return decoder.document.member(name, of: decoder.index)
        }

        private func value(_ key: Key) throws -> Int {
            guard let index = member(key.stringValue) else {
                throw DecodingError.keyNotFound(
                    key, .init(codingPath: codingPath, debugDescription: "No value associated with key \(key.stringValue)."))
            }
            return index
        }

        func decodeNil(forKey key: Key) throws -> Bool { decoder.document.entries[try value(key)].kind == .null }

        func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try decoder.bool(value(key)) }
        func decode(_ type: String.Type, forKey key: Key) throws -> String { try decoder.string(value(key)) }
        func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try decoder.double(value(key)) }
        func decode(_ type: Float.Type, forKey key: Key) throws -> Float { Float(try decoder.double(value(key))) }
        func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try decoder.integer(value(key), as: type) }
        func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try decoder.integer(value(key), as: type) }
        func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try decoder.integer(value(key), as: type) }
        func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try decoder.integer(value(key), as: type) }
        func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try decoder.integer(value(key), as: type) }
        func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try decoder.integer(value(key), as: type) }
        func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try decoder.integer(value(key), as: type) }
        func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try decoder.integer(value(key), as: type) }
        func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try decoder.integer(value(key), as: type) }
        func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try decoder.integer(value(key), as: type) }

        func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T { try decoder.unwrap(value(key), as: type) }

        /// One lookup instead of the three the default implementations make.
        func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
            guard let index = present(key) else { return nil }
            return try decoder.unwrap(index, as: type)
        }

        func decodeIfPresent(_ type: Bool.Type, forKey key: Key) throws -> Bool? {
            guard let index = present(key) else { return nil }
            return try decoder.bool(index)
        }

        func decodeIfPresent(_ type: String.Type, forKey key: Key) throws -> String? {
            guard let index = present(key) else { return nil }
            return try decoder.string(index)
        }

        func decodeIfPresent(_ type: Double.Type, forKey key: Key) throws -> Double? {
            guard let index = present(key) else { return nil }
            return try decoder.double(index)
        }

        func decodeIfPresent(_ type: Int.Type, forKey key: Key) throws -> Int? {
            guard let index = present(key) else { return nil }
            return try decoder.integer(index, as: type)
        }

        func decodeIfPresent(_ type: Int64.Type, forKey key: Key) throws -> Int64? {
            guard let index = present(key) else { return nil }
            return try decoder.integer(index, as: type)
        }

        func decodeArray<Element: Decodable>(of type: Element.Type, forKey key: Key) throws -> [Element] {
            try decoder.array(value(key), of: type)
        }

        func decodeArrayIfPresent<Element: Decodable>(of type: Element.Type, forKey key: Key) throws -> [Element]? {
            guard let index = present(key) else { return nil }
            return try decoder.array(index, of: type)
        }

        /// The entry of the member named `key`, unless it is absent or null.
        private func present(_ key: Key) -> Int? {
            guard let index = member(key.stringValue), decoder.document.entries[index].kind != .null else { return nil }
            return index
        }

        func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws
            -> KeyedDecodingContainer<NestedKey>
        {
            try JSONDocumentDecoder(decoder.document, at: value(key)).container(keyedBy: type)
        }

        func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
            try JSONDocumentDecoder(decoder.document, at: value(key)).unkeyedContainer()
        }

        func superDecoder() throws -> any Decoder { superDecoder(named: SuperKey()) }

        func superDecoder(forKey key: Key) throws -> any Decoder { superDecoder(named: key) }

        /// A decoder of the member named `key`; of null, as JSONDecoder's, when there is none.
        private func superDecoder(named key: some CodingKey) -> any Decoder {
            guard let index = member(key.stringValue) else {
                return JSONDocumentDecoder(decoder.document, at: decoder.document.absent, absentPath: codingPath + [key])
            }
            return JSONDocumentDecoder(decoder.document, at: index)
        }
    }

    fileprivate struct Unkeyed: UnkeyedDecodingContainer {
        let decoder: JSONDocumentDecoder
        private(set) var currentIndex = 0
        /// The entry of the element at `currentIndex`.
        private var element: Int

        init(decoder: JSONDocumentDecoder) {
            self.decoder = decoder
            element = decoder.index + 1
        }

        var codingPath: [any CodingKey] { decoder.codingPath }
        var count: Int? { decoder.document.entries[decoder.index].count }
        var isAtEnd: Bool { currentIndex >= count! }

        private mutating func next(_ type: Any.Type) throws -> Int {
            guard !isAtEnd else {
                throw DecodingError.valueNotFound(
                    type, .init(codingPath: codingPath + [IndexKey(currentIndex)], debugDescription: "Unkeyed container is at end."))
            }
            defer {
                currentIndex += 1
                element = decoder.document.after(element)
            }
            return element
        }

        mutating func decodeNil() throws -> Bool {
            guard !isAtEnd, decoder.document.entries[element].kind == .null else { return false }
            _ = try next(Never.self)
            return true
        }

        mutating func decode(_ type: Bool.Type) throws -> Bool { try decoder.bool(next(type)) }
        mutating func decode(_ type: String.Type) throws -> String { try decoder.string(next(type)) }
        mutating func decode(_ type: Double.Type) throws -> Double { try decoder.double(next(type)) }
        mutating func decode(_ type: Float.Type) throws -> Float { Float(try decoder.double(next(type))) }
        mutating func decode(_ type: Int.Type) throws -> Int { try decoder.integer(next(type), as: type) }
        mutating func decode(_ type: Int64.Type) throws -> Int64 { try decoder.integer(next(type), as: type) }
        mutating func decode(_ type: Int8.Type) throws -> Int8 { try decoder.integer(next(type), as: type) }
        mutating func decode(_ type: Int16.Type) throws -> Int16 { try decoder.integer(next(type), as: type) }
        mutating func decode(_ type: Int32.Type) throws -> Int32 { try decoder.integer(next(type), as: type) }
        mutating func decode(_ type: UInt.Type) throws -> UInt { try decoder.integer(next(type), as: type) }
        mutating func decode(_ type: UInt8.Type) throws -> UInt8 { try decoder.integer(next(type), as: type) }
        mutating func decode(_ type: UInt16.Type) throws -> UInt16 { try decoder.integer(next(type), as: type) }
        mutating func decode(_ type: UInt32.Type) throws -> UInt32 { try decoder.integer(next(type), as: type) }
        mutating func decode(_ type: UInt64.Type) throws -> UInt64 { try decoder.integer(next(type), as: type) }

        mutating func decode<T: Decodable>(_ type: T.Type) throws -> T { try decoder.unwrap(next(type), as: type) }

        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
            try JSONDocumentDecoder(decoder.document, at: next([String: Any].self)).container(keyedBy: type)
        }

        mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
            try JSONDocumentDecoder(decoder.document, at: next([Any].self)).unkeyedContainer()
        }

        mutating func superDecoder() throws -> any Decoder { JSONDocumentDecoder(decoder.document, at: try next(Any.self)) }
    }

    fileprivate struct Single: SingleValueDecodingContainer {
        let decoder: JSONDocumentDecoder

        var codingPath: [any CodingKey] { decoder.codingPath }

        func decodeNil() -> Bool { decoder.document.entries[decoder.index].kind == .null }

        func decode(_ type: Bool.Type) throws -> Bool { try decoder.bool(decoder.index) }
        func decode(_ type: String.Type) throws -> String { try decoder.string(decoder.index) }
        func decode(_ type: Double.Type) throws -> Double { try decoder.double(decoder.index) }
        func decode(_ type: Float.Type) throws -> Float { Float(try decoder.double(decoder.index)) }
        func decode(_ type: Int.Type) throws -> Int { try decoder.integer(decoder.index, as: type) }
        func decode(_ type: Int64.Type) throws -> Int64 { try decoder.integer(decoder.index, as: type) }
        func decode(_ type: Int8.Type) throws -> Int8 { try decoder.integer(decoder.index, as: type) }
        func decode(_ type: Int16.Type) throws -> Int16 { try decoder.integer(decoder.index, as: type) }
        func decode(_ type: Int32.Type) throws -> Int32 { try decoder.integer(decoder.index, as: type) }
        func decode(_ type: UInt.Type) throws -> UInt { try decoder.integer(decoder.index, as: type) }
        func decode(_ type: UInt8.Type) throws -> UInt8 { try decoder.integer(decoder.index, as: type) }
        func decode(_ type: UInt16.Type) throws -> UInt16 { try decoder.integer(decoder.index, as: type) }
        func decode(_ type: UInt32.Type) throws -> UInt32 { try decoder.integer(decoder.index, as: type) }
        func decode(_ type: UInt64.Type) throws -> UInt64 { try decoder.integer(decoder.index, as: type) }

        func decode<T: Decodable>(_ type: T.Type) throws -> T { try decoder.unwrap(decoder.index, as: type) }
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
