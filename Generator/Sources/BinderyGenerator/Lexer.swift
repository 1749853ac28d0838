/// A token of the spec language.
public struct Token: Hashable, Sendable {
    public enum Kind: Hashable, Sendable {
        /// A name or keyword: letters, digits, `_`, and `-` between letters (`base-url`).
        case identifier
        /// A double-quoted string; `text` holds its value with escapes resolved.
        case string
        /// A whole or decimal number.
        case number
        /// One of `{ } ( ) [ ] : , = ? . ->`.
        case symbol
        /// A `///` comment; `text` holds what follows the slashes.
        case docComment
        case end
    }

    public var kind: Kind
    public var text: String
    public var range: SourceRange

    /// How the token reads in an error message.
    var quoted: String {
        switch kind {
        case .end: "the end of the file"
        case .string: "\"\(text)\""
        case .docComment: "a doc comment"
        default: "'\(text)'"
        }
    }
}

/// Turns spec text into tokens. Ordinary comments (`//`, `/* */`) and white space are dropped; doc comments are kept
/// because they flow into the generated code.
public struct Lexer {
    private let characters: [Character]
    private var index = 0
    private var line = 1
    private var column = 1
    private let file: Int
    public private(set) var diagnostics: [Diagnostic] = []

    /// - Parameter file: The index its locations carry, for a spec written in several files.
    public init(_ source: String, file: Int = 0) {
        characters = Array(source)
        self.file = file
    }

    public mutating func tokenize() -> [Token] {
        var tokens: [Token] = []
        while let token = next() { tokens.append(token) }
        tokens.append(Token(kind: .end, text: "", range: SourceRange(location)))
        return tokens
    }

    private var location: SourceLocation { SourceLocation(line: line, column: column, file: file) }

    private func peek(_ offset: Int = 0) -> Character? {
        index + offset < characters.count ? characters[index + offset] : nil
    }

    private mutating func advance() {
        if characters[index] == "\n" {
            line += 1
            column = 1
        } else {
            column += 1
        }
        index += 1
    }

    private mutating func next() -> Token? {
        while let character = peek() {
            let start = location
            if character.isWhitespace {
                advance()
            } else if character == "/", peek(1) == "/" {
                let isDoc = peek(2) == "/" && peek(3) != "/"
                var text = ""
                while let c = peek(), c != "\n" {
                    text.append(c)
                    advance()
                }
                if isDoc {
                    var body = text.dropFirst(3)
                    if body.first == " " { body = body.dropFirst() }
                    return Token(kind: .docComment, text: String(body), range: SourceRange(start, length: text.count))
                }
            } else if character == "/", peek(1) == "*" {
                advance()
                advance()
                while peek() != nil, !(peek() == "*" && peek(1) == "/") { advance() }
                if peek() == nil {
                    diagnostics.append(
                        Diagnostic(
                            "unterminated block comment", at: SourceRange(start, length: 2),
                            hint: "close it with '*/'"))
                } else {
                    advance()
                    advance()
                }
            } else if character.isLetter || character == "_" {
                var text = ""
                while let c = peek(),
                    c.isLetter || c.isNumber || c == "_"
                        || (c == "-" && (peek(1)?.isLetter ?? false) && !text.isEmpty)
                {
                    text.append(c)
                    advance()
                }
                return Token(kind: .identifier, text: text, range: SourceRange(start, length: text.count))
            } else if character.isNumber || (character == "-" && (peek(1)?.isNumber ?? false)) {
                var text = String(character)
                advance()
                while let c = peek(), c.isNumber || (c == "." && (peek(1)?.isNumber ?? false)) {
                    text.append(c)
                    advance()
                }
                return Token(kind: .number, text: text, range: SourceRange(start, length: text.count))
            } else if character == "\"" {
                return string(from: start)
            } else if character == "-", peek(1) == ">" {
                advance()
                advance()
                return Token(kind: .symbol, text: "->", range: SourceRange(start, length: 2))
            } else if "{}()[]:,=?.".contains(character) {
                advance()
                return Token(kind: .symbol, text: String(character), range: SourceRange(start))
            } else {
                unexpected(character, at: start)
                advance()
            }
        }
        return nil
    }

    /// Reports an unexpected character; a run of them on one line is one diagnostic.
    private mutating func unexpected(_ character: Character, at start: SourceLocation) {
        if let last = diagnostics.last, last.message.hasPrefix("unexpected character"),
            last.range.start.line == start.line, last.range.start.column + last.range.length == start.column
        {
            diagnostics[diagnostics.count - 1].range.length += 1
            diagnostics[diagnostics.count - 1].message = "unexpected characters"
            return
        }
        diagnostics.append(
            Diagnostic(
                "unexpected character '\(character)'", at: SourceRange(start),
                hint: "strings go in double quotes; comments start with '//'"))
    }

    private mutating func string(from start: SourceLocation) -> Token {
        advance()
        var value = ""
        var length = 1
        while let c = peek(), c != "\"", c != "\n" {
            length += 1
            advance()
            guard c == "\\" else {
                value.append(c)
                continue
            }
            guard let escaped = peek() else { break }
            length += 1
            advance()
            switch escaped {
            case "n": value.append("\n")
            case "t": value.append("\t")
            case "r": value.append("\r")
            case "\"": value.append("\"")
            case "\\": value.append("\\")
            case "u":
                // `\u{1F600}`: any Unicode scalar by its hexadecimal value, for text a line cannot hold as it is.
                var digits = ""
                if peek() == "{" {
                    advance()
                    while let digit = peek(), digit.isHexDigit, digits.count < 8 { digits.append(digit); advance() }
                    if peek() == "}" { advance() } else { digits = "" }
                }
                length += digits.count + 2
                if let code = UInt32(digits, radix: 16), let scalar = Unicode.Scalar(code) {
                    value.unicodeScalars.append(scalar)
                } else {
                    diagnostics.append(
                        Diagnostic("'\\u' takes a Unicode scalar's hexadecimal value in braces, as \\u{2028}",
                                   at: SourceRange(SourceLocation(line: line, column: column - 2, file: file), length: 2)))
                }
            default:
                diagnostics.append(
                    Diagnostic(
                        "unknown escape '\\\(escaped)' in string",
                        at: SourceRange(SourceLocation(line: line, column: column - 2, file: file), length: 2),
                        hint: "use \\\" \\\\ \\n \\r \\t or \\u{…}"))
            }
        }
        if peek() == "\"" {
            advance()
            length += 1
        } else {
            diagnostics.append(
                Diagnostic("unterminated string", at: SourceRange(start, length: length), hint: "close it with '\"'"))
        }
        return Token(kind: .string, text: value, range: SourceRange(start, length: length))
    }
}
