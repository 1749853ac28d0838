import Foundation

/// Coding for enums whose case is chosen by a discriminator field in the same JSON object
/// (`{"kind": "basic", ...}`). Generated unions call these so their own code stays a plain switch.
public enum TaggedUnion {
    /// The discriminator's value, or nil when the field is missing or not a string.
    public static func discriminator(_ field: String, in decoder: any Decoder) throws -> String? {
        let container = try decoder.container(keyedBy: AnyKey.self)
        return try? container.decodeIfPresent(String.self, forKey: AnyKey(field))
    }

    /// Encodes `value`'s fields together with the discriminator.
    public static func encode(
        _ value: some Encodable, as tag: String, discriminator field: String, to encoder: any Encoder
    ) throws {
        try value.encode(to: encoder)
        var container = encoder.container(keyedBy: AnyKey.self)
        try container.encode(tag, forKey: AnyKey(field))
    }
}
