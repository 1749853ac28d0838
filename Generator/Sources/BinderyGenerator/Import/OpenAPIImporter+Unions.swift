import Foundation

/// Unions made whole once every schema is read: a union among the cases of another is replaced by its own cases (the
/// spec language lists cases flat), and the case that takes any object goes last. A union whose cases then take the
/// same JSON is read as `JSON` wherever it is used, with a warning, rather than decoded into the wrong case.
extension Importer {
    mutating func finishUnions() {
        var unreadable = abandonedUnions
        for index in draft.types.indices {
            guard case .untaggedUnion(let name, let doc, let choices) = draft.types[index] else { continue }
            var seen: Set<String> = [name]
            let types = choices.flatMap { flattened($0.type, seen: &seen) }
            var caseNames: Set<String> = ["unknown"]
            var flat: [(name: String, type: String, shape: String)] = []
            for type in types where !flat.contains(where: { $0.type == type }) {
                let shape = self.shape(of: type)
                if flat.contains(where: { $0.shape == shape }) {
                    let origin = unionOrigins[name]
                    warn("once the unions among its cases are listed in it, two cases of \(name) take the same JSON: read as JSON",
                         at: origin?.pointer ?? "", origin?.node)
                    unreadable.insert(name)
                    break
                }
                let base = type.hasPrefix("[String:") ? "object" : type.hasPrefix("[") ? "array" : type
                let existing = choices.first { $0.type == type }?.name
                let caseName = existing ?? swiftName(for: Naming.lowerCamel(base), taken: &caseNames, reserved: []) ?? Naming.lowerCamel(base)
                caseNames.insert(caseName)
                flat.append((caseName, type, shape))
            }
            // An object case that takes any object goes last, so the models before it are tried first.
            flat.sort { $0.shape != "object:" && $1.shape == "object:" }
            draft.types[index] = .untaggedUnion(name: name, doc: doc, choices: flat.map { ($0.name, $0.type) })
        }
        guard !unreadable.isEmpty else { return }
        draft.types.removeAll { if case .untaggedUnion(let name, _, _) = $0 { unreadable.contains(name) } else { false } }
        replaceTypes(unreadable, with: "JSON")
    }

    /// The case types a union case stands for: its own, or a union's cases in its place.
    private func flattened(_ type: String, seen: inout Set<String>) -> [String] {
        for declaration in draft.types {
            switch declaration {
            case .untaggedUnion(let name, _, let choices) where name == type:
                guard seen.insert(name).inserted else { return [] }
                return choices.flatMap { flattened($0.type, seen: &seen) }
            case .taggedUnion(let name, _, _, let variants) where name == type:
                guard seen.insert(name).inserted else { return [] }
                var models: [String] = []
                for variant in variants where !models.contains(variant.model) { models.append(variant.model) }
                return models
            default: continue
            }
        }
        return [type]
    }

    /// Writes `replacement` for each of `names` wherever a type is written: fields, cases, parameters, bodies and
    /// responses.
    private mutating func replaceTypes(_ names: Set<String>, with replacement: String) {
        func fix(_ type: String) -> String {
            var out = ""
            var word = ""
            for character in type + " " {
                if character.isLetter || character.isNumber || character == "_" {
                    word.append(character)
                    continue
                }
                out += names.contains(word) ? replacement : word
                word = ""
                out.append(character)
            }
            return String(out.dropLast())
        }
        for index in draft.types.indices {
            switch draft.types[index] {
            case .model(let name, let doc, var fields):
                for field in fields.indices { fields[field].type = fix(fields[field].type) }
                draft.types[index] = .model(name: name, doc: doc, fields: fields)
            case .untaggedUnion(let name, let doc, let choices):
                draft.types[index] = .untaggedUnion(name: name, doc: doc, choices: choices.map { ($0.name, fix($0.type)) })
            case .enumeration, .taggedUnion: continue
            }
        }
        func fix(_ resource: inout SpecDraft.Resource) {
            for index in resource.endpoints.indices {
                resource.endpoints[index].returns = resource.endpoints[index].returns.map(fix)
                resource.endpoints[index].settings = resource.endpoints[index].settings.map(fixSetting)
            }
            for index in resource.resources.indices { fix(&resource.resources[index]) }
        }
        /// A setting's type: after `body `, or after the `: ` of a parameter or part, up to its default.
        func fixSetting(_ line: String) -> String {
            if line.hasPrefix("///") { return line }
            if line.hasPrefix("body "), !line.hasSuffix("{") { return "body " + fix(String(line.dropFirst(5))) }
            guard let colon = line.range(of: ": ") else { return line }
            let rest = line[colon.upperBound...]
            let end = rest.range(of: " ")?.lowerBound ?? rest.endIndex
            return String(line[..<colon.upperBound]) + fix(String(rest[..<end])) + rest[end...]
        }
        for index in draft.resources.indices { fix(&draft.resources[index]) }
    }
}
