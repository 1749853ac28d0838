/// What changed between two versions of a spec, read as changes to the Swift API they generate, each marked when
/// code that compiled against the old one may not compile against the new.
public enum SpecDiff {
    public struct Change: Hashable, Sendable, CustomStringConvertible {
        public enum Kind: String, Sendable { case added = "+", removed = "-", changed = "~" }

        public var kind: Kind
        public var subject: String
        /// Why it breaks source; nil when it does not.
        public var breaks: String?

        public var description: String {
            "\(kind.rawValue) \(subject)" + (breaks.map { "  [breaking: \($0)]" } ?? "")
        }
    }

    public static func changes(from old: API, to new: API) -> [Change] {
        var changes: [Change] = []
        if old.clientTypeName != new.clientTypeName {
            changes.append(Change(kind: .changed, subject: "client \(old.clientTypeName) → \(new.clientTypeName)", breaks: "the type is renamed"))
        }
        if old.baseURL != new.baseURL { changes.append(Change(kind: .changed, subject: "base URL \(old.baseURL) → \(new.baseURL)")) }
        let oldAuth = Set(old.auth.map(\.name))
        let newAuth = Set(new.auth.map(\.name))
        for name in new.auth.map(\.name) where !oldAuth.contains(name) {
            changes.append(Change(kind: .added, subject: "credential \(name) (an initializer parameter with a default)"))
        }
        for name in old.auth.map(\.name) where !newAuth.contains(name) {
            changes.append(Change(kind: .removed, subject: "credential \(name)", breaks: "the initializer loses the parameter \(name):"))
        }
        changes += typeChanges(old, new)
        changes += callChanges(old, new)
        return changes
    }

    // MARK: Types

    private static func typeChanges(_ old: API, _ new: API) -> [Change] {
        var changes: [Change] = []
        let oldTypes = Dictionary(old.types.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        let newTypes = Dictionary(new.types.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        for type in new.types where oldTypes[type.name] == nil {
            changes.append(Change(kind: .added, subject: "\(kind(type)) \(type.name)"))
        }
        for type in old.types {
            guard let newer = newTypes[type.name] else {
                changes.append(Change(kind: .removed, subject: "\(kind(type)) \(type.name)", breaks: "code naming \(type.name) no longer compiles"))
                continue
            }
            switch (type, newer) {
            case (.model(let before), .model(let after)): changes += fieldChanges(before, after)
            case (.enumeration(let before), .enumeration(let after)):
                changes += caseChanges(type.name, before.cases.map(\.swiftName), after.cases.map(\.swiftName))
            case (.union(let before), .union(let after)):
                changes += caseChanges(
                    type.name, before.variants.map(\.swiftName) + before.choices.map(\.swiftName),
                    after.variants.map(\.swiftName) + after.choices.map(\.swiftName))
            default:
                changes.append(Change(kind: .changed, subject: "\(type.name): \(kind(type)) → \(kind(newer))", breaks: "it is another kind of type"))
            }
        }
        return changes
    }

    private static func fieldChanges(_ old: Model, _ new: Model) -> [Change] {
        var changes: [Change] = []
        let oldFields = Dictionary(old.fields.map { ($0.swiftName, $0) }, uniquingKeysWith: { first, _ in first })
        let newFields = Dictionary(new.fields.map { ($0.swiftName, $0) }, uniquingKeysWith: { first, _ in first })
        for field in new.fields where oldFields[field.swiftName] == nil {
            let required = !field.type.isOptional && field.defaultValue == nil
            changes.append(Change(
                kind: .added, subject: "\(new.name).\(field.swiftName): \(swift(field.type))",
                breaks: required ? "the initializer needs it" : nil))
        }
        for field in old.fields {
            guard let newer = newFields[field.swiftName] else {
                changes.append(Change(kind: .removed, subject: "\(old.name).\(field.swiftName)", breaks: "code reading it no longer compiles"))
                continue
            }
            if newer.type != field.type {
                changes.append(Change(
                    kind: .changed, subject: "\(old.name).\(field.swiftName): \(swift(field.type)) → \(swift(newer.type))",
                    breaks: "its type changed"))
            } else if newer.wireName != field.wireName {
                changes.append(Change(kind: .changed, subject: "\(old.name).\(field.swiftName) is sent as \"\(newer.wireName)\", was \"\(field.wireName)\""))
            }
        }
        return changes
    }

    private static func caseChanges(_ type: String, _ old: [String], _ new: [String]) -> [Change] {
        new.filter { !old.contains($0) }.map { Change(kind: .added, subject: "\(type).\($0)", breaks: "a switch over every case needs it") }
            + old.filter { !new.contains($0) }.map { Change(kind: .removed, subject: "\(type).\($0)", breaks: "code naming the case no longer compiles") }
    }

    private static func kind(_ type: TypeDeclaration) -> String {
        switch type {
        case .model: "model"
        case .enumeration: "enum"
        case .union: "union"
        }
    }

    // MARK: Calls

    private static func callChanges(_ old: API, _ new: API) -> [Change] {
        var changes: [Change] = []
        let oldCalls = Listing.calls(for: old)
        let newCalls = Listing.calls(for: new)
        let oldByName = Dictionary(oldCalls.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        let newByName = Dictionary(newCalls.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        for call in newCalls where oldByName[call.name] == nil {
            changes.append(Change(kind: .added, subject: "\(call.route)  \(call.selector) -> \(call.returns)"))
        }
        for call in oldCalls {
            guard let newer = newByName[call.name] else {
                changes.append(Change(kind: .removed, subject: "\(call.route)  \(call.selector)", breaks: "code calling it no longer compiles"))
                continue
            }
            if newer.route != call.route {
                changes.append(Change(kind: .changed, subject: "\(call.selector) sends \(newer.route), was \(call.route)"))
            }
            if newer.signature != call.signature {
                changes.append(Change(kind: .changed, subject: "\(call.signature)  →  \(newer.signature)", breaks: breakage(call, newer)))
            }
        }
        return changes
    }

    /// Why a call's new signature breaks its callers, or nil when every call that compiled still does: the same
    /// parameters in the same order, with new ones only where they have a default, and the same answer.
    private static func breakage(_ old: Listing.Call, _ new: Listing.Call) -> String? {
        if old.returns != new.returns { return "it answers \(new.returns), was \(old.returns)" }
        var remaining = new.parameters[...]
        for parameter in old.parameters {
            while let next = remaining.first, next.label != parameter.label || next.type != parameter.type {
                guard next.hasDefault else { return "it takes \(next.label): \(next.type)" }
                remaining = remaining.dropFirst()
            }
            guard !remaining.isEmpty else { return "\(parameter.label): \(parameter.type) is gone or changed" }
            remaining = remaining.dropFirst()
        }
        if let required = remaining.first(where: { !$0.hasDefault }) { return "it takes \(required.label): \(required.type)" }
        return nil
    }

    /// A spec type as the generated Swift writes it.
    static func swift(_ type: TypeRef) -> String {
        switch type {
        case .primitive(.json): "JSONValue"
        case .primitive(.bytes): "Data"
        case .primitive(.file): "URL"
        case .primitive(let primitive): primitive.rawValue
        case .declared(let name, _): name
        case .array(let element): "[\(swift(element))]"
        case .map(let value): "[String: \(swift(value))]"
        case .optional(let wrapped): swift(wrapped) + "?"
        }
    }
}
