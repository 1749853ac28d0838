/// Joins the syntax trees of a spec written in several files into one: every file's declarations, then each
/// `extend` applied to what it names, in the order of the files. An extension that names nothing (the imported spec
/// changed under it) is an error at the name, with the closest one there is.
struct Merger {
    private(set) var diagnostics: [Diagnostic] = []

    mutating func merge(_ files: [SpecSyntax]) -> SpecSyntax {
        var merged = SpecSyntax()
        var extensions: [ExtensionSyntax] = []
        for file in files {
            for declaration in file.declarations {
                if case .extend(let syntax) = declaration { extensions.append(syntax) } else { merged.declarations.append(declaration) }
            }
        }
        for syntax in extensions { apply(syntax, to: &merged) }
        return merged
    }

    private mutating func apply(_ syntax: ExtensionSyntax, to spec: inout SpecSyntax) {
        switch syntax.target {
        case .api(let addition):
            guard let index = spec.declarations.firstIndex(where: { if case .api = $0 { true } else { false } }),
                case .api(var api) = spec.declarations[index]
            else {
                return error("there is no api block to extend", at: addition.name.range)
            }
            extend(&api, with: addition)
            spec.declarations[index] = .api(api)
        case .model(let addition):
            guard let index = find("model", addition.name, in: spec, { if case .model(let model) = $0 { model.name.text } else { nil } }),
                case .model(var model) = spec.declarations[index]
            else { return }
            if !addition.doc.isEmpty { model.doc = addition.doc }
            for field in addition.fields { Self.replaceOrAppend(&model.fields, field) { $0.wireName.text == field.wireName.text } }
            spec.declarations[index] = .model(model)
        case .enumeration(let addition):
            guard let index = find("enum", addition.name, in: spec, { if case .enumeration(let item) = $0 { item.name.text } else { nil } }),
                case .enumeration(var enumeration) = spec.declarations[index]
            else { return }
            if !addition.doc.isEmpty { enumeration.doc = addition.doc }
            for item in addition.cases { Self.replaceOrAppend(&enumeration.cases, item) { $0.value.text == item.value.text } }
            spec.declarations[index] = .enumeration(enumeration)
        case .resource(let path, let addition, let amendments, let removals):
            var resources = spec.declarations.compactMap { if case .resource(let resource) = $0 { resource } else { nil } }
            var problems: [Diagnostic] = []
            guard update(&resources, at: path[...], with: { problems = Self.extend(&$0, with: addition, amendments: amendments, removals: removals) })
            else { return }
            diagnostics += problems
            var next = resources.makeIterator()
            for index in spec.declarations.indices {
                if case .resource = spec.declarations[index] { spec.declarations[index] = .resource(next.next()!) }
            }
        }
    }

    /// The index of the declaration of kind `what` named `name`, which `nameOf` reads from declarations of that
    /// kind; nil, with an error listing the names there are, when there is none.
    private mutating func find(
        _ what: String, _ name: Located, in spec: SpecSyntax, _ nameOf: (DeclarationSyntax) -> String?
    ) -> Int? {
        if let index = spec.declarations.firstIndex(where: { nameOf($0) == name.text }) { return index }
        error("there is no \(what) \(name.text) to extend", at: name.range, among: spec.declarations.compactMap(nameOf), name: name.text)
        return nil
    }

    /// Applies `change` to the resource at `path` among `resources`; false, with an error, when there is none.
    private mutating func update(_ resources: inout [ResourceSyntax], at path: ArraySlice<Located>, with change: (inout ResourceSyntax) -> Void) -> Bool {
        let name = path.first!
        guard let index = resources.firstIndex(where: { $0.name.text == name.text }) else {
            error("there is no resource \(name.text) here to extend", at: name.range, among: resources.map(\.name.text), name: name.text)
            return false
        }
        if path.count == 1 {
            change(&resources[index])
            return true
        }
        return update(&resources[index].resources, at: path.dropFirst(), with: change)
    }

