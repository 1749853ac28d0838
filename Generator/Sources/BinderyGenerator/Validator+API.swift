import BinderyRules
import Foundation

/// The `api` block: base URL, auth schemes, default query items, timeouts, retries and dates.
extension Validator {
    mutating func validate(_ syntax: APISyntax) -> API {
        let name = Naming.upperCamel(syntax.name.text)
        if !Naming.isIdentifier(name) {
            error("'\(syntax.name.text)' does not make a Swift type name", at: syntax.name.range, hint: "e.g. api PetShop { ... }")
        }
        if let typeName = syntax.typeName, !Naming.isIdentifier(typeName.text) {
            error("'\(typeName.text)' is not a Swift type name", at: typeName.range, hint: "e.g. api openai as OpenAI { ... }")
        }
        var api = API(
            doc: syntax.doc, name: name, clientTypeName: syntax.typeName?.text ?? name + "Client", baseURL: "", baseURLEnvironment: [], auth: [], defaultParameters: [],
            timeouts: Timeouts(), retry: ExponentialBackoff(), dateFormat: .iso8601, types: [], paginations: [],
            resources: [])
        if let (url, environment) = syntax.baseURL {
            if let parsed = URL(string: url.text), ["http", "https"].contains(parsed.scheme ?? ""), parsed.host != nil {
                api.baseURL = url.text
            } else {
                error("'\(url.text)' is not an http or https URL", at: url.range, hint: "e.g. \"https://api.example.com/v1\"")
            }
            api.baseURLEnvironment = environment.map(\.text)
        } else {
            error("API \(syntax.name.text) has no base URL", at: syntax.name.range,
                  hint: "add: base-url \"https://api.example.com\"")
        }
        var parameterNames: [String: SourceRange] = ["baseURL": syntax.name.range, "options": syntax.name.range]
        for auth in syntax.auth {
            let swiftName = self.swiftName(for: auth.name, explicit: nil, reserved: Naming.Reserved.parameters)
            unique(swiftName, at: auth.name.range, in: &parameterNames, what: "client parameter")
            if let kind = authKind(auth) {
                api.auth.append(AuthScheme(name: swiftName, kind: kind, environment: auth.environment.map(\.text)))
            }
        }
        for parameter in syntax.defaultParameters {
            let swiftName = parameter.name.map { name in
                let swiftName = self.swiftName(for: name, explicit: nil, reserved: Naming.Reserved.parameters)
                unique(swiftName, at: name.range, in: &parameterNames, what: "client parameter")
                return swiftName
            }
            if parameter.isHeader, !Self.isToken(parameter.wireName.text) {
                error("'\(parameter.wireName.text)' is not a valid header name", at: parameter.wireName.range)
            }
            if parameter.isHeader, ["authorization", "content-type", "content-length", "host"].contains(parameter.wireName.text.lowercased()) {
                error("\(parameter.wireName.text) is set by the runtime", at: parameter.wireName.range,
                      hint: parameter.wireName.text.lowercased() == "authorization" ? "declare it as an auth scheme" : nil)
            }
            if let value = parameter.value, value.text.contains(where: { $0 == "\r" || $0 == "\n" }) {
                error("a default value cannot hold a line break", at: value.range)
            }
            api.defaultParameters.append(DefaultParameter(
                isHeader: parameter.isHeader, swiftName: swiftName, wireName: parameter.wireName.text,
                environment: parameter.environment.map(\.text), value: parameter.value?.text))
        }
        api.errorMessage = syntax.errorMessage.compactMap { path in
            let keys = path.text.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
            guard !keys.contains(where: \.isEmpty) else {
                error("'\(path.text)' is not a key path", at: path.range, hint: "keys joined by dots, e.g. \"error.message\"")
                return nil
            }
            return keys
        }
        if let key = syntax.idempotencyKey {
            if Self.isToken(key.text) { api.idempotencyHeader = key.text } else { error("'\(key.text)' is not a valid header name", at: key.range) }
        }
        let timeouts = timeouts(syntax.timeouts)
        api.timeouts.connect = timeouts.connect ?? api.timeouts.connect
        api.timeouts.read = timeouts.read ?? api.timeouts.read
        api.timeouts.total = timeouts.total
        api.retry = retry(syntax.retry)
        if let version = syntax.version {
            // It goes in the User-Agent as a product version, which is a token.
            if Self.isToken(version.text) {
                api.version = version.text
            } else {
                error("the version '\(version.text)' cannot go in a User-Agent", at: version.range,
                      hint: "use letters, digits and . - _ only, e.g. \"2024-06-01\" or \"1.4.0\"")
            }
        }
        if let dates = syntax.dates {
            if let format = DateFormat(keyword: dates.text) {
                api.dateFormat = format
            } else {
                error("unknown date format '\(dates.text)'", at: dates.range,
                      hint: suggest(dates.text, DateFormat.keywords) ?? "use " + DateFormat.alternatives)
            }
        }
        return api
    }

