import Foundation

/// Reads a YAML 1.2 document as OpenAPI documents use YAML (JSON is YAML too): block and flow collections, plain,
/// quoted, literal and folded scalars over several lines, anchors and aliases (with `<<` merge keys), comments,
/// directives, tags (read and dropped) and one document. Anything else is an error with its line and column.
public struct YAMLReader {
    private let text: [Unicode.Scalar]
    private var position = Position()
    private var anchors: [String: YAMLNode] = [:]
    /// How deep the collection being read is nested.
    private var depth = 0
    /// How many more nodes aliases may add to the document: each alias adds a copy of its anchor's nodes.
    private var aliasBudget: Int

    /// Collections nest at most this deep, aliases included: deeper input is an error, not a stack overflow.
    public static let maxDepth = 200
    /// Aliases may add at most this many nodes, plus four for every character of the document: a few lines of
    /// aliases of aliases (a "billion laughs") would otherwise stand for billions of nodes.
    public static let aliasAllowance = 1_000_000

    private struct Position {
        var index = 0
        var line = 1
        var column = 1
    }

    private struct Failure: Error {
        var diagnostic: Diagnostic
    }

    /// The document in `source`, or `SpecErrors` naming `file` and the first problem's position.
    public static func read(_ source: String, file: String) throws -> YAMLNode {
        let source = SpecSource.normalized(source)
        var reader = YAMLReader(text: Array(source.unicodeScalars))
        do {
            return try reader.document()
        } catch let failure as Failure {
            throw SpecErrors(file: file, source: source, diagnostics: [failure.diagnostic])
        }
    }

    private init(text: [Unicode.Scalar]) {
        self.text = text
        aliasBudget = Self.aliasAllowance + 4 * text.count
    }

    /// One level deeper for the collection `read` reads, or an error past `maxDepth`.
    private mutating func nested(_ read: (inout YAMLReader) throws -> YAMLNode) throws -> YAMLNode {
        guard depth < Self.maxDepth else {
            throw failure("collections nest more than \(Self.maxDepth) levels deep here", hint: "no OpenAPI document needs more")
        }
        depth += 1
        defer { depth -= 1 }
        return try read(&self)
    }

    // MARK: Documents

    private mutating func document() throws -> YAMLNode {
        try skipToContent()
        while current == "%", position.column == 1 { skipLine(); try skipToContent() }
        if atDocumentMarker("---") {
            advance(3)
            skipSpaces()
        }
        try skipToContent()
        let root: YAMLNode
        if isAtEnd || atDocumentMarker("...") {
            root = YAMLNode(.scalar("", plain: true), at: location)
        } else {
            root = try blockNode(parentIndent: 0)
        }
        try skipToContent()
        if atDocumentMarker("...") { advance(3); try skipToContent() }
        if atDocumentMarker("---") { throw failure("a second document; an OpenAPI file holds one") }
        if !isAtEnd { throw failure("unexpected text after the document", hint: "check the indentation of this line") }
        return root
    }

    // MARK: Block context

    /// A node starting at the next content, more indented than `parentIndent` (columns; 0 for the root).
    private mutating func blockNode(parentIndent: Int) throws -> YAMLNode {
        try nested { try $0.unnestedBlockNode(parentIndent: parentIndent) }
    }

    private mutating func unnestedBlockNode(parentIndent: Int) throws -> YAMLNode {
        let start = location
        let (anchor, isString) = try properties(flow: false)
        if anchor != nil || start != location, atLineEnd {
            try skipToContent()
            guard !isAtEnd, position.column > parentIndent || isSequenceIndicator else {
                return anchored(YAMLNode(.scalar("", plain: !isString), at: start), anchor)
            }
            return anchored(try blockNode(parentIndent: parentIndent), anchor, isString: isString)
        }
        let column = position.column
        let node: YAMLNode
        if current == "*" {
            node = try alias()
            skipSpaces()
            if current == ":" { throw failure("an alias as a mapping key is not supported") }
        } else if isSequenceIndicator {
            node = try blockSequence(indent: column)
        } else if current == "|" || current == ">" {
            node = try blockScalar(parentIndent: parentIndent)
        } else if current == "[" || current == "{" {
            node = try flowNode()
            skipSpaces()
            if current == ":" { throw failure("a collection as a mapping key is not supported") }
        } else if isExplicitKey {
            node = try blockMapping(indent: column, firstKey: nil, at: location)
        } else {
            let keyStart = location
            let scalar = try scalarInBlock(parentIndent: parentIndent, mayBeKey: true)
            if scalar.isKey {
                node = try blockMapping(indent: column, firstKey: scalar.text, at: keyStart)
            } else {
                node = YAMLNode(.scalar(scalar.text, plain: scalar.plain), at: keyStart)
            }
        }
        return anchored(node, anchor, isString: isString)
    }

