import Foundation

/// How a walk goes from one page to the next.
enum PageFollowing: Equatable {
    /// Where a page gives the link or cursor of the next.
    enum Source {
        /// At the rule's `next` key path in the body.
        case body
        /// In the `Link` header's `rel="next"` (RFC 8288).
        case linkHeader
        /// In the response header the rule's `next` names.
        case header
    }

    /// What is done with it.
    enum Use {
        /// It is the next page's URL, asked for as given.
        case link
        /// It goes in the rule's `cursorParameter` on the same path (as the URL, should a server give one).
        case cursor
    }

    /// The page gives the next page's link or cursor; the walk ends at a page without one. The page after is
    /// asked for as soon as the link is known, while the current page is still being read.
    case token(from: Source, use: Use)
    /// The next page starts past the items seen so far (`offsetParameter`); a page shorter than the limit asked
    /// for is the last.
    case offset
    /// The next page is the next number (`pageParameter`); a 404 past the first page is the end, as Django REST
    /// framework answers "Invalid page.".
    case pageNumber

    /// Where the page gives the next link or cursor, for the styles that follow one.
    var source: Source? {
        if case .token(let source, _) = self { source } else { nil }
    }

    /// What is done with the link or cursor, for the styles that follow one.
    var use: Use? {
        if case .token(_, let use) = self { use } else { nil }
    }
}

extension PaginationRule.Style {
    /// How each style follows its pages: a new style is a case here.
    var following: PageFollowing {
        switch self {
        case .nextLink: .token(from: .body, use: .link)
        case .linkHeader: .token(from: .linkHeader, use: .link)
        case .cursor: .token(from: .body, use: .cursor)
        case .cursorHeader: .token(from: .header, use: .cursor)
        case .offset: .offset
        case .pageNumber: .pageNumber
        }
    }
}

extension PaginationRule {
    /// The next link or cursor in `response`, found without decoding its items (the body is only stepped over);
    /// nil on a page that says it is the last, or for a rule that does not follow links.
    func token(in response: HTTPResponse) -> String? {
        guard case .token(let source, _) = style.following else { return nil }
        if let path = hasMore, case .bool(false)? = JSONParser.member(at: path, in: response.body) { return nil }
        return switch source {
        case .linkHeader: LinkHeader.next(in: response.headers["Link"])
        case .header: next?.first.flatMap { response.headers[$0] }
        case .body: next.flatMap { path in
            if case .string(let token)? = JSONParser.member(at: path, in: response.body) { token } else { nil }
        }
        }
    }
}

/// One page of a paginated list.
public struct Page<Item: Decodable & Sendable>: Sendable {
    /// The page's items.
    public var items: [Item]
    /// The next page's link or cursor; nil on the last page.
    public var next: String?
    /// The total number of items, when the API sends it.
    public var count: Int?
    /// Whether more pages follow, when the API says so (`has_more`).
    public var hasMore: Bool?

    /// A page with these parts.
    public init(items: [Item], next: String? = nil, count: Int? = nil, hasMore: Bool? = nil) {
        self.items = items
        self.next = next
        self.count = count
        self.hasMore = hasMore
    }
}