    private mutating func authKind(_ auth: AuthSyntax) -> AuthScheme.Kind? {
        guard let kind = AuthKind(keyword: auth.scheme.text) else {
            error("unknown auth scheme '\(auth.scheme.text)'", at: auth.scheme.range,
                  hint: suggest(auth.scheme.text, AuthKind.keywords) ?? "use " + AuthKind.alternatives)
            return nil
        }
        if kind != .header, let extra = auth.header {
            error("a \(auth.scheme.text) scheme takes no header name or template", at: extra.range,
                  hint: "only 'header' schemes name their header: auth \(auth.name.text): header \"Name\" \"Token {token}\"")
        }
        switch kind {
        case .header:
            guard let header = auth.header else {
                error("a header scheme needs the header's name", at: auth.scheme.range,
                      hint: "e.g. auth \(auth.name.text): header \"X-Api-Key\"")
                return nil
            }
            if !Self.isToken(header.text) { error("'\(header.text)' is not a valid header name", at: header.range) }
            let template = auth.template?.text ?? "{token}"
            if let written = auth.template, !template.contains("{token}") {
                error("the header template has no '{token}'", at: written.range,
                      hint: "write where the secret goes, e.g. \"Token {token}\"")
            }
            return .header(name: header.text, template: template)
        case .bearer: return .header(name: "Authorization", template: "Bearer {token}")
        case .basic: return .basic
        }
    }

    mutating func timeouts(_ settings: [SettingSyntax]) -> TimeoutSettings {
        var timeouts = TimeoutSettings()
        for setting in settings {
            guard let key = TimeoutSetting(keyword: setting.key.text) else {
                error("unknown timeout '\(setting.key.text)'", at: setting.key.range,
                      hint: suggest(setting.key.text, TimeoutSetting.keywords) ?? "timeouts are connect, read and total")
                continue
            }
            guard let seconds = number(setting, in: .seconds) else { continue }
            switch key {
            case .connect: timeouts.connect = seconds
            case .read: timeouts.read = seconds
            case .total: timeouts.total = seconds
            }
        }
        return timeouts
    }

    private mutating func retry(_ settings: [SettingSyntax]) -> ExponentialBackoff {
        var retry = ExponentialBackoff()
        for setting in settings {
            guard let key = RetrySetting(keyword: setting.key.text) else {
                error("unknown retry setting '\(setting.key.text)'", at: setting.key.range,
                      hint: suggest(setting.key.text, RetrySetting.keywords)
                          ?? "retry settings are \(RetrySetting.keywords.joined(separator: ", "))")
                continue
            }
            switch key {
            case .none: retry.maxAttempts = 1
            case .on:
                retry.retryableStatuses = Set(setting.values.compactMap { value in
                    guard let status = Int(value.text), (100...599).contains(status) else {
                        error("'\(value.text)' is not an HTTP status", at: value.range, hint: "e.g. on 429, 503")
                        return nil
                    }
                    return status
                })
            case .attempts: if let value = number(setting, in: .attempts) { retry.maxAttempts = Int(value) }
            case .backoff: if let value = number(setting, in: .seconds) { retry.initialDelay = value }
            case .maxBackoff: if let value = number(setting, in: .seconds) { retry.maxDelay = value }
            case .maxRetryAfter: if let value = number(setting, in: .seconds) { retry.maxRetryAfter = value }
            }
        }
        return retry
    }
}
