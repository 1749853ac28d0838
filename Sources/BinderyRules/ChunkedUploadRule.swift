import Foundation

/// How an API takes a large file in pieces, as drf-chunked-upload does: `PUT` each chunk as multipart with a
/// `Content-Range`, to the start path first and then to the `url` the server returns, and finalize with
/// `POST {url}` carrying the file's MD5.
public struct ChunkedUploadRule: Sendable, Hashable {
    /// Bytes a chunk; the last one may be shorter.
    public var chunkSize: Int
    /// The multipart field that carries a chunk's bytes.
    public var fileField: String
    /// The multipart field that carries the file's name.
    public var filenameField: String
    /// The finalize request's field that carries the file's MD5, in hexadecimal.
    public var checksumField: String

    /// Describes a chunked upload; the defaults are drf-chunked-upload's.
    public init(
        chunkSize: Int = 50 << 20, fileField: String = "file", filenameField: String = "filename",
        checksumField: String = "md5"
    ) {
        self.chunkSize = chunkSize
        self.fileField = fileField
        self.filenameField = filenameField
        self.checksumField = checksumField
    }
}