    /// The rest of a mapping whose first key was just read (its `:` is next), or which starts with an explicit key
    /// (`? key`, then `: value`), as long paths are written.
    private mutating func blockMapping(indent: Int, firstKey: String?, at keyLocation: SourceLocation) throws -> YAMLNode {
        var pairs: [(key: String, value: YAMLNode)] = []
        var seen: [String: SourceLocation] = [:]
        var key = firstKey ?? ""
        var keyAt = keyLocation
        var explicit = firstKey == nil
        while true {
            let value: YAMLNode
            if explicit {
                (key, value) = try explicitPair(indent: indent, keyAt: keyAt)
            } else {
                advance()  // the ':'
                value = try valueAfterKey(indent: indent, keyAt: keyAt)
            }
            if key == "<<" {
                // Merged pairs give way to the mapping's own keys, wherever those are written.
                for merged in value.isMapping ? [value] : value.items {
                    for pair in merged.pairs where !pairs.contains(where: { $0.key == pair.key }) { pairs.append(pair) }
                }
            } else if let first = seen[key] {
                throw Failure(diagnostic: Diagnostic(
                    "the key '\(key)' appears twice in this mapping; the first is at line \(first.line)",
                    at: SourceRange(keyAt, length: key.count)))
            } else {
                seen[key] = keyAt
                if let merged = pairs.firstIndex(where: { $0.key == key }) {
                    pairs[merged].value = value
                } else {
                    pairs.append((key, value))
                }
            }
            try skipToContent()
            if isAtEnd || atDocumentMarker("---") || atDocumentMarker("...") || position.column < indent { break }
            if position.column > indent {
                throw failure("this line is indented more than the keys of its mapping (column \(indent))",
                              hint: "a value on its own line belongs under a key that ends with ':'")
            }
            keyAt = location
            if current == "-" && isBlank(peek(1)) {
                throw failure("a list item where a key of the mapping above was expected",
                              hint: "indent the list under its key")
            }
            explicit = isExplicitKey
            if explicit { continue }
            let scalar = try scalarInBlock(parentIndent: indent, mayBeKey: true)
            guard scalar.isKey else {
                throw Failure(diagnostic: Diagnostic(
                    "expected 'key: value' in this mapping", at: SourceRange(keyAt, length: max(1, scalar.text.count)),
                    hint: "a mapping's lines are 'key: value'; a long value continues on lines indented under its key"))
            }
            key = scalar.text
        }
        return YAMLNode(.mapping(pairs), at: keyLocation)
    }

    private var isExplicitKey: Bool { current == "?" && (isBlank(peek(1)) || peek(1) == nil || peek(1) == "\n") }

    /// `? key` and the `: value` under it, at `indent`; a key with no value line holds an empty value. Keys are
    /// scalars, as in every OpenAPI document.
    private mutating func explicitPair(indent: Int, keyAt: SourceLocation) throws -> (key: String, value: YAMLNode) {
        advance()  // the '?'
        skipSpaces()
        if atLineEnd { try skipToContent() }
        if current == "[" || current == "{" || isSequenceIndicator || isExplicitKey {
            throw failure("a collection as a mapping key is not supported")
        }
        let key = try scalarInBlock(parentIndent: indent, mayBeKey: false).text
        try skipToContent()
        guard !isAtEnd, position.column == indent, current == ":", isBlank(peek(1)) || peek(1) == nil || peek(1) == "\n" else {
            return (key, YAMLNode(.scalar("", plain: true), at: keyAt))
        }
        advance()  // the ':'
        skipSpaces()
        if atLineEnd { return (key, try valueAfterKey(indent: indent, keyAt: keyAt)) }
        // `: post:` starts the value on the line of its ':', as a list item's content does.
        return (key, try blockNode(parentIndent: indent))
    }

