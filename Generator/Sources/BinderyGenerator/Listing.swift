/// Every operation of an API, one a line: `METHOD /full/path/{param}/  swiftCall`, in spec order.
public enum Listing {
    public static func lines(for api: API) -> [String] {
        var rows: [(String, String)] = []
        func visit(_ resource: Resource, prefix: String) {
            var access = prefix + resource.swiftName
            if !resource.parameters.isEmpty {
                access += "(" + resource.parameters.map { ($0.label ?? $0.swiftName) + ":" }.joined() + ")"
            }
            for endpoint in resource.endpoints {
                var labels = endpoint.pathParameters.map { $0.swiftName + ":" }
                switch endpoint.body {
                case .json?, .bytes?, .file?: labels.append("_:")
                case .multipart(let parts)?: labels += parts.map { $0.swiftName + ":" }
                case nil: break
                }
                labels += (endpoint.query + endpoint.headers).map { $0.swiftName + ":" }
                rows.append(("\(endpoint.method) /\(endpoint.path)", "\(access).\(endpoint.swiftName)(\(labels.joined()))"))
            }
            for child in resource.resources { visit(child, prefix: access + ".") }
        }
        for resource in api.resources { visit(resource, prefix: "") }
        let width = rows.map(\.0.count).max() ?? 0
        return rows.map { $0.0.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + $0.1 }
    }
}
