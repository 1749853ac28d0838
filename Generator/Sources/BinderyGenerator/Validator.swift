import BinderyRules
import Foundation

/// Checks a syntax tree for meaning and builds the validated `API`, collecting every problem rather than stopping at
/// the first. The checks are split by concern: the API's settings (`Validator+API`), types (`Validator+Types`),
/// pagination and job rules (`Validator+Rules`), and resources with their endpoints (`Validator+Resources`).
public struct Validator {
    let syntax: SpecSyntax
    var diagnostics: [Diagnostic] = []
    /// Declared type names (Swift spelling) → kind and where declared.
    var declaredTypes: [String: (kind: TypeRef.DeclaredKind, range: SourceRange)] = [:]
    var enums: [String: Enumeration] = [:]
    var paginations: [String: NamedRule<PaginationRule>] = [:]
    var jobs: [String: NamedRule<JobRule>] = [:]
    /// Validated models by Swift name, for endpoints that read a field of their body.
    var models: [String: Model] = [:]

    public init(_ syntax: SpecSyntax) {
        self.syntax = syntax
    }

    /// The validated API, or nil with diagnostics when the spec has problems.
    public mutating func validate() -> (API?, [Diagnostic]) {
        let apis = syntax.declarations.compactMap { if case .api(let api) = $0 { api } else { nil } }
        for extra in apis.dropFirst() {
            error("a spec describes one API, but this is a second 'api' declaration", at: extra.name.range,
                  hint: "put \(extra.name.text) in a spec file of its own")
        }
        declareRules()
        declareTypes()
        var types = validateTypes()
        markRecursion(&types)
        let resources = validateResources()
        guard let apiSyntax = apis.first else {
            error("the spec declares no API", at: SourceRange(SourceLocation(line: 1, column: 1)),
                  hint: "start the file with: api Name { base-url \"https://example.com\" }")
            return (nil, diagnostics)
        }
        var api = validate(apiSyntax)
        checkResourceNames(resources, clientType: api.clientTypeName)
        api.types = types
        api.paginations = syntax.declarations.compactMap { declaration in
            if case .pagination(let rule) = declaration { paginations[rule.name.text] } else { nil }
        }
        api.jobs = syntax.declarations.compactMap { declaration in
            if case .job(let rule) = declaration { jobs[rule.name.text] } else { nil }
        }
        api.resources = resources
        return diagnostics.isEmpty ? (api, diagnostics) : (nil, diagnostics)
    }

    // MARK: Shared checks

    static func isToken(_ name: String) -> Bool {
        !name.isEmpty && name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "!#$%&'*+-.^_`|~".contains($0)) }
    }

    /// The setting's one number, when it lies in `range`.
    mutating func number(_ setting: SettingSyntax, in range: LanguageLimits.NumberRange) -> Double? {
        guard setting.values.count == 1, let value = Double(setting.values[0].text), range.contains(value) else {
            error("'\(setting.key.text)' takes \(range.description)", at: setting.values.first?.range ?? setting.key.range,
                  hint: "e.g. \(setting.key.text) \(range.whole ? "4" : "30")")
            return nil
        }
        return value
    }

    mutating func unique(
        _ name: String, at range: SourceRange, in seen: inout [String: SourceRange], what: String, hint: String? = nil
    ) {
        if let first = seen[name] {
            error("\(what) name '\(name)' is used twice; the first is at line \(first.start.line)", at: range, hint: hint)
        } else {
            seen[name] = range
        }
    }

    func suggest(_ name: String, _ candidates: [String]) -> String? {
        closest(to: name, in: candidates.sorted()).map { "did you mean '\($0)'?" }
    }

    mutating func error(_ message: String, at range: SourceRange, hint: String? = nil) {
        diagnostics.append(Diagnostic(message, at: range, hint: hint))
    }
}
