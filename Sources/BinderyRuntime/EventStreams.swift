import Foundation

/// One Server-Sent Event, as the HTML standard's event-stream parser dispatches it.
public struct ServerSentEvent: Sendable, Hashable {
    /// The `event:` field; nil means the default type, `message`.
    public var event: String?
    /// The `data:` lines, joined with newlines.
    public var data: String
    /// The last event id seen so far in the stream, sent again as `Last-Event-ID` on a reconnect.
    public var id: String?
    /// A reconnection delay the server asked for, in milliseconds.
    public var retry: Int?

    /// An event with these fields.
    public init(event: String? = nil, data: String, id: String? = nil, retry: Int? = nil) {
        self.event = event
        self.data = data
        self.id = id
        self.retry = retry
    }
}

/// Splits bytes into lines as they arrive, on LF, CRLF or a lone CR, even when a line break straddles two chunks.
struct LineSplitter {
    /// The longest line kept; a longer one marks the splitter `overflowed` rather than growing without bound.
    let limit: Int
    private var buffer = Data()
    private var pendingCR = false
    private(set) var overflowed = false

    init(limit: Int = .max) {
        self.limit = limit
    }

    /// The lines completed by `chunk`.
    mutating func push(_ chunk: Data) -> [String] {
        var lines: [String] = []
        for byte in chunk {
            if pendingCR {
                pendingCR = false
                if byte == 0x0A { continue }
            }
            switch byte {
            case 0x0A:
                lines.append(String(decoding: buffer, as: UTF8.self))
                buffer.removeAll(keepingCapacity: true)
            case 0x0D:
                lines.append(String(decoding: buffer, as: UTF8.self))
                buffer.removeAll(keepingCapacity: true)
                pendingCR = true
            default:
                if buffer.count < limit { buffer.append(byte) } else { overflowed = true }
            }
        }
        return lines
    }

    /// What is left when the stream ends without a final line break.
    mutating func finish() -> String? {
        defer { buffer.removeAll() }
        return buffer.isEmpty ? nil : String(decoding: buffer, as: UTF8.self)
    }
}

/// The event-stream parser of the HTML standard (§9.2.6): fields, multi-line data, comments, ids and retry.
struct ServerSentEventParser {
    private var lines: LineSplitter
    private var event: String?
    private var data: [String] = []
    private var dataBytes = 0

    init(limit: Int = .max) {
        lines = LineSplitter(limit: limit)
    }

    /// An event's data grew past the limit.
    var overflowed: Bool { lines.overflowed || dataBytes > lines.limit }
    private var lastEventID: String?
    private var retry: Int?

    mutating func push(_ chunk: Data) -> [ServerSentEvent] {
        var events: [ServerSentEvent] = []
        for line in lines.push(chunk) {
            if let event = process(line) { events.append(event) }
        }
        return events
    }

    mutating func finish() -> [ServerSentEvent] {
        // An event not ended by a blank line is discarded, as the standard says.
        _ = lines.finish()
        return []
    }

    private mutating func process(_ line: String) -> ServerSentEvent? {
        if line.isEmpty {
            defer {
                event = nil
                data = []
                dataBytes = 0
            }
            guard !data.isEmpty else { return nil }
            return ServerSentEvent(event: event, data: data.joined(separator: "\n"), id: lastEventID, retry: retry)
        }
        if line.hasPrefix(":") { return nil }
        var field = Substring(line)
        var value = Substring("")
        if let colon = line.firstIndex(of: ":") {
            field = line[..<colon]
            value = line[line.index(after: colon)...]
            if value.hasPrefix(" ") { value = value.dropFirst() }
        }
        switch field {
        case "event": event = String(value)
        case "data":
            data.append(String(value))
            dataBytes += value.utf8.count
        case "id": if !value.contains("\0") { lastEventID = String(value) }
        case "retry": if let milliseconds = Int(value), value.allSatisfy({ $0.isASCII && $0.isNumber }) { retry = milliseconds }
        default: break
        }
        return nil
    }
}

