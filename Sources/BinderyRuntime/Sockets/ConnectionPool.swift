import Foundation

/// The connections of one transport, per origin: at most `limit` open to each (in use or idle), requests beyond it
/// waiting in the order they came for one to be given back or closed. Idle connections are reused newest first
/// and closed once idle longer than `idleTimeout`.
final class ConnectionPool: @unchecked Sendable {
    let limit: Int
    let idleTimeout: TimeInterval
    private let lock = NSLock()
    private var origins: [String: OriginConnections] = [:]
    private var serial = 0

    private struct OriginConnections {
        var idle: [Socket] = []
        /// Open connections, idle or in use, and connects under way.
        var open = 0
        var waiters: [(id: Int, continuation: CheckedContinuation<Grant, any Error>)] = []
    }

    /// What a request is given: a connection to reuse, or leave to open one.
    enum Grant {
        case reuse(Socket)
        case open
    }

    init(limit: Int, idleTimeout: TimeInterval) {
        precondition(limit > 0, "a pool needs room for one connection")
        self.limit = limit
        self.idleTimeout = idleTimeout
    }

    /// A connection to reuse, or leave to open one, for `origin`; waits for one until `deadline` when the origin
    /// has `limit` open, and fails then as `cannotConnect` (nothing was sent).
    func grant(_ origin: String, until deadline: Deadline, seconds: TimeInterval) async throws -> Grant {
        let (immediate, waiterID): (Grant?, Int) = lock.withLock {
            var connections = origins[origin, default: OriginConnections()]
            defer { origins[origin] = connections }
            let now = DispatchTime.now().uptimeNanoseconds
            while let socket = connections.idle.popLast() {
                if now - socket.idleSince < Nanoseconds.clamped(idleTimeout), socket.isReusable { return (.reuse(socket), 0) }
                socket.close()
                connections.open -= 1
            }
            if connections.open < limit {
                connections.open += 1
                return (.open, 0)
            }
            serial += 1
            return (nil, serial)
        }
        if let immediate { return immediate }
        let timer = Task { [weak self] in
            try await Task.sleep(nanoseconds: Nanoseconds.clamped(deadline.remainingSeconds))
            self?.remove(waiterID, origin, failure: TransportError(
                .cannotConnect, "no connection to \(origin) came free within \(format(seconds)) s: all \(self?.limit ?? 0) are in use"))
        }
        defer { timer.cancel() }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                lock.withLock { origins[origin, default: OriginConnections()].waiters.append((waiterID, continuation)) }
                // A cancellation or a deadline that came before the waiter was in the queue found nothing to end.
                if Task.isCancelled { remove(waiterID, origin, failure: TransportError(.cancelled, "the request was cancelled")) }
                if deadline.remainingSeconds == 0 {
                    remove(waiterID, origin, failure: TransportError(.cannotConnect, "no connection to \(origin) came free in time"))
                }
            }
        } onCancel: {
            remove(waiterID, origin, failure: TransportError(.cancelled, "the request was cancelled"))
        }
    }

    private func remove(_ id: Int, _ origin: String, failure: TransportError) {
        let waiter = lock.withLock { () -> CheckedContinuation<Grant, any Error>? in
            guard let index = origins[origin]?.waiters.firstIndex(where: { $0.id == id }) else { return nil }
            return origins[origin]?.waiters.remove(at: index).continuation
        }
        waiter?.resume(throwing: failure)
    }

    /// Gives back a connection: reused by the first waiter, kept idle, or closed when it cannot be reused.
    func release(_ socket: Socket, _ origin: String, reusable: Bool) {
        let reusable = reusable && socket.isReusable
        if !reusable { socket.close() }
        let (waiter, grant) = lock.withLock { () -> (CheckedContinuation<Grant, any Error>?, Grant?) in
            guard var connections = origins[origin] else { return (nil, nil) }
            defer { origins[origin] = connections }
            if !connections.waiters.isEmpty {
                return (connections.waiters.removeFirst().continuation, reusable ? .reuse(socket) : .open)
            }
            if reusable {
                socket.idleSince = DispatchTime.now().uptimeNanoseconds
                connections.idle.append(socket)
            } else {
                connections.open -= 1
            }
            return (nil, nil)
        }
        if let waiter, let grant { waiter.resume(returning: grant) }
    }

    /// Gives back the room of a connection that was never made.
    func failed(_ origin: String) {
        let waiter = lock.withLock { () -> CheckedContinuation<Grant, any Error>? in
            guard var connections = origins[origin] else { return nil }
            defer { origins[origin] = connections }
            if !connections.waiters.isEmpty { return connections.waiters.removeFirst().continuation }
            connections.open -= 1
            return nil
        }
        waiter?.resume(returning: .open)
    }

    /// Closes every idle connection.
    func closeIdle() {
        let idle = lock.withLock {
            defer {
                for key in origins.keys {
                    origins[key]!.open -= origins[key]!.idle.count
                    origins[key]!.idle = []
                }
            }
            return origins.values.flatMap(\.idle)
        }
        for socket in idle { socket.close() }
    }
}
