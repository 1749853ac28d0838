import Foundation

/// An OpenAPI Overlay 1.0 document: actions, each naming nodes of the document with a JSONPath `target`, that
/// `update` them (objects merged, arrays appended to) or `remove` them, applied in order before the import reads the
/// document. Mistakes in an overlay are errors positioned in the overlay; a target that selects nothing is a warning.
struct Overlay {
    struct Action {
        var target: JSONPath
        var targetNode: YAMLNode
        var update: YAMLNode?
        var remove: Bool
    }

    var actions: [Action] = []
    var errors: [Diagnostic] = []

    /// Whether a file's name says it is an overlay: `NAME.overlay.yaml`, `.yml` or `.json`, or `overlay.yaml`.
    static func isOverlay(_ name: String) -> Bool {
        let lowered = (name as NSString).lastPathComponent.lowercased()
        return ["json", "yaml", "yml"].contains { lowered == "overlay.\($0)" || lowered.hasSuffix(".overlay.\($0)") }
    }

    init(_ root: YAMLNode) {
        guard let version = root["overlay"]?.string else {
            errors.append(Diagnostic("this is not an Overlay document: it has no 'overlay' version", at: SourceRange(root.location),
                                     hint: "an overlay starts with 'overlay: 1.0.0', then 'info' and 'actions'"))
            return
        }
        if !version.hasPrefix("1.") {
            errors.append(Diagnostic("Overlay \(version) is not read; version 1 is", at: SourceRange(root["overlay"]!.location)))
        }
        guard let list = root["actions"], case .sequence(let items) = list.kind else {
            errors.append(Diagnostic("an overlay needs a list of 'actions'", at: SourceRange(root.location)))
            return
        }
        for item in items {
            guard let targetNode = item["target"], let text = targetNode.string else {
                errors.append(Diagnostic("an action needs a 'target', a JSONPath", at: SourceRange(item.location)))
                continue
            }
            do {
                let target = try JSONPath(text)
                let remove = item["remove"]?.bool == true
                if !remove, item["update"] == nil {
                    errors.append(Diagnostic("an action needs an 'update' or 'remove: true'", at: SourceRange(item.location)))
                }
                actions.append(Action(target: target, targetNode: targetNode, update: item["update"], remove: remove))
            } catch let error as JSONPath.Failure {
                errors.append(Diagnostic("'\(text)' is not a JSONPath this reads: \(error.message)",
                                         at: SourceRange(targetNode.location, length: text.count + 2),
                                         hint: "targets are written as $.paths['/pets'].get or $..description"))
            } catch {
                errors.append(Diagnostic("'\(text)': \(error)", at: SourceRange(targetNode.location)))
            }
        }
    }

    /// `document` with every action applied in order; a target that selects nothing is reported to `unmatched`.
    func applied(to document: YAMLNode, unmatched: (YAMLNode) -> Void) -> YAMLNode {
        var document = document
        for action in actions {
            let paths = action.target.select(in: document)
            if paths.isEmpty { unmatched(action.targetNode) }
            // The last first, so removing an item does not move the others a later path names.
            for path in paths.reversed() {
                // Removing the whole document (`$`) leaves it as it is.
                document = Self.changing(document, at: path[...]) { node in
                    if action.remove { return nil }
                    guard let update = action.update else { return node }
                    return Self.merged(node, update)
                } ?? document
            }
        }
        return document
    }

    /// `node` with what `path` names replaced by `change` of it, or removed when `change` gives nil.
    private static func changing(_ node: YAMLNode, at path: ArraySlice<JSONPath.Key>, _ change: (YAMLNode) -> YAMLNode?) -> YAMLNode? {
        guard let key = path.first else { return change(node) }
        var node = node
        switch (node.kind, key) {
        case (.mapping(var pairs), .name(let name)):
            guard let index = pairs.firstIndex(where: { $0.key == name }) else { return node }
            if let changed = changing(pairs[index].value, at: path.dropFirst(), change) {
                pairs[index].value = changed
            } else {
                pairs.remove(at: index)
            }
            node.kind = .mapping(pairs)
        case (.sequence(var items), .index(let index)) where items.indices.contains(index):
            if let changed = changing(items[index], at: path.dropFirst(), change) {
                items[index] = changed
            } else {
                items.remove(at: index)
            }
            node.kind = .sequence(items)
        default: break
        }
        return node
    }