extension ResponseReader {
    /// One page of `Item`s, read with `rule`.
    public static func page<Item>(_ rule: PaginationRule) -> Self where Response == Page<Item> {
        Self(pagination: rule) { response, coders in
            let body = try coders.decode(PageBody<Item>.self, from: response.body, userInfo: [PageBody<Item>.ruleKey: rule])
            // A link in the body was decoded with the items; one in a header is read from there.
            let next = rule.style.following.source == .body ? body.next : rule.token(in: response)
            return Page(items: body.items, next: next, count: body.count, hasMore: body.hasMore)
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

/// The items of a paginated list, fetched lazily and at most one page ahead: the next page is asked for as soon as
/// the current one's next link or cursor arrived, so the server works while the current page is decoded and walked
/// (a walk left early may have asked for one page it does not read). Each page is one request under the client's
/// retry policy. The walk stops at a page with no next link or cursor, an empty page, once
/// `count` items were seen, or when a next link or cursor comes back a second time (a loop).
public struct Paginated<Item: Decodable & Sendable>: AsyncSequence, Sendable {
    public typealias Element = Item

    let client: APIClient
    let first: Request<Page<Item>>
    /// Applied to every item as its page arrives (see `rewritingFileURLs`). None by default: a page's items are
    /// then handed on as decoded, not copied one by one.
    var convert: (@Sendable (Item) -> Item)?

    /// The same walk, a page at a time (with `count` when the API sends it).
    public var pages: Pages { Pages(client: client, first: first, convert: convert) }

    public func makeAsyncIterator() -> Iterator { Iterator(pages: pages.makeAsyncIterator()) }

    /// Gives the items of every page in turn, asking for each page when the last item of the one before is read.
    public struct Iterator: AsyncIteratorProtocol {
        @usableFromInline var pages: Pages.Iterator
        /// The current page's items not yet handed out, last first: each is moved out, not copied.
        @usableFromInline var remaining: [Item] = []

        init(pages: Pages.Iterator) { self.pages = pages }

        // Inlinable, so a walk is compiled for its item type where it is written: generic code would ask the runtime
        // for the item type's metadata at every item handed out.
        @inlinable
        public mutating func next() async throws -> Item? {
            while true {
                if let item = remaining.popLast() { return item }
                guard var page = try await pages.next() else { return nil }
                // Taken from the page, so the array is not shared and reversing it copies nothing; reversed through
                // its buffer, whose swaps move items where the array's would copy and release them.
                swap(&remaining, &page.items)
                remaining.withUnsafeMutableBufferPointer { $0.reverse() }
            }
        }
    }

    /// The pages of a walk, each whole.
    public struct Pages: AsyncSequence, Sendable {
        public typealias Element = Page<Item>

        let client: APIClient
        let first: Request<Page<Item>>
        let convert: (@Sendable (Item) -> Item)?

        public func makeAsyncIterator() -> Iterator {
            Iterator(client: client, rule: first.reader.pagination, convert: convert, upcoming: first)
        }

        /// Gives the pages in turn.
        public struct Iterator: AsyncIteratorProtocol {
            let client: APIClient
            let rule: PaginationRule?
            let convert: (@Sendable (Item) -> Item)?
            var upcoming: Request<Page<Item>>?
            var pageNumber = 1
            var itemsSeen = 0
            var seen: Set<String> = []
            /// The next page, asked for as soon as a page's next link or cursor arrived (before its items are decoded
            /// or walked): the server works on it meanwhile. At most one page ahead; cancelled when the walk ends.
            let ahead: PageAhead<Item>

            init(client: APIClient, rule: PaginationRule?, convert: (@Sendable (Item) -> Item)?, upcoming: Request<Page<Item>>) {
                self.client = client
                self.rule = rule
                self.convert = convert
                self.upcoming = upcoming
                ahead = PageAhead(client: client, rule: rule)
            }

            public mutating func next() async throws -> Page<Item>? {
                guard let request = upcoming else {
                    ahead.cancel()
                    return nil
                }
                upcoming = nil
                var page: Page<Item>
                do {
                    if let early = ahead.take(request) {
                        page = try await early.value
                    } else {
                        page = try await client.send(ahead.looking(past: request, seen: seen))
                    }
                } catch let error as BinderyError where error.kind == .notFound && pageNumber > 1 && rule?.style.following == .pageNumber {
                    return nil
                }
                itemsSeen += page.items.count
                if let rule, !page.items.isEmpty { upcoming = following(request, page, rule) }
                if upcoming == nil { ahead.cancel() }
                if let convert { page.items = page.items.map(convert) }
                return page
            }

            private mutating func following(_ request: Request<Page<Item>>, _ page: Page<Item>, _ rule: PaginationRule)
                -> Request<Page<Item>>?
            {
                if let count = page.count, itemsSeen >= count { return nil }
                if page.hasMore == false { return nil }
                switch rule.style.following {
                case .token:
                    guard let token = page.next, !token.isEmpty, seen.insert(token).inserted else { return nil }
                    return PageAhead<Item>.request(after: request, token: token, rule: rule)
                case .offset:
                    func value(_ name: String) -> Int? { request.query.last { $0.name == name }?.value.flatMap { Int($0) } }
                    // A page shorter than the limit asked for is the last.
                    if let limit = value(rule.limitParameter ?? "limit"), page.items.count < limit { return nil }
                    var next = request
                    let name = rule.offsetParameter ?? "offset"
                    let offset = value(name) ?? 0
                    next.query.removeAll { $0.name == name }
                    next.query.append(URLQueryItem(name: name, value: String(offset + page.items.count)))
                    return next
                case .pageNumber:
                    pageNumber += 1
                    var next = request
                    let name = rule.pageParameter ?? "page"
                    next.query.removeAll { $0.name == name }
                    next.query.append(URLQueryItem(name: name, value: String(pageNumber)))
                    return next
                }
            }
        }
    }
}

/// The page after the one being read, asked for early: a page's reader finds the next link or cursor in the raw
/// body (stepping over everything else) and starts the request for it before decoding its own items. Only one
/// page is fetched ahead: a link found while the page ahead is still unclaimed waits until the walk claims it.
final class PageAhead<Item: Decodable & Sendable>: @unchecked Sendable {
    private let client: APIClient
    private let rule: PaginationRule?
    private let lock = NSLock()
    private var pending: (key: String, task: Task<Page<Item>, any Error>)?
    private var deferred: Request<Page<Item>>?

    init(client: APIClient, rule: PaginationRule?) {
        self.client = client
        self.rule = rule
    }

    deinit { cancel() }

    /// `request` with a reader that starts the following page as soon as its link is known; `request` as it is for
    /// rules without links in the body.
    func looking(past request: Request<Page<Item>>, seen: Set<String>) -> Request<Page<Item>> {
        guard let rule, case .token = rule.style.following, case .whole(let read) = request.reader.body else {
            return request
        }
        let reader = ResponseReader<Page<Item>>(pagination: rule, accept: request.reader.accept, arrived: { [weak self] response in
            guard let self, let token = rule.token(in: response), !token.isEmpty, !seen.contains(token) else { return false }
            return self.start(Self.request(after: request, token: token, rule: rule), seen: seen.union([token]))
        }, read)
        return Request(
            request.operation, request.method, request.path, query: request.query, headers: request.headers,
            body: request.body, options: request.options, response: reader)
    }

    /// The page fetched ahead, when it is `request`'s; anything else fetched ahead is cancelled.
    func take(_ request: Request<Page<Item>>) -> Task<Page<Item>, any Error>? {
        lock.lock()
        let claimed = pending
        pending = nil
        let waiting = deferred
        deferred = nil
        lock.unlock()
        guard let claimed, claimed.key == Self.key(request) else {
            claimed?.task.cancel()
            return nil
        }
        if let waiting { start(waiting, seen: []) }
        return claimed.task
    }

    func cancel() {
        lock.lock()
        let task = pending?.task
        (pending, deferred) = (nil, nil)
        lock.unlock()
        task?.cancel()
    }

    /// Asks for `request`'s page now, or once the page ahead is claimed; true when it was asked for now.
    @discardableResult
    private func start(_ request: Request<Page<Item>>, seen: Set<String>) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        guard pending == nil else {
            deferred = request
            return false
        }
        let client = self.client
        let next = looking(past: request, seen: seen)
        let send: @Sendable () async throws -> Page<Item> = { try await client.send(next) }
        // On an `IOThread` the page ahead is asked for on it too: its answer then comes back to the thread the walk
        // waits on, not to Swift's pool and from there to the walk, which would wake two threads instead of one.
        if #available(macOS 15.0, iOS 18.0, tvOS 18.0, watchOS 11.0, visionOS 2.0, *), let thread = IOThread.current {
            pending = (Self.key(request), Task(executorPreference: thread, operation: send))
        } else {
            pending = (Self.key(request), Task(operation: send))
        }
        return true
    }

    /// The request for the page a next link or cursor points at.
    static func request(after request: Request<Page<Item>>, token: String, rule: PaginationRule) -> Request<Page<Item>> {
        var next = request
        let lowercased = token.lowercased()
        if rule.style.following.use == .link || lowercased.hasPrefix("http://") || lowercased.hasPrefix("https://") {
            next.path = token
            next.query = []
        } else {
            let name = rule.cursorParameter ?? "cursor"
            next.query.removeAll { $0.name == name }
            next.query.append(URLQueryItem(name: name, value: token))
        }
        return next
    }

    private static func key(_ request: Request<Page<Item>>) -> String {
        ([request.path] + request.query.map { "\($0.name)=\($0.value ?? "")" }).joined(separator: "&")
    }
}

/// Reads a page's items, next link and count from wherever the rule says they are.
struct PageBody<Item: Decodable>: Decodable {
    static var ruleKey: CodingUserInfoKey { CodingUserInfoKey(rawValue: "bindery.pagination")! }

