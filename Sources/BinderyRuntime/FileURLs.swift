import Foundation

/// A model with fields the spec marks `file-url`: links to files the API serves, which callers may want to rewrite
/// (to a mirror, a signed URL, a local download) before use.
public protocol FileURLs {
    /// A copy with every file URL replaced by `rewrite(url)`.
    func rewritingFileURLs(_ rewrite: (String) -> String) -> Self
}

extension JSONValue {
    /// File URLs in a free-form field: every string, in arrays and as object values at any depth, except that an
    /// object with a `url` string has only that rewritten (`{"url": …, "size": …}`).
    public func rewritingFileURLs(_ rewrite: (String) -> String) -> JSONValue {
        switch self {
        case .string(let url): return .string(rewrite(url))
        case .array(let values): return .array(values.map { $0.rewritingFileURLs(rewrite) })
        case .object(var members):
            if case .string(let url)? = members["url"] {
                members["url"] = .string(rewrite(url))
                return .object(members)
            }
            return .object(members.mapValues { $0.rewritingFileURLs(rewrite) })
        default: return self
        }
    }
}

extension Page: FileURLs where Item: FileURLs {
    public func rewritingFileURLs(_ rewrite: (String) -> String) -> Page {
        Page(items: items.map { $0.rewritingFileURLs(rewrite) }, next: next, count: count)
    }
}

extension Paginated where Item: FileURLs {
    /// The same walk with every item's file URLs rewritten, page after page.
    public func rewritingFileURLs(_ rewrite: @escaping @Sendable (String) -> String) -> Paginated {
        var copy = self
        let earlier = convert
        copy.convert = { earlier($0).rewritingFileURLs(rewrite) }
        return copy
    }
}
