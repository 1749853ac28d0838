import Testing

@testable import BinderyGenerator

/// Line 1 of most specs below, so the declarations under test start on line 2.
private let header = #"api A { base-url "https://a.example.com" }"# + "\n"

/// The problems `bindery check` reports for `source`, as `line:column: message`.
private func problems(_ source: String) -> [String] {
    do {
        _ = try Generator.check(source: source, file: "Spec.bindery")
        return []
    } catch let errors as SpecErrors {
        return errors.diagnostics.map { "\($0.range.start.line):\($0.range.start.column): \($0.message)" }
    } catch {
        return ["unexpected error: \(error)"]
    }
}

private func hints(_ source: String) -> [String] {
    do {
        _ = try Generator.check(source: source, file: "Spec.bindery")
        return []
    } catch let errors as SpecErrors {
        return errors.diagnostics.compactMap(\.hint)
    } catch {
        return []
    }
}

@Suite("Malformed specs: every error, with its position")
struct SpecErrorTests {
    @Test func noAPI() {
        #expect(problems("model M { id: Int }") == ["1:1: the spec declares no API"])
    }

    @Test func twoAPIs() {
        #expect(problems(header + #"api B { base-url "https://b.example.com" }"#) == [
            "2:5: a spec describes one API, but this is a second 'api' declaration"
        ])
    }

    @Test func missingBaseURL() {
        #expect(problems("api A {\n}") == ["1:5: API A has no base URL"])
    }

    @Test func baseURLNotHTTP() {
        #expect(problems(#"api A { base-url "ftp://a.example.com" }"#) == [
            "1:18: 'ftp://a.example.com' is not an http or https URL"
        ])
    }

    @Test func aVersionThatCannotGoInAUserAgent() {
        #expect(problems("api A {\n    base-url \"https://a.example.com\"\n    version \"1.0 beta\"\n}") == [
            "3:13: the version '1.0 beta' cannot go in a User-Agent"
        ])
    }

    @Test func misspelledDeclaration() {
        #expect(problems(header + "modle M { id: Int }") == ["2:1: expected a declaration, found 'modle'"])
        #expect(hints(header + "modle M { id: Int }") == ["did you mean 'model'?"])
    }

    @Test func unterminatedString() {
        // The string runs to the end of the line, taking the closing brace with it.
        #expect(problems(#"api A { base-url "https://a.example.com }"#) == [
            "1:18: unterminated string", "1:42: expected '}' to close api A",
        ])
    }

    @Test func unexpectedCharacter() {
        #expect(problems(header + "model M { id: Int @ }") == ["2:19: unexpected character '@'"])
    }

    @Test func unterminatedBlockComment() {
        #expect(problems(header + "/* never closed\nmodel M { id: Int }") == ["2:1: unterminated block comment"])
    }

    @Test func unknownEscape() {
        #expect(problems(#"api A { base-url "https://a.example.com\q" }"#) == ["1:40: unknown escape '\\q' in string"])
    }

    @Test func unclosedModel() {
        #expect(problems(header + "model M {\n    id: Int\n") == [
            "4:1: expected '}' to close model M"
        ])
    }

    /// A block left open before the next declaration is one error there, not one for every line after it; an enum
    /// case or field named like a keyword is not taken for a declaration.
    @Test func aMissingBraceIsOneErrorAtTheNextDeclaration() {
        let spec = header + """
            model M {
                id: Int
                model: String

            enum Kind {
                model
                job
            }
            resource r {
                get: GET "x" -> M
            }
            """
        #expect(problems(spec) == ["6:1: expected '}' to close model M before this enum"])
    }

    @Test func unknownTypeSuggestsClosest() {
        let spec = header + "model Owner { name: String }\nmodel Pet {\n    owner: Ownr\n}"
        #expect(problems(spec) == ["4:12: unknown type 'Ownr'"])
        #expect(hints(spec) == ["did you mean 'Owner'?"])
    }

    @Test func duplicateModel() {
        #expect(problems(header + "model M { id: Int }\nmodel M { id: Int }") == [
            "3:7: 'M' is declared twice; the first is at line 2"
        ])
    }

    @Test func typeNameThatHidesSwift() {
        #expect(problems(header + "model Task { id: Int }") == ["2:7: 'Task' would hide Swift's own Task"])
        #expect(problems(header + "model BinderyRuntime { id: Int }") == ["2:7: 'BinderyRuntime' would hide the runtime module"])
        #expect(problems(header + "model Request { id: Int }").isEmpty)
    }

    @Test func fieldsCollideAfterCaseConversion() {
        #expect(problems(header + "model M {\n    created_at: Date\n    createdAt: Date\n}") == [
            "4:5: field name 'createdAt' is used twice; the first is at line 3"
        ])
    }

    @Test func keywordFieldIsEscapedNotRejected() {
        #expect(problems(header + "model M {\n    default: Bool\n    class: String\n    in: Int\n}") == [])
    }

    /// A field named `self` would be hidden by its initializer's parameter of the same name.
    @Test func fieldNamedSelfNeedsAnotherName() {
        #expect(problems(header + "model M {\n    self: String\n}") == ["3:5: 'self' has no usable Swift name"])
        #expect(problems(header + "model M {\n    self as selfLink: String\n}") == [])
    }

    @Test func unknownMethod() {
        #expect(problems(header + "resource r {\n    get: GTE \"x/\"\n}") == ["3:10: unknown HTTP method 'GTE'"])
        #expect(hints(header + "resource r {\n    get: GTE \"x/\"\n}") == ["did you mean 'GET'?"])
    }

    @Test func placeholderWithoutParameter() {
        #expect(problems(header + "resource r {\n    get: GET \"items/{id}/\"\n}") == [
            "3:21: the path uses {id} but no path parameter declares it"
        ])
    }

    @Test func parameterNotInPath() {
        let spec = header + "resource r {\n    get: GET \"items/\" {\n        path id: Int\n    }\n}"
        #expect(problems(spec) == ["4:14: path parameter 'id' is not used in the path \"items/\""])
    }

    @Test func unclosedPlaceholder() {
        let spec = header + "resource r {\n    get: GET \"items/{id/\" {\n        path id: Int\n    }\n}"
        #expect(problems(spec).first == "3:21: unclosed '{' in the path")
    }

    @Test func pathFromBodyProblems() {
        let spec = header + """
            model M {
                id: String?
                name: String
            }
            resource r {
                a: POST "{id}" {
                    path id from body
                    body M
                }
                b: POST "{nme}" {
                    path nme from body
                    body M
                }
                c: POST "{x}" {
                    path x from query
                    body M
                }
                d: POST "{name}" {
                    path name from body
                    body [M]
                }
                e: POST "{name}" {
                    path name from body
                    body M
                }
            }
            """
        #expect(problems(spec) == [
            "8:14: M.id is optional, and a path needs a value",
            "12:14: M has no field 'nme'",
            "16:21: a path value comes from the body, found 'query'",
            "20:24: only a model body has fields to fill the path from",
        ])
        #expect(hints(spec).contains("did you mean 'name'?"))
    }

    @Test func queryFromBodyAndResourceQueryProblems() {
        let spec = header + """
            model M {
                tags: [M]?
                name: String?
            }
            resource r(_ shift: String) {
                a: POST "a" {
                    query nme from body
                    body M
                }
                b: POST "b" {
                    query name from body
                    query name from body
                    body M
                }
                c: POST "c" {
                    query name from body
                    body [M]
                }
                d: POST "d" {
                    query tags from body
                    body M
                }
                e: GET "e" {
                    query shift: String
                }
                f: GET "f" {
                    body Bytes?
                }
            }
            """
        #expect(problems(spec) == [
            "8:15: M has no field 'nme'",
            "13:15: query parameter 'name' is declared twice",
            "17:25: only a model body has fields to fill the query from",
            "21:15: a query parameter must be a string, number, boolean, date, URL, UUID or enum, or an array of them",
            "25:15: parameter name 'shift' is used twice; the first is at line 24",
            "28:14: a GET request has no body",
            "28:14: a whole body cannot be optional",
        ])
    }

    @Test func unionsByShapeNeedCasesOfDifferentJSON() {
        let spec = header + """
            model A {
                name: String
            }
            model B {
                name: String
                size: Int?
            }
            union U {
                text: String
                day: Date
                a: A
                b: B
                maybe: Int?
                any: JSON
                late: A
            }
            """
        #expect(problems(spec) == [
            "11:10: two cases take the same JSON; the first is at line 10",
            "13:8: two cases take the same JSON; the first is at line 12",
            "14:12: a case cannot be optional: make the union's field optional instead",
            "16:11: case 'late' can never be chosen: the object case at line 15 takes every object",
        ])
    }

    @Test func defaultHeadersAreHeadersTheRuntimeDoesNotOwn() {
        let spec = """
            api A {
                base-url "https://a.example.com"
                header "Bad Name" = "x"
                header "Authorization" = "Bearer x"
                header "X-Ok" as ok = "line\\nbreak"
                query ok
            }
            """
        #expect(problems(spec) == [
            "3:12: 'Bad Name' is not a valid header name",
            "4:12: Authorization is set by the runtime",
            "5:27: a default value cannot hold a line break",
            "6:11: client parameter name 'ok' is used twice; the first is at line 5",
        ])
    }

    @Test func fileURLOnlyOnModelTextFields() {
        let spec = header + """
            model M {
                size: Int file-url
                link: String file-url
            }
            resource r {
                get: GET "x" -> M {
                    query q: String? file-url
                }
            }
            """
        #expect(problems(spec) == [
            "3:15: a file-url field is a String, [String] or JSON",
            "8:26: only a model's fields can be marked file-url",
        ])
    }

    /// A field's default and modifiers come in any order, and a modifier is refused wherever it means nothing, a
    /// path parameter included.
    @Test func fieldModifiersInAnyOrderAndOnlyWhereAllowed() {
        let spec = header + """
            model M {
                a: String = "x" file-url
                b: String file-url = "y"
            }
            resource r {
                get: GET "{id}" -> M {
                    path id: Int joined ","
                    query ids: [Int]? joined "," = []
                    header h: String file-url
                }
            }
            """
        #expect(problems(spec) == [
            "8:22: only a query array can be joined",
            "10:26: only a model's fields can be marked file-url",
        ])
    }

    @Test func optionalPathParameter() {
        let spec = header + "resource r {\n    get: GET \"{id}\" {\n        path id: Int?\n    }\n}"
        #expect(problems(spec) == ["4:18: a path parameter cannot be optional"])
    }

    @Test func unknownPaginationRule() {
        let spec = header + "pagination drf: next-link { }\nresource r {\n    list: GET \"x/\" -> [Int] {\n        paginate dfr\n    }\n}"
        #expect(problems(spec) == ["5:18: unknown pagination rule 'dfr'"])
        #expect(hints(spec) == ["did you mean 'drf'?"])
    }

    @Test func paginatedEndpointMustReturnList() {
        let spec = header + "pagination drf: next-link { }\nresource r {\n    list: GET \"x/\" -> Int {\n        paginate drf\n    }\n}"
        #expect(problems(spec) == ["4:23: a paginated endpoint returns its item list, e.g. -> [Item]"])
    }

    @Test func unknownPaginationStyle() {
        #expect(problems(header + "pagination p: nextlink { }") == ["2:15: unknown pagination style 'nextlink'"])
        #expect(hints(header + "pagination p: nextlink { }") == ["did you mean 'next-link'?"])
    }

    @Test func settingOfAnotherPaginationStyle() {
        #expect(problems(header + "pagination p: cursor {\n    page-param page\n}") == [
            "3:5: 'page-param' is not a setting of cursor pagination"
        ])
    }

    @Test func getWithBody() {
        let spec = header + "resource r {\n    put: GET \"x/\" {\n        body JSON\n    }\n}"
        #expect(problems(spec) == ["4:14: a GET request has no body"])
    }

    @Test func mapKeyMustBeString() {
        #expect(problems(header + "model M {\n    scores: [Int: Double]\n}") == ["3:13: map keys must be String"])
    }

    @Test func defaultOfWrongType() {
        #expect(problems(header + "model M {\n    count: Int = \"many\"\n}") == [
            "3:18: \"many\" is not a value of this field's type"
        ])
    }

    @Test func enumDefaultMustBeACase() {
        let spec = header + "enum Status { DONE, OPEN }\nmodel M {\n    status: Status = \"DNOE\"\n}"
        #expect(problems(spec) == ["4:22: 'DNOE' is not a value of Status"])
        #expect(hints(spec) == ["did you mean 'DONE'?"])
    }

    @Test func intEnumCaseNeedsName() {
        #expect(problems(header + "enum Level: Int {\n    1\n}") == ["3:5: an Int case needs a name"])
    }

    @Test func enumCaseCalledUnknown() {
        #expect(problems(header + "enum E { unknown }") == ["2:10: 'unknown' is the case for values the spec does not list"])
    }

    @Test func unionVariantMustBeAModel() {
        #expect(problems(header + "union U on kind {\n    basic: String\n}") == ["3:12: a union variant must be a model"])
    }

    @Test func unknownAuthScheme() {
        let spec = #"api A { base-url "https://a.example.com" "# + "\n" + #"    auth key: heder "X-Key" }"#
        #expect(problems(spec) == ["2:15: unknown auth scheme 'heder'"])
        #expect(hints(spec) == ["did you mean 'header'?"])
    }

    @Test func headerTemplateWithoutToken() {
        let spec = #"api A { base-url "https://a.example.com" "# + "\n" + #"    auth key: header "X-Key" "Token" }"#
        #expect(problems(spec) == ["2:30: the header template has no '{token}'"])
    }

    @Test func unknownTimeout() {
        let spec = #"api A { base-url "https://a.example.com" "# + "\n    timeout conect 5 }"
        #expect(problems(spec) == ["2:13: unknown timeout 'conect'"])
        #expect(hints(spec) == ["did you mean 'connect'?"])
    }

    @Test func retryStatusOutOfRange() {
        let spec = #"api A { base-url "https://a.example.com" "# + "\n    retry on 503, 999 }"
        #expect(problems(spec) == ["2:19: '999' is not an HTTP status"])
    }

    /// Queries and forms send models in bracket notation; paths and headers cannot carry them.
    @Test func modelsInQueriesButNotInHeadersOrPaths() {
        let query = header + "model M { id: Int }\nresource r {\n    list: GET \"x/\" {\n        query filter: M\n        query all: [M]?\n    }\n}"
        #expect(problems(query) == [])
        let others = header + "model M { id: Int }\nresource r {\n    get: GET \"{m}/\" {\n        path m: M\n        header \"X-M\" as xm: [String]?\n    }\n}"
        #expect(problems(others) == [
            "5:17: a path parameter must be a string, number, boolean, date, URL, UUID or enum",
            "6:29: a header parameter must be a string, number, boolean, date, URL, UUID or enum",
        ])
        let binary = header + "resource r {\n    list: GET \"x/\" {\n        query data: [String: Bytes]?\n    }\n}"
        #expect(problems(binary).contains { $0.contains("'Bytes' is only for request and response bodies") })
    }

    @Test func fileOutsideMultipart() {
        #expect(problems(header + "model M {\n    upload: File\n}") == ["3:13: 'File' is only for multipart parts and request bodies"])
    }

    @Test func endpointMissingColon() {
        let spec = header + "resource r {\n    get GET \"x/\"\n}"
        #expect(problems(spec) == ["3:9: expected ':', found 'GET'"])
    }

    @Test func duplicateEndpoint() {
        let spec = header + "resource r {\n    get: GET \"a/\"\n    get: GET \"b/\"\n}"
        #expect(problems(spec) == ["4:5: endpoint or resource name 'get' is used twice; the first is at line 3"])
    }

    @Test func everyErrorAtOnce() {
        let spec = header + """
            model M {
                owner: Nope
            }
            resource r {
                get: GTE "{id}/"
                list: GET "x/" {
                    paginate missing
                }
            }
            modle X { }
            """
        #expect(problems(spec) == [
            "3:12: unknown type 'Nope'",
            "6:10: unknown HTTP method 'GTE'",
            "6:15: the path uses {id} but no path parameter declares it",
            "8:18: unknown pagination rule 'missing'",
            "11:1: expected a declaration, found 'modle'",
        ])
    }

    @Test func reportShowsLineCaretAndHint() {
        let source = header + "model Owner { name: String }\nmodel Pet {\n    owner: Ownr\n}"
        let report = SpecErrors(
            file: "Pets.bindery", source: source,
            diagnostics: [Diagnostic("unknown type 'Ownr'", at: SourceRange(SourceLocation(line: 4, column: 12), length: 4), hint: "did you mean 'Owner'?")]
        ).description
        #expect(report == """
            Pets.bindery:4:12: error: unknown type 'Ownr'
             4 |     owner: Ownr
               |            ^~~~
              hint: did you mean 'Owner'?
            1 error in Pets.bindery

            """)
    }

    @Test func streamSettingsAreChecked() {
        let spec = header + """
            model E { id: Int }
            resource r {
                a: GET "a" -> E { stream websocket }
                b: GET "b" -> E { stream ndjson reconnect }
                c: GET "c" { stream ndjson }
                d: GET "d" -> Bytes { stream sse }
            }
            """
        #expect(problems(spec) == [
            "4:30: unknown stream framing 'websocket'",
            "5:37: only Server-Sent Events carry the ids a reconnect resumes from",
            "6:25: a streaming endpoint returns its event type, e.g. -> Event",
            "7:19: a streaming endpoint returns its event type, e.g. -> Event",
        ])
    }

    @Test func uploadSettingsAreChecked() {
        let spec = header + """
            model U { id: String }
            resource r {
                a: PUT "a" -> U { upload resumable }
                b: PUT "b" { upload chunked }
                c: PUT "c" -> U { upload chunked chunk-size 0 }
                d: PUT "d" -> U { body U
                                  upload chunked }
            }
            """
        #expect(problems(spec) == [
            "4:30: unknown upload protocol 'resumable'",
            "5:25: an upload endpoint returns what its finalize answers, e.g. -> UploadResponse",
            "6:49: a chunk size is a whole number from 1 to 4294967296 bytes",
            "8:30: an upload endpoint sends the file itself, not a body",
        ])
    }

    @Test func jobSettingsAreChecked() {
        let spec = header + """
            job j { state status
                    colour red }
            model Outcome { id: String }
            resource r {
                start: POST "s" { starts missing }
                status: GET "{id}" -> Outcome {
                    path id: String
                    poll k
                }
            }
            """
        #expect(problems(spec) == [
            "2:5: job rule 'j' needs the states that mean the job is still running",
            "3:9: 'colour' is not a job setting",
            "6:30: 'missing' is not an endpoint of this resource that reads a job's status",
            "9:14: unknown job rule 'k'",
        ])
    }
}