    /// Overlay 1.0's update: an object's members merged into the target's, recursively; an array's update appended
    /// to it as one more item; anything else replaced.
    static func merged(_ target: YAMLNode, _ update: YAMLNode) -> YAMLNode {
        var target = target
        switch (target.kind, update.kind) {
        case (.mapping(var pairs), .mapping(let updates)):
            for (key, value) in updates {
                if let index = pairs.firstIndex(where: { $0.key == key }) {
                    pairs[index].value = merged(pairs[index].value, value)
                } else {
                    pairs.append((key, value))
                }
            }
            target.kind = .mapping(pairs)
            return target
        case (.sequence(let items), _):
            target.kind = .sequence(items + [update])
            return target
        default:
            return update
        }
    }
}

/// The JSONPath (RFC 9535) that overlays write: `$`, `.name`, `['name']`, `[0]`, `[-1]`, `*`, `..` descent and
/// filters comparing a member with a literal (`[?@.in == 'query']`, `[?(@.deprecated)]`).
struct JSONPath {
    enum Key: Hashable {
        case name(String)
        case index(Int)
    }

    enum Selector {
        case name(String)
        case index(Int)
        case wildcard
        /// `@.path op literal`, or `@.path` alone for "exists".
        case filter(path: [String], comparison: (op: String, literal: YAMLNode.Kind)?)
    }

    struct Segment {
        var descendant: Bool
        var selectors: [Selector]
    }

    struct Failure: Error {
        var message: String
    }

    var segments: [Segment] = []

    init(_ text: String) throws {
        var scanner = Scanner(Array(text.unicodeScalars))
        guard scanner.take("$") else { throw Failure(message: "it must start with '$'") }
        while !scanner.atEnd {
            if scanner.take("..") {
                if scanner.peek == "[" {
                    segments.append(Segment(descendant: true, selectors: try scanner.bracket()))
                } else {
                    segments.append(Segment(descendant: true, selectors: [try scanner.member()]))
                }
            } else if scanner.take(".") {
                segments.append(Segment(descendant: false, selectors: [try scanner.member()]))
            } else if scanner.peek == "[" {
                segments.append(Segment(descendant: false, selectors: try scanner.bracket()))
            } else {
                throw Failure(message: "unexpected '\(scanner.peek.map(String.init) ?? "")' at character \(scanner.index + 1)")
            }
        }
    }

    /// The paths of the nodes this selects in `root`, in document order.
    func select(in root: YAMLNode) -> [[Key]] {
        var current: [([Key], YAMLNode)] = [([], root)]
        for segment in segments {
            var next: [([Key], YAMLNode)] = []
            for (path, node) in current {
                let candidates = segment.descendant ? Self.descendants(of: node, at: path) : [(path, node)]
                for (base, candidate) in candidates {
                    for selector in segment.selectors { next += Self.apply(selector, to: candidate, at: base) }
                }
            }
            current = next
        }
        var seen = Set<[Key]>()
        return current.map(\.0).filter { seen.insert($0).inserted }
    }

    /// `node` and every node below it, depth first.
    private static func descendants(of node: YAMLNode, at path: [Key]) -> [([Key], YAMLNode)] {
        var result: [([Key], YAMLNode)] = []
        var stack = [(path, node)]
        while let (path, node) = stack.popLast() {
            result.append((path, node))
            switch node.kind {
            case .scalar: break
            case .sequence(let items): stack += items.enumerated().reversed().map { (path + [.index($0.offset)], $0.element) }
            case .mapping(let pairs): stack += pairs.reversed().map { (path + [.name($0.key)], $0.value) }
            }
        }
        return result
    }

    private static func apply(_ selector: Selector, to node: YAMLNode, at path: [Key]) -> [([Key], YAMLNode)] {
        let children: [([Key], YAMLNode)] = switch node.kind {
        case .scalar: []
        case .sequence(let items): items.enumerated().map { (path + [.index($0.offset)], $0.element) }
        case .mapping(let pairs): pairs.map { (path + [.name($0.key)], $0.value) }
        }
        switch selector {
        case .name(let name): return children.filter { $0.0.last == .name(name) }
        case .index(let index):
            guard case .sequence(let items) = node.kind else { return [] }
            let position = index < 0 ? items.count + index : index
            return items.indices.contains(position) ? [(path + [.index(position)], items[position])] : []
        case .wildcard: return children
        case .filter(let memberPath, let comparison):
            return children.filter { _, child in
                var value: YAMLNode? = child
                for name in memberPath { value = value?[name] }
                // A missing member is unequal to every value, as RFC 9535 compares "nothing".
                guard let value else { return comparison?.op == "!=" }
                guard let (op, literal) = comparison else { return true }
                let equal = switch (value.kind, literal) {
                case (.scalar(let text, let plain), .scalar(let expected, let expectedPlain)):
                    text == expected && (plain == expectedPlain || !expectedPlain)
                default: false
                }
                return op == "==" ? equal : !equal
            }
        }
    }

