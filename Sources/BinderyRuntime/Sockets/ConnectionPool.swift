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

    /// A class, so the queues change in place under the lock rather than being copied out and back.
    private final class OriginConnections {
        var idle: [Socket] = []
        /// Open connections, idle or in use, and connects under way.
        var open = 0
        var waiters: [Waiter] = []
        /// The timer that ends the waits past their deadline, and when it fires.
        var timer: (id: UInt64, at: UInt64)?
    }

    private struct Waiter {
        let id: Int
        let deadline: UInt64
        let continuation: CheckedContinuation<Grant, any Error>
    }

    private func connections(_ origin: String) -> OriginConnections {
        if let existing = origins[origin] { return existing }
        let made = OriginConnections()
        origins[origin] = made
        return made
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
    /// has `limit` open, and fails then as `cannotConnect` (nothing was sent). Waiters are served in order.
    func grant(_ origin: String, until deadline: Deadline) async throws -> Grant {
        let (immediate, waiterID): (Grant?, Int) = lock.withLock {
            if let grant = immediateGrant(connections(origin)) { return (grant, 0) }
            serial += 1
            return (nil, serial)
        }
        if let immediate { return immediate }
        let cancelled = TransportError(.cancelled, "the request was cancelled")
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                // A connection given back since the first look, while the lock was let go, is taken now: queued
                // behind it, the waiter would wait for the next one given back, which may never come.
                let late: Grant? = lock.withLock {
                    let connections = connections(origin)
                    if connections.waiters.isEmpty, let grant = immediateGrant(connections) { return grant }
                    connections.waiters.append(Waiter(id: waiterID, deadline: deadline.uptimeNanoseconds, continuation: continuation))
                    armTimer(origin, connections, by: deadline.uptimeNanoseconds)
                    return nil
                }
                if let late { return continuation.resume(returning: late) }
                // A cancellation that came before the waiter was in the queue found nothing to end.
                if Task.isCancelled { remove(waiterID, origin, failure: cancelled) }
            }
        } onCancel: {
            remove(waiterID, origin, failure: cancelled)
        }
    }

    /// A kept connection that is still good, or room to open one; nil when the origin has `limit` open. Called
    /// under the lock.
    private func immediateGrant(_ connections: OriginConnections) -> Grant? {
        let now = DispatchTime.now().uptimeNanoseconds
        while let socket = connections.idle.popLast() {
            if now - socket.idleSince < Nanoseconds.clamped(idleTimeout), socket.isReusable { return .reuse(socket) }
            socket.close()
            connections.open -= 1
        }
        guard connections.open < limit else { return nil }
        connections.open += 1
        return .open
    }

    /// Makes sure a timer fires by `earliest`, a waiter's deadline; one timer an origin, not one a waiter. Called
    /// under the lock.
    private func armTimer(_ origin: String, _ connections: OriginConnections, by earliest: UInt64) {
        if let timer = connections.timer, timer.at <= earliest { return }
        if let timer = connections.timer { EventLoop.shared.cancelTimer(timer.id) }
        let id = EventLoop.shared.schedule(at: Deadline(uptimeNanoseconds: earliest)) { [weak self] in self?.expire(origin) }
        connections.timer = (id, earliest)
    }

    /// Ends the waits whose deadline passed, as `cannotConnect`.
    private func expire(_ origin: String) {
        let now = DispatchTime.now().uptimeNanoseconds
        var state = ""
        let expired = lock.withLock { () -> [Waiter] in
            let connections = connections(origin)
            state = "open \(connections.open), idle \(connections.idle.count), waiting \(connections.waiters.count)"
            connections.timer = nil
            let expired = connections.waiters.filter { $0.deadline <= now }
            connections.waiters.removeAll { $0.deadline <= now }
            if let earliest = connections.waiters.lazy.map(\.deadline).min() { armTimer(origin, connections, by: earliest) }
            return expired
        }
        for waiter in expired {
            waiter.continuation.resume(
                throwing: TransportError(.cannotConnect, "no connection to \(origin) came free in time: all \(limit) are in use (\(state))"))
        }
    }

    private func remove(_ id: Int, _ origin: String, failure: TransportError) {
        let waiter = lock.withLock { () -> CheckedContinuation<Grant, any Error>? in
            guard let connections = origins[origin], let index = connections.waiters.firstIndex(where: { $0.id == id }) else {
                return nil
            }
            return connections.waiters.remove(at: index).continuation
        }
        waiter?.resume(throwing: failure)
    }

    /// Gives back a connection: reused by the first waiter, kept idle, or closed when it cannot be reused.
    func release(_ socket: Socket, _ origin: String, reusable: Bool) {
        let reusable = reusable && socket.isReusable
        if !reusable { socket.close() }
        let (waiter, grant) = lock.withLock { () -> (CheckedContinuation<Grant, any Error>?, Grant?) in
            guard let connections = origins[origin] else { return (nil, nil) }
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
            guard let connections = origins[origin] else { return nil }
            if !connections.waiters.isEmpty { return connections.waiters.removeFirst().continuation }
            connections.open -= 1
            return nil
        }
        waiter?.resume(returning: .open)
    }

    /// Closes every idle connection.
    func closeIdle() {
        let idle = lock.withLock {
            origins.values.flatMap { connections in
                defer {
                    connections.open -= connections.idle.count
                    connections.idle = []
                }
                return connections.idle
            }
        }
        for socket in idle { socket.close() }
    }
}
