/// Models, enums and unions: names declared once, references resolved, fields and defaults checked, and types that
/// contain themselves stored out of line.
extension Validator {
    /// Records every declared type name first, so declarations may refer to ones further down the file.
    mutating func declareTypes() {
        for declaration in syntax.declarations {
            let name: Located
            let kind: TypeRef.DeclaredKind
            switch declaration {
            case .model(let model): (name, kind) = (model.name, .model)
            case .enumeration(let enumeration): (name, kind) = (enumeration.name, .enumeration)
            case .union(let union): (name, kind) = (union.name, .union)
            default: continue
            }
            let swiftName = Naming.upperCamel(name.text)
            if !Naming.isIdentifier(swiftName) {
                error("'\(name.text)' does not make a Swift type name", at: name.range, hint: "type names are letters and digits")
            } else if Naming.reservedTypeNames.contains(swiftName) {
                let what = swiftName == "BinderyRuntime" ? "the runtime module" : "Swift's own \(swiftName)"
                error("'\(swiftName)' would hide \(what)", at: name.range,
                      hint: "give it a more specific name, e.g. 'Api\(swiftName)' or one from its domain")
            } else if let existing = declaredTypes[swiftName] {
                error("'\(name.text)' is declared twice; the first is at line \(existing.range.start.line)",
                      at: name.range, hint: swiftName == name.text ? nil : "names are compared after conversion to \(swiftName)")
            } else if TypeRef.Primitive(rawValue: swiftName) != nil {
                error("'\(swiftName)' is a built-in type", at: name.range)
            }
            declaredTypes[swiftName] = declaredTypes[swiftName] ?? (kind, name.range)
        }
        for case .enumeration(let syntax) in syntax.declarations {
            enums[Naming.upperCamel(syntax.name.text)] = validate(syntax)
        }
    }

    /// Every model, enum and union, in spec order. Unions come last to be validated, as a union decided by shape
    /// reads the fields of its models, wherever they are declared.
    mutating func validateTypes() -> [TypeDeclaration] {
        var types: [TypeDeclaration?] = []
        var unions: [(index: Int, syntax: UnionSyntax)] = []
        for declaration in syntax.declarations {
            switch declaration {
            case .model(let model):
                let validated = validate(model)
                models[validated.name] = validated
                types.append(.model(validated))
            case .enumeration(let syntax):
                if let value = enums[Naming.upperCamel(syntax.name.text)] { types.append(.enumeration(value)) }
            case .union(let union):
                unions.append((types.count, union))
                types.append(nil)
            case .api, .pagination, .job, .resource, .extend: break
            }
        }
        for (index, union) in unions { types[index] = .union(validate(union)) }
        return types.compactMap { $0 }
    }

    /// - Parameter parts: resolving a multipart part's type, which alone may be an optional `File` or `Bytes`, or an
    ///   array of them (a part for each).
    mutating func resolve(_ type: TypeSyntax, allowFile: Bool = false, allowBytes: Bool = false, parts: Bool = false) -> TypeRef {
        switch type {
        case .named(let name):
            if let primitive = TypeRef.Primitive(rawValue: name.text) {
                if primitive == .file, !allowFile {
                    error("'File' is only for multipart parts and request bodies", at: name.range)
                }
                if primitive == .bytes, !allowBytes {
                    error("'Bytes' is only for request and response bodies", at: name.range,
                          hint: "for binary data inside JSON use String (base64)")
                }
                return .primitive(primitive)
            }
            let swiftName = Naming.upperCamel(name.text)
            guard let declared = declaredTypes[swiftName] else {
                let known = Array(declaredTypes.keys) + TypeRef.Primitive.allCases.map(\.rawValue)
                error("unknown type '\(name.text)'", at: name.range,
                      hint: suggest(name.text, known) ?? "declare it with 'model \(name.text) { ... }'")
                return .primitive(.json)
            }
            return .declared(swiftName, declared.kind)
        case .array(let element, _):
            return .array(resolve(element, allowFile: parts && allowFile, allowBytes: parts && allowBytes))
        case .map(let key, let value, let range):
            if case .named(let name) = key, name.text == "String" {
            } else {
                error("map keys must be String", at: range, hint: "write [String: \(describe(value))]")
            }
            return .map(resolve(value))
        case .optional(let wrapped, let range):
            if case .optional = wrapped { error("'??' is one '?' too many", at: range) }
            let resolved = resolve(wrapped, allowFile: allowFile, allowBytes: allowBytes, parts: parts)
            if !parts, resolved == .primitive(.bytes) || resolved == .primitive(.file) {
                error("a whole body cannot be optional", at: range, hint: "only a multipart part may be written \(describe(wrapped))?")
            }
            return .optional(resolved)
        }
    }