    /// Returns the amendments' problems.
    private static func extend(
        _ resource: inout ResourceSyntax, with addition: ResourceSyntax, amendments: [AmendmentSyntax], removals: [Located]
    ) -> [Diagnostic] {
        var problems = Merger()
        for name in removals {
            let names = resource.endpoints.map(\.name.text) + resource.resources.map(\.name.text)
            guard names.contains(name.text) else {
                problems.error("resource \(resource.name.text) has no endpoint or resource \(name.text) to remove", at: name.range,
                               among: names, name: name.text)
                continue
            }
            resource.endpoints.removeAll { $0.name.text == name.text }
            resource.resources.removeAll { $0.name.text == name.text }
        }
        if !addition.doc.isEmpty { resource.doc = addition.doc }
        for endpoint in addition.endpoints { Self.replaceOrAppend(&resource.endpoints, endpoint) { $0.name.text == endpoint.name.text } }
        for child in addition.resources { Self.replaceOrAppend(&resource.resources, child) { $0.name.text == child.name.text } }
        for amendment in amendments {
            guard let index = resource.endpoints.firstIndex(where: { $0.name.text == amendment.name.text }) else {
                problems.error("resource \(resource.name.text) has no endpoint \(amendment.name.text) to change", at: amendment.name.range,
                               among: resource.endpoints.map(\.name.text), name: amendment.name.text)
                continue
            }
            amend(&resource.endpoints[index], with: amendment)
        }
        return problems.diagnostics
    }

    /// An endpoint with the changes written: settings replace those it has of the same kind (parameters those of the
    /// same name) or are added.
    private static func amend(_ endpoint: inout EndpointSyntax, with amendment: AmendmentSyntax) {
        let changes = amendment.changes
        if !amendment.doc.isEmpty { endpoint.doc = amendment.doc }
        if let newName = amendment.newName { endpoint.name = newName }
        if let response = changes.response { endpoint.response = response }
        for field in changes.pathParameters { Self.replaceOrAppend(&endpoint.pathParameters, field) { $0.wireName.text == field.wireName.text } }
        for field in changes.query { Self.replaceOrAppend(&endpoint.query, field) { $0.wireName.text == field.wireName.text } }
        for field in changes.headers { Self.replaceOrAppend(&endpoint.headers, field) { $0.wireName.text == field.wireName.text } }
        endpoint.pathFromBody += changes.pathFromBody
        endpoint.queryFromBody += changes.queryFromBody
        endpoint.body = changes.body ?? endpoint.body
        endpoint.paginate = changes.paginate ?? endpoint.paginate
        endpoint.stream = changes.stream ?? endpoint.stream
        endpoint.upload = changes.upload ?? endpoint.upload
        endpoint.poll = changes.poll ?? endpoint.poll
        endpoint.starts = changes.starts ?? endpoint.starts
        for setting in changes.timeouts { Self.replaceOrAppend(&endpoint.timeouts, setting) { $0.key.text == setting.key.text } }
        endpoint.idempotent = changes.idempotent ?? endpoint.idempotent
    }

    /// The api block with the extension's settings; its name is the extension's, so an imported API can be
    /// named as its users call it.
    private func extend(_ api: inout APISyntax, with addition: APISyntax) {
        api.name = addition.name
        if !addition.doc.isEmpty { api.doc = addition.doc }
        api.typeName = addition.typeName ?? api.typeName
        api.baseURL = addition.baseURL ?? api.baseURL
        for auth in addition.auth { Self.replaceOrAppend(&api.auth, auth) { $0.name.text == auth.name.text } }
        for parameter in addition.defaultParameters {
            Self.replaceOrAppend(&api.defaultParameters, parameter) {
                $0.isHeader == parameter.isHeader && $0.wireName.text.lowercased() == parameter.wireName.text.lowercased()
            }
        }
        if !addition.errorMessage.isEmpty { api.errorMessage = addition.errorMessage }
        api.idempotencyKey = addition.idempotencyKey ?? api.idempotencyKey
        for setting in addition.timeouts { Self.replaceOrAppend(&api.timeouts, setting) { $0.key.text == setting.key.text } }
        for setting in addition.retry { Self.replaceOrAppend(&api.retry, setting) { $0.key.text == setting.key.text } }
        api.dates = addition.dates ?? api.dates
        api.version = addition.version ?? api.version
    }

    private static func replaceOrAppend<Item>(_ items: inout [Item], _ item: Item, matching: (Item) -> Bool) {
        if let index = items.firstIndex(where: matching) { items[index] = item } else { items.append(item) }
    }

    /// - Parameter names: What the spec has where `range` names something it does not, for a hint.
    private mutating func error(_ message: String, at range: SourceRange, among names: [String] = [], name: String = "") {
        diagnostics.append(Diagnostic(
            message, at: range,
            hint: closest(to: name, in: names).map { "did you mean '\($0)'? (the spec it extends may have changed)" }
                ?? (names.isEmpty ? nil : "the spec it extends may have changed; it has " + names.prefix(8).joined(separator: ", "))))
    }
}
