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

    private mutating func validate(_ syntax: PaginationSyntax) -> Pagination? {
        guard let style = Pagination.Style(rawValue: syntax.style.text) else {
            let styles = Pagination.Style.allCases.map(\.rawValue)
            error("unknown pagination style '\(syntax.style.text)'", at: syntax.style.range,
                  hint: suggest(syntax.style.text, styles) ?? "styles are \(styles.joined(separator: ", "))")
            return nil
        }
        var rule = Pagination(name: syntax.name.text, style: style, items: ["results"])
        switch style {
        case .nextLink: (rule.next, rule.count) = (["next"], ["count"])
        case .linkHeader: (rule.items, rule.pageSizeParameter) = ([], "per_page")
        case .cursor: (rule.next, rule.cursorParameter) = (["next"], "cursor")
        case .offset: (rule.count, rule.offsetParameter, rule.limitParameter) = (["count"], "offset", "limit")
        case .pageNumber: (rule.count, rule.pageParameter, rule.pageSizeParameter) = (["count"], "page", "page_size")
        }
        let allowed = Keywords.paginationSettings(style)
        for setting in syntax.settings {
            guard allowed.contains(setting.key.text) else {
                error("'\(setting.key.text)' is not a setting of \(style.rawValue) pagination", at: setting.key.range,
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
            switch setting.key.text {
            case "items": rule.items = path
            case "next": rule.next = path
            case "count": rule.count = path
            case "has-more": rule.hasMore = path
            case "cursor-param": rule.cursorParameter = value
            case "page-param": rule.pageParameter = value
            case "offset-param": rule.offsetParameter = value
            case "limit-param": rule.limitParameter = value
            default: rule.pageSizeParameter = value
            }
            if path.isEmpty, setting.key.text != "items" {
                error("'\(setting.key.text)' needs a key", at: setting.values[0].range,
                      hint: "only items may be \"\", for a page that is a JSON array itself")
            }
        }
        return rule
    }

    private mutating func validate(_ syntax: JobSyntax) -> JobPolling {
        var rule = JobPolling(name: syntax.name.text)
        for setting in syntax.settings {
            let paths = setting.values.map { $0.text.split(separator: ".").map(String.init) }
            switch setting.key.text {
            case "state", "message", "details":
                guard paths.count == 1 else {
                    error("'\(setting.key.text)' takes one key", at: setting.values.dropFirst().first?.range ?? setting.key.range,
                          hint: "nested keys are written with dots: status.state")
                    continue
                }
                switch setting.key.text {
                case "state": rule.state = paths[0]
                case "message": rule.message = paths[0]
                default: rule.details = paths[0]
                }
            case "processing": rule.processing = setting.values.map(\.text)
            case "failed": rule.failed = setting.values.map(\.text)
            case "succeeded": rule.succeeded = setting.values.map(\.text)
            case "progress": rule.progress = paths
            case "timeout": rule.timeout = number(setting, in: .jobSeconds)
            case "interval": rule.interval = number(setting, in: .seconds)
            case "max-interval": rule.maxInterval = number(setting, in: .seconds)
            default:
                error("'\(setting.key.text)' is not a job setting", at: setting.key.range,
                      hint: suggest(setting.key.text, Keywords.jobSettings)
                          ?? "settings are \(Keywords.jobSettings.joined(separator: ", "))")
            }
        }
        if rule.processing.isEmpty {
            error("job rule '\(syntax.name.text)' needs the states that mean the job is still running", at: syntax.name.range,
                  hint: "e.g. processing PENDING, STARTED")
        }
        return rule
    }
}
