import Foundation

/// A model with fields the spec marks `file-url`: links to files the API serves, which callers may want to rewrite
/// (to a mirror, a signed URL, a local download) before use.
public protocol FileURLs {
    /// The model's fields that hold file URLs, a case each, whose raw values are their wire names: naming a field
    /// that holds none is a compile error, not a rewrite that silently does nothing.
    associatedtype FileURLField: RawRepresentable<String>, Hashable, Sendable

    /// A copy with every file URL replaced by `rewrite(field, url)`, `field` being the wire name of the model's
    /// field the URL is in.
    func rewritingFileURLs(_ rewrite: (_ field: String, _ url: String) -> String) -> Self
}

extension FileURLs {
    /// A copy with every file URL replaced by `rewrite(url)`.
    public func rewritingFileURLs(_ rewrite: (String) -> String) -> Self {
        rewritingFileURLs { _, url in rewrite(url) }
    }

    /// A copy with the file URLs of the fields in `rewrites` replaced by their rewrite, as the Python client's
    /// `url_conversion` maps fields to functions (`[.files: { url in … }]`); other fields are left as they are.
    public func rewritingFileURLs(_ rewrites: [FileURLField: (String) -> String]) -> Self {
        rewritingFileURLs { field, url in FileURLField(rawValue: field).flatMap { rewrites[$0] }?(url) ?? url }
    }
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
    public typealias FileURLField = Item.FileURLField

    public func rewritingFileURLs(_ rewrite: (_ field: String, _ url: String) -> String) -> Page {
        Page(items: items.map { $0.rewritingFileURLs(rewrite) }, next: next, count: count)
    }
}

extension Paginated where Item: FileURLs {
    /// The same walk with every item's file URLs rewritten by `rewrite(field, url)`, page after page.
    public func rewritingFileURLs(_ rewrite: @escaping @Sendable (_ field: String, _ url: String) -> String) -> Paginated {
        var copy = self
        let earlier = convert
        copy.convert = { (earlier?($0) ?? $0).rewritingFileURLs(rewrite) }
        return copy
    }

    /// The same walk with every item's file URLs rewritten, page after page.
    public func rewritingFileURLs(_ rewrite: @escaping @Sendable (String) -> String) -> Paginated {
        rewritingFileURLs { _, url in rewrite(url) }
    }

    /// The same walk with the file URLs of the fields in `rewrites` rewritten, page after page.
    public func rewritingFileURLs(_ rewrites: [Item.FileURLField: @Sendable (String) -> String]) -> Paginated {
        rewritingFileURLs { field, url in Item.FileURLField(rawValue: field).flatMap { rewrites[$0] }?(url) ?? url }
    }
}
