import Foundation

/// Paths and operations → resources and endpoints. Paths are laid out as a tree of their segments: a literal
/// segment with operations below it is a resource, a path parameter under it an item resource taking that
/// parameter (`deployment(_ deployment_name: String)`), and operations are named by what they do to their
/// resource (`list`, `create`, `get`, `update`, `delete`) or by the action segment they post to (`run`).
extension Importer {
    /// One operation of the document.
    struct Operation {
        /// The path as sent, without the query or fragment its key may carry.
        var path: String
        /// The path key as the document writes it, for pointers.
        var key: String
        /// A query the path key fixes (`?beta=true`), sent with every call.
        var fixedQuery: String
        /// The part after `#` that documents use to give one path several operations of a method; names the call.
        var fragment: String?
        var method: String
        var node: YAMLNode
        var pointer: String
        var pathParameters: [YAMLNode]
    }

    /// A segment of the paths, with the operations on exactly that path and the segments below it.
    final class PathNode {
        let segment: String
        var operations: [Operation] = []
        var children: [PathNode] = []

        init(segment: String) { self.segment = segment }

        func child(_ segment: String) -> PathNode {
            if let existing = children.first(where: { $0.segment == segment }) { return existing }
            let node = PathNode(segment: segment)
            children.append(node)
            return node
        }

        /// A segment holding one placeholder, alone or with literal text beside it (`{id}`, `{Sid}.json`).
        var isParameter: Bool { Importer.placeholders(in: segment).count == 1 }
        var parameterName: String { Importer.placeholders(in: segment)[0] }
    }

    /// The names of the `{name}` placeholders of a path, in order.
    static func placeholders(in path: String) -> [String] {
        scanPlaceholders(path) { $0 }.names
    }

    /// A placeholder's name as the spec language writes it: `{deployment.series_name}` is `{deployment_series_name}`.
    /// Only the value goes on the wire, so the name is the spec's to choose.
    static func placeholderName(_ name: String) -> String {
        if Naming.isIdentifier(name) { return name }
        let words = Naming.words(name).joined(separator: "_")
        return Naming.isIdentifier(words) ? words : "p_" + words
    }

    /// `path` with every placeholder renamed by `placeholderName`.
    static func renamingPlaceholders(_ path: String) -> String {
        scanPlaceholders(path, placeholderName).path
    }

    /// `path` with each `{name}` written as `{rename(name)}`, and the names found; a `{` left open stays as written.
    private static func scanPlaceholders(_ path: String, _ rename: (String) -> String) -> (path: String, names: [String]) {
        var out = ""
        var names: [String] = []
        var current: String?
        for character in path {
            if character == "{" {
                out += current.map { "{" + $0 } ?? ""
                current = ""
            } else if character == "}", let name = current {
                names.append(name)
                out += "{" + rename(name) + "}"
                current = nil
            } else if current != nil {
                current!.append(character)
            } else {
                out.append(character)
            }
        }
        return (out + (current.map { "{" + $0 } ?? ""), names)
    }

    /// A path key split into the path sent, a query it fixes, and a fragment (`/files/{id}#get_shared_link`).
    static func splitPathKey(_ key: String) -> (path: String, query: String, fragment: String?) {
        var path = Substring(key)
        var fragment: String?
        if let hash = path.firstIndex(of: "#") {
            fragment = String(path[path.index(after: hash)...])
            path = path[..<hash]
        }
        var query = ""
        if let mark = path.firstIndex(of: "?") {
            query = String(path[mark...])
            path = path[..<mark]
        }
        return (String(path), query == "?" ? "" : query, fragment?.isEmpty == true ? nil : fragment)
    }

    static let methods = ["get", "put", "post", "delete", "options", "head", "patch", "trace"]

