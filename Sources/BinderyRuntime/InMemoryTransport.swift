import Foundation

/// A transport that answers from a script, in memory, and records every request it was given: for testing code that
/// uses a client, and the runtime's own policies, with no network. Answers are given in order; the last one repeats.
public final class InMemoryTransport: StreamingTransport, @unchecked Sendable {
    /// One scripted answer.
    public enum Answer: Sendable {
        /// A whole response.
        case response(HTTPResponse)
        /// A response whose body arrives in these pieces, then ends, or breaks with `failure`.
        case stream(status: Int, headers: HTTPHeaders, pieces: [Data], failure: TransportError? = nil)
        /// No response: the transport fails this way.
        case failure(TransportError)

        /// A JSON body with this status.
        public static func json(_ text: String, status: Int = 200, headers: [(String, String)] = []) -> Answer {
            .response(HTTPResponse(status: status, headers: HTTPHeaders([("Content-Type", "application/json")] + headers), body: Data(text.utf8)))
        }
    }

    /// A request as the transport received it.
    public struct Received: Sendable {
        /// The request as the client sent it, credentials included.
        public var request: HTTPRequest
        /// The body's bytes, a file's contents read; nil for no body.
        public var body: Data?
        /// The timeouts the client asked for.
        public var timeouts: Timeouts
    }

    private let lock = NSLock()
    private var answers: [Answer]
    private var log: [Received] = []

    /// A transport that gives `answers` in order, and the last one to every request after.
    public init(_ answers: [Answer]) {
        precondition(!answers.isEmpty, "an in-memory transport needs at least one answer")
        self.answers = answers
    }

    /// Every request received so far, in order.
    public var received: [Received] {
        lock.lock()
        defer { lock.unlock() }
        return log
    }

    /// A request whose head could not be written (see `TransportError.Kind.invalidRequest`) fails as on the wire,
    /// and is not recorded.
    private func next(_ request: HTTPRequest, body: HTTPBody?, timeouts: Timeouts) throws -> Answer {
        try RequestHead.validate(request)
        let data = try body.map { body in
            var data = Data()
            try body.write { data.append($0) }
            return data
        }
        lock.lock()
        defer { lock.unlock() }
        log.append(Received(request: request, body: data, timeouts: timeouts))
        return answers.count > 1 ? answers.removeFirst() : answers[0]
    }

    /// Records the request and gives the next answer.
    public func send(_ request: HTTPRequest, body: HTTPBody?, timeouts: Timeouts) async throws -> HTTPResponse {
        try await open(request, body: body, timeouts: timeouts).collected()
    }

    public func open(_ request: HTTPRequest, body: HTTPBody?, timeouts: Timeouts) async throws -> StreamingResponse {
        switch try next(request, body: body, timeouts: timeouts) {
        case .response(var response):
            response.url = response.url ?? request.url
            return StreamingResponse(buffered: response)
        case .stream(let status, let headers, let pieces, let failure):
            let (stream, continuation) = AsyncThrowingStream<Data, any Error>.makeStream()
            for piece in pieces { continuation.yield(piece) }
            continuation.finish(throwing: failure)
            return StreamingResponse(status: status, headers: headers, url: request.url, body: stream, cancel: {})
        case .failure(let error):
            throw error
        }
    }
}

/// A clock for tests: every sleep returns at once, moving the clock on by the time asked for (clamped as the system
/// clock clamps it), and is recorded, so waits are asserted by value.
public final class ManualClock: BinderyClock, @unchecked Sendable {
    private let lock = NSLock()
    private var elapsed: TimeInterval = 0
    private var recorded: [TimeInterval] = []

    /// A clock at zero; it moves on by the sleeps asked of it and by `advance(by:)`.
    public init() {}

    public var now: TimeInterval {
        lock.lock()
        defer { lock.unlock() }
        return elapsed
    }

    /// Every sleep asked for, in order, clamped.
    public var sleeps: [TimeInterval] {
        lock.lock()
        defer { lock.unlock() }
        return recorded
    }

    /// Moves the clock on, as if work took `seconds`.
    public func advance(by seconds: TimeInterval) {
        lock.lock()
        defer { lock.unlock() }
        elapsed += seconds
    }

    public func sleep(_ seconds: TimeInterval) async throws {
        try Task.checkCancellation()
        record(TimeInterval(Nanoseconds.clamped(seconds)) / 1_000_000_000)
    }

    private func record(_ seconds: TimeInterval) {
        lock.lock()
        defer { lock.unlock() }
        recorded.append(seconds)
        elapsed += seconds
    }
}