    /// What follows `key:`: on the same line, or on the lines below, more indented (a list may share the indent).
    private mutating func valueAfterKey(indent: Int, keyAt: SourceLocation) throws -> YAMLNode {
        skipSpaces()
        if atLineEnd {
            try skipToContent()
            if !isAtEnd, !atDocumentMarker("---"), !atDocumentMarker("..."),
                position.column > indent || (position.column == indent && isSequenceIndicator)
            {
                return try blockNode(parentIndent: position.column == indent ? indent - 1 : indent)
            }
            return YAMLNode(.scalar("", plain: true), at: keyAt)
        }
        if isSequenceIndicator { throw failure("a list cannot start on the line of its key", hint: "start it on the next line") }
        let start = location
        let (anchor, isString) = try properties(flow: false)
        if atLineEnd { return anchored(try valueAfterKey(indent: indent, keyAt: start), anchor, isString: isString) }
        let node: YAMLNode
        switch current {
        case "*": node = try alias()
        case "[", "{": node = try flowNode()
        case "|", ">": node = try blockScalar(parentIndent: indent)
        default:
            let scalar = try scalarInBlock(parentIndent: indent, mayBeKey: false)
            node = YAMLNode(.scalar(scalar.text, plain: scalar.plain), at: start)
        }
        skipSpaces()
        if !atLineEnd {
            throw failure(current == ":" ? "a mapping cannot start on the line of its key" : "unexpected text after a value",
                          hint: current == ":" ? "start the nested mapping on the next line, indented" : "quote the value")
        }
        return anchored(node, anchor, isString: isString)
    }

    private mutating func blockSequence(indent: Int) throws -> YAMLNode {
        let start = location
        var items: [YAMLNode] = []
        while true {
            let itemAt = location
            advance()  // the '-'
            skipSpaces()
            if atLineEnd {
                try skipToContent()
                if !isAtEnd, position.column > indent {
                    items.append(try blockNode(parentIndent: indent))
                } else {
                    items.append(YAMLNode(.scalar("", plain: true), at: itemAt))
                }
            } else {
                items.append(try blockNode(parentIndent: indent))
            }
            try skipToContent()
            if isAtEnd || position.column < indent || atDocumentMarker("---") || atDocumentMarker("...") { break }
            if position.column == indent {
                if isSequenceIndicator { continue }
                break
            }
            throw failure("this line is indented more than the items of its list (column \(indent))")
        }
        return YAMLNode(.sequence(items), at: start)
    }

    /// A quoted or plain scalar in block context, and whether a `:` follows it, making it a key. A plain value
    /// continues on the following lines indented more than `parentIndent`.
    private mutating func scalarInBlock(parentIndent: Int, mayBeKey: Bool) throws -> (text: String, plain: Bool, isKey: Bool) {
        if current == "\"" || current == "'" {
            let text = try quoted()
            skipSpaces()
            let isKey = mayBeKey && current == ":" && (isBlank(peek(1)) || peek(1) == nil)
            return (text, false, isKey)
        }
        if let indicator = current, "@`%".unicodeScalars.contains(indicator) {
            throw failure("'\(indicator)' cannot start a plain value", hint: "quote the value")
        }
        var text = plainLine(flow: false)
        if mayBeKey, current == ":" { return (text, true, true) }
        // A plain value folds the lines below it that are indented more than its parent.
        while true {
            let saved = position
            var breaks = 0
            while current == " " || current == "\t" { advance() }
            guard atLineEnd, current != "#" else { position = saved; break }
            while !isAtEnd {
                skipSpaces()
                guard current == "\n" else { break }
                advance()
                breaks += 1
            }
            if isAtEnd || position.column <= parentIndent || current == "#" || atDocumentMarker("---") || atDocumentMarker("...")
                || (breaks == 0)
            {
                position = saved
                break
            }
            let more = plainLine(flow: false)
            if more.isEmpty || current == ":" {
                position = saved
                break
            }
            text += breaks == 1 ? " " + more : String(repeating: "\n", count: breaks - 1) + more
        }
        return (text, true, false)
    }