    mutating func operations() {
        let tree = PathNode(segment: "")
        var operationIDs: [String: SourceLocation] = [:]
        for (path, item) in root["paths"]?.pairs ?? [] {
            let itemPointer = "/paths/" + escape(path)
            var item = item
            if let reference = item["$ref"], let target = follow(reference, at: itemPointer + "/$ref") { item = target }
            // In OpenAPI's order of methods, whatever the document's, so importing again reads the same.
            let operations = item.pairs.filter { Self.methods.contains($0.key) }.sorted { Self.methods.firstIndex(of: $0.key)! < Self.methods.firstIndex(of: $1.key)! }
            for (method, operation) in operations {
                var operation = operation
                var pointer = itemPointer + "/" + method
                // Documents spread over files write a whole operation as a reference to its file.
                if let reference = operation["$ref"], let target = follow(reference, at: pointer + "/$ref"), let ref = reference.string {
                    operation = target
                    pointer = String(ref.dropFirst())
                }
                if let id = operation["operationId"], let text = id.string {
                    if let first = operationIDs[text] {
                        sharedOperationIDs.insert(text)
                        warn("the operationId '\(text)' is also used at line \(first.line); this operation is named by its path and method",
                             at: pointer + "/operationId", id)
                    }
                    operationIDs[text] = operationIDs[text] ?? id.location
                }
                guard HTTPMethodKeyword(keyword: method.uppercased()) != nil else {
                    warn("\(method.uppercased()) is not a method the spec language declares; the operation is left out", at: pointer, operation)
                    continue
                }
                let parts = Self.splitPathKey(path)
                let specPath = Self.renamingPlaceholders(parts.path)
                var node = tree
                for segment in specPath.split(separator: "/") { node = node.child(String(segment)) }
                node.operations.append(Operation(path: specPath, key: path, fixedQuery: parts.query, fragment: parts.fragment, method: method,
                                                 node: operation, pointer: pointer, pathParameters: item["parameters"]?.items ?? []))
            }
        }
        var resources: [SpecDraft.Resource] = []
        var names: Set<String> = []
        if !tree.operations.isEmpty || tree.children.contains(where: \.isParameter) {
            var rootResource = SpecDraft.Resource(name: unique("root", in: &names), path: "")
            place(tree.operations, collection: true, in: &rootResource, prefix: "", bound: [])
            for child in tree.children where child.isParameter { placeItem(child, under: "", in: &rootResource, bound: []) }
            resources.append(rootResource)
        }
        for child in tree.children where !child.isParameter {
            var resource = SpecDraft.Resource(name: unique(resourceName(child.segment), in: &names), path: child.segment)
            fill(&resource, from: child, prefix: "/" + child.segment, bound: [])
            resources.append(resource)
        }
        for index in resources.indices { nameResourceTypes(&resources[index], siblings: []) }
        draft.resources = resources
    }

    /// A collection resource: operations on its own path, the items under its parameter child, and its literal
    /// children as actions (one operation, nothing below) or nested resources.
    private mutating func fill(_ resource: inout SpecDraft.Resource, from node: PathNode, prefix: String, bound: [String]) {
        place(node.operations, collection: true, in: &resource, prefix: prefix, bound: bound)
        for child in node.children where child.isParameter {
            placeItem(child, under: prefix, in: &resource, bound: bound)
        }
        addLiteralChildren(of: node, prefix: prefix, bound: bound, into: &resource)
    }

    private mutating func addLiteralChildren(of node: PathNode, prefix: String, bound: [String], into resource: inout SpecDraft.Resource) {
        for child in node.children where !child.isParameter {
            let childPrefix = prefix + "/" + child.segment
            if child.children.isEmpty, child.operations.count == 1 {
                place(child.operations, collection: false, in: &resource, prefix: prefix, bound: bound, action: child.segment)
            } else if resourceNesting >= Self.maxResourceNesting || !Self.placeholders(in: child.segment).isEmpty {
                // Deep paths, and segments of several placeholders (`{date}-{id}`), which no resource binds, go on
                // this resource with their longer paths.
                place(operations(under: child), collection: false, in: &resource, prefix: prefix, bound: bound)
            } else {
                var taken = Set(resource.endpoints.map(\.name) + resource.resources.map(\.name))
                var nested = SpecDraft.Resource(name: unique(resourceName(child.segment), in: &taken), path: "/" + child.segment)
                resourceNesting += 1
                fill(&nested, from: child, prefix: childPrefix, bound: bound)
                resourceNesting -= 1
                resource.resources.append(nested)
            }
        }
    }

