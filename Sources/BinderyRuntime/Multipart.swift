import Foundation

/// Writes a `multipart/form-data` body (RFC 7578). Bodies with file parts go to a temporary file, copied in small
/// pieces, so a large file is never held in memory and the body can be sent again on a retry.
struct MultipartEncoder {
    let coders: Coders
    let boundary = "bindery-" + UUID().uuidString.lowercased()

    var contentType: String { "multipart/form-data; boundary=\(boundary)" }

    func encode(_ parts: [MultipartPart]) throws -> HTTPBody {
        guard parts.contains(where: { if case .file = $0.content { true } else { false } }) else {
            var data = Data()
            try write(parts) { data.append($0) }
            return .data(data)
        }
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("bindery-\(UUID().uuidString)")
        guard FileManager.default.createFile(atPath: url.path, contents: nil) else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: url.path])
        }
        let output = try FileHandle(forWritingTo: url)
        defer { try? output.close() }
        try write(parts) { try output.write(contentsOf: $0) }
        return .file(url)
    }

    private func write(_ parts: [MultipartPart], to output: (Data) throws -> Void) throws {
        for part in parts {
            var head = "--\(boundary)\r\nContent-Disposition: form-data; name=\"\(Self.quoted(part.name))\""
            if let filename = part.filename { head += "; filename=\"\(Self.quoted(filename))\"" }
            head += "\r\n"
            if let contentType = part.contentType { head += "Content-Type: \(contentType)\r\n" }
            try output(Data((head + "\r\n").utf8))
            switch part.content {
            case .text(let text): try output(Data(text.utf8))
            case .data(let data): try output(data)
            case .json(let value): try output(try coders.encode(value))
            case .file(let url):
                let input = try FileHandle(forReadingFrom: url)
                defer { try? input.close() }
                while let chunk = try input.read(upToCount: 1 << 20), !chunk.isEmpty { try output(chunk) }
            }
            try output(Data("\r\n".utf8))
        }
        try output(Data("--\(boundary)--\r\n".utf8))
    }

    private static func quoted(_ text: String) -> String {
        text.replacingOccurrences(of: "\"", with: "%22").replacingOccurrences(of: "\r", with: "%0D")
            .replacingOccurrences(of: "\n", with: "%0A")
    }
}
