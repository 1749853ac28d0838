import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// One TCP connection, read and written with blocking calls bounded by `poll`, so every wait has a timeout and
/// `shutdown()` from another thread ends any wait at once. Not thread-safe: one exchange uses it at a time.
final class Socket: @unchecked Sendable {
    private let descriptor: Int32
    private var buffer = [UInt8](repeating: 0, count: 64 << 10)
    private var start = 0
    private var end = 0
    private let lock = NSLock()
    private var closed = false
    /// Set by `shutdown()`, so a wait it ended is told apart from the peer closing.
    private(set) var cancelled = false

    private init(descriptor: Int32) {
        self.descriptor = descriptor
    }

    deinit { close() }

    /// Opens a connection to `host:port` within `timeout` seconds; `cannotConnect` otherwise.
    static func connect(host: String, port: Int, timeout: TimeInterval) throws -> Socket {
        switch open(host: host, port: port, timeout: timeout) {
        case .success(let socket): return socket
        case .failure(.timedOut): throw TransportError(.cannotConnect, "could not connect to \(host):\(port) within \(format(timeout)) s")
        case .failure(.failed(let reason)): throw TransportError(.cannotConnect, "could not connect to \(host):\(port): \(reason)")
        }
    }

    enum ConnectFailure: Error {
        case timedOut
        /// Refused, unresolvable, unreachable.
        case failed(String)
    }

    /// A connection to `host:port`, trying each of its addresses until one opens, all within `timeout` seconds.
    static func open(host: String, port: Int, timeout: TimeInterval) -> Result<Socket, ConnectFailure> {
        var hints = addrinfo()
        #if canImport(Glibc) || canImport(Musl)
            hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        #else
            hints.ai_socktype = SOCK_STREAM
        #endif
        var addresses: UnsafeMutablePointer<addrinfo>?
        let resolved = getaddrinfo(host, String(port), &hints, &addresses)
        guard resolved == 0 else { return .failure(.failed("cannot resolve \(host): \(String(cString: gai_strerror(resolved)))")) }
        defer { freeaddrinfo(addresses) }
        let deadline = Deadline(after: timeout)
        var failure = "no address"
        var next = addresses
        while let address = next?.pointee {
            next = address.ai_next
            let descriptor = socket(address.ai_family, address.ai_socktype, address.ai_protocol)
            guard descriptor >= 0 else { continue }
            let socket = Socket(descriptor: descriptor)
            _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) | O_NONBLOCK)
            var on: Int32 = 1
            setsockopt(descriptor, Int32(IPPROTO_TCP), TCP_NODELAY, &on, socklen_t(MemoryLayout<Int32>.size))
            #if canImport(Darwin)
                setsockopt(descriptor, SOL_SOCKET, SO_NOSIGPIPE, &on, socklen_t(MemoryLayout<Int32>.size))
            #endif
            if systemConnect(descriptor, address.ai_addr, address.ai_addrlen) == 0 { return .success(socket) }
            guard errno == EINPROGRESS else {
                failure = String(cString: strerror(errno))
                continue
            }
            guard (try? socket.wait(for: Int16(POLLOUT), until: deadline)) == true else { return .failure(.timedOut) }
            var error: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            if getsockopt(descriptor, SOL_SOCKET, SO_ERROR, &error, &length) == 0, error == 0 { return .success(socket) }
            failure = String(cString: strerror(error))
        }
        return .failure(.failed(failure))
    }

    /// Whether the connection can carry another request: idle connections the server closed (or that hold bytes
    /// nobody asked for) are not reused, so a request is never written into a connection already gone.
    var isReusable: Bool {
        guard start == end else { return false }
        var waiting = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        return poll(&waiting, 1, 0) == 0
    }

    /// Writes all of `bytes`, waiting at most `idle` seconds each time the peer stops taking them.
    func write(_ bytes: UnsafeRawBufferPointer, idle: TimeInterval) throws {
        var offset = 0
        while offset < bytes.count {
            let sent = try send(UnsafeRawBufferPointer(rebasing: bytes[offset...]))
            offset += sent
            if sent == 0, try !wait(for: Int16(POLLOUT), until: Deadline(after: idle)) {
                throw TransportError(.timedOut, "the server took no more of the request for \(format(idle)) s")
            }
        }
    }

    /// Sends what the connection takes of `bytes` now, without waiting: how many bytes went out, 0 when it is full.
    func send(_ bytes: UnsafeRawBufferPointer) throws -> Int {
        let sent = systemSend(descriptor, bytes.baseAddress!, bytes.count)
        if sent > 0 { return sent }
        guard sent < 0, errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR else {
            throw failure("the connection failed while sending")
        }
        return 0
    }

    func write(_ data: Data, idle: TimeInterval) throws {
        try data.withUnsafeBytes { try write($0, idle: idle) }
    }

    /// Up to `maximum` bytes: what is buffered, else what arrives next; empty at the end of the stream. Waits at most
    /// `idle` seconds for bytes to arrive.
    func read(upTo maximum: Int, idle: TimeInterval) throws -> ArraySlice<UInt8> {
        if start == end { try fill(idle: idle) }
        let count = min(maximum, end - start)
        defer { start += count }
        return buffer[start..<start + count]
    }

    /// One line ending in CRLF (or LF), without the ending; nil at the end of the stream. A line longer than
    /// `maximum` bytes is a protocol error.
    func readLine(maximum: Int, idle: TimeInterval) throws -> String? {
        var line: [UInt8] = []
        while true {
            if start == end {
                try fill(idle: idle)
                if start == end { return line.isEmpty ? nil : String(decoding: line, as: UTF8.self) }
            }
            if let newline = buffer[start..<end].firstIndex(of: 0x0A) {
                line += buffer[start..<newline]
                start = newline + 1
                if line.last == 0x0D { line.removeLast() }
                return String(decoding: line, as: UTF8.self)
            }
            line += buffer[start..<end]
            start = end
            guard line.count <= maximum else {
                throw TransportError(.connectionLost, "the server sent a header line longer than \(maximum) bytes")
            }
        }
    }

    /// Reads into the empty buffer; leaves it empty at the end of the stream.
    private func fill(idle: TimeInterval) throws {
        start = 0
        end = 0
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            if count >= 0 {
                if count == 0, cancelled { throw TransportError(.cancelled, "the request was cancelled") }
                end = count
                return
            }
            guard errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR else {
                throw failure("the connection failed while receiving")
            }
            guard try wait(for: Int16(POLLIN), until: Deadline(after: idle)) else {
                throw TransportError(.timedOut, "the server sent nothing for \(format(idle)) s")
            }
        }
    }

    /// Waits until the socket is ready for `events`; false when the deadline passed first.
    private func wait(for events: Int16, until deadline: Deadline) throws -> Bool {
        while true {
            if cancelled { throw TransportError(.cancelled, "the request was cancelled") }
            let remaining = deadline.remainingMilliseconds
            var waiting = pollfd(fd: descriptor, events: events, revents: 0)
            let ready = poll(&waiting, 1, remaining)
            if ready > 0 { return true }
            if ready == 0, remaining == 0 { return false }
            if ready < 0, errno != EINTR { throw failure("waiting on the connection failed") }
        }
    }

    private func failure(_ what: String) -> TransportError {
        if cancelled { return TransportError(.cancelled, "the request was cancelled") }
        let code = errno
        return TransportError(
            .connectionLost, "\(what): \(String(cString: strerror(code)))",
            underlying: POSIXErrorCode(rawValue: code).map { POSIXError($0) })
    }

    /// Ends every wait on this socket at once, from any thread; the socket is closed when released.
    func shutdown() {
        lock.lock()
        defer { lock.unlock() }
        guard !closed else { return }
        cancelled = true
        _ = systemShutdown(descriptor)
    }

    func close() {
        lock.lock()
        defer { lock.unlock() }
        guard !closed else { return }
        closed = true
        _ = systemClose(descriptor)
    }
}

