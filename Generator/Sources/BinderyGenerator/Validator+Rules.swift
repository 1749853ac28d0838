import BinderyRules

/// Pagination and job rules, declared before anything refers to them.
extension Validator {
    mutating func declareRules() {
        for declaration in syntax.declarations {
            switch declaration {
            case .pagination(let rule):
                if paginations[rule.name.text] != nil {
                    error("pagination rule '\(rule.name.text)' is declared twice", at: rule.name.range)
                }
                if let validated = validate(rule) { paginations[rule.name.text] = validated }
                ruleName(rule.name)
            case .job(let rule):
                if jobs[rule.name.text] != nil {
                    error("job rule '\(rule.name.text)' is declared twice", at: rule.name.range)
                }
                jobs[rule.name.text] = validate(rule)
                ruleName(rule.name)
            default: continue
            }
        }
    }

    /// A rule becomes a static member named after it.
    private mutating func ruleName(_ name: Located) {
        if !Naming.isIdentifier(Naming.lowerCamel(name.text)) {
            error("'\(name.text)' does not make a Swift name", at: name.range, hint: "rule names are letters and digits")
        }
    }

    private mutating func validate(_ syntax: PaginationSyntax) -> NamedRule<PaginationRule>? {
        guard let style = PaginationRule.Style(keyword: syntax.style.text) else {
            let styles = PaginationRule.Style.keywords
            error("unknown pagination style '\(syntax.style.text)'", at: syntax.style.range,
                  hint: suggest(syntax.style.text, styles) ?? "styles are \(styles.joined(separator: ", "))")
            return nil
        }
        var rule = PaginationRule(style: style)
        let allowed = style.settings.map(\.keyword)
        for setting in syntax.settings {
            guard let key = PaginationSetting(keyword: setting.key.text), style.settings.contains(key) else {
                error("'\(setting.key.text)' is not a setting of \(style.keyword) pagination", at: setting.key.range,
                      hint: suggest(setting.key.text, allowed) ?? "settings are \(allowed.joined(separator: ", "))")
                continue
            }
            guard setting.values.count == 1 else {
                error("'\(setting.key.text)' takes one value", at: setting.values.dropFirst().first?.range ?? setting.key.range,
                      hint: "nested keys are written with dots: meta.pagination.next_cursor")
                continue
            }
            let value = setting.values[0].text
            let path = value.split(separator: ".").map(String.init)
            switch key {
            case .items: rule.items = path
            case .next: rule.next = path
            case .count: rule.count = path
            case .hasMore: rule.hasMore = path
            case .cursorParam: rule.cursorParameter = value
            case .pageParam: rule.pageParameter = value
            case .offsetParam: rule.offsetParameter = value
            case .limitParam: rule.limitParameter = value
            case .pageSizeParam: rule.pageSizeParameter = value
            }
            if path.isEmpty, key != .items {
                error("'\(setting.key.text)' needs a key", at: setting.values[0].range,
                      hint: "only items may be \"\", for a page that is a JSON array itself")
            }
        }
        return NamedRule(name: syntax.name.text, rule: rule)
    }

    private mutating func validate(_ syntax: JobSyntax) -> NamedRule<JobRule> {
        var rule = JobRule(state: ["state"], processing: [], failed: [])
        for setting in syntax.settings {
            guard let key = JobSetting(keyword: setting.key.text) else {
                error("'\(setting.key.text)' is not a job setting", at: setting.key.range,
                      hint: suggest(setting.key.text, JobSetting.keywords)
                          ?? "settings are \(JobSetting.keywords.joined(separator: ", "))")
                continue
            }
            let paths = setting.values.map { $0.text.split(separator: ".").map(String.init) }
            /// The one key path a setting takes.
            func path() -> [String]? {
                guard paths.count == 1 else {
                    error("'\(setting.key.text)' takes one key", at: setting.values.dropFirst().first?.range ?? setting.key.range,
                          hint: "nested keys are written with dots: status.state")
                    return nil
                }
                return paths[0]
            }
            switch key {
            case .state: if let path = path() { rule.state = path }
            case .message: if let path = path() { rule.message = path }
            case .details: if let path = path() { rule.details = path }
            case .processing: rule.processing = Set(setting.values.map(\.text))
            case .failed: rule.failed = Set(setting.values.map(\.text))
            case .succeeded: rule.succeeded = Set(setting.values.map(\.text))
            case .progress: rule.progress = paths
            case .timeout: rule.timeout = number(setting, in: .jobSeconds)
            case .interval: if let seconds = number(setting, in: .seconds) { rule.interval = seconds }
            case .maxInterval: if let seconds = number(setting, in: .seconds) { rule.maxInterval = seconds }
            }
        }
        if rule.processing.isEmpty {
            error("job rule '\(syntax.name.text)' needs the states that mean the job is still running", at: syntax.name.range,
                  hint: "e.g. processing PENDING, STARTED")
        }
        return NamedRule(name: syntax.name.text, rule: rule)
    }
}
