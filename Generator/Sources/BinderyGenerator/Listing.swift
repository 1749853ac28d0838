/// Every public call an API's client makes, one a line: `METHOD /full/path/{param}/  swiftCall`, in spec order. It
/// reads the same views the generated code is rendered from, so it lists exactly what is declared.
public enum Listing {
    /// A public call: its route, where it is reached from the client, and its Swift declaration's shape.
    public struct Call: Hashable, Sendable {
        /// `GET /pets/{id}`.
        public var route: String
        /// `pets.pet(_:).get(id:)`.
        public var selector: String
        /// The call's name after the resources leading to it: `pets.pet(_:).get`.
        public var name: String
        public var parameters: [Parameter]
        public var returns: String

        public struct Parameter: Hashable, Sendable {
            public var label: String
            public var type: String
            public var hasDefault: Bool
        }

        /// `get(id: Int) -> Pet`.
        public var signature: String {
            "\(name)(" + parameters.map { "\($0.label): \($0.type)\($0.hasDefault ? " = …" : "")" }.joined(separator: ", ") + ") -> \(returns)"
        }
    }

    public static func lines(for api: API) -> [String] {
        let rows = calls(for: api)
        let width = rows.map(\.route.count).max() ?? 0
        return rows.map { $0.route.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + $0.selector }
    }

    public static func calls(for api: API) -> [Call] {
        var rows: [Call] = []
        func visit(_ resource: Resource, _ view: ResourceView, prefix: String) {
            var access = prefix + view.name
            if view.hasAccessorParameters { access += "(" + view.accessor.map(\.selectorLabel).joined() + ")" }
            for (endpoint, call) in zip(resource.endpoints, view.endpoints) {
                let route = "\(endpoint.method) /\(endpoint.pathTemplate)"
                for (name, parameters, returns) in declarations(call) {
                    rows.append(Call(
                        route: route, selector: access + "." + SignatureView.selector(name, parameters), name: access + "." + name,
                        parameters: parameters.map { Call.Parameter(label: $0.label ?? $0.name, type: text($0.type), hasDefault: $0.defaultValue != nil) },
                        returns: returns.map(text) ?? "Void"))
                }
            }
            for (child, childView) in zip(resource.resources, view.resources) { visit(child, childView, prefix: access + ".") }
        }
        for (resource, view) in zip(api.resources, Renderer(api: api, specName: "").resourceViews()) {
            visit(resource, view, prefix: "")
        }
        return rows
    }

    /// The public calls an endpoint's view declares: name, parameters and what each answers.
    static func declarations(_ view: EndpointView) -> [(String, [ParameterView], TypeView?)] {
        let parameters = view.signature.parameters
        let name = view.name.replacingOccurrences(of: "`", with: "")
        if let upload = view.upload { return [(name, upload.signature.parameters, TypeView(name: "ChunkedUpload", generic: [upload.result]))] }
        if let job = view.jobStatus { return [(name, parameters, TypeView(name: "Job", generic: [job.result]))] }
        if let start = view.jobStart { return [(name, parameters, TypeView(name: "Job", generic: [start.result]))] }
        var calls = [(name, parameters, view.call?.returns)]
        if let paginated = view.paginated {
            calls.append((paginated.allName.replacingOccurrences(of: "`", with: ""), parameters, TypeView(name: "Paginated", generic: [paginated.item])))
        }
        return calls
    }

    /// A type as Swift writes it.
    static func text(_ type: TypeView) -> String {
        if let name = type.name { return name + (type.generic.isEmpty ? "" : "<" + type.generic.map(text).joined(separator: ", ") + ">") }
        if let element = type.arrayOf.first { return "[\(text(element))]" }
        if let value = type.mapOf.first { return "[String: \(text(value))]" }
        if let wrapped = type.optionalOf.first { return text(wrapped) + "?" }
        return "Void"
    }
}
