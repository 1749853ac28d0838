import BinderyGenerator
import Foundation
import Testing

/// The YAML reader against the YAML 1.2 spec's examples of what OpenAPI documents use, JSON, and malformed YAML.
@Suite("YAML reader")
struct YAMLReaderTests {
    /// A node as JSON text, with YAML 1.2's core schema resolving plain scalars, keys sorted.
    static func json(_ node: YAMLNode) -> String {
        func value(_ node: YAMLNode) -> Any {
            switch node.kind {
            case .mapping(let pairs): return Dictionary(pairs.map { ($0.key, value($0.value)) }, uniquingKeysWith: { a, _ in a })
            case .sequence(let items): return items.map(value)
            case .scalar(let text, _):
                if node.isNull { return NSNull() }
                if let flag = node.bool { return flag }
                if node.number != nil, let integer = Int(text) { return integer }
                if node.number != nil, let double = Double(text) { return double }
                return text
            }
        }
        let data = try! JSONSerialization.data(withJSONObject: value(node), options: [.sortedKeys, .fragmentsAllowed, .withoutEscapingSlashes])
        return String(decoding: data, as: UTF8.self)
    }

    static func read(_ yaml: String) throws -> String { json(try YAMLReader.read(yaml, file: "t.yaml")) }

    static let examples: [(name: String, yaml: String, json: String)] = [
        ("2.1 sequence of scalars", "- Mark McGwire\n- Sammy Sosa\n- Ken Griffey\n", #"["Mark McGwire","Sammy Sosa","Ken Griffey"]"#),
        ("2.2 mapping scalars to scalars", "hr:  65    # Home runs\navg: 0.278 # Batting average\nrbi: 147   # Runs Batted In",
         #"{"avg":0.278,"hr":65,"rbi":147}"#),
        ("2.3 mapping scalars to sequences", """
            american:
              - Boston Red Sox
              - Detroit Tigers
            national:
              - New York Mets
              - Chicago Cubs
            """, #"{"american":["Boston Red Sox","Detroit Tigers"],"national":["New York Mets","Chicago Cubs"]}"#),
        ("2.4 sequence of mappings", """
            -
              name: Mark McGwire
              hr:   65
            -
              name: Sammy Sosa
              hr:   63
            """, #"[{"hr":65,"name":"Mark McGwire"},{"hr":63,"name":"Sammy Sosa"}]"#),
        ("2.5 sequence of sequences", "- [name        , hr, avg  ]\n- [Mark McGwire, 65, 0.278]\n",
         #"[["name","hr","avg"],["Mark McGwire",65,0.278]]"#),
        ("2.6 mapping of mappings", "Mark McGwire: {hr: 65, avg: 0.278}\nSammy Sosa: {\n    hr: 63,\n    avg: 0.288\n  }\n",
         #"{"Mark McGwire":{"avg":0.278,"hr":65},"Sammy Sosa":{"avg":0.288,"hr":63}}"#),
        ("2.10 anchors and aliases", """
            ---
            hr:
              - Mark McGwire
              # Following node labeled SS
              - &SS Sammy Sosa
            rbi:
              - *SS # Subsequent occurrence
              - Ken Griffey
            """, #"{"hr":["Mark McGwire","Sammy Sosa"],"rbi":["Sammy Sosa","Ken Griffey"]}"#),
        ("2.12 compact nested mapping", """
            ---
            # Products purchased
            - item    : Super Hoop
              quantity: 1
            - item    : Basketball
              quantity: 4
            """, #"[{"item":"Super Hoop","quantity":1},{"item":"Basketball","quantity":4}]"#),
        ("2.13 literal keeps newlines", "--- |\n  \\//||\\/||\n  // ||  ||__\n", #""\\//||\\/||\n// ||  ||__\n""#),
        ("2.14 folded becomes spaces", "--- >\n  Mark McGwire's\n  year was crippled\n  by a knee injury.\n",
         #""Mark McGwire's year was crippled by a knee injury.\n""#),
        ("2.15 folded keeps more-indented and blank lines", """
            >
             Sammy Sosa completed another
             fine season with great stats.

               63 Home Runs
               0.288 Batting Average

             What a year!
            """, #""Sammy Sosa completed another fine season with great stats.\n\n  63 Home Runs\n  0.288 Batting Average\n\nWhat a year!\n""#),
        ("2.16 indentation determines scope", """
            name: Mark McGwire
            accomplishment: >
              Mark set a major league
              home run record in 1998.
            stats: |
              65 Home Runs
              0.278 Batting Average
            """, #"{"accomplishment":"Mark set a major league home run record in 1998.\n","name":"Mark McGwire","stats":"65 Home Runs\n0.278 Batting Average\n"}"#),
        ("2.17 quoted scalars", #"""
            unicode: "Sosa did fine.\u263A"
            control: "\b1998\t1999\t2000\n"
            hex esc: "\x0d\x0a is \r\n"
            single: '"Howdy!" he cried.'
            quoted: ' # Not a ''comment''.'
            tie-fighter: '|\-*-/|'
            """#, #"{"control":"\b1998\t1999\t2000\n","hex esc":"\r\n is \r\n","quoted":" # Not a 'comment'.","single":"\"Howdy!\" he cried.","tie-fighter":"|\\-*-/|","unicode":"Sosa did fine.☺"}"#),
        ("2.18 multi-line flow scalars", """
            plain:
              This unquoted scalar
              spans many lines.

            quoted: "So does this
              quoted scalar.\\n"
            """, #"{"plain":"This unquoted scalar spans many lines.","quoted":"So does this quoted scalar.\n"}"#),
        ("chomping indicators", "strip: |-\n  text\n\nclip: |\n  text\n\nkeep: |+\n  text\n\nlast: x\n",
         #"{"clip":"text\n","keep":"text\n\n","last":"x","strip":"text"}"#),
        ("indentation indicator", "a: |2\n    indented\n  not\n", #"{"a":"  indented\nnot\n"}"#),
        ("merge keys, own keys first", "base: &b {x: 1, y: 2}\nthis:\n  y: 3\n  <<: *b\n", #"{"base":{"x":1,"y":2},"this":{"x":1,"y":3}}"#),
        ("core schema", "a: null\nb: ~\nc:\nd: 'null'\ne: true\nf: \"true\"\ng: 012\nh: -1.5e3\ni: 1.2.3\n",
         #"{"a":null,"b":null,"c":null,"d":"null","e":true,"f":"true","g":12,"h":-1500,"i":"1.2.3"}"#),
        ("tags are dropped", "a: !!str 12\nb: !custom\n  c: 1\n", #"{"a":"12","b":{"c":1}}"#),
        ("an OpenAPI fragment", """
            openapi: 3.1.0
            paths:
              /pets/{id}:
                get:
                  operationId: getPet
                  parameters:
                    - name: id
                      in: path
                      required: true
                      schema: {type: integer, format: int64}
                  responses:
                    '200':
                      description: >-
                        The pet,
                        by its id.
                      content:
                        application/json:
                          schema:
                            $ref: '#/components/schemas/Pet'
            """, ##"{"openapi":"3.1.0","paths":{"/pets/{id}":{"get":{"operationId":"getPet","parameters":[{"in":"path","name":"id","required":true,"schema":{"format":"int64","type":"integer"}}],"responses":{"200":{"content":{"application/json":{"schema":{"$ref":"#/components/schemas/Pet"}}},"description":"The pet, by its id."}}}}}}"##),
        ("JSON", #"{"a": [1, 2.5, "x\u00e9\ud83d\ude00", true, null], "b": {}, "c": [], "d": "q\"uote", "e": {"f":"g"}}"#,
         #"{"a":[1,2.5,"xé😀",true,null],"b":{},"c":[],"d":"q\"uote","e":{"f":"g"}}"#),
        ("URLs and colons in plain scalars", "url: http://example.com:8080/a\ntime: 12:30\n", #"{"time":"12:30","url":"http://example.com:8080/a"}"#),
        ("comments everywhere", "# head\na: 1 # one\n# between\nb:\n  # inside\n  - 2 # two\n", #"{"a":1,"b":[2]}"#),
    ]

    @Test(arguments: examples.map(\.name))
    func readsTheExample(name: String) throws {
        let example = Self.examples.first { $0.name == name }!
        #expect(try Self.read(example.yaml) == example.json)
    }

    static let malformed: [(name: String, yaml: String, expected: String)] = [
        ("bad indentation", "a:\n  b: 1\n   c: 2\n", "t.yaml:3:4: error: this line is indented more than the keys of its mapping"),
        ("duplicate key", "a: 1\nb: 2\na: 3\n", "t.yaml:3:1: error: the key 'a' appears twice in this mapping; the first is at line 1"),
        ("unclosed quote", "a: \"open\nb: 1\n", "t.yaml:1:4: error: this quoted value is never closed"),
        ("unclosed flow", "a: [1, 2\n", "t.yaml:2:1: error: the document ends before ']'"),
        ("tab indentation", "a:\n\tb: 1\n", "t.yaml:2:2: error: a tab indents this line"),
        ("unknown alias", "a: *nowhere\n", "t.yaml:1:4: error: no anchor '&nowhere' comes before this alias"),
        ("mapping on a key's line", "a: b: c\n", "t.yaml:1:5: error: a mapping cannot start on the line of its key"),
        ("bad escape", "a: \"\\q\"\n", "t.yaml:1:5: error: unknown escape '\\q'"),
        ("line without a colon", "a: 1\njust text\n", "t.yaml:2:1: error: expected 'key: value' in this mapping"),
        ("two documents", "a: 1\n---\nb: 2\n", "t.yaml:2:1: error: a second document"),
    ]

    @Test(arguments: malformed.map(\.name))
    func reportsWhereTheYAMLIsWrong(name: String) {
        let example = Self.malformed.first { $0.name == name }!
        do {
            let node = try YAMLReader.read(example.yaml, file: "t.yaml")
            Issue.record("read as \(Self.json(node))")
        } catch {
            #expect("\(error)".hasPrefix(example.expected), "\(error)")
            #expect("\(error)".contains("^"), "no caret under the position: \(error)")
        }
    }

    @Test func nodesKnowWhereTheyStart() throws {
        let root = try YAMLReader.read("paths:\n  /a:\n    get: {operationId: x}\n", file: "t.yaml")
        let operation = try #require(root.resolve(pointer: "/paths/~1a/get/operationId"))
        #expect(operation.string == "x")
        #expect(operation.location == SourceLocation(line: 3, column: 24))
        #expect(root["paths"]?["/a"]?.location == SourceLocation(line: 3, column: 5))
    }
}