    private func describe(_ type: TypeSyntax) -> String {
        switch type {
        case .named(let name): name.text
        case .array(let element, _): "[\(describe(element))]"
        case .map(let key, let value, _): "[\(describe(key)): \(describe(value))]"
        case .optional(let wrapped, _): describe(wrapped) + "?"
        }
    }

    /// Reports each modifier of `field` that means nothing where it is.
    mutating func checkModifiers(of field: FieldSyntax, in place: FieldPlace) {
        for (modifier, range) in field.modifiers where !modifier.allowed.contains(place) {
            error(modifier.misplaced, at: range)
        }
    }

    /// A model's fields, or a multipart body's parts when `allowFile` (they become parameters).
    mutating func fields(_ syntax: [FieldSyntax], allowFile: Bool = false) -> [Field] {
        let reserved = allowFile ? Naming.Reserved.parameters : Naming.Reserved.fields
        var wireNames: [String: SourceRange] = [:]
        var swiftNames: [String: SourceRange] = [:]
        return syntax.map { field in
            unique(field.wireName.text, at: field.wireName.range, in: &wireNames, what: "field")
            let swiftName = swiftName(for: field.wireName, explicit: field.swiftName, reserved: reserved)
            if wireNames[field.wireName.text] == field.wireName.range {
                unique(swiftName, at: field.swiftName?.range ?? field.wireName.range, in: &swiftNames,
                       what: "field", hint: "write '\(field.wireName.text) as otherName: ...' to choose another Swift name")
            }
            let type = resolve(field.type, allowFile: allowFile, allowBytes: allowFile, parts: allowFile)
            checkModifiers(of: field, in: allowFile ? .multipart : .model)
            if let marker = field.fileURL, !allowFile,
                ![.primitive(.string), .primitive(.json), .array(.primitive(.string))].contains(type.wrapped)
            {
                error("a file-url field is a String, [String] or JSON", at: marker, hint: "remove file-url, or change the type")
            }
            return Field(
                doc: field.doc, wireName: field.wireName.text, swiftName: swiftName, type: type,
                defaultValue: field.defaultValue.flatMap { defaultValue($0, for: type) }, isFileURL: field.fileURL != nil)
        }
    }

    /// The Swift name of something called `wireName` on the wire, or the one written after `as`; none of `reserved`.
    mutating func swiftName(for wireName: Located, explicit: Located?, reserved: Set<String>) -> String {
        if let explicit {
            if !Naming.isIdentifier(explicit.text) {
                error("'\(explicit.text)' is not a Swift name", at: explicit.range, hint: "Swift names are ASCII letters, digits and _")
            } else if reserved.contains(explicit.text) {
                error("'\(explicit.text)' is taken by Swift or the generated code here", at: explicit.range, hint: "choose another name")
            }
            return explicit.text
        }
        let name = Naming.lowerCamel(wireName.text)
        if !Naming.isIdentifier(name) || reserved.contains(name) {
            error("'\(wireName.text)' has no usable Swift name", at: wireName.range,
                  hint: "give it one: \"\(wireName.text)\" as someName")
        }
        return name
    }

    mutating func defaultValue(_ literal: LiteralSyntax, for type: TypeRef) -> DefaultValue? {
        func mismatch(_ what: String) -> DefaultValue? {
            error("\(what) is not a value of this field's type", at: literal.range)
            return nil
        }
        switch (literal, type.wrapped) {
        case (.null, _):
            return type.isOptional ? .null : mismatch("null")
        case (.string(let text), .primitive(.string)):
            return .string(text.text)
        case (.string(let text), .declared(let name, .enumeration)), (.number(let text), .declared(let name, .enumeration)):
            guard let enumeration = enums[name] else { return nil }
            if let match = enumeration.cases.first(where: { $0.rawValue == text.text }) { return .enumCase(match.swiftName) }
            error("'\(text.text)' is not a value of \(name)", at: text.range,
                  hint: suggest(text.text, enumeration.cases.map(\.rawValue)))
            return nil
        case (.number(let text), .primitive(.int)), (.number(let text), .primitive(.int64)):
            return Int64(text.text) != nil ? .integer(text.text) : mismatch("'\(text.text)'")
        case (.number(let text), .primitive(.double)):
            return Double(text.text).map { $0.isFinite } == true ? .number(text.text) : mismatch("'\(text.text)'")
        case (.bool(let value, _), .primitive(.bool)):
            return .bool(value)
        case (.emptyArray, .array):
            return .emptyArray
        case (.emptyObject, .map), (.emptyObject, .primitive(.json)):
            return .emptyObject
        case (.emptyArray, .primitive(.json)):
            return .emptyArray
        case (.string(let text), _): return mismatch("\"\(text.text)\"")
        case (.number(let text), _): return mismatch("'\(text.text)'")
        case (.bool(let value, _), _): return mismatch("'\(value)'")
        case (.emptyArray, _): return mismatch("'[]'")
        case (.emptyObject, _): return mismatch("'{}'")
        }
    }

