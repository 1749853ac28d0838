import Foundation

/// A document spread over several files, joined into one tree before import: every `$ref` to another file
/// (`models/droplet.yml`, `parameters.yml#/droplet_id`) is read, relative to the file it is written in, and becomes
/// a reference within the tree, so the importer follows it as it follows `#/components/…`. Each file's nodes keep
/// their positions and the file's index, so warnings and errors point into the file that holds them.
struct DocumentSet {
    /// Where the other files stand in the joined tree: `#/x-bindery-files/1/…` is the second file's `#/…`.
    static let filesKey = "x-bindery-files"

    /// A file's name as messages print it, its text and its folder.
    struct File {
        var name: String
        var text: String
        var url: URL?
    }

    private(set) var files: [File]
    private(set) var errors: [Diagnostic] = []
    private var indexByPath: [String: Int] = [:]
    private var roots: [YAMLNode] = []
    private var totalSize: Int
    private let readFile: (URL) throws -> String

    /// More than this many files, or bytes in all of them, is an error at the reference that would pass it.
    static let maxFiles = 20_000
    static let maxTotalSize = 256 << 20

    /// - Parameters:
    ///   - url: The first file's location, against which its relative references are read; nil when it has none
    ///     (standard input), which makes every reference to another file an error.
    init(root: YAMLNode, text: String, name: String, url: URL?, readFile: @escaping (URL) throws -> String) {
        files = [File(name: name, text: SpecSource.normalized(text), url: url)]
        roots = [root]
        totalSize = text.utf8.count
        self.readFile = readFile
        if let url { indexByPath[url.standardizedFileURL.path] = 0 }
    }

    /// The first file's tree with every other file it reaches under `filesKey`, references rewritten.
    mutating func joined() -> YAMLNode {
        var rewritten: [YAMLNode] = []
        var index = 0
        while index < roots.count {
            rewritten.append(rewrite(roots[index], file: index))
            index += 1
        }
        guard rewritten.count > 1, case .mapping(var pairs) = rewritten[0].kind else { return rewritten[0] }
        let others = rewritten.indices.dropFirst().map { (key: String($0), value: rewritten[$0]) }
        pairs.append((Self.filesKey, YAMLNode(.mapping(others), at: rewritten[0].location)))
        return YAMLNode(.mapping(pairs), at: rewritten[0].location)
    }

    /// An overlay's tree, its nodes marked as of a file of its own, so that what it adds and its mistakes are placed
    /// in it.
    mutating func overlay(_ text: String, name: String) throws -> YAMLNode {
        let root = try YAMLReader.read(text, file: name)
        files.append(File(name: name, text: SpecSource.normalized(text), url: nil))
        return rewrite(root, file: files.count - 1, references: false)
    }

    /// The file of another file's pointer of the joined tree, and the pointer within that file; nil for the first's.
    private func split(_ pointer: String) -> (file: Int, fragment: Substring)? {
        let prefix = "/" + Self.filesKey + "/"
        guard pointer.hasPrefix(prefix) else { return nil }
        let rest = pointer.dropFirst(prefix.count)
        let number = rest.prefix { $0.isNumber }
        guard let index = Int(number), files.indices.contains(index) else { return nil }
        return (index, rest.dropFirst(number.count))
    }

    /// A pointer of the joined tree as the reader wrote it: `models/droplet.yml#/properties` for one in another file.
    func readable(_ pointer: String) -> String {
        guard let (file, fragment) = split(pointer) else { return "#" + pointer }
        return files[file].name + "#" + fragment
    }

    /// What to name a schema of another file that a pointer of the joined tree names: the file's name for the whole
    /// file (`models/droplet.yml` → `droplet`), else the pointer's last part; nil for a pointer of the first file.
    func schemaName(_ pointer: String) -> String? {
        guard let (file, fragment) = split(pointer) else { return nil }
        if let last = fragment.split(separator: "/").last {
            return last.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
        }
        return ((files[file].name as NSString).lastPathComponent as NSString).deletingPathExtension
    }