    /// The operations on `collection/{id}` go on the collection (`get`, `update`, `delete`); what lies below them
    /// goes into an item resource that takes the parameter.
    private mutating func placeItem(_ item: PathNode, under prefix: String, in resource: inout SpecDraft.Resource, bound: [String]) {
        let itemPrefix = prefix + "/" + item.segment
        place(item.operations, collection: false, in: &resource, prefix: prefix, bound: bound)
        guard !item.children.isEmpty else { return }
        guard resourceNesting < Self.maxResourceNesting else {
            place(item.children.flatMap(operations(under:)), collection: false, in: &resource, prefix: prefix, bound: bound)
            return
        }
        resourceNesting += 1
        defer { resourceNesting -= 1 }
        var taken = Set(resource.endpoints.map(\.name) + resource.resources.map(\.name))
        let parameter = item.parameterName
        var nested = SpecDraft.Resource(name: unique(itemName(parameter, in: resource), in: &taken), path: "/" + item.segment)
        let type = pathParameterType(parameter, in: firstOperation(under: item))
        nested.parameters = [(parameter, type)]
        let bound = bound + [parameter]
        addLiteralChildren(of: item, prefix: itemPrefix, bound: bound, into: &nested)
        for child in item.children where child.isParameter { placeItem(child, under: itemPrefix, in: &nested, bound: bound) }
        resource.resources.append(nested)
    }

    /// An item resource's name: the collection's in the singular when the parameter names its items (`pet_id`,
    /// `id`, `deployment_name` under `deployments`), else the parameter's (`owner` under `repos`).
    private func itemName(_ parameter: String, in collection: SpecDraft.Resource) -> String {
        let words = Naming.words(parameter).map { $0.lowercased() }
        let one = singular(collection.name)
        if collection.name != "root", words.first == one.lowercased() || ["id", "name", "key", "uuid", "slug"].contains(words.joined()) {
            return one
        }
        return words.joined(separator: "_")
    }

    /// Resources nest at most this deep; the spec language reads `LanguageLimits.maxNesting` levels, and operations below
    /// this depth (Azure's paths hold seven parameters and more) go on the deepest resource with their longer paths.
    static let maxResourceNesting = LanguageLimits.maxNesting / 2

    /// Every operation at or below `node`, in path order.
    private func operations(under node: PathNode) -> [Operation] {
        node.operations + node.children.flatMap(operations(under:))
    }

    private func firstOperation(under node: PathNode) -> Operation? {
        if let operation = node.operations.first { return operation }
        // A loop, not `lazy.compactMap(...).first`, which calls its closure twice a child: 2^depth calls down a path.
        for child in node.children {
            if let operation = firstOperation(under: child) { return operation }
        }
        return nil
    }

    /// The spec type of a path parameter, read from the first operation that declares it.
    private func pathParameterType(_ name: String, in operation: Operation?) -> String {
        guard let operation else { return "String" }
        let declared = (operation.node["parameters"]?.items ?? []) + operation.pathParameters
        guard let schema = declared.first(where: { resolved($0)["name"]?.string.map(Self.placeholderName) == name }) else { return "String" }
        switch resolved(resolved(schema)["schema"] ?? schema)["type"]?.string {
        case "integer": return resolved(resolved(schema)["schema"] ?? schema)["format"]?.string == "int64" ? "Int64" : "Int"
        default: return "String"
        }
    }

    /// Whether a schema describes JSON objects, which a query or header cannot carry.
    private func isObject(_ schema: YAMLNode) -> Bool {
        schema["type"]?.string == "object" || schema["properties"] != nil || schema["additionalProperties"] != nil || schema["allOf"] != nil
    }

    /// A parameter or schema with its `$ref` followed (silently: the operations report dangling ones).
    func resolved(_ node: YAMLNode) -> YAMLNode {
        guard let ref = node["$ref"]?.string, ref.hasPrefix("#"), let target = root.resolve(pointer: String(ref.dropFirst())) else { return node }
        return target
    }