/// A point in monotonic time a wait must end by.
struct Deadline: Sendable {
    private let end: UInt64

    init(after seconds: TimeInterval) {
        end = DispatchTime.now().uptimeNanoseconds &+ Nanoseconds.clamped(seconds)
    }

    var remainingSeconds: TimeInterval {
        let now = DispatchTime.now().uptimeNanoseconds
        return end > now ? TimeInterval(end - now) / 1_000_000_000 : 0
    }

    /// What is left, for `poll`: never negative, at most `Int32.max`.
    var remainingMilliseconds: Int32 {
        let now = DispatchTime.now().uptimeNanoseconds
        guard end > now else { return 0 }
        return Int32(clamping: (end - now + 999_999) / 1_000_000)
    }
}

private func format(_ seconds: TimeInterval) -> String { String(format: "%g", seconds) }

// The system calls by names that a member of `Socket` cannot shadow.
#if canImport(Darwin)
    private func systemConnect(_ fd: Int32, _ address: UnsafePointer<sockaddr>!, _ length: socklen_t) -> Int32 {
        Darwin.connect(fd, address, length)
    }
    private func systemShutdown(_ fd: Int32) -> Int32 { Darwin.shutdown(fd, SHUT_RDWR) }
    private func systemClose(_ fd: Int32) -> Int32 { Darwin.close(fd) }
    private func systemSend(_ fd: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int {
        Darwin.send(fd, bytes, count, 0)
    }
#elseif canImport(Glibc)
    private func systemConnect(_ fd: Int32, _ address: UnsafePointer<sockaddr>!, _ length: socklen_t) -> Int32 {
        Glibc.connect(fd, address, length)
    }
    private func systemShutdown(_ fd: Int32) -> Int32 { Glibc.shutdown(fd, Int32(SHUT_RDWR)) }
    private func systemClose(_ fd: Int32) -> Int32 { Glibc.close(fd) }
    private func systemSend(_ fd: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int {
        Glibc.send(fd, bytes, count, Int32(MSG_NOSIGNAL))
    }
#else
    private func systemConnect(_ fd: Int32, _ address: UnsafePointer<sockaddr>!, _ length: socklen_t) -> Int32 {
        Musl.connect(fd, address, length)
    }
    private func systemShutdown(_ fd: Int32) -> Int32 { Musl.shutdown(fd, Int32(SHUT_RDWR)) }
    private func systemClose(_ fd: Int32) -> Int32 { Musl.close(fd) }
    private func systemSend(_ fd: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int {
        Musl.send(fd, bytes, count, Int32(MSG_NOSIGNAL))
    }
#endif
