/// The files `bindery generate` writes: the same names for every spec, so a build knows them before the spec is
/// read and compiles whatever the spec now declares. Declarations are spread over several files so a large API
/// compiles in parallel, each placed by a stable hash of its name, so adding one rewrites only the file it lands in.
/// The build plugin compiles this same file.
public enum OutputFiles {
    public static let shards = 4
    public static let client = "Client.swift"

    public static func models(_ shard: Int) -> String { "Models\(shard).swift" }
    public static func operations(_ shard: Int) -> String { "Operations\(shard).swift" }

    public static var all: [String] { [client] + (1...shards).map(models) + (1...shards).map(operations) }

    /// The shard, from 1, of the declaration named `name`: FNV-1a of its UTF-8 bytes.
    public static func shard(of name: String) -> Int {
        var hash: UInt32 = 2_166_136_261
        for byte in name.utf8 { hash = (hash ^ UInt32(byte)) &* 16_777_619 }
        return Int(hash % UInt32(shards)) + 1
    }
}
