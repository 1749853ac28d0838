import BinderyRuntime
import Foundation
import PetShop
import Testing

/// The PetShop target is generated from the every-construct spec by the build plugin; these tests check that what it
/// generated behaves as the spec says, without any network.
@Suite("Generated code")
struct GeneratedCodeTests {
    let client = PetShopClient(
        baseURL: URL(string: "https://pets.example.com/api/v1/")!, apiKey: "k", urlHost: "internal",
        options: ClientOptions(environment: [:]))

    @Test func requestBuildersCarryEverythingWithoutSending() throws {
        let request = PetShopClient.Pets.list(tag: "cat", tags: ["a", "b"], housing: .freeRange)
        #expect(request.operation == "pets.list")
        #expect(request.method == .get)
        #expect(request.path == "pets/")
        #expect(request.query.map { "\($0.name)=\($0.value ?? "")" } == [
            "tag=cat", "tags=a", "tags=b", "housing=free-range", "page_size=100",
        ])
        let url = try client.runtime.url(for: request)
        #expect(url.absoluteString == "https://pets.example.com/api/v1/pets/?tag=cat&tags=a&tags=b&housing=free-range&page_size=100&url_host=internal&locale=en")
    }

    @Test func fileURLFieldsAreRewritten() throws {
        let json = #"""
            {"id": 1, "name": "Rex", "created_at": "2024-05-01T12:00:00Z", "attributes": {"colour": "https://keep.example.com"},
             "thumbnail": "https://cdn.example.com/t.png", "gallery": ["https://cdn.example.com/1.png"],
             "documents": {"vaccination": {"url": "https://cdn.example.com/v.pdf", "size": 7}, "scans": ["https://cdn.example.com/s.png"]}}
            """#
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        let pet = try decoder.decode(Pet.self, from: Data(json.utf8))
        let local = pet.rewritingFileURLs { $0.replacingOccurrences(of: "https://cdn.example.com", with: "file:///cache") }
        #expect(local.thumbnail == "file:///cache/t.png")
        #expect(local.gallery == ["file:///cache/1.png"])
        #expect(local.documents?["vaccination"] == ["url": "file:///cache/v.pdf", "size": 7])
        #expect(local.documents?["scans"] == ["file:///cache/s.png"])
        #expect(local.attributes == pet.attributes, "fields not marked file-url are left alone")
    }

    @Test func streamingEndpointsAskForTheirFraming() {
        #expect(PetShopClient.Pets.changes().reader.accept == "application/x-ndjson")
        #expect(PetShopClient.Pets.notices().reader.accept == "text/event-stream")
        #expect(PetShopClient.Pets.feed().reader.accept == "text/event-stream")
        #expect(PetShopClient.Pets.get(id: 1).reader.accept == "application/json")
    }

    @Test func pathParametersAreOneEncodedSegment() throws {
        let request = PetShopClient.Shop.Staff.get(code: "a/b c", member: "..")
        #expect(request.path == "shops/a%2Fb%20c/staff/%2E%2E/")
    }

    @Test func queryItemsComeFromTheBodyAndFromResourceParametersThePathDoesNotUse() throws {
        let day = Date(timeIntervalSince1970: 0)
        let booked = PetShopClient.Grooming.book(Booking(petID: 3, day: day, salon: "north"))
        #expect(booked.path == "grooming/3/bookings/")
        #expect(booked.query == [URLQueryItem(name: "salon", value: "north")])
        #expect(PetShopClient.Grooming.book(Booking(petID: 3, day: day)).query.isEmpty, "a nil field sends no item")

        let total = PetShopClient.Shop.Till.total(code: "main", number: 2, shift: "late")
        #expect(total.path == "shops/main/tills/2/total")
        #expect(total.query == [URLQueryItem(name: "shift", value: "late")])
        #expect(PetShopClient(baseURL: URL(string: "https://pets.example.com/")!).shop("main").till(2, shift: "late").number == 2)
    }

    @Test func headersOptionsAndBodies() throws {
        let get = PetShopClient.Pets.get(id: 7, requestID: "r-1")
        #expect(get.headers["X-Request-Id"] == "r-1")
        #expect(get.options.readTimeout == 60)
        #expect(PetShopClient.Pets.get(id: 7).headers["X-Request-Id"] == nil)

        let create = PetShopClient.Pets.create(NewPet(name: "Rex"))
        #expect(create.method == .post)
        #expect(create.options.idempotent == true)
        guard case .json(let body)? = create.body else { Issue.record("expected a JSON body"); return }
        #expect(String(decoding: try Coders().encode(body), as: UTF8.self) == #"{"name":"Rex"}"#)

        let attach = PetShopClient.Pets.attach(id: 1, file: URL(fileURLWithPath: "/tmp/x.png"), filename: "x.png", note: Data("hi".utf8))
        guard case .multipart(let parts)? = attach.body else { Issue.record("expected a multipart body"); return }
        #expect(parts.map(\.name) == ["file", "filename", "note"])
        #expect(parts.last?.filename == "note" && parts.last?.contentType == "application/octet-stream")
        if case .data(let bytes)? = parts.last?.content { #expect(bytes == Data("hi".utf8)) } else { Issue.record("expected bytes") }
    }

    @Test func modelsUseWireNamesAndDefaults() throws {
        let json = #"{"id": 1, "name": "Rex", "created_at": "2024-05-01T12:34:56.123456+09:00", "attributes": {"a": [1, 2.5, null]}, "housing": "OUTDOOR", "self": true}"#
        let pet = try Coders().decode(Pet.self, from: Data(json.utf8))
        #expect(pet.isVaccinated == false)
        #expect(pet.weight == 1.5)
        #expect(pet.tags == [])
        #expect(pet.housing == .outdoor)
        #expect(pet.isSelf == true)
        #expect(pet.attributes == ["a": [1, 2.5, nil]])
        #expect(abs(pet.createdAt.timeIntervalSince1970 - 1_714_534_496.123456) < 0.000_01)

        let encoded = try JSONSerialization.jsonObject(with: Coders().encode(pet)) as? [String: Any]
        #expect(encoded?["created_at"] as? String == "2024-05-01T03:34:56.123Z")
        #expect(encoded?["is_vaccinated"] as? Bool == false)
        #expect(encoded?["tag"] == nil)
    }

    @Test func defaultHeadersAndQueryItemsGoOnEveryRequest() async throws {
        let transport = InMemoryTransport(Array(repeating: .json("{}"), count: 4))
        let plain = PetShopClient(options: ClientOptions(transport: transport, environment: [:]))
        _ = try await plain.shop("main").status()
        let configured = PetShopClient(clientName: "my-app", options: ClientOptions(transport: transport, environment: [:]))
        _ = try await configured.shop("main").status()
        var request = PetShopClient.Shop.status(code: "main")
        request.headers.set("X-Api-Version", "2025-06-01")
        _ = try await plain.send(request.addingQuery(["locale": "fr"]))
        let fromEnvironment = PetShopClient(options: ClientOptions(transport: transport, environment: ["PETSHOP_CLIENT": "from-env"]))
        _ = try await fromEnvironment.shop("main").status()
        let sent = transport.received.map(\.request)
        #expect(sent.map { $0.headers["X-Api-Version"] } == ["2024-01-01", "2024-01-01", "2025-06-01", "2024-01-01"], "a request's own header wins")
        #expect(sent.map { $0.headers["X-Client"] } == ["petshop-swift", "my-app", "petshop-swift", "from-env"])
        #expect(sent.map { $0.url.query ?? "" } == ["locale=en", "locale=en", "locale=fr", "locale=en"])
    }

    @Test func unionsWithoutADiscriminatorDecodeByShape() throws {
        let json = #"""
            ["hello", [{"author": "Ada", "text": "hi"}], {"signature": "A.L.", "text": "x"}, 3, {"colour": "red"}, true]
            """#
        let values = try Coders().decode([NoticeBody].self, from: Data(json.utf8))
        #expect(values == [
            .text("hello"), .lines([NoticeLine(author: "Ada", text: "hi")]), .signed(SignedNote(signature: "A.L.", text: "x")),
            .count(3), .other(["colour": "red"]), .unknown(true),
        ])
        let encoded = String(decoding: try Coders().encode(values), as: UTF8.self)
        let again = try Coders().decode([NoticeBody].self, from: Data(encoded.utf8))
        #expect(again == values, "each case encodes as the JSON it was read from")
        let viaFoundation = try JSONDecoder().decode([NoticeBody].self, from: Data(json.utf8))
        #expect(viaFoundation == values)
    }

    @Test func enumsKeepValuesTheSpecDoesNotList() throws {
        let values = try JSONDecoder().decode([Housing].self, from: Data(#"["INDOOR", "free-range", "treehouse"]"#.utf8))
        #expect(values == [.indoor, .freeRange, .unknown("treehouse")])
        #expect(String(decoding: try JSONEncoder().encode(values), as: UTF8.self) == #"["INDOOR","free-range","treehouse"]"#)
        #expect(try JSONDecoder().decode([Priority].self, from: Data("[2, 9]".utf8)) == [.high, .unknown(9)])
    }

    @Test func unionsDecodeByDiscriminator() throws {
        let json = #"[{"kind": "basic", "username": "u", "password": "p"}, {"kind": "mtls", "cert": "c", "key": "k"}, {"kind": "oauth", "token": "t"}]"#
        let values = try JSONDecoder().decode([CallbackAuth].self, from: Data(json.utf8))
        #expect(values == [
            .basic(PasswordAuth(username: "u", password: "p")), .mutualTLS(MutualTLS(cert: "c", key: "k")),
            .unknown(["kind": "oauth", "token": "t"]),
        ])
        let encoded = try JSONSerialization.jsonObject(with: JSONEncoder().encode(values[1])) as? [String: String]
        #expect(encoded == ["kind": "mtls", "cert": "c", "key": "k"])
    }

    @Test func clientDefinitionFollowsTheSpec() {
        let definition = PetShopClient.definition
        #expect(definition.baseURLEnvironment == ["PETSHOP_URL", "PET_HOST"])
        #expect(definition.timeouts == Timeouts(connect: 5, read: 30, total: 120))
        #expect(definition.retry == ExponentialBackoff(maxAttempts: 3, initialDelay: 0.25, maxDelay: 4, retryableStatuses: [429, 502, 503], maxRetryAfter: 30))
        #expect(definition.auth.map(\.environment) == [["PETSHOP_KEY"], ["PETSHOP_TOKEN"], []])
    }

    @Test func baseURLAndCredentialsComeFromTheEnvironment() throws {
        let client = PetShopClient(options: ClientOptions(environment: ["PET_HOST": "http://127.0.0.1:9/v2"]))
        #expect(try client.runtime.url(for: PetShopClient.Pets.get(id: 1)).absoluteString == "http://127.0.0.1:9/v2/pets/1/?locale=en")
    }
}
