@testable import BinderyRuntime
import BinderyTestSupport
import Foundation
import Testing

/// Bounded as a whole: a thread that stopped running jobs would leave the tasks waiting on it forever.
@Suite("IOThread, in memory", .timeLimit(.minutes(1)))
struct IOThreadTests {
    @Test func tasksPreferringItRunOnItsThreadInTheOrderTheyCame() async throws {
        guard #available(macOS 15.0, iOS 18.0, tvOS 18.0, watchOS 11.0, visionOS 2.0, *) else { return }
        let thread = IOThread()
        let seen = Locked<[(index: Int, thread: pthread_t, onIOThread: Bool)]>([])
        let tasks = (0..<20).map { index in
            Task(executorPreference: thread) {
                seen.withLock { $0.append((index, pthread_self(), IOThread.current === thread)) }
            }
        }
        for task in tasks { await task.value }
        let runs = seen.withLock { $0 }
        #expect(runs.map(\.index) == Array(0..<20))
        #expect(runs.allSatisfy { $0.onIOThread })
        #expect(runs.allSatisfy { pthread_equal($0.thread, runs[0].thread) != 0 }, "the tasks ran on more than one thread")
    }

    /// The one thing the thread changes: a socket opened by its tasks waits on its event loop, so the task goes on
    /// where the socket's readiness was seen.
    @Test func socketsOpenedByItsTasksWaitOnItsLoop() async throws {
        guard #available(macOS 15.0, iOS 18.0, tvOS 18.0, watchOS 11.0, visionOS 2.0, *) else { return }
        let thread = IOThread()
        let loop = await Task(executorPreference: thread) { EventLoop.current }.value
        #expect(loop === thread.loop)
        #expect(await Task { EventLoop.current }.value == nil, "a task of Swift's pool ran on an event loop")
    }

    /// A walk on an `IOThread` asks for every page from it, the page ahead included: its answer comes back to the
    /// thread the walk waits on.
    @Test func aWalkAsksForEveryPageFromItsThread() async throws {
        let pages = InMemoryTransport((1...3).map { page in
            let next = page < 3 ? "\"https://memory.example.com/v1/items/?page=\(page + 1)\"" : "null"
            return .json("{\"next\": \(next), \"results\": [{\"id\": \(page)}]}")
        })
        let transport = ThreadRecordingTransport(inner: pages)
        let client = APIClient(
            api: APIDefinition(name: "Pages", baseURL: "https://memory.example.com/v1"),
            options: ClientOptions(transport: transport, retry: ExponentialBackoff.never, environment: [:], clock: ManualClock()))
        let rule = PaginationRule(style: .nextLink, items: ["results"], next: ["next"])
        let ids = try await running(onIOThread: true) {
            var ids: [Int] = []
            for try await item in client.paginate(Request<Page<Numbered>>("items.list", .get, "items/", response: .page(rule))) {
                ids.append(item.id)
            }
            return ids
        }
        #expect(ids == [1, 2, 3])
        #expect(transport.onIOThread.withLock { $0 } == [true, true, true], "a page was asked for from another thread")
    }
}

private struct Numbered: Decodable, Sendable { var id: Int }

/// Records, for each request, whether it was sent from an `IOThread`.
private struct ThreadRecordingTransport: Transport {
    let inner: InMemoryTransport
    let onIOThread = Locked<[Bool]>([])

    func send(_ request: HTTPRequest, body: HTTPBody?, timeouts: Timeouts) async throws -> HTTPResponse {
        if #available(macOS 15.0, iOS 18.0, tvOS 18.0, watchOS 11.0, visionOS 2.0, *) {
            onIOThread.withLock { $0.append(IOThread.current != nil) }
        } else {
            onIOThread.withLock { $0.append(false) }
        }
        return try await inner.send(request, body: body, timeouts: timeouts)
    }
}
