import Foundation

/// How an API writes dates on the wire.
public enum DateFormat: String, Sendable, CaseIterable {
    /// ISO 8601, read with or without fractional seconds and with `Z`, a numeric offset or none (UTC, as Python
    /// servers write naive datetimes); written in UTC.
    case iso8601
    /// Seconds since 1970, as a number.
    case secondsSince1970
    /// Milliseconds since 1970, as a whole number.
    case millisecondsSince1970
}
