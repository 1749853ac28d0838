import Foundation

/// How an API splits a list into pages, as a spec's pagination rule describes it.
public struct PaginationRule: Sendable, Hashable {
    public enum Style: String, Sendable, Hashable {
        /// `{count, next, previous, results}`: follow the absolute `next` link as given.
        case nextLink
        /// Send `cursor=<token>` on the same path; the next token is in the body.
        case cursor
        /// Send `page=N`; stop past the last page.
        case pageNumber
    }

    public var style: Style
    /// Key path of the items array in a page's body.
    public var items: [String]
    /// Key path of the next link or cursor.
    public var next: [String]?
    /// Key path of the total number of items.
    public var count: [String]?
    public var cursorParameter: String?
    public var pageParameter: String?
    public var pageSizeParameter: String?

    public init(
        style: Style, items: [String], next: [String]? = nil, count: [String]? = nil, cursorParameter: String? = nil,
        pageParameter: String? = nil, pageSizeParameter: String? = nil
    ) {
        self.style = style
        self.items = items
        self.next = next
        self.count = count
        self.cursorParameter = cursorParameter
        self.pageParameter = pageParameter
        self.pageSizeParameter = pageSizeParameter
    }
}

/// One page of a paginated list.
public struct Page<Item: Decodable & Sendable>: Sendable {
    public var items: [Item]
    /// The next page's link or cursor; nil on the last page.
    public var next: String?
    /// The total number of items, when the API sends it.
    public var count: Int?

    public init(items: [Item], next: String? = nil, count: Int? = nil) {
        self.items = items
        self.next = next
        self.count = count
    }
}

extension ResponseReader {
    /// One page of `Item`s, read with `rule`.
    public static func page<Item>(_ rule: PaginationRule) -> Self where Response == Page<Item> {
        Self(pagination: rule) { response, coders in
            let body = try coders.decode(PageBody<Item>.self, from: response.body, userInfo: [PageBody<Item>.ruleKey: rule])
            return Page(items: body.items, next: body.next, count: body.count)
        }
    }
}

extension APIClient {
    /// Every item of a paginated list, fetched a page at a time as the sequence is walked. `request` asks for the
    /// first page; the rest follow its pagination rule.
    public func paginate<Item>(_ request: Request<Page<Item>>) -> Paginated<Item> {
        Paginated(client: self, first: request)
    }
}

/// The items of a paginated list, fetched lazily: at most one page is held at a time. Each page is one request
/// under the client's retry policy. The walk stops at a page with no next link or cursor, an empty page, once
/// `count` items were seen, or when a next link or cursor comes back a second time (a loop).
public struct Paginated<Item: Decodable & Sendable>: AsyncSequence, Sendable {
    public typealias Element = Item

    let client: APIClient
    let first: Request<Page<Item>>
    /// Applied to every item as its page arrives (see `rewritingFileURLs`).
    var convert: @Sendable (Item) -> Item = { $0 }

    /// The same walk, a page at a time (with `count` when the API sends it).
    public var pages: Pages { Pages(client: client, first: first, convert: convert) }

    public func makeAsyncIterator() -> Iterator { Iterator(pages: pages.makeAsyncIterator()) }

    public struct Iterator: AsyncIteratorProtocol {
        var pages: Pages.Iterator
        var buffer: IndexingIterator<[Item]> = [Item]().makeIterator()

        public mutating func next() async throws -> Item? {
            while true {
                if let item = buffer.next() { return item }
                guard let page = try await pages.next() else { return nil }
                buffer = page.items.makeIterator()
            }
        }
    }

    public struct Pages: AsyncSequence, Sendable {
        public typealias Element = Page<Item>

        let client: APIClient
        let first: Request<Page<Item>>
        let convert: @Sendable (Item) -> Item

        public func makeAsyncIterator() -> Iterator {
            Iterator(client: client, rule: first.reader.pagination, convert: convert, upcoming: first)
        }

        public struct Iterator: AsyncIteratorProtocol {
            let client: APIClient
            let rule: PaginationRule?
            let convert: @Sendable (Item) -> Item
            var upcoming: Request<Page<Item>>?
            var pageNumber = 1
            var itemsSeen = 0
            var seen: Set<String> = []

            public mutating func next() async throws -> Page<Item>? {
                guard let request = upcoming else { return nil }
                upcoming = nil
                var page: Page<Item>
                do {
                    page = try await client.send(request)
                } catch let error as BinderyError where error.kind == .notFound && pageNumber > 1 && rule?.style == .pageNumber {
                    // Django REST framework answers a page past the end with 404 "Invalid page.".
                    return nil
                }
                itemsSeen += page.items.count
                if let rule, !page.items.isEmpty { upcoming = following(request, page, rule) }
                page.items = page.items.map(convert)
                return page
            }

            private mutating func following(_ request: Request<Page<Item>>, _ page: Page<Item>, _ rule: PaginationRule)
                -> Request<Page<Item>>?
            {
                if let count = page.count, itemsSeen >= count { return nil }
                var next = request
                switch rule.style {
                case .nextLink, .cursor:
                    guard let token = page.next, !token.isEmpty, seen.insert(token).inserted else { return nil }
                    let lowercased = token.lowercased()
                    if rule.style == .nextLink || lowercased.hasPrefix("http://") || lowercased.hasPrefix("https://") {
                        next.path = token
                        next.query = []
                    } else {
                        let name = rule.cursorParameter ?? "cursor"
                        next.query.removeAll { $0.name == name }
                        next.query.append(URLQueryItem(name: name, value: token))
                    }
                case .pageNumber:
                    pageNumber += 1
                    let name = rule.pageParameter ?? "page"
                    next.query.removeAll { $0.name == name }
                    next.query.append(URLQueryItem(name: name, value: String(pageNumber)))
                }
                return next
            }
        }
    }
}

/// Reads a page's items, next link and count from wherever the rule says they are.
struct PageBody<Item: Decodable>: Decodable {
    static var ruleKey: CodingUserInfoKey { CodingUserInfoKey(rawValue: "bindery.pagination")! }

    var items: [Item]
    var next: String?
    var count: Int?

    init(from decoder: any Decoder) throws {
        guard let rule = decoder.userInfo[Self.ruleKey] as? PaginationRule else {
            throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "no pagination rule"))
        }
        let root = try decoder.container(keyedBy: AnyKey.self)
        func container(for path: [String]) throws -> (KeyedDecodingContainer<AnyKey>, AnyKey)? {
            var container = root
            for key in path.dropLast() {
                guard container.contains(AnyKey(key)), try !container.decodeNil(forKey: AnyKey(key)) else { return nil }
                container = try container.nestedContainer(keyedBy: AnyKey.self, forKey: AnyKey(key))
            }
            return path.last.map { (container, AnyKey($0)) }
        }
        guard let (itemsContainer, itemsKey) = try container(for: rule.items) else {
            throw DecodingError.keyNotFound(
                AnyKey(rule.items.joined(separator: ".")), .init(codingPath: [], debugDescription: "no items"))
        }
        items = try itemsContainer.decode([Item].self, forKey: itemsKey)
        if let path = rule.next, let (container, key) = try container(for: path) {
            next = try container.decodeIfPresent(String.self, forKey: key)
        }
        if let path = rule.count, let (container, key) = try container(for: path) {
            count = try container.decodeIfPresent(Int.self, forKey: key)
        }
    }
}

/// A coding key made from any string.
struct AnyKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(_ string: String) { stringValue = string }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}
