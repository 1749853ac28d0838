/// Every public call an API's client makes, one a line: `METHOD /full/path/{param}/  swiftCall`, in spec order. It
/// reads the same views the generated code is rendered from, so it lists exactly what is declared.
public enum Listing {
    public static func lines(for api: API) -> [String] {
        var rows: [(String, String)] = []
        func visit(_ resource: Resource, _ view: ResourceView, prefix: String) {
            var access = prefix + view.name
            if view.hasAccessorParameters { access += "(" + view.accessor.map(label).joined() + ")" }
            for (endpoint, call) in zip(resource.endpoints, view.endpoints) {
                let route = "\(endpoint.method) /\(endpoint.pathTemplate)"
                for selector in selectors(call) { rows.append((route, access + "." + selector)) }
            }
            for (child, childView) in zip(resource.resources, view.resources) { visit(child, childView, prefix: access + ".") }
        }
        for (resource, view) in zip(api.resources.map(\.declaration), Renderer(api: api, specName: "").resourceViews()) {
            visit(resource, view, prefix: "")
        }
        let width = rows.map(\.0.count).max() ?? 0
        return rows.map { $0.0.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + $0.1 }
    }

    /// The public calls an endpoint's view declares.
    static func selectors(_ view: EndpointView) -> [String] {
        if let upload = view.upload { return [selector(view.name, upload.signature.parameters)] }
        var calls = [view.callName]
        if let paginated = view.paginated { calls.append(selector(paginated.allName, view.signature.parameters)) }
        return calls
    }

    /// `name(label:label:)`.
    static func selector(_ name: String, _ parameters: [ParameterView]) -> String {
        name + "(" + parameters.map(label).joined() + ")"
    }

    private static func label(_ parameter: ParameterView) -> String { (parameter.label ?? parameter.name) + ":" }
}
