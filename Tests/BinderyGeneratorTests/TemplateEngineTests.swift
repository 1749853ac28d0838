import BinderyTemplates
import BinderyTestSupport
import Foundation
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

    @Test func misspelledSectionsAreErrors() {
        #expect(throws: TemplateEngine.TemplateError.self) { try render("{{#mising}}x{{/mising}}", ["missing": true]) }
        #expect(throws: TemplateEngine.TemplateError.self) { try render("{{^mising}}x{{/mising}}", ["missing": true]) }
        #expect(throws: TemplateEngine.TemplateError.self) { try render("{{> nowhere}}", [:]) }
    }

    @Test func listItemsKnowWhereTheyStand() throws {
        #expect(try render("[{{#items}}{{.}}{{^@last}}, {{/@last}}{{/items}}]", ["items": ["a", "b", "c"]]) == "[a, b, c]")
        #expect(try render("{{#items}}{{#@first}}<{{/@first}}{{.}}{{/items}}", ["items": ["a", "b"]]) == "<ab")
    }

    @Test func inlinePartialsContinueAtTheirLinesIndent() throws {
        let output = try render("    f{{> list}} {}\n", [:], partials: ["list": "(\n    a,\n    b\n)\n"])
        #expect(output == "    f(\n        a,\n        b\n    ) {}\n")
    }

    @Test func viewsBecomeValuesByReflection() throws {
        struct Item { var name: String; var note: String? }
        struct View { var items: [Item]; var on: Bool }
        let view = View(items: [Item(name: "a", note: nil), Item(name: "b", note: "!")], on: true)
        let output = try render("{{#on}}{{#items}}{{name}}{{#note}}{{note}}{{/note}}{{/items}}{{/on}}", TemplateValue(reflecting: view))
        #expect(output == "ab!")
    }

    /// The shipped templates are compiled in, every file of Templates/Swift among them.
    @Test func everyTemplateFileIsCompiledIn() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Repository.url("Templates/Swift").path)
        #expect(Set(files.map { String($0.dropLast(".template".count)) }) == Set(Templates.all.keys))
        for (name, text) in Templates.all {
            #expect(try String(contentsOf: Repository.url("Templates/Swift/\(name).template"), encoding: .utf8) == text)
        }
    }

    /// A misspelled section or partial in a shipped template fails generation instead of dropping code.
    @Test(arguments: [("Endpoint", "{{#paginated}}", "{{#paginatd}}"), ("Resource", "{{> Endpoint}}", "{{> Endpiont}}")])
    func aBrokenShippedTemplateFailsGeneration(template: String, original: String, broken: String) throws {
        var templates = Templates.all
        templates[template] = templates[template]!.replacingOccurrences(of: original, with: broken)
        let api = try Generator.check(source: try Repository.text("Tests/PetShop/PetShop.bindery"), file: "PetShop.bindery")
        #expect(throws: TemplateEngine.TemplateError.self) {
            try Renderer(api: api, specName: "PetShop.bindery").render(templates: templates)
        }
    }
}
