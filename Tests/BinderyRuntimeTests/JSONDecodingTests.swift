import Foundation
import Testing

@testable import BinderyRuntime

/// The runtime's own JSON reading (`Coders.decode`): what JSONDecoder would give for the same text, the same errors
/// and coding paths, and positioned errors for hostile text.
@Suite("JSON decoding")
struct JSONDecodingTests {
    let coders = Coders()

    func value(_ text: String) throws -> JSONValue { try coders.decode(JSONValue.self, from: Data(text.utf8)) }

    func failure(_ text: String) -> String {
        failure(Data(text.utf8))
    }

    func failure(_ data: Data) -> String {
        do {
            _ = try coders.decode(JSONValue.self, from: data)
            return "decoded"
        } catch let error as DecodingError {
            guard case .dataCorrupted(let context) = error else { return "\(error)" }
            return context.debugDescription
        } catch {
            return "\(error)"
        }
    }

    @Test(arguments: [
        #"{"a": [1, -2, 3.5, -0.125e2, true, false, null, "x"], "b": {"c": {}}, "d": [], "e": ""}"#,
        #"{"a": 1, "a": 2, "b": {"c": 1, "c": {}}}"#,
        #"  [ "\u00e9\ud83d\ude00\n\t\"\\\/" , "naïve 東京 😀" ]  "#,
        #"9223372036854775807"#, #"-9223372036854775808"#, #"9223372036854775808"#, #"12345678901234567890123"#,
        #"999999999999999999"#, #"-999999999999999999"#, #"1000000000000000000"#, #"-9999999999999999999"#,
        #""just a string""#, "0", "-0", "[[[[[]]]]]",
    ])
    func freeFormValuesMatchJSONDecoder(text: String) throws {
        let expected = try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
        #expect(try value(text) == expected)
    }

    @Test func numbersKeepTheirKind() throws {
        #expect(try value("42") == .integer(42))
        // JSONDecoder's guesses make these integers; written with a fraction or exponent, they stay numbers.
        #expect(try value("4.0") == .number(4))
        #expect(try value("1E3") == .number(1000))
        #expect(try value("-9223372036854775808") == .integer(.min))
        #expect(try value("9223372036854775808") == .number(9_223_372_036_854_775_808))
        #expect(try value(#"{"a":1,"a":2}"#) == ["a": 1], "the first of repeated names counts, as in JSONDecoder")
        #expect(try value(#""\ud800x""#) == .string("\u{FFFD}x"), "a lone surrogate becomes U+FFFD")
    }

    /// Strings are scanned eight bytes at a time: whatever ends a plain run (a quote, an escape, a multi-byte
    /// character, a control character, bad UTF-8) is found at every offset within and across those eight bytes.
    @Test(arguments: 0..<20)
    func everyStringByteIsLookedAtWherever(offset: Int) throws {
        let run = String(repeating: "a", count: offset)
        for special in [#"\""#, #"\\"#, #"\n"#, "é", "😀", "~", ""] {
            let text = "[\"\(run)\(special)b\(run)\", \"\(run)\"]"
            #expect(try value(text) == JSONDecoder().decode(JSONValue.self, from: Data(text.utf8)), "\(text)")
        }
        #expect(failure("\"\(run)\u{01}\"") == "not valid JSON: a control character in a string at line 1, column \(offset + 2) (byte 0x01)")
        #expect(failure(Data("\"\(run)".utf8) + [0xFF, 0x22]) == "not valid JSON: invalid UTF-8 at line 1, column \(offset + 2) (byte 0xFF)")
        #expect(failure("\"\(run)") == "not valid JSON: a string that does not end at line 1, column \(offset + 2)")
    }

