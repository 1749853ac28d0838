import Foundation

/// A position in a spec file; lines and columns count from 1, columns in characters. `file` tells apart the files
/// of a spec written in several (their index in the order given).
public struct SourceLocation: Hashable, Sendable, Comparable {
    public var line: Int
    public var column: Int
    public var file = 0

    public init(line: Int, column: Int, file: Int = 0) {
        self.line = line
        self.column = column
        self.file = file
    }

    public static func < (lhs: Self, rhs: Self) -> Bool {
        (lhs.file, lhs.line, lhs.column) < (rhs.file, rhs.line, rhs.column)
    }
}

/// A span of a spec file: where something starts and how many characters it covers on that line.
public struct SourceRange: Hashable, Sendable {
    public var start: SourceLocation
    public var length: Int

    public init(_ start: SourceLocation, length: Int = 1) {
        self.start = start
        self.length = max(1, length)
    }
}

/// One problem found in a spec, with where it is and, when there is one, a way to fix it.
public struct Diagnostic: Hashable, Sendable {
    public var range: SourceRange
    public var message: String
    public var hint: String?

    public init(_ message: String, at range: SourceRange, hint: String? = nil) {
        self.message = message
        self.range = range
        self.hint = hint
    }
}

/// A file's name and text, as errors quote it.
public struct SourceFile: Sendable {
    public var name: String
    public var text: String

    public init(name: String, text: String) {
        self.name = name
        self.text = text
    }
}

/// Thrown when a spec has problems; carries every one of them, in the order they appear in its files.
public struct SpecErrors: Error, Sendable, CustomStringConvertible {
    /// The spec's files, by the index their locations carry.
    public var files: [SourceFile]
    public var diagnostics: [Diagnostic]

    public init(file: String, source: String, diagnostics: [Diagnostic]) {
        self.init(files: [SourceFile(name: file, text: source)], diagnostics: diagnostics)
    }

    public init(files: [SourceFile], diagnostics: [Diagnostic]) {
        self.files = files
        self.diagnostics = diagnostics.sorted { $0.range.start < $1.range.start }
    }

    /// Each problem as `file:line:column: error: message`, then the line, a caret under the spot, and the hint. The
    /// first `LanguageLimits.maxReportedErrors` are shown in full and the rest counted; a long line is shown around its caret.
    public var description: String {
        let fileLines = files.map { $0.text.split(separator: "\n", omittingEmptySubsequences: false) }
        var text = ""
        for diagnostic in diagnostics.prefix(LanguageLimits.maxReportedErrors) {
            let start = diagnostic.range.start
            let index = files.indices.contains(start.file) ? start.file : 0
            let lines = fileLines.isEmpty ? [] : fileLines[index]
            text += "\(files.isEmpty ? "" : files[index].name):\(start.line):\(start.column): error: \(diagnostic.message)\n"
            if start.line >= 1, start.line - 1 < lines.count {
                let (shown, column) = Self.excerpt(Array(lines[start.line - 1]), column: start.column)
                let lineNumber = String(start.line)
                let gutter = String(repeating: " ", count: lineNumber.count)
                let lead = String(shown.prefix(column - 1).map { $0 == "\t" ? "\t" : " " })
                let width = max(1, min(diagnostic.range.length, shown.count - (column - 1)))
                text += " \(lineNumber) | \(String(shown))\n"
                text += " \(gutter) | \(lead)^\(String(repeating: "~", count: width - 1))\n"
            }
            if let hint = diagnostic.hint { text += "  hint: \(hint)\n" }
        }
        let count = diagnostics.count
        if count > LanguageLimits.maxReportedErrors {
            text += "and \(count - LanguageLimits.maxReportedErrors) more errors\n"
        }
        let names = Set(diagnostics.map(\.range.start.file)).sorted().compactMap { files.indices.contains($0) ? files[$0].name : nil }
        text += "\(count) error\(count == 1 ? "" : "s") in \(names.isEmpty ? files.first?.name ?? "" : names.joined(separator: ", "))\n"
        return text
    }

    /// At most `Self.excerptWidth` characters of `line` around `column`, marked with `…` where cut, and the column
    /// within that excerpt.
    static func excerpt(_ line: [Character], column: Int) -> (text: [Character], column: Int) {
        guard line.count > excerptWidth else { return (line, column) }
        let start = min(max(0, column - 1 - excerptWidth / 2), line.count - excerptWidth)
        let end = start + excerptWidth
        let text = (start > 0 ? ["…"] : []) + line[start..<end] + (end < line.count ? ["…"] : [])
        return (text, column - start + (start > 0 ? 1 : 0))
    }

    static let excerptWidth = 100
}

/// The closest of `candidates` to `name`, for "did you mean" hints; nil when nothing is close.
func closest(to name: String, in candidates: some Sequence<String>) -> String? {
    let lowered = name.lowercased()
    var best: (name: String, distance: Int)?
    for candidate in candidates {
        let distance = editDistance(lowered, candidate.lowercased())
        if distance <= max(2, name.count / 3), distance < (best?.distance ?? .max) { best = (candidate, distance) }
    }
    return best?.name
}

private func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a)
    let b = Array(b)
    if a.isEmpty { return b.count }
    var previous = Array(0...b.count)
    for i in 1...a.count {
        var current = [i] + Array(repeating: 0, count: b.count)
        for j in stride(from: 1, through: b.count, by: 1) {
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
        }
        previous = current
    }
    return previous[b.count]
}
