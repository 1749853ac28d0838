import Foundation

#if os(Linux)
    internal import CBinderyEpoll
#endif
#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// What a wait on a socket waits for.
enum Interest: Sendable {
    case read
    case write
    /// Room to write, or an answer (or the end) to read: a request body going out while the server may answer.
    case readOrWrite
}

/// The system's readiness notification, as the event loop uses it: each socket is armed for one event at a time
/// (one-shot), and the loop's own wake-up pipe is always watched.
protocol Poller: AnyObject, Sendable {
    func add(_ descriptor: Int32)
    func arm(_ descriptor: Int32, for interest: Interest)
    func remove(_ descriptor: Int32)
    /// Waits up to `milliseconds` (-1 for no limit) and returns the descriptors that became ready; a wake-up
    /// returns early with none.
    func wait(milliseconds: Int32) -> [Int32]
    /// Ends a `wait` in progress, or the next one, at once; from any thread.
    func wake()
}

/// A non-blocking pipe whose read end the poller watches, so another thread can end its wait.
final class WakePipe: Sendable {
    let readEnd: Int32
    let writeEnd: Int32

    init() {
        var ends: [Int32] = [0, 0]
        guard pipe(&ends) == 0 else { fatalError("cannot create the event loop's pipe: \(String(cString: strerror(errno)))") }
        for end in ends {
            _ = fcntl(end, F_SETFL, fcntl(end, F_GETFL) | O_NONBLOCK)
            _ = fcntl(end, F_SETFD, FD_CLOEXEC)
        }
        (readEnd, writeEnd) = (ends[0], ends[1])
    }

    func wake() {
        var byte: UInt8 = 1
        // A full pipe already holds a wake-up.
        _ = write(writeEnd, &byte, 1)
    }

    func drain() {
        var bytes = [UInt8](repeating: 0, count: 64)
        while read(readEnd, &bytes, bytes.count) > 0 {}
    }
}

#if os(Linux)
    /// epoll, one-shot per wait.
    final class EPoller: Poller, @unchecked Sendable {
        private let epoll: Int32
        private let pipe = WakePipe()
        /// Written by `wait`, on the loop's thread only.
        private var ready = [Int32](repeating: 0, count: 256)

        init() {
            epoll = bindery_epoll_create()
            precondition(epoll >= 0, "cannot create an epoll instance: \(String(cString: strerror(errno)))")
            _ = bindery_epoll_control(epoll, 0, pipe.readEnd, bindery_epoll_in)
        }

        func add(_ descriptor: Int32) { _ = bindery_epoll_control(epoll, 0, descriptor, bindery_epoll_oneshot) }

        func arm(_ descriptor: Int32, for interest: Interest) {
            let events: UInt32 =
                switch interest {
                case .read: bindery_epoll_in
                case .write: bindery_epoll_out
                case .readOrWrite: bindery_epoll_in | bindery_epoll_out
                }
            _ = bindery_epoll_control(epoll, 1, descriptor, events | bindery_epoll_oneshot)
        }

        func remove(_ descriptor: Int32) { _ = bindery_epoll_control(epoll, 2, descriptor, 0) }

        func wait(milliseconds: Int32) -> [Int32] {
            let count = bindery_epoll_wait(epoll, &ready, Int32(ready.count), milliseconds)
            guard count > 0 else { return [] }
            var descriptors = Array(ready[0..<Int(count)])
            if let index = descriptors.firstIndex(of: pipe.readEnd) {
                pipe.drain()
                descriptors.remove(at: index)
            }
            return descriptors
        }

        func wake() { pipe.wake() }
    }
#endif

/// `poll`, for systems without epoll: the set of armed descriptors is rebuilt for every wait, so arming one wakes
/// the loop.
final class PollPoller: Poller, @unchecked Sendable {
    private let lock = NSLock()
    private var armed: [Int32: Int16] = [:]
    private let pipe = WakePipe()

    func add(_ descriptor: Int32) {}

    func arm(_ descriptor: Int32, for interest: Interest) {
        lock.lock()
        armed[descriptor] =
            switch interest {
            case .read: Int16(POLLIN)
            case .write: Int16(POLLOUT)
            case .readOrWrite: Int16(POLLIN | POLLOUT)
            }
        lock.unlock()
        pipe.wake()
    }

    func remove(_ descriptor: Int32) {
        lock.lock()
        armed[descriptor] = nil
        lock.unlock()
    }

    func wait(milliseconds: Int32) -> [Int32] {
        lock.lock()
        var descriptors = [pollfd(fd: pipe.readEnd, events: Int16(POLLIN), revents: 0)]
        descriptors += armed.map { pollfd(fd: $0.key, events: $0.value, revents: 0) }
        lock.unlock()
        guard poll(&descriptors, nfds_t(descriptors.count), milliseconds) > 0 else { return [] }
        if descriptors[0].revents != 0 { pipe.drain() }
        let ready = descriptors.dropFirst().filter { $0.revents != 0 }.map(\.fd)
        lock.lock()
        for descriptor in ready { armed[descriptor] = nil }
        lock.unlock()
        return ready
    }

    func wake() { pipe.wake() }
}