/// Splits a stream's bytes into events as its framing says; an NDJSON line becomes an event whose `data` is the line.
struct EventFramer {
    let framing: EventFraming
    private var sse: ServerSentEventParser
    private var lines: LineSplitter

    init(_ framing: EventFraming, limit: Int = .max) {
        self.framing = framing
        sse = ServerSentEventParser(limit: limit)
        lines = LineSplitter(limit: limit)
    }

    mutating func push(_ chunk: Data) -> [ServerSentEvent] {
        switch framing {
        case .serverSentEvents: sse.push(chunk)
        case .ndjson: lines.push(chunk).compactMap(Self.event)
        }
    }

    mutating func finish() -> [ServerSentEvent] {
        switch framing {
        case .serverSentEvents: sse.finish()
        case .ndjson: lines.finish().flatMap(Self.event).map { [$0] } ?? []
        }
    }

    /// An event or line grew past the limit.
    var overflowed: Bool { framing == .serverSentEvents ? sse.overflowed : lines.overflowed }

    private static func event(_ line: String) -> ServerSentEvent? {
        line.allSatisfy(\.isWhitespace) ? nil : ServerSentEvent(data: line)
    }
}

/// How a streaming request reads its events: the framing, and how one event becomes an `Event`.
public struct EventReading<Event: Sendable>: Sendable {
    /// How the body is split into events.
    public var framing: EventFraming
    /// Reopen a broken Server-Sent Events stream with `Last-Event-ID`, as the HTML standard's EventSource does.
    public var reconnects: Bool
    /// The data of the event (or the NDJSON line) that ends the stream, e.g. OpenAI's `[DONE]`: not decoded, and
    /// the connection is closed.
    public var end: String?
    /// Turns one event into an `Event`, with the API's coders.
    public var decode: @Sendable (ServerSentEvent, Coders) throws -> Event

    /// Describes how a stream's body becomes events.
    public init(
        framing: EventFraming, reconnects: Bool = false, end: String? = nil,
        decode: @escaping @Sendable (ServerSentEvent, Coders) throws -> Event
    ) {
        self.framing = framing
        self.reconnects = reconnects
        self.end = end
        self.decode = decode
    }

    /// The `Accept` header that asks for this framing.
    var accept: String { framing == .serverSentEvents ? "text/event-stream" : "application/x-ndjson" }
}

/// What a stream needs from the client that opened it: its coders, its clock, its errors, and a way to reopen it.
struct EventContext: Sendable {
    let coders: Coders
    let clock: any BinderyClock
    /// The largest event or line read; a larger one is `.responseTooLarge`.
    let maximumEventSize: Int
    /// Builds the error thrown for a failure while events are read, naming the operation and URL.
    let failure: @Sendable (BinderyError.Kind, String) -> BinderyError
    /// Sends the request again with `Last-Event-ID`; nil when the body was not streamed.
    let reconnect: (@Sendable (_ lastEventID: String) async throws -> StreamingResponse)?
}

/// The events of a streaming response, decoded as they arrive. Ending the loop or cancelling the task closes the
/// connection. Iterate it once.
public struct EventStream<Event: Sendable>: AsyncSequence, Sendable {
    public typealias Element = Event

    let body: StreamingResponse
    let reading: EventReading<Event>
    let context: EventContext

    public func makeAsyncIterator() -> Iterator { Iterator(body: body, reading: reading, context: context) }

    /// Reads the stream's events one at a time.
    public struct Iterator: AsyncIteratorProtocol {
        private var chunks: AsyncThrowingStream<Data, any Error>.Iterator
        private var connection: Connection
        private var framer: EventFramer
        private let reading: EventReading<Event>
        private let context: EventContext
        private var pending: [ServerSentEvent] = []
        private var lastEventID: String?
        private var reconnectDelay: TimeInterval = 1
        private var receivedSinceConnect = false
        private var finished = false