    /// Adds endpoints for `operations` to `resource`, whose path is `prefix`.
    private mutating func place(
        _ operations: [Operation], collection: Bool, in resource: inout SpecDraft.Resource, prefix: String, bound: [String], action: String? = nil
    ) {
        for operation in operations {
            var taken = Set(resource.endpoints.map(\.name) + resource.resources.map(\.name))
            let name = endpointName(operation, collection: collection, action: action, taken: taken)
            _ = taken.insert(name)
            var relative = String(operation.path.dropFirst(prefix.count))
            if prefix.isEmpty, relative.hasPrefix("/") { relative.removeFirst() }
            relative += operation.fixedQuery
            resource.endpoints += endpoints(for: operation, name: name, relativePath: relative, bound: bound, taken: &taken)
        }
    }

    /// An operation's name: what it does to its resource, or its action segment; from its operationId when those
    /// are taken.
    private func endpointName(_ operation: Operation, collection: Bool, action: String?, taken: Set<String>) -> String {
        var candidates: [String] = []
        let id = operation.node["operationId"]?.string
        let operationName = id.map { shortName($0, path: operation.path, method: operation.method) }
        // A PUT, PATCH or DELETE of a whole collection is rarely what its method says (`PUT /me/albums` saves albums):
        // the document's own name for it, unless other operations share it, reads better than `replace_all`.
        if collection, action == nil, ["put", "patch", "delete"].contains(operation.method), let id, !sharedOperationIDs.contains(id),
            let operationName, !operationName.isEmpty
        {
            candidates.append(operationName)
        }
        if let fragment = operation.fragment {
            candidates.append(Naming.words(fragment).map { $0.lowercased() }.joined(separator: "_"))
        }
        if let action {
            let words = Naming.words(action).map { $0.lowercased() }
            let actionName = words.joined(separator: "_")
            if !actionName.isEmpty { candidates.append(operation.method == "get" || operation.method == "post" ? actionName : operation.method + "_" + actionName) }
        } else {
            switch (operation.method, collection) {
            case ("get", true): candidates.append(answersList(operation) ? "list" : "get")
            case ("post", true): candidates.append("create")
            case ("get", false): candidates.append("get")
            case ("put", _): candidates.append(collection ? "replace_all" : "update")
            case ("patch", _): candidates.append(collection ? "update_all" : "update")
            case ("delete", _): candidates.append(collection ? "delete_all" : "delete")
            case ("head", _): candidates.append("head")
            default: break
            }
        }
        if let operationName { candidates.append(operationName) }
        candidates.append(operation.method + "_" + Naming.words(operation.path).map { $0.lowercased() }.joined(separator: "_"))
        for candidate in candidates {
            let name = candidate.isEmpty || !SpecWriter.isPlainName(candidate) ? "call_" + candidate : candidate
            if Naming.isIdentifier(Naming.lowerCamel(name)), !taken.contains(name) { return name }
        }
        var counter = 2
        while taken.contains(candidates.last! + "_\(counter)") { counter += 1 }
        return candidates.last! + "_\(counter)"
    }

    /// Whether an operation's success answers an array, which makes a GET of a collection its `list`.
    private func answersList(_ operation: Operation) -> Bool {
        let responses = (operation.node["responses"]?.pairs ?? []).filter { $0.key.hasPrefix("2") }.sorted { $0.key < $1.key }
        guard let response = responses.first?.value, let content = resolved(response)["content"]?.pairs.first?.value,
            let schema = content["schema"]
        else { return false }
        return resolved(schema)["type"]?.string == "array"
    }

    /// An operationId in snake case without what FastAPI appends to it (`_deployments__name__get`).
    private func shortName(_ id: String, path: String, method: String) -> String {
        let words = Naming.words(id).map { $0.lowercased() }
        let suffix = Naming.words(path).map { $0.lowercased() } + [method]
        if words.count > suffix.count, Array(words.suffix(suffix.count)) == suffix {
            return words.dropLast(suffix.count).joined(separator: "_")
        }
        return words.joined(separator: "_")
    }

