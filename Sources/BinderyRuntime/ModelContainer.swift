/// A member's name in a JSON object, as a coding key: generated models read and write their fields by their wire
/// names (`forKey: "created_at"`), with no `CodingKeys` enum of their own, whose synthesized conformances are much
/// of what a model costs to compile.
public struct WireKey: CodingKey, ExpressibleByStringLiteral, Hashable, Sendable {
    public var stringValue: String
    public var intValue: Int? { nil }

    /// The key for the wire name `name`.
    public init(_ name: String) { stringValue = name }
    public init(stringLiteral name: String) { stringValue = name }
    public init?(stringValue: String) { self.stringValue = stringValue }
    public init?(intValue: Int) { nil }
}

/// The members of a generated model's JSON object, as its `init(from:)` reads them. Under the runtime's own decoder it
/// reads the parsed document directly: no container box to allocate and no dynamic dispatch per field, which is most
/// of what decoding a page of models costs through `KeyedDecodingContainer`. Under any other decoder (a caller's
/// `JSONDecoder`) it is that decoder's keyed container, with the same results and errors.
public struct ModelContainer<Key: CodingKey> {
    /// The object's members in the runtime's own document, or nil under another decoder.
    private let members: JSONDocumentDecoder.Keyed<Key>?
    /// Another decoder's container, or nil under the runtime's own.
    private let other: Container?

    /// Held by reference so this struct's layout does not depend on `Key`: generic code then moves it without asking
    /// the runtime for its type's metadata.
    private final class Container {
        let keyed: KeyedDecodingContainer<Key>
        init(_ keyed: KeyedDecodingContainer<Key>) { self.keyed = keyed }
    }

    /// The members of the object `decoder` holds, keyed by `type`.
    public init(_ decoder: any Decoder, keyedBy type: Key.Type) throws {
        if let decoder = JSONDocumentDecoder.itself(decoder) {
            (members, other) = (try decoder.keyed(by: type), nil)
        } else {
            (members, other) = (nil, Container(try decoder.container(keyedBy: type)))
        }
    }

    /// The value of a required field; a typed decoding error names the field's key path when it is missing or wrong.
    public func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        if let other { return try other.keyed.decode(type, forKey: key) }
        return try members.unsafelyUnwrapped.decode(type, forKey: key)
    }

    /// The value of an optional field; nil when it is missing or null.
    public func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
        if let other { return try other.keyed.decodeIfPresent(type, forKey: key) }
        return try members.unsafelyUnwrapped.decodeIfPresent(type, forKey: key)
    }

    /// Arrays are read element by element in place, not through an unkeyed container.
    public func decode<Element: Decodable>(_ type: [Element].Type, forKey key: Key) throws -> [Element] {
        if let other { return try other.keyed.decode(type, forKey: key) }
        return try members.unsafelyUnwrapped.decodeArray(of: Element.self, forKey: key)
    }

    /// An optional array field; nil when it is missing or null.
    public func decodeIfPresent<Element: Decodable>(_ type: [Element].Type, forKey key: Key) throws -> [Element]? {
        if let other { return try other.keyed.decodeIfPresent(type, forKey: key) }
        return try members.unsafelyUnwrapped.decodeArrayIfPresent(of: Element.self, forKey: key)
    }
}