    /// Plain text up to the end of the line, a comment, `: ` (and in flow context `,`, `[`, `]`, `{`, `}`), trimmed.
    private mutating func plainLine(flow: Bool) -> String {
        var text = String.UnicodeScalarView()
        var trailingSpaces = 0
        while let scalar = current, scalar != "\n" {
            if scalar == ":" {
                let next = peek(1)
                if next == nil || isBlank(next) || (flow && next.map(Self.isFlowIndicator) == true) { break }
            }
            if scalar == "#" && (text.isEmpty || trailingSpaces > 0) { break }
            if flow && Self.isFlowIndicator(scalar) { break }
            trailingSpaces = scalar == " " || scalar == "\t" ? trailingSpaces + 1 : 0
            text.append(scalar)
            advance()
        }
        return String(String(text).dropLast(trailingSpaces))
    }

    /// A `|` or `>` scalar: its lines below, literal or folded, with its chomping and indentation indicators.
    private mutating func blockScalar(parentIndent: Int) throws -> YAMLNode {
        let start = location
        let folded = current == ">"
        advance()
        var chomping: Unicode.Scalar = " "
        var explicitIndent: Int?
        while let scalar = current, !isBlank(scalar), scalar != "\n" {
            if scalar == "-" || scalar == "+" {
                chomping = scalar
            } else if let digit = Int(String(scalar)), digit > 0 {
                explicitIndent = digit
            } else {
                throw failure("'\(scalar)' is not a block scalar indicator", hint: "after | or > come only -, + or a digit")
            }
            advance()
        }
        skipSpaces()
        if current == "#" { skipLine() }
        guard atLineEnd else { throw failure("a block scalar starts on the line after its indicator") }
        if current == "\n" { advance() }
        let parentSpaces = max(0, parentIndent - 1)
        var indent = explicitIndent.map { parentSpaces + $0 }
        var lines: [String] = []
        while !isAtEnd {
            let saved = position
            var spaces = 0
            while current == " " { advance(); spaces += 1 }
            if current == "\n" || isAtEnd {
                lines.append("")
                if current == "\n" { advance() }
                continue
            }
            if indent == nil { indent = spaces > parentSpaces || parentIndent == 0 ? spaces : nil }
            guard let contentIndent = indent, spaces >= contentIndent else {
                position = saved
                break
            }
            var line = String(repeating: " ", count: spaces - contentIndent)
            while let scalar = current, scalar != "\n" { line.unicodeScalars.append(scalar); advance() }
            lines.append(line)
            if current == "\n" { advance() }
        }
        var trailing = 0
        while lines.last == "" { lines.removeLast(); trailing += 1 }
        var body = folded ? Self.fold(lines) : lines.joined(separator: "\n")
        if !lines.isEmpty {
            switch chomping {
            case "-": break
            case "+": body += String(repeating: "\n", count: trailing + 1)
            default: body += "\n"
            }
        } else if chomping == "+" {
            body = String(repeating: "\n", count: trailing)
        }
        // Leave the reader at the start of the line that ended the scalar, as other values leave it at a line end.
        if position.index > 0, text[position.index - 1] == "\n" { retreatOverNewline() }
        return YAMLNode(.scalar(body, plain: false), at: start)
    }

    /// Folded lines: a break between two lines of text becomes a space, and each empty line a break; lines
    /// indented further keep their breaks.
    private static func fold(_ lines: [String]) -> String {
        var text = ""
        var emptyRun = 0
        var previous: String?
        for line in lines {
            if line.isEmpty { emptyRun += 1; continue }
            if let previous {
                let keepsBreak = previous.hasPrefix(" ") || previous.hasPrefix("\t") || line.hasPrefix(" ") || line.hasPrefix("\t")
                text += keepsBreak ? String(repeating: "\n", count: emptyRun + 1) : (emptyRun == 0 ? " " : String(repeating: "\n", count: emptyRun))
            } else {
                text += String(repeating: "\n", count: emptyRun)
            }
            text += line
            emptyRun = 0
            previous = line
        }
        return text
    }

    // MARK: Flow context

    private mutating func flowNode() throws -> YAMLNode {
        try nested { try $0.unnestedFlowNode() }
    }