    private func resourceName(_ segment: String) -> String {
        let name = Naming.words(segment).map { $0.lowercased() }.joined(separator: "_")
        return name.isEmpty ? "resource" : name
    }

    private func unique(_ base: String, in taken: inout Set<String>) -> String {
        var name = SpecWriter.isPlainName(base) && Naming.isIdentifier(Naming.lowerCamel(base)) ? base : "r_" + base
        var counter = 2
        let stem = name
        while taken.contains(name) {
            name = stem + "_\(counter)"
            counter += 1
        }
        taken.insert(name)
        return name
    }

    /// Gives a resource an `as` type name where the one made from its name would hide a model or Swift's own.
    private mutating func nameResourceTypes(_ resource: inout SpecDraft.Resource, siblings: Set<String>) {
        let made = Naming.upperCamel(resource.name)
        if typeNames.contains(made) || Naming.swiftTypeNames.contains(made) {
            var name = made + "Resource"
            var counter = 2
            while typeNames.contains(name) { name = made + "Resource\(counter)"; counter += 1 }
            resource.typeName = name
        }
        var children: Set<String> = []
        for index in resource.resources.indices {
            nameResourceTypes(&resource.resources[index], siblings: children)
            children.insert(resource.resources[index].typeName ?? Naming.upperCamel(resource.resources[index].name))
        }
    }

    // MARK: Endpoints

    /// The endpoint of an operation, one per request content type it takes (`create`, `create_multipart`).
    private mutating func endpoints(for operation: Operation, name: String, relativePath: String, bound: [String], taken: inout Set<String>)
        -> [SpecDraft.Endpoint]
    {
        let node = operation.node
        // Inline types are named after the call; a name many calls share (`list`, `get`) takes the operationId's.
        let operationName = (node["operationId"]?.string).map { shortName($0, path: operation.path, method: operation.method) }
        let context = Naming.upperCamel(["list", "get", "create"].contains(name) ? operationName ?? name : name)
        var endpoint = SpecDraft.Endpoint(name: name, method: operation.method.uppercased(), path: relativePath)
        endpoint.doc = docLines(node["summary"]?.string)
        let description = docLines(node["description"]?.string)
        if !description.isEmpty, description != endpoint.doc { endpoint.doc += (endpoint.doc.isEmpty ? [] : [""]) + description }
        if node["deprecated"]?.bool == true { endpoint.doc += (endpoint.doc.isEmpty ? [] : [""]) + ["Deprecated."] }
        if let security = node["security"] {
            let schemes = security.items.flatMap { $0.pairs.map(\.key) }
            let global = (root["security"]?.items ?? []).flatMap { $0.pairs.map(\.key) }
            if schemes.isEmpty, !global.isEmpty {
                warn("this operation needs no credentials, but the client sends those it has", at: operation.pointer + "/security", security)
            } else if !schemes.isEmpty, Set(schemes) != Set(global) {
                warn("this operation takes \(schemes.joined(separator: " or ")) only, but the client sends every credential it has",
                     at: operation.pointer + "/security", security)
            }
        }
        let parameterNames = parameters(of: operation, bound: bound, context: context, into: &endpoint)
        response(of: operation, context: context, into: &endpoint)
        guard let body = node["requestBody"] else { return [endpoint] }
        if ["get", "head"].contains(operation.method) {
            warn("a \(operation.method.uppercased()) request has no body: the call sends none", at: operation.pointer + "/requestBody", body)
            return [endpoint]
        }
        let requestBody = resolved(body)
        let bodyPointer = operation.pointer + "/requestBody"
        var variants: [SpecDraft.Endpoint] = []
        for (mediaType, content) in requestBody["content"]?.pairs ?? [] {
            let pointer = bodyPointer + "/content/" + escape(mediaType)
            var variant = endpoint
            let type = mediaType.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
            let schema = content["schema"]
            if type == "application/json" || type.hasSuffix("+json") {
                let bodyType = schema.map { self.type(of: $0, pointer: pointer + "/schema", context: context + "Request").type } ?? "JSON"
                variant.settings.append("body \(bodyType)")
            } else if type == "multipart/form-data" || type == "application/x-www-form-urlencoded" {
                let form = type == "application/x-www-form-urlencoded"
                if let schema, let parts = formFields(schema, pointer: pointer + "/schema", context: context + "Form", urlEncoded: form, taken: parameterNames) {
                    variant.settings.append("body \(form ? "form" : "multipart") {")
                    variant.settings += parts.map { "    " + $0 }
                    variant.settings.append("}")
                } else {
                    warn("this \(form ? "form" : "multipart") body declares no fields, so the call sends none", at: pointer, content)
                }
            } else if type == "application/octet-stream" || type.hasPrefix("image/") || type.hasPrefix("audio/") || type.hasPrefix("video/")
                || schema?["format"]?.string == "binary"
            {
                variant.settings.append("body Bytes")
                if type != "application/octet-stream" {
                    warn("a body of type \(type) is sent as application/octet-stream", at: pointer, content)
                }
            } else {
                warn("a body of type \(type) cannot be declared; this variant of the operation is left out", at: pointer, content)
                continue
            }
            if !variants.isEmpty {
                let suffix = type == "multipart/form-data" ? "multipart" : type == "application/x-www-form-urlencoded" ? "form"
                    : type.hasSuffix("json") ? "json" : "bytes"
                variant.name = name + "_" + suffix
                while taken.contains(variant.name) { variant.name += "_" }
                taken.insert(variant.name)
            }
            variants.append(variant)
        }
        if variants.isEmpty, requestBody["content"] != nil {
            warn("no body of this operation can be declared; the operation is left out", at: bodyPointer, body)
        }
        return variants
    }

