import Foundation

/// A spec file's bytes as the text the lexer reads: UTF-8, or UTF-16 with a byte-order mark, with any byte-order
/// mark dropped and every line ending (`\r\n`, `\r`) turned into `\n`.
public enum SpecSource {
    /// The text of `data`, or `SpecErrors` pointing at the first byte that is not UTF-8.
    public static func text(of data: Data, file: String) throws -> String {
        let bytes = [UInt8](data)
        if bytes.starts(with: [0xFF, 0xFE]) || bytes.starts(with: [0xFE, 0xFF]),
            let text = String(data: data, encoding: .utf16)
        {
            return normalized(text)
        }
        if let offset = firstInvalidUTF8Byte(bytes) {
            let before = Array(bytes[..<offset])
            let line = before.filter { $0 == 0x0A }.count + 1
            let lineStart = before.lastIndex(of: 0x0A).map { $0 + 1 } ?? 0
            let column = String(decoding: before[lineStart...], as: UTF8.self).count + 1
            let shown = normalized(String(decoding: bytes, as: UTF8.self))
            throw SpecErrors(
                file: file, source: shown,
                diagnostics: [
                    Diagnostic(
                        String(format: "byte 0x%02X is not UTF-8", bytes[offset]),
                        at: SourceRange(SourceLocation(line: line, column: column)),
                        hint: "save the spec as UTF-8")
                ])
        }
        return normalized(String(decoding: bytes, as: UTF8.self))
    }

    /// `text` without a byte-order mark and with `\n` line endings only.
    static func normalized(_ text: String) -> String {
        var text = text
        if text.hasPrefix("\u{FEFF}") { text.removeFirst() }
        guard text.utf8.contains(0x0D) else { return text }
        return text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
    }

    /// The offset of the first byte that does not belong to a well-formed UTF-8 sequence.
    private static func firstInvalidUTF8Byte(_ bytes: [UInt8]) -> Int? {
        var index = 0
        while index < bytes.count {
            let lead = bytes[index]
            let length: Int
            var lowest: UInt8 = 0x80
            var highest: UInt8 = 0xBF
            switch lead {
            case 0x00...0x7F: index += 1; continue
            case 0xC2...0xDF: length = 2
            case 0xE0: length = 3; lowest = 0xA0
            case 0xE1...0xEC, 0xEE...0xEF: length = 3
            case 0xED: length = 3; highest = 0x9F
            case 0xF0: length = 4; lowest = 0x90
            case 0xF1...0xF3: length = 4
            case 0xF4: length = 4; highest = 0x8F
            default: return index
            }
            guard index + length <= bytes.count else { return index }
            for offset in 1..<length {
                let byte = bytes[index + offset]
                let (low, high) = offset == 1 ? (lowest, highest) : (UInt8(0x80), UInt8(0xBF))
                if byte < low || byte > high { return index }
            }
            index += length
        }
        return nil
    }
}
