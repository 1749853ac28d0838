import Foundation

/// A throwaway certificate authority and a certificate it signed for 127.0.0.1 and localhost, made once a process
/// with `openssl`.
public enum TestCertificates {
    public struct Files: Sendable {
        /// The authority's certificate, PEM.
        public var authority: URL
        /// The server's certificate, PEM.
        public var certificate: URL
        /// The server's private key, PEM.
        public var key: URL
    }

    private static let files = Task<Files, any Error> {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("bindery-tls-\(getpid())")
        let script = """
            set -e
            cd "$0"
            openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=Bindery test authority" -keyout authority.key -out authority.pem
            openssl req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" -keyout server.key -out server.csr
            printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\\nbasicConstraints=CA:FALSE\\n' > extensions
            openssl x509 -req -in server.csr -CA authority.pem -CAkey authority.key -CAcreateserial -days 2 -extfile extensions -out server.pem
            """
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            let made = try await run("bash", ["-c", script, folder.path], timeout: 60)
            guard made.status == 0 else { throw ServerFailure("openssl could not make the test certificates:\n\(made.output)") }
        } catch let failure as ServerFailure {
            throw failure
        } catch {
            throw ServerFailure("openssl could not be run: \(error)")
        }
        return Files(
            authority: folder.appendingPathComponent("authority.pem"), certificate: folder.appendingPathComponent("server.pem"),
            key: folder.appendingPathComponent("server.key"))
    }

    /// The files, made on first use.
    public static func made() async throws -> Files { try await files.value }
}
