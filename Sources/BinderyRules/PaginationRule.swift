import Foundation

/// How an API splits a list into pages, as a spec's pagination rule describes it.
public struct PaginationRule: Sendable, Hashable {
    /// Where the next page comes from.
    public enum Style: String, Sendable, Hashable, CaseIterable {
        /// `{count, next, previous, results}`: follow the absolute `next` link as given.
        case nextLink
        /// Follow the `Link` header's `rel="next"` URL as given (RFC 8288), as GitHub pages.
        case linkHeader
        /// Send `cursor=<token>` on the same path; the next token is in the body.
        case cursor
        /// Send `cursor=<token>` on the same path; the next token is in the response header `next` names
        /// (`X-Next-Cursor`), and a page without it is the last.
        case cursorHeader
        /// Send `offset=N` past the items seen so far.
        case offset
        /// Send `page=N`; stop past the last page.
        case pageNumber
    }

    /// Where the next page comes from.
    public var style: Style
    /// Key path of the items array in a page's body; empty for a page that is a JSON array itself.
    public var items: [String]
    /// Key path of the next link or cursor in the body; for `cursorHeader`, the header that holds it.
    public var next: [String]?
    /// Key path of the total number of items.
    public var count: [String]?
    /// Key path of a boolean that is false on the last page (`has_more`), so the walk stops without asking again.
    public var hasMore: [String]?
    /// The query parameter the cursor is sent in.
    public var cursorParameter: String?
    /// The query parameter the page number is sent in.
    public var pageParameter: String?
    /// The query parameter the page size is sent in, when a walk sets one.
    public var pageSizeParameter: String?
    /// The query parameter the offset is sent in.
    public var offsetParameter: String?
    /// The query parameter the page size is sent in for the offset style.
    public var limitParameter: String?

    /// Describes a pagination rule; the parameters the style does not use stay nil.
    public init(
        style: Style, items: [String], next: [String]? = nil, count: [String]? = nil, hasMore: [String]? = nil,
        cursorParameter: String? = nil, pageParameter: String? = nil, pageSizeParameter: String? = nil,
        offsetParameter: String? = nil, limitParameter: String? = nil
    ) {
        self.style = style
        self.items = items
        self.next = next
        self.count = count
        self.hasMore = hasMore
        self.cursorParameter = cursorParameter
        self.pageParameter = pageParameter
        self.pageSizeParameter = pageSizeParameter
        self.offsetParameter = offsetParameter
        self.limitParameter = limitParameter
    }
}

extension PaginationRule {
    /// A rule of `style` with the spec language's defaults for it, which a spec's settings then change: a
    /// Django REST framework page (`results`, `next`, `count`) for the styles that read the body, GitHub's
    /// `per_page` for `Link` headers, a page that is an array with `X-Next-Cursor` for a cursor in a header, and
    /// the parameter names most APIs use.
    public init(style: Style) {
        switch style {
        case .nextLink: self.init(style: style, items: ["results"], next: ["next"], count: ["count"])
        case .linkHeader: self.init(style: style, items: [], pageSizeParameter: "per_page")
        case .cursor: self.init(style: style, items: ["results"], next: ["next"], cursorParameter: "cursor")
        case .cursorHeader: self.init(style: style, items: [], next: ["X-Next-Cursor"], cursorParameter: "cursor")
        case .offset:
            self.init(style: style, items: ["results"], count: ["count"], offsetParameter: "offset", limitParameter: "limit")
        case .pageNumber:
            self.init(style: style, items: ["results"], count: ["count"], pageParameter: "page", pageSizeParameter: "page_size")
        }
    }
}