    /// The fields of a multipart or form body, one line each, their Swift names apart from `taken`; nil when it has
    /// none.
    private mutating func formFields(_ schema: YAMLNode, pointer: String, context: String, urlEncoded: Bool, taken: Set<String>) -> [String]? {
        let schema = resolved(schema)
        guard let properties = schema["properties"]?.pairs, !properties.isEmpty else { return nil }
        let required = Set(schema["required"]?.items.compactMap(\.string) ?? [])
        var taken = taken
        var lines: [String] = []
        for (key, value) in properties {
            let fieldType = type(of: value, pointer: pointer + "/properties/" + escape(key), context: context + Naming.upperCamel(key),
                                 binary: urlEncoded ? .text : .part)
            var line = "\(SpecWriter.wireName(key, swiftName(for: key, taken: &taken, reserved: Naming.Reserved.parameters))): \(fieldType.type)"
            if !fieldType.nullable, let fallback = resolved(value)["default"].flatMap({ defaultLiteral($0, type: fieldType.type) }) {
                line += " = \(fallback)"
            } else if !required.contains(key) || fieldType.nullable {
                line += "?"
            }
            lines.append(line)
        }
        return lines
    }

    /// Declares the operation's parameters; returns the Swift names they take.
    private mutating func parameters(of operation: Operation, bound: [String], context: String, into endpoint: inout SpecDraft.Endpoint)
        -> Set<String>
    {
        var declared: [(node: YAMLNode, pointer: String)] = []
        for (index, parameter) in operation.pathParameters.enumerated() {
            declared.append((parameter, "/paths/\(escape(operation.key))/parameters/\(index)"))
        }
        for (index, parameter) in (operation.node["parameters"]?.items ?? []).enumerated() {
            let pointer = "\(operation.pointer)/parameters/\(index)"
            var node = parameter
            if let reference = parameter["$ref"] {
                guard let target = follow(reference, at: pointer + "/$ref") else { continue }
                node = target
            }
            // An operation's parameter replaces the path item's of the same name and place.
            declared.removeAll { resolved($0.node)["name"]?.string == node["name"]?.string && resolved($0.node)["in"]?.string == node["in"]?.string }
            declared.append((node, pointer))
        }
        var taken = Set(bound.map { Naming.lowerCamel($0) })
        let declaredPath = Set(declared.compactMap {
            resolved($0.node)["in"]?.string == "path" ? resolved($0.node)["name"]?.string.map(Self.placeholderName) : nil
        })
        var seen: Set<String> = []
        for name in Self.placeholders(in: operation.path) where !bound.contains(name) && !declaredPath.contains(name) && seen.insert(name).inserted {
            warn("the path uses {\(name)}, which no parameter declares: it is a String path parameter", at: operation.pointer, operation.node)
            taken.insert(Naming.lowerCamel(name))
            endpoint.settings.append("path \(SpecWriter.wireName(name, nil)): String")
        }
        // Path parameters first: their Swift names are their wire names, and queries or headers of the same name
        // take others.
        let pathFirst = declared.filter { resolved($0.node)["in"]?.string == "path" } + declared.filter { resolved($0.node)["in"]?.string != "path" }
        for (parameter, pointer) in pathFirst {
            let parameter = resolved(parameter)
            guard let name = parameter["name"]?.string, let location = parameter["in"]?.string else { continue }
            let schema = parameter["schema"] ?? parameter["content"]?.pairs.first?.value["schema"]
            let style = parameter["style"]?.string ?? (location == "query" ? "form" : "simple")
            if location == "header", let schema, isObject(resolved(schema)) {
                warn("an object-valued header cannot be declared; left out", at: pointer, parameter)
                continue
            }
            if location == "query", let schema, isObject(resolved(schema)), style != "deepObject" {
                // A form-style object is its properties as query items of their own, which is what they become here.
                if let properties = resolved(schema)["properties"]?.pairs, !properties.isEmpty, parameter["explode"]?.bool != false {
                    for (key, value) in properties {
                        let propertyType = type(of: value, pointer: pointer + "/schema/properties/" + escape(key), context: context + Naming.upperCamel(key))
                        let line = "query " + SpecWriter.wireName(key, swiftName(for: key, taken: &taken, reserved: Naming.Reserved.parameters))
                        endpoint.settings.append(line + ": \(propertyType.type)?")
                    }
                    continue
                }
                warn("OpenAPI's \(style) style for this object has no form the spec language writes; it is sent in bracket notation, \(name)[key]=value",
                     at: pointer, parameter)
            }
            var parameterType: (type: String, nullable: Bool) =
                schema.map { type(of: $0, pointer: pointer + "/schema", context: context + Naming.upperCamel(name)) } ?? ("String", false)
            // A path or header holds one piece of text; a union of a number and a string (`42` or `my-droplet`) is that text.
            if location == "path" || location == "header", !["string", "number", "bool"].contains(shape(of: parameterType.type)),
                !parameterType.type.hasPrefix("[")
            {
                warn("a \(location) parameter of type \(parameterType.type) is a String here, sent as written", at: pointer, parameter)
                parameterType = ("String", parameterType.nullable)
            }
            let required = parameter["required"]?.bool == true
            let doc = docLines(parameter["description"]?.string).joined(separator: " ")
            switch location {
            case "path":
                let name = Self.placeholderName(name)
                if bound.contains(name) { continue }
                guard Self.placeholders(in: operation.path).contains(name) else {
                    warn("the path has no {\(name)}; the parameter is left out", at: pointer, parameter)
                    continue
                }
                taken.insert(Naming.lowerCamel(name))
                if !doc.isEmpty { endpoint.settings.append("/// " + doc) }
                endpoint.settings.append("path \(SpecWriter.wireName(name, nil)): \(parameterType.type)")
            case "query", "header":
                if location == "header", ["accept", "content-type", "authorization"].contains(name.lowercased()) {
                    warn("the \(name) header is the client's to send; left out", at: pointer, parameter)
                    continue
                }
                var separator: String?
                if parameterType.type.hasPrefix("["), style != "deepObject" {
                    let explode = parameter["explode"]?.bool ?? (style == "form")
                    switch (location, style, explode) {
                    case ("query", "form", true): break
                    case ("query", "form", false): separator = ","
                    case ("query", "spaceDelimited", false): separator = " "
                    case ("query", "pipeDelimited", false): separator = "|"
                    case ("header", "simple", _):
                        warn("a header array is a String here: write its items joined by ','", at: pointer, parameter)
                        parameterType.type = "String"
                    default:
                        warn("a \(location) array of style \(style)\(explode ? ", exploded," : "") cannot be declared; left out", at: pointer, parameter)
                        continue
                    }
                }
                var line = location + " " + SpecWriter.wireName(name, swiftName(for: name, taken: &taken, reserved: Naming.Reserved.parameters))
                let fallback = schema.flatMap { resolved($0)["default"] }.flatMap { defaultLiteral($0, type: parameterType.type) }
                if let fallback, !required {
                    line += ": \(parameterType.type) = \(fallback)"
                } else {
                    line += ": \(parameterType.type)\(required && !parameterType.nullable ? "" : "?")"
                }
                if let separator { line += " joined \(SpecWriter.literal(separator))" }
                if !doc.isEmpty { endpoint.settings.append("/// " + doc) }
                endpoint.settings.append(line)
            default:
                warn("\(location) parameters cannot be declared; '\(name)' is left out", at: pointer, parameter)
            }
        }
        return taken
    }

