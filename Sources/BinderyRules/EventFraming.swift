import Foundation

/// How a stream's bytes divide into events.
public enum EventFraming: String, Sendable, Hashable, CaseIterable {
    /// Server-Sent Events (`text/event-stream`); each event's `data` is decoded.
    case serverSentEvents
    /// Newline-delimited JSON (`application/x-ndjson`): one JSON document a line.
    case ndjson
}