    private mutating func unnestedFlowNode() throws -> YAMLNode {
        try skipFlowSpace()
        let start = location
        let (anchor, isString) = try properties(flow: true)
        let node: YAMLNode
        switch current {
        case "[":
            advance()
            var items: [YAMLNode] = []
            try skipFlowSpace()
            while current != "]" {
                let itemAt = location
                var item = try flowNode()
                try skipFlowSpace()
                if current == ":" {
                    advance()
                    let value = try flowValue(at: itemAt)
                    item = YAMLNode(.mapping([(item.string ?? "", value)]), at: itemAt)
                }
                items.append(item)
                try flowSeparator(closing: "]")
            }
            advance()
            node = YAMLNode(.sequence(items), at: start)
        case "{":
            advance()
            var pairs: [(key: String, value: YAMLNode)] = []
            try skipFlowSpace()
            while current != "}" {
                let keyAt = location
                let key = try flowNode()
                guard case .scalar(let name, _) = key.kind else {
                    throw Failure(diagnostic: Diagnostic("a mapping key must be a scalar", at: SourceRange(keyAt)))
                }
                if pairs.contains(where: { $0.key == name }) {
                    throw Failure(diagnostic: Diagnostic("the key '\(name)' appears twice in this mapping", at: SourceRange(keyAt, length: name.count)))
                }
                try skipFlowSpace()
                var value = YAMLNode(.scalar("", plain: true), at: keyAt)
                if current == ":" {
                    advance()
                    value = try flowValue(at: keyAt)
                }
                pairs.append((name, value))
                try flowSeparator(closing: "}")
            }
            advance()
            node = YAMLNode(.mapping(pairs), at: start)
        case "\"", "'":
            node = YAMLNode(.scalar(try quoted(), plain: false), at: start)
        case "*":
            node = try alias()
        case nil:
            throw failure("the document ends inside a [ ] or { } collection")
        case "]", "}", ",":
            throw failure("expected a value before '\(current!)'")
        default:
            var text = plainLine(flow: true)
            // A plain value in a collection may go on over lines.
            while current == "\n" {
                let saved = position
                try skipFlowSpace()
                guard let next = current, !Self.isFlowIndicator(next), next != ":", next != "#" else { position = saved; break }
                let more = plainLine(flow: true)
                if more.isEmpty { position = saved; break }
                text += " " + more
            }
            node = YAMLNode(.scalar(text, plain: true), at: start)
        }
        return anchored(node, anchor, isString: isString)
    }

    private mutating func flowValue(at keyAt: SourceLocation) throws -> YAMLNode {
        try skipFlowSpace()
        if current == "," || current == "}" || current == "]" { return YAMLNode(.scalar("", plain: true), at: keyAt) }
        return try flowNode()
    }

    private mutating func flowSeparator(closing: Unicode.Scalar) throws {
        try skipFlowSpace()
        if current == "," {
            advance()
            try skipFlowSpace()
        } else if current != closing {
            throw failure(isAtEnd ? "the document ends before '\(closing)'" : "expected ',' or '\(closing)'")
        }
    }

    private mutating func skipFlowSpace() throws {
        while let scalar = current {
            if scalar == " " || scalar == "\t" || scalar == "\n" {
                advance()
            } else if scalar == "#" {
                skipLine()
            } else {
                break
            }
        }
    }

    // MARK: Scalars, anchors, aliases

    private mutating func quoted() throws -> String {
        let start = location
        let quote = current!
        advance()
        var text = String.UnicodeScalarView()
        while true {
            guard let scalar = current else {
                throw Failure(diagnostic: Diagnostic("this quoted value is never closed", at: SourceRange(start), hint: "end it with \(quote)"))
            }
            if scalar == quote {
                if quote == "'" && peek(1) == "'" {
                    text.append("'")
                    advance(2)
                    continue
                }
                advance()
                return String(text)
            }
            if scalar == "\n" {
                // A line break folds: into a space, or into breaks where lines are empty; spaces around it go.
                while let last = text.last, last == " " || last == "\t" { text.removeLast() }
                var breaks = 0
                while current == "\n" || current == " " || current == "\t" {
                    if current == "\n" { breaks += 1 }
                    advance()
                }
                if breaks == 1 { text.append(" ") } else { text.append(contentsOf: String(repeating: "\n", count: breaks - 1).unicodeScalars) }
                continue
            }
            if scalar == "\\" && quote == "\"" {
                try escape(into: &text)
                continue
            }
            text.append(scalar)
            advance()
        }
    }