    @Test(arguments: [
        ("", "the JSON text ends where a value was expected at line 1, column 1"),
        ("{\"a\": 1,\n \"b\" 2}", "expected ':' after a key at line 2, column 6 (byte 0x32)"),
        ("[1, 2", "expected ',' or ']' in an array at line 1, column 6"),
        ("[1] x", "unexpected text after the JSON value at line 1, column 5 (byte 0x78)"),
        ("01", "a malformed number"),
        ("-", "a malformed number"),
        ("1.", "a malformed number"),
        ("1e+", "a malformed number"),
        ("\"tab\there\"", "a control character in a string at line 1, column 5"),
        ("\"\\x\"", "an unknown escape in a string"),
        ("\"\\u12\"", "a \\u escape needs four hex digits"),
        ("\"open", "a string that does not end"),
        ("tru", "unexpected character"),
        ("{'a': 1}", "expected a quoted key"),
        ("NaN", "unexpected character at line 1, column 1 (byte 0x4E)"),
    ])
    func malformedTextIsAPositionedError(text: String, expected: String) {
        let message = failure(text)
        #expect(message.hasPrefix("not valid JSON: "), "\(message)")
        #expect(message.contains(expected), "\(message)")
    }

    @Test func hostileTextFailsWithoutCrashing() {
        #expect(failure(String(repeating: "[", count: 100_000)).contains("nests deeper than 512 levels"))
        #expect(failure(String(repeating: "{\"a\":", count: 100_000)).contains("nests deeper than 512 levels"))
        #expect(failure(String(repeating: "[", count: 512) + String(repeating: "]", count: 512)) == "decoded")
        for bytes: [UInt8] in [[0x22, 0xFF, 0x22], [0x22, 0xC3, 0x22], [0x22, 0xE0, 0x80, 0x80, 0x22], [0x22, 0xED, 0xA0, 0x80, 0x22]] {
            #expect(failure(Data(bytes)).contains("invalid UTF-8 at line 1, column 2"), "\(bytes)")
        }
    }

    struct Order: Decodable, Equatable {
        var id: Int
        var note: String?
        var total: Double
        var placed: Date
        var lines: [Line]
        var extra: JSONValue?
        var tags: [String: Int] = [:]

        struct Line: Decodable, Equatable {
            var sku: String
            var quantity: UInt8
        }
    }

