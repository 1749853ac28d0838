import Foundation

/// The templates the generator renders, shipped as resources so they are found wherever the generator runs:
/// in this package or as a build tool of a package that depends on it.
public enum Templates {
    /// The text of the template `name` (e.g. `Models.swift`).
    public static func text(named name: String) throws -> String {
        guard let url = Bundle.module.url(forResource: name, withExtension: "template", subdirectory: "Swift") else {
            throw CocoaError(.fileNoSuchFile, userInfo: [NSFilePathErrorKey: "Templates/Swift/\(name).template"])
        }
        return try String(contentsOf: url, encoding: .utf8)
    }
}