    /// `node` with its nodes marked as of `file`, and (with `references`) its `$ref`s made references of the tree.
    private mutating func rewrite(_ node: YAMLNode, file: Int, references: Bool = true) -> YAMLNode {
        var node = node
        node.location.file = file
        switch node.kind {
        case .scalar: break
        case .sequence(let items): node.kind = .sequence(items.map { rewrite($0, file: file, references: references) })
        case .mapping(let pairs):
            node.kind = .mapping(pairs.map { pair in
                var value = rewrite(pair.value, file: file, references: references)
                if references, pair.key == "$ref", case .scalar(let ref, let plain) = value.kind,
                    let local = reference(ref, at: value.location, in: file)
                {
                    value.kind = .scalar(local, plain: plain)
                }
                return (pair.key, value)
            })
        }
        return node
    }

    /// `ref` as a reference within the joined tree, loading the file it names; nil (with an error) when it cannot be.
    private mutating func reference(_ ref: String, at location: SourceLocation, in file: Int) -> String? {
        let range = SourceRange(location, length: ref.count + 2)
        let hash = ref.firstIndex(of: "#") ?? ref.endIndex
        let path = String(ref[..<hash])
        let fragment = String(ref[hash...].dropFirst())
        if path.isEmpty { return Self.pointer(to: file, fragment) }
        if let scheme = path.range(of: "://"), path[..<scheme.lowerBound].allSatisfy(\.isLetter) {
            errors.append(Diagnostic("'\(ref)' is a URL; the import reads files, not the network", at: range,
                                     hint: "save the document it names beside this one and refer to it by a relative path"))
            return nil
        }
        guard let base = files[file].url else {
            errors.append(Diagnostic("'\(ref)' names another file, and this document was read from standard input", at: range,
                                     hint: "import the document from its file"))
            return nil
        }
        let decoded = path.removingPercentEncoding ?? path
        let url = URL(fileURLWithPath: decoded, relativeTo: base.deletingLastPathComponent()).standardizedFileURL
        guard let index = load(url, at: range) else { return nil }
        return Self.pointer(to: index, fragment)
    }

    /// A reference within the joined tree to `fragment` (`/components/…`) of file `index`.
    private static func pointer(to index: Int, _ fragment: String) -> String {
        index == 0 ? "#" + fragment : "#/\(filesKey)/\(index)\(fragment)"
    }

    private mutating func load(_ url: URL, at range: SourceRange) -> Int? {
        if let index = indexByPath[url.path] { return index }
        guard files.count < Self.maxFiles else {
            errors.append(Diagnostic("the document reaches more than \(Self.maxFiles) files", at: range))
            return nil
        }
        let text: String
        do {
            text = try readFile(url)
        } catch {
            errors.append(Diagnostic("cannot read '\(url.path)': \((error as NSError).localizedDescription)", at: range,
                                     hint: "references are read relative to the file they are written in"))
            return nil
        }
        totalSize += text.utf8.count
        guard totalSize <= Self.maxTotalSize else {
            errors.append(Diagnostic("the files this document reaches hold more than \(Self.maxTotalSize >> 20) MiB", at: range))
            return nil
        }
        let index = files.count
        // Named as the first file is, from the folder it was named in: `spec/resources/droplet.yml`.
        let base = files[0].url?.deletingLastPathComponent().standardizedFileURL.path
        let folder = (files[0].name as NSString).deletingLastPathComponent
        let name = base.flatMap { url.path.hasPrefix($0 + "/") ? String(url.path.dropFirst($0.count + 1)) : nil }
            .map { folder.isEmpty ? $0 : folder + "/" + $0 } ?? url.path
        files.append(File(name: name, text: SpecSource.normalized(text), url: url))
        indexByPath[url.path] = index
        do {
            roots.append(try YAMLReader.read(text, file: name))
        } catch let problems as SpecErrors {
            errors += problems.diagnostics.map { Diagnostic($0.message, at: SourceRange(SourceLocation(line: $0.range.start.line, column: $0.range.start.column, file: index), length: $0.range.length), hint: $0.hint) }
            roots.append(YAMLNode(.scalar("", plain: true), at: SourceLocation(line: 1, column: 1, file: index)))
        } catch {
            errors.append(Diagnostic("cannot read '\(name)': \(error)", at: range))
            roots.append(YAMLNode(.scalar("", plain: true), at: SourceLocation(line: 1, column: 1, file: index)))
        }
        return index
    }
}