    /// Reads a JSONPath's characters.
    private struct Scanner {
        let text: [Unicode.Scalar]
        var index = 0

        init(_ text: [Unicode.Scalar]) { self.text = text }

        var atEnd: Bool { index >= text.count }
        var peek: Unicode.Scalar? { index < text.count ? text[index] : nil }

        mutating func take(_ literal: String) -> Bool {
            let scalars = Array(literal.unicodeScalars)
            guard index + scalars.count <= text.count, Array(text[index..<index + scalars.count]) == scalars else { return false }
            index += scalars.count
            return true
        }

        mutating func skipSpaces() { while peek == " " { index += 1 } }

        /// `name` or `*` after a dot.
        mutating func member() throws -> Selector {
            if take("*") { return .wildcard }
            let name = identifier()
            guard !name.isEmpty else { throw Failure(message: "a name must follow '.' at character \(index + 1)") }
            return .name(name)
        }

        mutating func identifier() -> String {
            var name = ""
            while let scalar = peek, scalar == "_" || scalar == "-" || scalar == "$" || scalar.properties.isAlphabetic
                || ("0"..."9").contains(scalar) || scalar.value > 0x7F
            {
                name.unicodeScalars.append(scalar)
                index += 1
            }
            return name
        }

        /// `[...]`: names, indices, `*` or a filter, separated by commas.
        mutating func bracket() throws -> [Selector] {
            _ = take("[")
            var selectors: [Selector] = []
            repeat {
                skipSpaces()
                if take("*") {
                    selectors.append(.wildcard)
                } else if peek == "'" || peek == "\"" {
                    selectors.append(.name(try quoted()))
                } else if take("?") {
                    selectors.append(try filter())
                } else if let scalar = peek, scalar == "-" || ("0"..."9").contains(scalar) {
                    var digits = ""
                    while let scalar = peek, scalar == "-" || ("0"..."9").contains(scalar) { digits.unicodeScalars.append(scalar); index += 1 }
                    guard let number = Int(digits) else { throw Failure(message: "'\(digits)' is not an index") }
                    selectors.append(.index(number))
                } else {
                    throw Failure(message: "expected a name, an index, '*' or a filter at character \(index + 1)")
                }
                skipSpaces()
            } while take(",")
            guard take("]") else { throw Failure(message: "expected ']' at character \(index + 1)") }
            return selectors
        }

        mutating func quoted() throws -> String {
            let quote = peek!
            index += 1
            var text = ""
            while let scalar = peek, scalar != quote {
                index += 1
                if scalar == "\\", let escaped = peek {
                    index += 1
                    text.unicodeScalars.append(escaped == "n" ? "\n" : escaped == "t" ? "\t" : escaped)
                } else {
                    text.unicodeScalars.append(scalar)
                }
            }
            guard take(String(quote)) else { throw Failure(message: "a quoted name is not closed") }
            return text
        }

        /// `@.a.b == 'x'`, `@.a != 1`, `@.a`, each maybe in parentheses.
        mutating func filter() throws -> Selector {
            skipSpaces()
            let parenthesized = take("(")
            skipSpaces()
            guard take("@") else { throw Failure(message: "a filter starts with '@' at character \(index + 1)") }
            var path: [String] = []
            while true {
                if take(".") {
                    let name = identifier()
                    guard !name.isEmpty else { throw Failure(message: "a name must follow '.' at character \(index + 1)") }
                    path.append(name)
                } else if peek == "[", index + 1 < text.count, text[index + 1] == "'" || text[index + 1] == "\"" {
                    index += 1
                    path.append(try quoted())
                    guard take("]") else { throw Failure(message: "expected ']' at character \(index + 1)") }
                } else {
                    break
                }
            }
            skipSpaces()
            var comparison: (String, YAMLNode.Kind)?
            for op in ["==", "!="] where take(op) {
                skipSpaces()
                comparison = (op, try literal())
                break
            }
            skipSpaces()
            if parenthesized, !take(")") { throw Failure(message: "expected ')' at character \(index + 1)") }
            return .filter(path: path, comparison: comparison)
        }

        /// A string in quotes, or a number, `true`, `false` or `null` as a YAML scalar would hold it.
        mutating func literal() throws -> YAMLNode.Kind {
            if peek == "'" || peek == "\"" { return .scalar(try quoted(), plain: false) }
            var text = ""
            while let scalar = peek, scalar != ")", scalar != "]", scalar != " " { text.unicodeScalars.append(scalar); index += 1 }
            guard !text.isEmpty else { throw Failure(message: "a comparison needs a value at character \(index + 1)") }
            return .scalar(text, plain: true)
        }
    }
}
