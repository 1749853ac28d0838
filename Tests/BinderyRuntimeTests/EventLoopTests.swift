@testable import BinderyRuntime
import BinderyTestSupport
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The event loop on a socket pair, with each poller: a wait ends when its socket is ready, when its deadline has
/// passed, or as cancelled, and scheduled actions run unless cancelled. Bounded as a whole, so a wait that never
/// ends fails the suite.
@Suite("Event loop, in process", .timeLimit(.minutes(1)))
struct EventLoopTests {
    static var pollers: [String] {
        #if os(Linux)
            ["epoll", "poll"]
        #else
            ["poll"]
        #endif
    }

    static func loop(_ poller: String) -> EventLoop {
        #if os(Linux)
            if poller == "epoll" { return EventLoop(name: "test epoll", poller: EPoller()) }
        #endif
        return EventLoop(name: "test poll", poller: PollPoller())
    }

    /// A connected pair of non-blocking stream sockets.
    static func pair() throws -> (Int32, Int32) {
        var ends: [Int32] = [0, 0]
        #if canImport(Glibc)
            let type = Int32(SOCK_STREAM.rawValue)
        #else
            let type = SOCK_STREAM
        #endif
        guard socketpair(AF_UNIX, type, 0, &ends) == 0 else { throw POSIXError(.EMFILE) }
        for end in ends { _ = fcntl(end, F_SETFL, fcntl(end, F_GETFL) | O_NONBLOCK) }
        return (ends[0], ends[1])
    }

    @Test(arguments: pollers)
    func aWaitEndsWhenItsSocketIsReadyOrItsDeadlineHasPassedOrItIsCancelled(poller: String) async throws {
        let loop = Self.loop(poller)
        defer { loop.stop() }
        let (mine, theirs) = try Self.pair()
        defer { close(mine); close(theirs) }
        loop.add(mine)
        defer { loop.remove(mine) }

        #expect(await loop.wait(mine, for: .write, until: Deadline(after: 60)) == .ready, "an empty socket was not writable")
        #expect(await loop.wait(mine, for: .read, until: Deadline(after: 0)) == .timedOut, "a wait past its deadline went on")

        let reading = Task { await loop.wait(mine, for: .read, until: Deadline(after: 60)) }
        var byte: UInt8 = 1
        _ = write(theirs, &byte, 1)
        #expect(await reading.value == .ready)
        _ = read(mine, &byte, 1)

        // Whether the cancellation comes before the wait begins or during it, the wait ends as cancelled.
        let waiting = Task { await loop.wait(mine, for: .read, until: Deadline(after: 60)) }
        loop.cancel(mine)
        #expect(await waiting.value == .cancelled)
        #expect(await loop.wait(mine, for: .write, until: Deadline(after: 60)) == .cancelled, "a cancelled socket waited again")
    }

    @Test(arguments: pollers)
    func scheduledActionsRunUnlessCancelled(poller: String) async throws {
        let loop = Self.loop(poller)
        defer { loop.stop() }
        let ran = Locked<[String]>([])
        let cancelled = loop.schedule(at: Deadline(after: 0.05)) { ran.withLock { $0.append("cancelled") } }
        loop.cancelTimer(cancelled)
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            _ = loop.schedule(at: Deadline(after: 0.1)) {
                ran.withLock { $0.append("due") }
                done.resume()
            }
        }
        #expect(ran.withLock { $0 } == ["due"])
    }
}
