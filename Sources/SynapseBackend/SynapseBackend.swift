// SynapseBackend: the Swift of this library is generated at build time from Spec/SynapseBackend.bindery by the
// Bindery plugin. Conveniences that the spec language cannot express are written by hand in this folder.
import BinderyRuntime
import Foundation

extension SynapseBackendClient.DataFiles {
    /// Files larger than this go as chunked uploads, as the Python client's `CHUNKED_UPLOAD_THRESHOLD`.
    public static let chunkedUploadThreshold: Int64 = 50 << 20

    /// Uploads a file as a data file: in one request, or as a chunked upload when it is larger than
    /// `chunkedUploadThreshold` or `useChunkedUpload` says so.
    /// - Parameters:
    ///   - file: the file to upload.
    ///   - useChunkedUpload: true or false to choose; nil chooses by the file's size.
    ///   - location: the `location` a progress report gave for an interrupted chunked upload of this file, to
    ///     send only the rest.
    ///   - chunkSize: bytes a chunk of a chunked upload.
    ///   - progress: called as chunks are accepted.
    public func create(
        file: URL, useChunkedUpload: Bool? = nil, resumingFrom location: URL? = nil, chunkSize: Int = 50 << 20,
        progress: (@Sendable (UploadProgress) -> Void)? = nil
    ) async throws -> DataFileResponse {
        let size = try FileManager.default.attributesOfItem(atPath: file.path)[.size] as? Int64 ?? 0
        guard useChunkedUpload ?? (size > Self.chunkedUploadThreshold) else { return try await create(file: file) }
        let upload = SynapseBackendClient.ChunkedUploads(runtime: runtime)
            .create(file: file, resumingFrom: location, chunkSize: chunkSize)
        let finished = try await upload.run(progress: progress)
        return try await createFromUpload(DataFileFromUpload(chunkedUpload: finished.id))
    }
}

extension SynapseBackendClient.DataFiles {
    /// Uploads the files of one data unit, by file specification name, and returns the request that creates the unit
    /// from them with `dataUnits.create`, as the Python client's `upload_data_file` does.
    public func upload(
        _ files: [String: URL], collection: Int, meta: JSONValue? = nil, groups: [String]? = nil,
        useChunkedUpload: Bool? = nil
    ) async throws -> DataUnitCreateRequest {
        var uploaded: [String: JSONValue] = [:]
        for (name, file) in files.sorted(by: { $0.key < $1.key }) {
            let created = try await create(file: file, useChunkedUpload: useChunkedUpload)
            uploaded[name] = ["checksum": .string(created.checksum), "path": .string(file.path)]
        }
        return DataUnitCreateRequest(dataCollection: collection, files: uploaded, meta: meta, groups: groups)
    }
}

extension SynapseBackendClient.Models {
    /// Registers a model with its file, as the Python client's `create_model(data, file=)`: the file goes first as a
    /// chunked upload, which the model then names as its `chunked_upload`.
    public func create(
        _ model: ModelCreateRequest, file: URL, progress: (@Sendable (UploadProgress) -> Void)? = nil
    ) async throws -> MLModel {
        let finished = try await SynapseBackendClient.ChunkedUploads(runtime: runtime).create(file: file).run(progress: progress)
        var model = model
        model.chunkedUpload = finished.id
        return try await create(model)
    }
}
