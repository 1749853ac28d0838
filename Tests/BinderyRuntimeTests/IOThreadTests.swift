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
                seen.withLock { $0.append((index, pthread_self(), IOThreadState.current != nil)) }
            }
        }
        for task in tasks { await task.value }
        let runs = seen.withLock { $0 }
        #expect(runs.map(\.index) == Array(0..<20))
        #expect(runs.allSatisfy { $0.onIOThread })
        #expect(runs.allSatisfy { pthread_equal($0.thread, runs[0].thread) != 0 }, "the tasks ran on more than one thread")
    }

    /// The one thing the thread changes: a socket exchange waits on it, not on a thread it is handed to.
    @Test func blockingWorkRunsOnTheThreadWhenNothingElseWaitsForIt() async throws {
        guard #available(macOS 15.0, iOS 18.0, tvOS 18.0, watchOS 11.0, visionOS 2.0, *) else { return }
        let onIOThread = { @Sendable in IOThreadState.current != nil }
        let (exchange, streamRead) = try await withTaskExecutorPreference(IOThread()) { () async throws in
            (try await Blocking.run(mayUseIOThread: true, onIOThread), try await Blocking.run(onIOThread))
        }
        #expect(exchange, "an exchange was handed off")
        #expect(!streamRead, "a stream read blocked the thread")
        let elsewhere = try await Blocking.run(mayUseIOThread: true, onIOThread)
        #expect(!elsewhere, "work outside an IOThread blocked a thread of Swift's pool")
    }

    /// A task already waiting for the thread would be held back for the whole exchange: the exchange is handed off.
    @Test func blockingWorkIsHandedOffWhileAnotherTaskWaitsForTheThread() async throws {
        guard #available(macOS 15.0, iOS 18.0, tvOS 18.0, watchOS 11.0, visionOS 2.0, *) else { return }
        let thread = IOThread()
        let (exchange, other) = try await withTaskExecutorPreference(thread) { () async throws in
            let other = Task(executorPreference: thread) { IOThreadState.current != nil }
            return (try await Blocking.run(mayUseIOThread: true) { IOThreadState.current != nil }, await other.value)
        }
        #expect(!exchange, "the exchange blocked the thread another task was waiting for")
        #expect(other)
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
        onIOThread.withLock { $0.append(IOThreadState.current != nil) }
        return try await inner.send(request, body: body, timeouts: timeouts)
    }
}
