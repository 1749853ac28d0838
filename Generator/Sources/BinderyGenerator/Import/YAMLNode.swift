import Foundation

/// A node of a YAML (or JSON) document, with where it starts, so an importer can point at what it could not use.
public struct YAMLNode: Sendable {
    public enum Kind: Sendable {
        /// A scalar as written; `plain` when unquoted, so `true`, `12` and `null` can be told from `"true"`.
        case scalar(String, plain: Bool)
        case sequence([YAMLNode])
        /// Key–value pairs in document order; keys are unique.
        case mapping([(key: String, value: YAMLNode)])
    }

    public var kind: Kind {
        didSet { keyIndex = Self.keyIndex(of: kind) }
    }
    public var location: SourceLocation
    /// Where each key of a large mapping stands, so that looking one up among thousands of schemas or paths does not
    /// read them all.
    private var keyIndex: [String: Int]?

    public init(_ kind: Kind, at location: SourceLocation) {
        self.kind = kind
        self.location = location
        keyIndex = Self.keyIndex(of: kind)
    }

    private static func keyIndex(of kind: Kind) -> [String: Int]? {
        guard case .mapping(let pairs) = kind, pairs.count > 8 else { return nil }
        return Dictionary(pairs.enumerated().map { ($1.key, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// The value under `key` of a mapping.
    public subscript(key: String) -> YAMLNode? {
        guard case .mapping(let pairs) = kind else { return nil }
        if let keyIndex { return keyIndex[key].map { pairs[$0].value } }
        return pairs.first { $0.key == key }?.value
    }

    /// The pairs of a mapping; empty for anything else.
    public var pairs: [(key: String, value: YAMLNode)] {
        if case .mapping(let pairs) = kind { return pairs }
        return []
    }

    /// The items of a sequence; empty for anything else.
    public var items: [YAMLNode] {
        if case .sequence(let items) = kind { return items }
        return []
    }

    public var isMapping: Bool { if case .mapping = kind { true } else { false } }

    /// A scalar's text, unless it is null.
    public var string: String? {
        guard case .scalar(let text, let plain) = kind, !(plain && Self.nulls.contains(text)) else { return nil }
        return text
    }

    /// YAML 1.2's core schema: an unquoted `null`, `~` or nothing.
    public var isNull: Bool {
        if case .scalar(let text, true) = kind { return Self.nulls.contains(text) }
        return false
    }

    public var bool: Bool? {
        guard case .scalar(let text, true) = kind else { return nil }
        switch text {
        case "true", "True", "TRUE": return true
        case "false", "False", "FALSE": return false
        default: return nil
        }
    }

    /// An unquoted number's text as written (`12`, `-0.5`, `1e3`).
    public var number: String? {
        guard case .scalar(let text, true) = kind, Double(text) != nil, !text.hasPrefix("+"),
            text.first?.isNumber == true || text.first == "-"
        else { return nil }
        return text
    }

    private static let nulls: Set<String> = ["", "~", "null", "Null", "NULL"]

    /// The node a JSON pointer (`/components/schemas/Pet`, without its `#`) names within this one.
    public func resolve(pointer: String) -> YAMLNode? {
        var node = self
        for token in pointer.split(separator: "/", omittingEmptySubsequences: false).dropFirst() {
            let key = token.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
            if let child = node[key] {
                node = child
            } else if let index = Int(key), index >= 0, index < node.items.count {
                node = node.items[index]
            } else {
                return nil
            }
        }
        return node
    }
}