    private mutating func escape(into text: inout String.UnicodeScalarView) throws {
        let start = location
        advance()
        guard let code = current else { throw failure("the document ends inside an escape") }
        advance()
        let simple: [Unicode.Scalar: Unicode.Scalar] = [
            "0": "\0", "a": "\u{07}", "b": "\u{08}", "t": "\t", "\t": "\t", "n": "\n", "v": "\u{0B}", "f": "\u{0C}",
            "r": "\r", "e": "\u{1B}", " ": " ", "\"": "\"", "/": "/", "\\": "\\", "N": "\u{85}", "_": "\u{A0}",
            "L": "\u{2028}", "P": "\u{2029}",
        ]
        if let scalar = simple[code] {
            text.append(scalar)
            return
        }
        if code == "\n" {
            while current == " " || current == "\t" { advance() }
            return
        }
        let digits = ["x": 2, "u": 4, "U": 8][String(code)]
        guard let digits else {
            throw Failure(diagnostic: Diagnostic("unknown escape '\\\(code)'", at: SourceRange(start, length: 2)))
        }
        var hex = ""
        for _ in 0..<digits {
            guard let scalar = current, scalar.properties.isASCIIHexDigit else {
                throw Failure(diagnostic: Diagnostic("'\\\(code)' takes \(digits) hex digits", at: SourceRange(start, length: 2)))
            }
            hex.unicodeScalars.append(scalar)
            advance()
        }
        var value = UInt32(hex, radix: 16)!
        // A surrogate pair written as two \u escapes, as JSON writes characters outside the basic plane.
        if (0xD800...0xDBFF).contains(value), current == "\\", peek(1) == "u" {
            let saved = position
            advance(2)
            var low = ""
            while low.count < 4, let scalar = current, scalar.properties.isASCIIHexDigit { low.unicodeScalars.append(scalar); advance() }
            if let second = UInt32(low, radix: 16), (0xDC00...0xDFFF).contains(second) {
                value = 0x10000 + ((value - 0xD800) << 10) + (second - 0xDC00)
            } else {
                position = saved
            }
        }
        guard let scalar = Unicode.Scalar(value) else {
            throw Failure(diagnostic: Diagnostic("'\\\(code)\(hex)' is not a character", at: SourceRange(start, length: 2 + digits)))
        }
        text.append(scalar)
    }

    /// A node's anchor (`&name`) and tags, read and dropped but for `!!str`, which makes a scalar a string.
    private mutating func properties(flow: Bool) throws -> (anchor: String?, isString: Bool) {
        var anchor: String?
        var isString = false
        while current == "&" || current == "!" {
            if current == "&" { anchor = try anchorName() } else { isString = tag() == "!!str" || isString }
            if flow { try skipFlowSpace() } else { skipSpaces() }
        }
        return (anchor, isString)
    }

    private mutating func anchorName() throws -> String {
        advance()
        let name = name()
        if name.isEmpty { throw failure("an anchor needs a name after '&'") }
        return name
    }

    private mutating func alias() throws -> YAMLNode {
        let start = location
        advance()
        let name = name()
        guard let node = anchors[name] else {
            throw Failure(diagnostic: Diagnostic("no anchor '&\(name)' comes before this alias", at: SourceRange(start, length: name.count + 1)))
        }
        let (count, nodeDepth) = Self.measure(node, upTo: aliasBudget)
        aliasBudget -= count
        if aliasBudget < 0 {
            throw Failure(diagnostic: Diagnostic(
                "aliases make this document more than \(Self.aliasAllowance + 4 * text.count) nodes larger than it is written",
                at: SourceRange(start, length: name.count + 1), hint: "a document that repeats a part this often is refused"))
        }
        if depth + nodeDepth > Self.maxDepth {
            throw Failure(diagnostic: Diagnostic(
                "with this alias, collections nest more than \(Self.maxDepth) levels deep", at: SourceRange(start, length: name.count + 1)))
        }
        return node
    }

