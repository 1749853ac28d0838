import Foundation

/// Decoding for enums whose case is chosen by the JSON's shape (a string, an array, an object with certain keys).
@_spi(Generated) public enum UntaggedUnion {
    /// Whether an object's members include every one of `keys`: how objects of different models are told apart.
    public static func members(_ members: [String: JSONValue], contain keys: [String]) -> Bool {
        keys.allSatisfy { members[$0] != nil }
    }
}

/// Coding for enums whose case is chosen by a discriminator field in the same JSON object
/// (`{"kind": "basic", ...}`). Generated unions call these so their own code stays a plain switch.
@_spi(Generated) public enum TaggedUnion {
    /// The discriminator's value, or nil when the field is missing or not a string.
    public static func discriminator(_ field: String, in decoder: any Decoder) throws -> String? {
        let container = try decoder.container(keyedBy: WireKey.self)
        return try? container.decodeIfPresent(String.self, forKey: WireKey(field))
    }

    /// Encodes `value`'s fields together with the discriminator.
    public static func encode(
        _ value: some Encodable, as tag: String, discriminator field: String, to encoder: any Encoder
    ) throws {
        try value.encode(to: encoder)
        var container = encoder.container(keyedBy: WireKey.self)
        try container.encode(tag, forKey: WireKey(field))
    }
}
