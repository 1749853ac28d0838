import Testing

@testable import BinderyGenerator

@Suite("Template engine")
struct TemplateEngineTests {
    func render(_ source: String, _ context: TemplateValue, partials: [String: String] = [:]) throws -> String {
        var engine = TemplateEngine()
        try engine.register("main", source: source)
        for (name, text) in partials { try engine.register(name, source: text) }
        return try engine.render("main", context)
    }

    @Test func variablesAndDottedNames() throws {
        #expect(try render("Hello {{name}} of {{place.city}}", ["name": "Ada", "place": ["city": "Seoul"]]) == "Hello Ada of Seoul")
    }

    @Test func sectionsRepeatAndStandaloneTagsLeaveNoLines() throws {
        let source = "items:\n{{#items}}\n- {{.}}\n{{/items}}\nend\n"
        #expect(try render(source, ["items": ["a", "b"]]) == "items:\n- a\n- b\nend\n")
        #expect(try render(source, ["items": []]) == "items:\nend\n")
    }

    @Test func invertedSectionsAndFlags() throws {
        let source = "{{#on}}yes{{/on}}{{^on}}no{{/on}}"
        #expect(try render(source, ["on": true]) == "yes")
        #expect(try render(source, ["on": false]) == "no")
    }

    @Test func inheritsOuterValuesInsideSections() throws {
        #expect(try render("{{#items}}{{prefix}}{{name}} {{/items}}", ["prefix": "#", "items": [["name": "a"], ["name": "b"]]]) == "#a #b ")
    }

    @Test func partialsAreIndentedLikeTheirTag() throws {
        let source = "struct S {\n    {{> body}}\n}\n"
        let output = try render(source, ["x": "1"], partials: ["body": "let x = {{x}}\n\nlet y = 2\n"])
        #expect(output == "struct S {\n    let x = 1\n\n    let y = 2\n}\n")
    }

    @Test func recursivePartials() throws {
        let tree: TemplateValue = ["name": "a", "children": [["name": "b", "children": [["name": "c", "children": []]]]]]
        let output = try render("{{> node}}", tree, partials: ["node": "{{name}}\n{{#children}}\n  {{> node}}\n{{/children}}\n"])
        #expect(output == "a\n  b\n    c\n")
    }

    @Test func reportsTemplateMistakes() {
        #expect(throws: TemplateEngine.TemplateError.self) { try render("{{#open}}never closed", [:]) }
        #expect(throws: TemplateEngine.TemplateError.self) { try render("{{/stray}}", [:]) }
        #expect(throws: TemplateEngine.TemplateError.self) { try render("{{missing}}", [:]) }
        #expect(throws: TemplateEngine.TemplateError.self) { try render("{{unclosed", [:]) }
    }
}