    /// How many nodes `node` holds and how deep it nests, counted without recursion and no further than `limit`
    /// nodes, so a node that stands for billions costs `limit` steps.
    private static func measure(_ node: YAMLNode, upTo limit: Int) -> (count: Int, depth: Int) {
        var count = 0
        var deepest = 0
        var stack: [(node: YAMLNode, depth: Int)] = [(node, 0)]
        while let (next, level) = stack.popLast(), count <= limit {
            count += 1
            deepest = max(deepest, level)
            switch next.kind {
            case .scalar: break
            case .sequence(let items): stack += items.map { ($0, level + 1) }
            case .mapping(let pairs): stack += pairs.map { ($0.value, level + 1) }
            }
        }
        return (count, deepest)
    }

    private mutating func name() -> String {
        var name = ""
        while let scalar = current, !isBlank(scalar), scalar != "\n", !Self.isFlowIndicator(scalar) {
            name.unicodeScalars.append(scalar)
            advance()
        }
        return name
    }

    /// Reads a tag; only `!!str` changes what the reader makes of a node.
    private mutating func tag() -> String {
        var tag = ""
        while let scalar = current, !isBlank(scalar), scalar != "\n" { tag.unicodeScalars.append(scalar); advance() }
        return tag
    }

    /// `node`, remembered under `anchor`; a scalar tagged `!!str` is a string however it is written.
    private mutating func anchored(_ node: YAMLNode, _ anchor: String?, isString: Bool = false) -> YAMLNode {
        var node = node
        if isString, case .scalar(let text, _) = node.kind { node.kind = .scalar(text, plain: false) }
        if let anchor { anchors[anchor] = node }
        return node
    }

    // MARK: Scanning

    private var current: Unicode.Scalar? { position.index < text.count ? text[position.index] : nil }
    private var isAtEnd: Bool { position.index >= text.count }
    private var location: SourceLocation { SourceLocation(line: position.line, column: position.column) }

    private func peek(_ offset: Int) -> Unicode.Scalar? {
        position.index + offset < text.count ? text[position.index + offset] : nil
    }

    private var isSequenceIndicator: Bool { current == "-" && (peek(1) == nil || isBlank(peek(1)) || peek(1) == "\n") }

    /// At the end of the line's content: its break, a comment, or the end of the text.
    private var atLineEnd: Bool { current == nil || current == "\n" || current == "#" }

    private func isBlank(_ scalar: Unicode.Scalar?) -> Bool { scalar == " " || scalar == "\t" || scalar == "\n" }

    private static func isFlowIndicator(_ scalar: Unicode.Scalar) -> Bool { ",[]{}".unicodeScalars.contains(scalar) }

    private func atDocumentMarker(_ marker: String) -> Bool {
        guard position.column == 1 else { return false }
        let scalars = Array(marker.unicodeScalars)
        for (offset, scalar) in scalars.enumerated() where peek(offset) != scalar { return false }
        let after = peek(scalars.count)
        return after == nil || isBlank(after)
    }

    private mutating func advance(_ count: Int = 1) {
        for _ in 0..<count where position.index < text.count {
            if text[position.index] == "\n" {
                position.line += 1
                position.column = 1
            } else {
                position.column += 1
            }
            position.index += 1
        }
    }

    private mutating func retreatOverNewline() {
        position.index -= 1
        position.line -= 1
        var column = 1
        var index = position.index - 1
        while index >= 0, text[index] != "\n" { column += 1; index -= 1 }
        position.column = column
    }

    private mutating func skipSpaces() {
        while current == " " || current == "\t" { advance() }
    }

    private mutating func skipLine() {
        while let scalar = current, scalar != "\n" { advance() }
    }

    /// Past spaces, comments and line breaks to the next content; a tab that indents content is an error.
    private mutating func skipToContent() throws {
        while let scalar = current {
            switch scalar {
            case " ": advance()
            case "\n": advance()
            case "#": skipLine()
            case "\t":
                let lineStart = position.index == 0 || (text[..<position.index].last { $0 != " " && $0 != "\t" } ?? "\n") == "\n"
                advance()
                if lineStart {
                    skipSpaces()
                    if let next = current, next != "\n", next != "#" {
                        throw failure("a tab indents this line; YAML indents with spaces only")
                    }
                }
            default: return
            }
        }
    }

    private func failure(_ message: String, hint: String? = nil) -> Failure {
        Failure(diagnostic: Diagnostic(message, at: SourceRange(location), hint: hint))
    }
}
