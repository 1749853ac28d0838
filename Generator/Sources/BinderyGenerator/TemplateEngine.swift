import Foundation

/// A value a template can show: text, a flag, a list to repeat over, or an object with named members.
public indirect enum TemplateValue: Sendable {
    case text(String)
    case bool(Bool)
    case list([TemplateValue])
    case object([String: TemplateValue])

    /// Whether a section over this value renders (`{{#name}}`).
    var isTruthy: Bool {
        switch self {
        case .text(let text): !text.isEmpty
        case .bool(let flag): flag
        case .list(let items): !items.isEmpty
        case .object: true
        }
    }
}

extension TemplateValue: ExpressibleByStringLiteral, ExpressibleByBooleanLiteral, ExpressibleByArrayLiteral,
    ExpressibleByDictionaryLiteral
{
    public init(stringLiteral value: String) { self = .text(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(arrayLiteral elements: TemplateValue...) { self = .list(elements) }
    public init(dictionaryLiteral elements: (String, TemplateValue)...) {
        self = .object(Dictionary(elements, uniquingKeysWith: { _, last in last }))
    }
}

extension TemplateValue {
    /// A view as a template value, by reflection: a struct is an object of its stored properties, an array a list,
    /// a String text, a Bool a flag, and an optional its value, or `false` when nil, so a template can test it.
    public init(reflecting view: Any) {
        switch view {
        case let text as String: self = .text(text)
        case let flag as Bool: self = .bool(flag)
        case let value as TemplateValue: self = value
        default:
            let mirror = Mirror(reflecting: view)
            switch mirror.displayStyle {
            case .optional:
                self = mirror.children.first.map { TemplateValue(reflecting: $0.value) } ?? .bool(false)
            case .collection:
                self = .list(mirror.children.map { TemplateValue(reflecting: $0.value) })
            default:
                var members: [String: TemplateValue] = [:]
                for child in mirror.children {
                    if let label = child.label { members[label] = TemplateValue(reflecting: child.value) }
                }
                self = .object(members)
            }
        }
    }
}

/// A small logic-less template language, a subset of Mustache:
/// `{{name}}` and `{{a.b}}` insert text, `{{.}}` the current item; `{{#name}}…{{/name}}` repeats over a list or shows
/// when truthy, `{{^name}}…{{/name}}` shows when not; inside a list, `@first` and `@last` say where the item stands;
/// `{{> partial}}` inserts another template indented like the tag's line, and when the tag shares its line with
/// other text, inline, from its second line on, and without its final line break; `{{! comment }}` is dropped. A line
/// holding only a section, partial or comment tag leaves no blank line. A name that has no value is an error, so a
/// misspelled name cannot silently drop code.
public struct TemplateEngine: Sendable {
    indirect enum Node: Sendable {
        case text(String)
        case variable(String)
        case section(String, inverted: Bool, [Node])
        /// `inline` when the tag shares its line with other text; `indent` is that line's leading spaces.
        case partial(String, indent: String, inline: Bool)
    }

    public struct TemplateError: Error, CustomStringConvertible {
        public var description: String
    }

    private var templates: [String: [Node]] = [:]

    public init() {}

    /// Adds a template under `name`, to be rendered or used as a partial.
    public mutating func register(_ name: String, source: String) throws {
        templates[name] = try Self.parse(source, name: name)
    }

    public func render(_ name: String, _ context: TemplateValue) throws -> String {
        guard let nodes = templates[name] else { throw TemplateError(description: "no template named '\(name)'") }
        var output = ""
        try render(nodes, stack: [context], into: &output)
        return output
    }

    private func render(_ nodes: [Node], stack: [TemplateValue], into output: inout String) throws {
        for node in nodes {
            switch node {
            case .text(let text):
                output += text
            case .variable(let name):
                switch lookup(name, in: stack) {
                case .text(let text)?: output += text
                case .bool(let flag)?: output += flag ? "true" : "false"
                case nil: throw TemplateError(description: "template variable '\(name)' has no value")
                default: throw TemplateError(description: "template variable '\(name)' is not text")
                }
            case .section(let name, let inverted, let children):
                guard let value = lookup(name, in: stack) else {
                    throw TemplateError(description: "template section '\(name)' has no value")
                }
                if inverted {
                    if !value.isTruthy { try render(children, stack: stack, into: &output) }
                } else if case .list(let items) = value {
                    for (index, item) in items.enumerated() {
                        let position: TemplateValue = ["@first": .bool(index == 0), "@last": .bool(index == items.count - 1)]
                        try render(children, stack: stack + [position, item], into: &output)
                    }
                } else if value.isTruthy {
                    try render(children, stack: stack + [value], into: &output)
                }
            case .partial(let name, let indent, let inline):
                guard let nodes = templates[name] else { throw TemplateError(description: "no partial named '\(name)'") }
                var text = ""
                try render(nodes, stack: stack, into: &text)
                if inline, text.hasSuffix("\n") { text.removeLast() }
                output += text.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
                    .map { $1.isEmpty || (inline && $0 == 0) ? String($1) : indent + $1 }.joined(separator: "\n")
            }
        }
    }

    private func lookup(_ name: String, in stack: [TemplateValue]) -> TemplateValue? {
        if name == "." { return stack.last }
        let parts = name.split(separator: ".").map(String.init)
        for frame in stack.reversed() {
            guard case .object(let members) = frame, var value = members[parts[0]] else { continue }
            for part in parts.dropFirst() {
                guard case .object(let inner) = value, let next = inner[part] else { return nil }
                value = next
            }
            return value
        }
        return nil
    }

    /// Parses a template, removing lines that hold nothing but a standalone tag.
    static func parse(_ source: String, name: String) throws -> [Node] {
        var stack: [(name: String, inverted: Bool, nodes: [Node])] = [("", false, [])]
        var text = Substring(source)
        while let open = text.range(of: "{{") {
            guard let close = text.range(of: "}}", range: open.upperBound..<text.endIndex) else {
                throw TemplateError(description: "\(name): '{{' is never closed")
            }
            let tag = text[open.upperBound..<close.lowerBound].trimmingCharacters(in: .whitespaces)
            var before = text[..<open.lowerBound]
            var after = text[close.upperBound...]
            let sigil = tag.first
            var indent = ""
            var inline = true
            if let sigil, "#^/>!".contains(sigil) {
                // Standalone: nothing but spaces on the whole source line besides this tag.
                let lineStart = source[..<open.lowerBound].lastIndex(of: "\n").map(source.index(after:)) ?? source.startIndex
                let lineEnd = source[close.upperBound...].firstIndex(of: "\n")
                let leading = source[lineStart..<open.lowerBound]
                let trailing = source[close.upperBound..<(lineEnd ?? source.endIndex)]
                indent = String(leading.prefix { $0 == " " })
                if leading.allSatisfy({ $0 == " " }), trailing.allSatisfy({ $0 == " " }) {
                    inline = false
                    before = before.dropLast(leading.count)
                    after = lineEnd.map { source[source.index(after: $0)...] } ?? source[source.endIndex...]
                }
            }
            if !before.isEmpty { stack[stack.count - 1].nodes.append(.text(String(before))) }
            let body = tag.dropFirst().trimmingCharacters(in: .whitespaces)
            switch sigil {
            case "#", "^":
                stack.append((body, sigil == "^", []))
            case "/":
                guard stack.count > 1, stack.last!.name == body else {
                    throw TemplateError(description: "\(name): '{{/\(body)}}' closes a section that is not open")
                }
                let section = stack.removeLast()
                stack[stack.count - 1].nodes.append(.section(section.name, inverted: section.inverted, section.nodes))
            case ">":
                stack[stack.count - 1].nodes.append(.partial(body, indent: indent, inline: inline))
            case "!":
                break
            default:
                stack[stack.count - 1].nodes.append(.variable(tag))
            }
            text = after
        }
        if !text.isEmpty { stack[stack.count - 1].nodes.append(.text(String(text))) }
        guard stack.count == 1 else {
            throw TemplateError(description: "\(name): section '\(stack.last!.name)' is never closed")
        }
        return stack[0].nodes
    }
}
