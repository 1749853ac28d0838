import Foundation

/// A spec as the OpenAPI importer builds it, before it is written out as `.bindery` text by `SpecWriter`.
struct SpecDraft {
    struct Field {
        var doc: [String] = []
        var wireName: String
        /// Written after `as` when the name Bindery would make of the wire name is not one Swift takes.
        var swiftName: String?
        var type: String
        var defaultValue: String?
    }

    enum TypeDeclaration {
        case model(name: String, doc: [String], fields: [Field])
        case enumeration(name: String, doc: [String], isInteger: Bool, cases: [(value: String, swiftName: String?)])
        case taggedUnion(name: String, doc: [String], discriminator: String, variants: [(value: String, swiftName: String?, model: String)])
        case untaggedUnion(name: String, doc: [String], choices: [(name: String, type: String)])
    }

    struct Endpoint {
        var doc: [String] = []
        var name: String
        var method: String
        var path: String
        var returns: String?
        /// Lines of the endpoint's block: `path id: Int`, `query limit: Int?`, `body Pet`, `stream sse`.
        var settings: [String] = []
    }

    struct Resource {
        var doc: [String] = []
        var name: String
        /// The accessor's parameters, `(_ name: Type)`, for a resource under a path parameter.
        var parameters: [(name: String, type: String)] = []
        var typeName: String?
        var path: String
        var endpoints: [Endpoint] = []
        var resources: [Resource] = []
    }

    var header: [String] = []
    var name: String
    var doc: [String] = []
    var apiSettings: [String] = []
    var types: [TypeDeclaration] = []
    var resources: [Resource] = []
}

/// Writes a draft as spec text, laid out as a person would write it.
enum SpecWriter {
    static func text(of draft: SpecDraft) -> String {
        var out = draft.header.map { "// " + LineText.comment($0) }.joined(separator: "\n") + (draft.header.isEmpty ? "" : "\n\n")
        out += doc(draft.doc, indent: "")
        out += "api \(draft.name) {\n" + draft.apiSettings.map { "    " + $0 + "\n" }.joined() + "}\n"
        for type in draft.types {
            out += "\n"
            switch type {
            case .model(let name, let typeDoc, let fields):
                out += doc(typeDoc, indent: "")
                if fields.isEmpty {
                    out += "model \(name) {}\n"
                    continue
                }
                out += "model \(name) {\n"
                for field in fields {
                    out += doc(field.doc, indent: "    ")
                    out += "    \(wireName(field.wireName, field.swiftName)): \(field.type)"
                    out += field.defaultValue.map { " = \($0)" } ?? ""
                    out += "\n"
                }
                out += "}\n"
            case .enumeration(let name, let typeDoc, let isInteger, let cases):
                out += doc(typeDoc, indent: "")
                out += "enum \(name)\(isInteger ? ": Int" : "") {\n"
                for item in cases {
                    let value = isInteger ? item.value : (isPlainName(item.value) && item.swiftName == nil ? item.value : literal(item.value))
                    out += "    \(value)\(item.swiftName.map { " as \($0)" } ?? "")\n"
                }
                out += "}\n"
            case .taggedUnion(let name, let typeDoc, let discriminator, let variants):
                out += doc(typeDoc, indent: "")
                out += "union \(name) on \(wireName(discriminator, nil)) {\n"
                for variant in variants {
                    out += "    \(literal(variant.value))\(variant.swiftName.map { " as \($0)" } ?? ""): \(variant.model)\n"
                }
                out += "}\n"
            case .untaggedUnion(let name, let typeDoc, let choices):
                out += doc(typeDoc, indent: "")
                out += "union \(name) {\n" + choices.map { "    \($0.name): \($0.type)\n" }.joined() + "}\n"
            }
        }
        for resource in draft.resources {
            out += "\n"
            write(resource, indent: "", into: &out)
        }
        return out
    }

    private static func write(_ resource: SpecDraft.Resource, indent: String, into out: inout String) {
        out += doc(resource.doc, indent: indent)
        let parameters = resource.parameters.isEmpty ? "" : "(" + resource.parameters.map { "_ \($0.name): \($0.type)" }.joined(separator: ", ") + ")"
        out += "\(indent)resource \(resource.name)\(parameters)\(resource.typeName.map { " as \($0)" } ?? "") \(literal(resource.path)) {\n"
        var first = true
        for endpoint in resource.endpoints {
            if !first { out += "\n" }
            first = false
            out += doc(endpoint.doc, indent: indent + "    ")
            out += "\(indent)    \(endpoint.name): \(endpoint.method) \(literal(endpoint.path))\(endpoint.returns.map { " -> \($0)" } ?? "")"
            if endpoint.settings.isEmpty {
                out += "\n"
            } else {
                out += " {\n" + endpoint.settings.map { "\(indent)        \($0)\n" }.joined() + "\(indent)    }\n"
            }
        }
        for child in resource.resources {
            if !first { out += "\n" }
            first = false
            write(child, indent: indent + "    ", into: &out)
        }
        out += "\(indent)}\n"
    }

    /// A field's or parameter's name as written: bare when the spec language reads it as a name, quoted otherwise.
    static func wireName(_ wire: String, _ swiftName: String?) -> String {
        let written = isPlainName(wire) ? wire : literal(wire)
        return swiftName.map { "\(written) as \($0)" } ?? written
    }

    static func isPlainName(_ text: String) -> Bool {
        Naming.isIdentifier(text) && text != "as" && DeclarationKeyword(keyword: text) == nil && EndpointSetting(keyword: text) == nil
    }

    static func doc(_ lines: [String], indent: String) -> String {
        lines.map { $0.isEmpty ? "\(indent)///\n" : "\(indent)/// \(LineText.comment($0))\n" }.joined()
    }

    /// `text` as a spec string literal, exactly: characters that could end a line are escaped.
    static func literal(_ text: String) -> String { LineText.literal(text) }
}
