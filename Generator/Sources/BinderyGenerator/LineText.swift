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
}