        init(body: StreamingResponse, reading: EventReading<Event>, context: EventContext) {
            chunks = body.body.makeAsyncIterator()
            connection = Connection(close: body.cancel)
            framer = EventFramer(reading.framing, limit: context.maximumEventSize)
            self.reading = reading
            self.context = context
        }

        public mutating func next() async throws -> Event? {
            while pending.isEmpty {
                if finished { return nil }
                do {
                    if let chunk = try await chunks.next() {
                        pending = framer.push(chunk)
                        if framer.overflowed {
                            throw context.failure(.responseTooLarge, "an event is larger than \(context.maximumEventSize) bytes")
                        }
                    } else {
                        // A stream ended by cancelling the task did not finish: say so rather than end the loop.
                        if Task.isCancelled { throw context.failure(.cancelled, "the task was cancelled") }
                        pending = framer.finish()
                        finished = true
                    }
                } catch let error as TransportError where error.kind == .connectionLost || error.kind == .timedOut {
                    try await reconnect(after: error)
                } catch let error as TransportError {
                    throw context.failure(error.kind == .cancelled ? .cancelled : .connectionLost, error.message)
                }
            }
            let event = pending.removeFirst()
            if let end = reading.end, event.data == end {
                (pending, finished) = ([], true)
                connection.close()
                return nil
            }
            receivedSinceConnect = true
            if let id = event.id { lastEventID = id }
            if let retry = event.retry { reconnectDelay = Swift.min(TimeInterval(retry) / 1000, longestReconnectDelay) }
            do {
                return try reading.decode(event, context.coders)
            } catch let error as DecodingError {
                throw context.failure(
                    .decoding,
                    BinderyError.describe(error, reading: Event.self) + "; event: "
                        + BinderyError.excerpt(of: Data(event.data.utf8)))
            }
        }

        /// Reopens the stream after `error` when the spec allows it and the last connection made progress, so a
        /// server that drops every connection at once is not hammered.
        private mutating func reconnect(after error: TransportError) async throws {
            let kind: BinderyError.Kind = error.kind == .timedOut ? .timedOut : .connectionLost
            guard reading.reconnects, let reconnect = context.reconnect, let lastEventID, receivedSinceConnect else {
                throw context.failure(kind, error.message)
            }
            do {
                try await context.clock.sleep(reconnectDelay)
            } catch {
                throw context.failure(.cancelled, "the task was cancelled")
            }
            let reopened = try await reconnect(lastEventID)
            chunks = reopened.body.makeAsyncIterator()
            connection = Connection(close: reopened.cancel)
            framer = EventFramer(reading.framing, limit: context.maximumEventSize)
            receivedSinceConnect = false
        }
    }
}

/// The longest wait a server's `retry:` field can ask for before a stream reconnects.
let longestReconnectDelay: TimeInterval = 60

/// Closes a stream's connection when the iterator reading it goes away, so `break` ends the request.
private final class Connection: Sendable {
    let close: @Sendable () -> Void
    init(close: @escaping @Sendable () -> Void) { self.close = close }
    deinit { close() }
}

extension ResponseReader {
    /// Events read as `reading` says, as they arrive. Over a transport that cannot stream, the whole body is read
    /// first.
    public static func events<Event>(_ reading: EventReading<Event>) -> Self where Response == EventStream<Event> {
        Self(accept: reading.accept) { body, context in EventStream(body: body, reading: reading, context: context) }
    }

    /// Each event's `data` decoded as JSON.
    public static func events<Event: Decodable>(_ framing: EventFraming, reconnects: Bool = false, end: String? = nil) -> Self
    where Response == EventStream<Event> {
        .events(
            EventReading(framing: framing, reconnects: reconnects, end: end) { event, coders in
                try coders.decode(Event.self, from: Data(event.data.utf8))
            })
    }

    /// The Server-Sent Events as parsed, undecoded.
    public static func serverSentEvents(reconnects: Bool = false, end: String? = nil) -> Self
    where Response == EventStream<ServerSentEvent> {
        .events(EventReading(framing: .serverSentEvents, reconnects: reconnects, end: end) { event, _ in event })
    }
}