    /// The success response's type; streams for event-stream and NDJSON answers; error responses in the docs.
    private mutating func response(of operation: Operation, context: String, into endpoint: inout SpecDraft.Endpoint) {
        let responses = operation.node["responses"]?.pairs ?? []
        let successes = responses.filter { $0.key.hasPrefix("2") }.sorted { $0.key < $1.key }
        let errors = responses.filter { $0.key.hasPrefix("4") || $0.key.hasPrefix("5") }
        let documented = errors.compactMap { status, response -> String? in
            let body = resolved(response)["content"]?.pairs.first?.value["schema"]
            guard let ref = body?["$ref"]?.string else { return nil }
            return "\(status) \(Naming.upperCamel(String(ref.split(separator: "/").last ?? "")))"
        }
        if !documented.isEmpty {
            endpoint.doc += (endpoint.doc.isEmpty ? [] : [""]) + ["Errors: " + documented.joined(separator: ", ") + " (read with `error.body(as:)`)."]
        }
        guard let (status, response) = successes.first(where: { resolved($0.value)["content"] != nil }) ?? successes.first else { return }
        let pointer = "\(operation.pointer)/responses/\(status)"
        var contents = resolved(response)["content"]?.pairs ?? []
        contents.sort { rank($0.key) < rank($1.key) }
        guard let (mediaType, content) = contents.first else { return }
        let type = mediaType.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
        let schemaPointer = pointer + "/content/" + escape(mediaType) + "/schema"
        let schema = content["itemSchema"] ?? content["schema"]
        func returned(_ suffix: String) -> String? {
            guard let schema, !(schema.pairs.isEmpty && schema["$ref"] == nil) else { return nil }
            let returned = self.type(of: schema, pointer: schemaPointer, context: context + suffix)
            return returned.type + (returned.nullable ? "?" : "")
        }
        switch type {
        case "text/event-stream":
            endpoint.returns = returned("Event")?.replacingOccurrences(of: "?", with: "")
            endpoint.settings.append("stream sse")
        case "application/x-ndjson", "application/jsonl", "application/json-seq", "application/ndjson":
            endpoint.returns = returned("Event")?.replacingOccurrences(of: "?", with: "") ?? "JSON"
            endpoint.settings.append("stream ndjson")
        default:
            endpoint.returns = type == "application/json" || type.hasSuffix("+json") ? returned("Response") ?? "JSON" : "Bytes"
        }
    }

    /// Which of a response's media types to read: JSON first, then streams, then anything.
    private func rank(_ mediaType: String) -> Int {
        let type = mediaType.lowercased()
        if type.hasPrefix("application/json") || type.contains("+json") { return 0 }
        if type.hasPrefix("text/event-stream") || type.contains("ndjson") || type.contains("jsonl") { return 1 }
        return 2
    }
}