    @Test func modelsDecodeAsWithJSONDecoder() throws {
        let text = #"""
            {"id": 7, "note": null, "total": 12, "placed": "2024-05-01T12:34:56Z",
             "lines": [{"sku": "a", "quantity": 2}, {"sku": "b", "quantity": 1}],
             "extra": {"nested": [1, "two", null]}, "tags": {"x": 1}}
            """#
        let order = try coders.decode(Order.self, from: Data(text.utf8))
        #expect(order.id == 7 && order.note == nil && order.total == 12 && order.tags == ["x": 1])
        #expect(order.placed == Date(timeIntervalSince1970: 1_714_566_896))
        #expect(order.lines.map(\.sku) == ["a", "b"])
        #expect(order.extra == ["nested": [1, "two", nil]])
    }

    struct Named: Decodable, Equatable {
        var name: String
        var size: Int?
    }

    /// Members are found by comparing their names' bytes (escaped names by their text), and in objects of more than
    /// a dozen members through a table; both agree with JSONDecoder, which keeps the first of repeated names.
    @Test(arguments: [
        #"{"name": "a", "size": 1}"#,
        #"{"n\u0061me": "escaped name", "size": 2}"#,
        #"{"name": "first", "name": "last"}"#,
        #"{"nam": 1, "names": 2, "name": "neighbours", "": 3}"#,
        "{" + (0..<40).map { #""k\#($0)": \#($0), "# }.joined() + #""name": "big", "size": 4, "name": "bigger"}"#,
    ])
    func membersAreFoundAsJSONDecoderFindsThem(text: String) throws {
        #expect(try coders.decode(Named.self, from: Data(text.utf8)) == JSONDecoder().decode(Named.self, from: Data(text.utf8)))
    }

    /// Written as the generator writes a model: its fields read through `ModelContainer`.
    struct Shipment: Decodable, Equatable {
        var id: Int
        var label: String?
        var parcels: [Parcel]
        var weights: [Double]?
        var meta: JSONValue?

        enum CodingKeys: String, CodingKey { case id, label, parcels, weights, meta }

        init(from decoder: any Decoder) throws {
            let container = try ModelContainer(decoder, keyedBy: CodingKeys.self)
            id = try container.decode(Int.self, forKey: .id)
            label = try container.decodeIfPresent(String.self, forKey: .label)
            parcels = try container.decode([Parcel].self, forKey: .parcels)
            weights = try container.decodeIfPresent([Double].self, forKey: .weights)
            meta = try container.decodeIfPresent(JSONValue.self, forKey: .meta)
        }

        struct Parcel: Decodable, Equatable {
            var code: String
            enum CodingKeys: String, CodingKey { case code }
            init(from decoder: any Decoder) throws {
                code = try ModelContainer(decoder, keyedBy: CodingKeys.self).decode(String.self, forKey: .code)
            }
        }
    }

    /// A model reads the document directly under the runtime's decoder and through the keyed container under
    /// JSONDecoder: the same values, and the same errors at the same paths.
    @Test(arguments: [
        #"{"id": 1, "label": "a", "parcels": [{"code": "x"}, {"code": "y"}], "weights": [1, 2.5], "meta": {"k": [1]}}"#,
        #"{"id": 1, "label": null, "parcels": [], "weights": null, "meta": null}"#,
        #"{"id": 1, "parcels": [], "weights": []}"#,
        #"{"id": 1}"#,
        #"{"id": "1", "parcels": []}"#,
        #"{"id": 1, "parcels": null}"#,
        #"{"id": 1, "parcels": {"code": "x"}}"#,
        #"{"id": 1, "parcels": [{"code": "x"}, {"code": 5}]}"#,
        #"{"id": 1, "parcels": [{"code": "x"}, null]}"#,
        #"{"id": 1, "parcels": [], "weights": [1, "x"]}"#,
        #"{"id": 1, "parcels": [], "weights": {"a": 1}}"#,
        #"[{"id": 1}]"#,
    ])
    func modelContainersReadAsJSONDecoderReads(text: String) {
        func outcome(_ decode: (Data) throws -> Shipment) -> String {
            do {
                return "\(try decode(Data(text.utf8)))"
            } catch let error as DecodingError {
                return BinderyError.describe(error, reading: Shipment.self)
            } catch {
                return "\(error)"
            }
        }
        #expect(outcome { try coders.decode(Shipment.self, from: $0) } == outcome { try JSONDecoder().decode(Shipment.self, from: $0) })
    }

    @Test func dictionariesOfManyMembersDecodeWhole() throws {
        let members = (0..<500).map { #""key\#($0)": \#($0)"# }.joined(separator: ", ")
        let decoded = try coders.decode([String: Int].self, from: Data("{\(members)}".utf8))
        #expect(decoded.count == 500 && decoded["key499"] == 499)
    }

    /// A type that reads its decoder's coding path and an absent member's super decoder, as hand-written
    /// `init(from:)`s may.
    struct PathReader: Decodable {
        var path: [String]
        var absentIsNull: Bool
        var absentPath: [String]

        enum CodingKeys: String, CodingKey { case missing }

        init(from decoder: any Decoder) throws {
            path = decoder.codingPath.map(\.stringValue)
            let absent = try decoder.container(keyedBy: CodingKeys.self).superDecoder(forKey: .missing)
            absentIsNull = try absent.singleValueContainer().decodeNil()
            absentPath = absent.codingPath.map(\.stringValue)
        }
    }

    @Test func codingPathsAreWorkedOutWhenAsked() throws {
        let text = #"{"a": [{}, {"b\u0020c": [0, {}]}]}"#
        struct Outer: Decodable { var a: [Inner] }
        struct Inner: Decodable {
            var readers: [Reader]?
            enum CodingKeys: String, CodingKey { case readers = "b c" }
        }
        enum Reader: Decodable {
            case number(Int), reader(PathReader)
            init(from decoder: any Decoder) throws {
                if let number = try? decoder.singleValueContainer().decode(Int.self) { self = .number(number) }
                else { self = .reader(try PathReader(from: decoder)) }
            }
        }
        let ours = try coders.decode(Outer.self, from: Data(text.utf8))
        let theirs = try JSONDecoder().decode(Outer.self, from: Data(text.utf8))
        for outer in [ours, theirs] {
            guard case .reader(let reader) = outer.a[1].readers?[1] else {
                Issue.record("no reader decoded")
                continue
            }
            #expect(reader.path == ["a", "Index 1", "b c", "Index 1"])
            #expect(reader.absentIsNull)
            #expect(reader.absentPath == ["a", "Index 1", "b c", "Index 1", "missing"])
        }
        #expect(try value(#"{"next": "http:\/\/x\/?page=2"}"#)["next"] == "http://x/?page=2")
    }

    /// Every primitive the standard containers ask for is read directly, in arrays and alone (a default that went
    /// through the generic path would recurse without end).
    @Test func everyIntegerAndFloatWidthDecodesInArraysAndAlone() throws {
        func decoded<T: Decodable>(_ type: T.Type, _ text: String) throws -> T { try coders.decode(type, from: Data(text.utf8)) }
        #expect(try decoded([UInt8].self, "[1, 2, 255]") == [1, 2, 255])
        #expect(try decoded([Int8].self, "[-128, 127]") == [-128, 127])
        #expect(try decoded([Int16].self, "[-2]") == [-2])
        #expect(try decoded([Int32].self, "[7]") == [7])
        #expect(try decoded([UInt].self, "[7]") == [7])
        #expect(try decoded([UInt16].self, "[7]") == [7])
        #expect(try decoded([UInt32].self, "[7]") == [7])
        #expect(try decoded([UInt64].self, "[9223372036854775807]") == [9_223_372_036_854_775_807])
        #expect(try decoded([Float].self, "[1.5, 2]") == [1.5, 2])
        #expect(try decoded(Int16.self, "-3") == -3)
        #expect(try decoded(UInt8.self, "200") == 200)
        #expect(try decoded(Float.self, "0.5") == 0.5)
        #expect(throws: DecodingError.self) { try decoded([UInt8].self, "[256]") }
    }

    /// The description of what could not be decoded, as a `BinderyError` quotes it.
    func problem(_ text: String) -> String {
        do {
            _ = try coders.decode(Order.self, from: Data(text.utf8))
            return "decoded"
        } catch let error as DecodingError {
            return BinderyError.describe(error, reading: Order.self)
        } catch {
            return "\(error)"
        }
    }

    @Test func errorsNameThePathAndWhatWasFound() {
        let base = #""id": 1, "total": 1, "placed": "2024-05-01T12:34:56Z""#
        #expect(problem("{\(base)}") == "reading Order: missing key 'lines' at the top level")
        #expect(problem(#"{\#(base), "lines": [{"sku": "a", "quantity": 1}, {"sku": 5, "quantity": 1}]}"#)
            == "reading Order: expected String at $.lines[1].sku")
        #expect(problem(#"{\#(base), "lines": [{"sku": "a", "quantity": 300}]}"#)
            == "reading Order: 300 does not fit in UInt8 at $.lines[0].quantity")
        #expect(problem(#"{\#(base), "lines": [{"sku": null, "quantity": 1}]}"#)
            == "reading Order: expected String but found null at $.lines[0].sku")
        #expect(problem(#"{"id": 1.5, "total": 1, "placed": "x", "lines": []}"#) == "reading Order: 1.5 does not fit in Int at $.id")
        #expect(problem(#"{"id": 1, "total": 1, "placed": "May 1st", "lines": []}"#)
            == "reading Order: 'May 1st' is not an ISO 8601 date-time at $.placed")
        #expect(problem("[]") == "reading Order: expected Dictionary<String, Any> at the top level")
    }
}
