import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// One non-blocking TCP connection whose waits are handed to an `EventLoop`: every wait has a deadline, and
/// cancelling the socket (or the task waiting on it) ends any wait at once as `.cancelled`. It holds the
/// connection's read buffer, as a `ResponseDecoder`. One exchange uses it at a time.
final class Socket: @unchecked Sendable {
    let descriptor: Int32
    let loop: EventLoop
    /// The bytes read and not yet taken; used by the exchange that holds the socket.
    var decoder = ResponseDecoder()
    /// When the socket was last put back idle, in uptime nanoseconds.
    var idleSince: UInt64 = 0
    /// Every byte the connection took, to tell a request that never went out from one that did.
    private(set) var bytesSent = 0
    private let lock = NSLock()
    private var closed = false

    private init(descriptor: Int32, loop: EventLoop) {
        self.descriptor = descriptor
        self.loop = loop
        loop.add(descriptor)
    }

    deinit { close() }

    enum ConnectFailure: Error {
        case timedOut
        case cancelled
        /// Refused, unresolvable, unreachable.
        case failed(String)
    }

    /// Opens a connection to `host:port` by `deadline`; a `cannotConnect` or `cancelled` error otherwise.
    static func connect(host: String, port: Int, by deadline: Deadline, seconds: TimeInterval, loop: EventLoop) async throws -> Socket {
        switch await open(host: host, port: port, by: deadline, loop: loop) {
        case .success(let socket): return socket
        case .failure(.timedOut): throw TransportError(.cannotConnect, "could not connect to \(host):\(port) within \(format(seconds)) s")
        case .failure(.cancelled): throw TransportError(.cancelled, "the request was cancelled")
        case .failure(.failed(let reason)): throw TransportError(.cannotConnect, "could not connect to \(host):\(port): \(reason)")
        }
    }

