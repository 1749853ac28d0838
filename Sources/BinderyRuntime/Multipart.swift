import Foundation

/// Writes a `multipart/form-data` body (RFC 7578) as pieces: the parts' heads and small values in memory, files and
/// large data as they are, so nothing large is copied and a file is read from disk only while it is sent (again on a
/// retry).
struct MultipartEncoder {
    let coders: Coders
    let boundary = "bindery-" + UUID().uuidString.lowercased()

    var contentType: String { "multipart/form-data; boundary=\(boundary)" }

    func encode(_ parts: [MultipartPart]) throws -> HTTPBody {
        var pieces: [HTTPBody.Piece] = []
        var text = Data()
        for part in parts {
            var head = "--\(boundary)\r\nContent-Disposition: form-data; name=\"\(Self.quoted(part.name))\""
            if let filename = part.filename { head += "; filename=\"\(Self.quoted(filename))\"" }
            head += "\r\n"
            if let contentType = part.contentType { head += "Content-Type: \(contentType)\r\n" }
            text.append(Data((head + "\r\n").utf8))
            switch part.content {
            case .text(let value): text.append(Data(value.utf8))
            case .json(let value): text.append(try coders.encode(value))
            case .data(let data) where data.count < 64 << 10: text.append(data)
            case .data(let data):
                pieces += [.data(text), .data(data)]
                text = Data()
            case .file(let url):
                pieces += [.data(text), .file(url)]
                text = Data()
            case .fileRange(let url, let offset, let count, let reading):
                pieces += [.data(text), .fileRange(url, offset: offset, count: count, reading: reading)]
                text = Data()
            }
            text.append(Data("\r\n".utf8))
        }
        text.append(Data("--\(boundary)--\r\n".utf8))
        return pieces.isEmpty ? .data(text) : .pieces(pieces + [.data(text)])
    }

    private static func quoted(_ text: String) -> String {
        text.replacingOccurrences(of: "\"", with: "%22").replacingOccurrences(of: "\r", with: "%0D")
            .replacingOccurrences(of: "\n", with: "%0A")
    }
}