    var items: [Item]
    var next: String?
    var count: Int?
    var hasMore: Bool?

    init(from decoder: any Decoder) throws {
        guard let rule = decoder.userInfo[Self.ruleKey] as? PaginationRule else {
            throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "no pagination rule"))
        }
        if rule.items.isEmpty {  // the page is the array of items itself
            items = try decoder.singleValueContainer().decode([Item].self)
            return
        }
        let root = try decoder.container(keyedBy: WireKey.self)
        func container(for path: [String]) throws -> (KeyedDecodingContainer<WireKey>, WireKey)? {
            var container = root
            for key in path.dropLast() {
                guard container.contains(WireKey(key)), try !container.decodeNil(forKey: WireKey(key)) else { return nil }
                container = try container.nestedContainer(keyedBy: WireKey.self, forKey: WireKey(key))
            }
            return path.last.map { (container, WireKey($0)) }
        }
        if rule.items.count == 1 {  // read in place under the runtime's decoder, as a model's array fields are
            items = try ModelContainer(decoder, keyedBy: WireKey.self).decode([Item].self, forKey: WireKey(rule.items[0]))
        } else if let (itemsContainer, itemsKey) = try container(for: rule.items) {
            items = try itemsContainer.decode([Item].self, forKey: itemsKey)
        } else {
            throw DecodingError.keyNotFound(
                WireKey(rule.items.joined(separator: ".")), .init(codingPath: [], debugDescription: "no items"))
        }
        if rule.style.following.source == .body, let path = rule.next, let (container, key) = try container(for: path) {
            next = try container.decodeIfPresent(String.self, forKey: key)
        }
        if let path = rule.count, let (container, key) = try container(for: path) {
            count = try container.decodeIfPresent(Int.self, forKey: key)
        }
        if let path = rule.hasMore, let (container, key) = try container(for: path) {
            hasMore = try container.decodeIfPresent(Bool.self, forKey: key)
        }
    }
}

/// Reads an HTTP `Link` header (RFC 8288): `<https://…?page=2>; rel="next", <https://…?page=9>; rel="last"`.
enum LinkHeader {
    /// The target of the link whose `rel` includes `next`.
    static func next(in header: String?) -> String? {
        guard var rest = header?[...] else { return nil }
        while let open = rest.firstIndex(of: "<"), let close = rest[open...].firstIndex(of: ">") {
            let target = rest[rest.index(after: open)..<close]
            rest = rest[rest.index(after: close)...]
            let parameters = rest.prefix { $0 != "<" }
            for parameter in parameters.split(separator: ";") {
                let pair = parameter.split(separator: "=", maxSplits: 1)
                guard pair.count == 2, pair[0].trimmingCharacters(in: .whitespaces).lowercased() == "rel" else { continue }
                let relations = pair[1].trimmingCharacters(in: CharacterSet(charactersIn: " \t\",")).lowercased()
                if relations.split(separator: " ").contains("next") { return String(target) }
            }
        }
        return nil
    }
}