    /// A connection to `host:port`, trying each of its addresses until one opens, all by `deadline`.
    static func open(host: String, port: Int, by deadline: Deadline, loop: EventLoop) async -> Result<Socket, ConnectFailure> {
        let addresses: [Address]
        switch await resolve(host, port) {
        case .success(let resolved): addresses = resolved
        case .failure(let failure): return .failure(failure)
        }
        var failure = "no address"
        for address in addresses {
            let descriptor = socket(address.family, address.type, address.proto)
            guard descriptor >= 0 else { continue }
            _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) | O_NONBLOCK)
            _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC)
            var on: Int32 = 1
            setsockopt(descriptor, Int32(IPPROTO_TCP), TCP_NODELAY, &on, socklen_t(MemoryLayout<Int32>.size))
            #if canImport(Darwin)
                setsockopt(descriptor, SOL_SOCKET, SO_NOSIGPIPE, &on, socklen_t(MemoryLayout<Int32>.size))
            #endif
            let socket = Socket(descriptor: descriptor, loop: loop)
            let started = address.bytes.withUnsafeBytes { bytes in
                systemConnect(descriptor, bytes.baseAddress!.assumingMemoryBound(to: sockaddr.self), socklen_t(bytes.count))
            }
            if started == 0 { return .success(socket) }
            guard errno == EINPROGRESS else {
                failure = String(cString: strerror(errno))
                continue
            }
            switch await socket.wait(for: .write, until: deadline) {
            case .timedOut: return .failure(.timedOut)
            case .cancelled: return .failure(.cancelled)
            case .ready: break
            }
            var error: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            if getsockopt(descriptor, SOL_SOCKET, SO_ERROR, &error, &length) == 0, error == 0 { return .success(socket) }
            failure = String(cString: strerror(error))
        }
        return .failure(.failed(failure))
    }

    private struct Address: Sendable {
        var family: Int32
        var type: Int32
        var proto: Int32
        var bytes: [UInt8]
    }

    /// The addresses of `host`: a literal address at once; a name through `getaddrinfo`, which blocks, so on a
    /// thread of its own rather than the event loop or the cooperative pool.
    private static func resolve(_ host: String, _ port: Int) async -> Result<[Address], ConnectFailure> {
        if let literal = addresses(host, port, flags: AI_NUMERICHOST), case .success = literal { return literal }
        let resolved = try? await Blocking.run { addresses(host, port, flags: 0) }
        if Task.isCancelled { return .failure(.cancelled) }
        return resolved ?? .failure(.failed("cannot resolve \(host)"))
    }

    private static func addresses(_ host: String, _ port: Int, flags: Int32) -> Result<[Address], ConnectFailure>? {
        var hints = addrinfo()
        hints.ai_flags = flags
        #if canImport(Glibc) || canImport(Musl)
            hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        #else
            hints.ai_socktype = SOCK_STREAM
        #endif
        var list: UnsafeMutablePointer<addrinfo>?
        let resolved = getaddrinfo(host, String(port), &hints, &list)
        guard resolved == 0 else { return .failure(.failed("cannot resolve \(host): \(String(cString: gai_strerror(resolved)))")) }
        defer { freeaddrinfo(list) }
        var found: [Address] = []
        var next = list
        while let address = next?.pointee {
            next = address.ai_next
            let bytes = Array(UnsafeRawBufferPointer(start: address.ai_addr, count: Int(address.ai_addrlen)))
            found.append(Address(family: address.ai_family, type: address.ai_socktype, proto: address.ai_protocol, bytes: bytes))
        }
        return .success(found)
    }

    /// Whether the connection can carry another request: idle connections the server closed (or that hold bytes
    /// nobody asked for) are not reused, so a request is never written into a connection already gone.
    var isReusable: Bool {
        guard !decoder.hasUnreadBytes, !loop.isStopping, !loop.isCancelled(descriptor) else { return false }
        var waiting = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        return poll(&waiting, 1, 0) == 0
    }

    /// How a write ended.
    enum Written {
        case sent
        /// The server began to answer (or closed) before all of it went out: an early 413 or 401.
        case answeredEarly
    }

    /// Writes all of `bytes` by `deadline`. With `watchingForAnswer`, it stops as soon as the server answers, so
    /// a response sent before the request ended is read rather than lost in a failed write.
    func write(
        _ bytes: some ContiguousBytes & Sendable, until deadline: @autoclosure () -> Deadline, watchingForAnswer: Bool = false
    ) async throws -> Written {
        let count = bytes.withUnsafeBytes(\.count)
        var offset = 0
        // Not once the server closed its side without a word: the end stays readable, and the wait would spin.
        var watching = watchingForAnswer
        while offset < count {
            let sent: Int
            do {
                sent = try bytes.withUnsafeBytes { try send(UnsafeRawBufferPointer(rebasing: $0[offset...])) }
            } catch let error as TransportError {
                // A server that answered and closed makes the write fail; its answer is in the read buffer.
                if watchingForAnswer, error.kind == .connectionLost, receiveWaiting() > 0 { return .answeredEarly }
                throw error
            }
            offset += sent
            guard sent == 0 else { continue }
            let deadline = deadline()
            switch await wait(for: watching ? .readOrWrite : .write, until: deadline) {
            case .ready:
                guard watching else { continue }
                let received = receiveWaiting()
                if received > 0 { return .answeredEarly }
                if received < 0 { watching = false }
            case .timedOut: throw TransportError(.timedOut, "the server took no more of the request in time")
            case .cancelled: throw cancelledError
            }
        }
        return .sent
    }

    /// Sends what the connection takes of `bytes` now, without waiting: how many bytes went out, 0 when it is full.
    func send(_ bytes: UnsafeRawBufferPointer) throws -> Int {
        guard !bytes.isEmpty else { return 0 }
        let sent = systemSend(descriptor, bytes.baseAddress!, bytes.count)
        if sent > 0 {
            bytesSent += sent
            return sent
        }
        guard sent < 0, errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR else {
            throw failure("the connection failed while sending")
        }
        return 0
    }

    /// Reads what arrived into the decoder, waiting for it until `deadline`: the number of bytes, 0 at the end of
    /// the stream.
    func receive(until deadline: Deadline, quiet: @autoclosure () -> String) async throws -> Int {
        while true {
            if let count = try receiveNow() { return count }
            switch await wait(for: .read, until: deadline) {
            case .ready: continue
            case .timedOut: throw TransportError(.timedOut, quiet())
            case .cancelled: throw cancelledError
            }
        }
    }

    /// What a non-blocking read brings: the count, 0 at the end of the stream, nil when nothing is there yet.
    private func receiveNow() throws -> Int? {
        let count = decoder.receive { recv(descriptor, $0.baseAddress, $0.count, 0) }
        if count >= 0 { return count }
        guard errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR else {
            throw failure("the connection failed while receiving")
        }
        return nil
    }

    /// Reads what is waiting, for an answer that came while writing: its byte count, -1 for the end of the stream
    /// when nothing came, 0 when nothing is there yet.
    private func receiveWaiting() -> Int {
        var total = 0
        while decoder.hasRoom {
            guard let count = try? receiveNow() else { return total }
            if count == 0 { return total > 0 ? total : -1 }
            total += count
        }
        return total
    }

    /// Waits for readiness, and ends the wait as `.cancelled` when the task waiting is cancelled.
    private func wait(for interest: Interest, until deadline: Deadline) async -> EventLoop.Outcome {
        await withTaskCancellationHandler {
            await loop.wait(descriptor, for: interest, until: deadline)
        } onCancel: {
            cancel()
        }
    }

    private var cancelledError: TransportError { TransportError(.cancelled, "the request was cancelled") }

    private func failure(_ what: String) -> TransportError {
        let code = errno
        if loop.isCancelled(descriptor) { return cancelledError }
        return TransportError(
            .connectionLost, "\(what): \(String(cString: strerror(code)))",
            underlying: POSIXErrorCode(rawValue: code).map { POSIXError($0) })
    }

    /// Ends every wait on this socket at once, now and later, from any thread; the socket is closed when released.
    func cancel() {
        lock.lock()
        defer { lock.unlock() }
        guard !closed else { return }
        loop.cancel(descriptor)
    }

    func close() {
        lock.lock()
        defer { lock.unlock() }
        guard !closed else { return }
        closed = true
        loop.remove(descriptor)
        _ = systemClose(descriptor)
    }
}

