/// Text that must stay on one line of a comment, of the spec or of the generated Swift: the one rule of which
/// characters could end a line there.
enum LineText {
    /// Whether a character stays on its line: not a control character, nor a Unicode line or paragraph separator.
    static func isSafe(_ scalar: Unicode.Scalar) -> Bool {
        !(scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) || scalar == "\u{2028}" || scalar == "\u{2029}")
    }

    /// `text` with every character that could end a line made a space, so no text of a document or a spec can
    /// become a declaration of the file it is written into.
    static func comment(_ text: String) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.map { isSafe($0) ? $0 : " " }))
    }

    /// `text` escaped to stand inside a string literal, exactly and on one line: the spec language's escapes are
    /// Swift's (`\"`, `\\`, `\n`, `\t`, `\r`, `\u{…}`), so this one rule serves the spec the importer writes and
    /// the Swift the renderer writes.
    static func escaped(_ text: String) -> String {
        var escaped = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\\": escaped += "\\\\"
            case "\"": escaped += "\\\""
            case "\n": escaped += "\\n"
            case "\t": escaped += "\\t"
            case "\r": escaped += "\\r"
            default:
                if isSafe(scalar) {
                    escaped.unicodeScalars.append(scalar)
                } else {
                    escaped += "\\u{" + String(scalar.value, radix: 16) + "}"
                }
            }
        }
        return escaped
    }

    /// `text` as a string literal, quotes included.
    static func literal(_ text: String) -> String { "\"" + escaped(text) + "\"" }
}