    private mutating func validate(_ syntax: ModelSyntax) -> Model {
        Model(doc: syntax.doc, name: Naming.upperCamel(syntax.name.text), fields: fields(syntax.fields))
    }

    private mutating func validate(_ syntax: EnumSyntax) -> Enumeration {
        let isInteger: Bool
        switch syntax.rawType?.text {
        case nil, "String": isInteger = false
        case "Int": isInteger = true
        case let other?:
            error("an enum's raw type is String or Int, not '\(other)'", at: syntax.rawType!.range)
            isInteger = false
        }
        var values: [String: SourceRange] = [:]
        var names: [String: SourceRange] = ["unknown": syntax.name.range]
        var cases: [Enumeration.Case] = []
        for item in syntax.cases {
            unique(item.value.text, at: item.value.range, in: &values, what: "value")
            if isInteger, !item.isNumber {
                error("\(syntax.name.text) has Int values, but '\(item.value.text)' is not a number", at: item.value.range)
            } else if isInteger, Int64(item.value.text) == nil {
                error("'\(item.value.text)' is not a whole number that fits in 64 bits", at: item.value.range)
            }
            if !isInteger, item.isNumber {
                error("\(syntax.name.text) has String values; write \"\(item.value.text)\" in quotes", at: item.value.range)
            }
            if isInteger, item.swiftName == nil {
                error("an Int case needs a name", at: item.value.range, hint: "write: \(item.value.text) as someName")
                continue
            }
            let swiftName = self.swiftName(for: item.value, explicit: item.swiftName, reserved: Naming.Reserved.cases)
            if swiftName == "unknown" {
                error("'unknown' is the case for values the spec does not list", at: item.swiftName?.range ?? item.value.range,
                      hint: "name this case differently: \(item.value.text) as otherName")
                continue
            }
            unique(swiftName, at: item.swiftName?.range ?? item.value.range, in: &names, what: "case")
            cases.append(Enumeration.Case(doc: item.doc, swiftName: swiftName, rawValue: item.value.text))
        }
        if syntax.cases.isEmpty { error("enum \(syntax.name.text) has no cases", at: syntax.name.range) }
        return Enumeration(doc: syntax.doc, name: Naming.upperCamel(syntax.name.text), isInteger: isInteger, cases: cases)
    }

    private mutating func validate(_ syntax: UnionSyntax) -> Union {
        guard let discriminator = syntax.discriminator else { return validateUntagged(syntax) }
        var values: [String: SourceRange] = [:]
        var names: [String: SourceRange] = ["unknown": syntax.name.range]
        var variants: [Union.Variant] = []
        for variant in syntax.variants {
            unique(variant.value.text, at: variant.value.range, in: &values, what: "discriminator value")
            let swiftName = self.swiftName(for: variant.value, explicit: variant.swiftName, reserved: Naming.Reserved.cases)
            unique(swiftName, at: variant.swiftName?.range ?? variant.value.range, in: &names, what: "case",
                   hint: "name it: \"\(variant.value.text)\" as otherName: \(variant.model.text)")
            let model = resolve(.named(variant.model))
            guard case .declared(let modelName, .model) = model else {
                if case .primitive(.json) = model {} else {
                    error("a union variant must be a model", at: variant.model.range)
                }
                continue
            }
            variants.append(Union.Variant(doc: variant.doc, value: variant.value.text, swiftName: swiftName, model: modelName))
        }
        if syntax.variants.isEmpty { error("union \(syntax.name.text) has no variants", at: syntax.name.range) }
        return Union(doc: syntax.doc, name: Naming.upperCamel(syntax.name.text), discriminator: discriminator.text, variants: variants)
    }