/// A point in monotonic time a wait must end by.
struct Deadline: Sendable, Comparable {
    let uptimeNanoseconds: UInt64

    init(after seconds: TimeInterval) {
        uptimeNanoseconds = DispatchTime.now().uptimeNanoseconds &+ Nanoseconds.clamped(seconds)
    }

    init(uptimeNanoseconds: UInt64) {
        self.uptimeNanoseconds = uptimeNanoseconds
    }

    var remainingSeconds: TimeInterval {
        let now = DispatchTime.now().uptimeNanoseconds
        return uptimeNanoseconds > now ? TimeInterval(uptimeNanoseconds - now) / 1_000_000_000 : 0
    }

    static func < (lhs: Deadline, rhs: Deadline) -> Bool { lhs.uptimeNanoseconds < rhs.uptimeNanoseconds }
}

func format(_ seconds: TimeInterval) -> String { String(format: "%g", seconds) }

// The system calls by names that a member of `Socket` cannot shadow.
#if canImport(Darwin)
    private func systemConnect(_ fd: Int32, _ address: UnsafePointer<sockaddr>!, _ length: socklen_t) -> Int32 {
        Darwin.connect(fd, address, length)
    }
    private func systemClose(_ fd: Int32) -> Int32 { Darwin.close(fd) }
    private func systemSend(_ fd: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int {
        Darwin.send(fd, bytes, count, 0)
    }
#elseif canImport(Glibc)
    private func systemConnect(_ fd: Int32, _ address: UnsafePointer<sockaddr>!, _ length: socklen_t) -> Int32 {
        Glibc.connect(fd, address, length)
    }
    private func systemClose(_ fd: Int32) -> Int32 { Glibc.close(fd) }
    private func systemSend(_ fd: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int {
        Glibc.send(fd, bytes, count, Int32(MSG_NOSIGNAL))
    }
#else
    private func systemConnect(_ fd: Int32, _ address: UnsafePointer<sockaddr>!, _ length: socklen_t) -> Int32 {
        Musl.connect(fd, address, length)
    }
    private func systemClose(_ fd: Int32) -> Int32 { Musl.close(fd) }
    private func systemSend(_ fd: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int {
        Musl.send(fd, bytes, count, Int32(MSG_NOSIGNAL))
    }
#endif