    /// A union decided by the JSON's shape: each case takes a different shape (string, integer, number, boolean,
    /// array), except objects, which models tell apart by the keys they require; a map or `JSON` takes any object.
    private mutating func validateUntagged(_ syntax: UnionSyntax) -> Union {
        var names: [String: SourceRange] = ["unknown": syntax.name.range]
        var taken: [Union.Choice.Shape: SourceRange] = [:]
        var anyObject: SourceRange?
        var choices: [Union.Choice] = []
        for choice in syntax.choices {
            let swiftName = self.swiftName(for: choice.name, explicit: nil, reserved: Naming.Reserved.cases)
            unique(swiftName, at: choice.name.range, in: &names, what: "case")
            let type = resolve(choice.type)
            guard let shape = shape(of: type, at: choice.type.range) else { continue }
            if let earlier = anyObject, case .object = shape {
                error("case '\(choice.name.text)' can never be chosen: the object case at line \(earlier.start.line) takes every object",
                      at: choice.type.range, hint: "put the map or JSON case last")
            } else if let earlier = taken[shape] {
                error("two cases take the same JSON; the first is at line \(earlier.start.line)", at: choice.type.range,
                      hint: shape == .integer || shape == .number ? "one number case is enough" : "models are told apart by the fields they require")
            }
            taken[shape] = taken[shape] ?? choice.type.range
            if case .object(let keys) = shape, keys.isEmpty { anyObject = anyObject ?? choice.type.range }
            if shape == .number { taken[.integer] = taken[.integer] ?? choice.type.range }
            choices.append(Union.Choice(doc: choice.doc, swiftName: swiftName, type: type, shape: shape))
        }
        if syntax.choices.isEmpty { error("union \(syntax.name.text) has no cases", at: syntax.name.range) }
        return Union(doc: syntax.doc, name: Naming.upperCamel(syntax.name.text), discriminator: nil, variants: [], choices: choices)
    }

    /// The JSON a value of `type` is; objects of a model by the keys the model requires.
    private mutating func shape(of type: TypeRef, at range: SourceRange) -> Union.Choice.Shape? {
        switch type {
        case .optional:
            error("a case cannot be optional: make the union's field optional instead", at: range)
            return nil
        case .array: return .array
        case .map, .primitive(.json): return .object(requiredKeys: [])
        case .primitive(.string), .primitive(.date), .primitive(.url), .primitive(.uuid): return .string
        case .primitive(.int), .primitive(.int64): return .integer
        case .primitive(.double): return .number
        case .primitive(.bool): return .bool
        case .primitive: 
            error("a union case is a JSON value: not \(type)", at: range)
            return nil
        case .declared(let name, .enumeration): return enums[name]?.isInteger == true ? .integer : .string
        case .declared(let name, .model):
            return .object(requiredKeys: models[name]?.fields.filter { !$0.type.isOptional && $0.defaultValue == nil }.map(\.wireName) ?? [])
        case .declared(_, .union):
            error("a union case cannot be another union", at: range, hint: "list its cases in this union")
            return nil
        }
    }

    /// Marks the fields and unions through which a type contains itself, so Swift can lay them out: a struct or enum
    /// may hold itself only behind a reference. Arrays and dictionaries already are one.
    func markRecursion(_ types: inout [TypeDeclaration]) {
        var contains: [String: [String]] = [:]
        for type in types {
            switch type {
            case .model(let model): contains[model.name] = model.fields.compactMap { Self.heldInline($0.type) }
            case .union(let union): contains[union.name] = union.variants.map(\.model) + union.choices.compactMap { Self.heldInline($0.type) }
            case .enumeration: break
            }
        }
        func reaches(_ start: String, _ target: String) -> Bool {
            var seen: Set<String> = []
            var pending = [start]
            while let name = pending.popLast() {
                if name == target { return true }
                if seen.insert(name).inserted { pending += contains[name] ?? [] }
            }
            return false
        }
        for index in types.indices {
            switch types[index] {
            case .model(var model):
                for field in model.fields.indices {
                    if let held = Self.heldInline(model.fields[field].type), reaches(held, model.name) {
                        model.fields[field].isIndirect = true
                    }
                }
                types[index] = .model(model)
            case .union(var union):
                union.isIndirect = union.variants.contains { reaches($0.model, union.name) }
                    || union.choices.contains { Self.heldInline($0.type).map { reaches($0, union.name) } ?? false }
                types[index] = .union(union)
            case .enumeration: break
            }
        }
    }

    /// The model or union a value of `type` holds inline, if any.
    private static func heldInline(_ type: TypeRef) -> String? {
        if case .declared(let name, let kind) = type.wrapped, kind != .enumeration { return name }
        return nil
    }
}
