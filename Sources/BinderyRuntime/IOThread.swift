import Foundation

/// A thread of its own that runs the tasks preferring it and waits on their connections itself, as a synchronous
/// client does: a loop of requests in such a task hands nothing to another thread.
///
///     let thread = IOThread()
///     try await withTaskExecutorPreference(thread) {
///         for id in ids { projects.append(try await client.projects.get(id: id)) }
///     }
///
/// Without it, each request's socket wait runs on a thread that may block, away from Swift's cooperative pool, and the
/// answer comes back to the pool: two hand-offs a request, each a wait for a time slice on a busy machine. On an
/// `IOThread` with nothing else to run, the exchange with the server runs on the thread itself (`SocketTransport`'s
/// `http://` requests; streamed bodies are still read away from it). Tasks preferring one `IOThread` run one at a
/// time, and a request's wait holds back the others for as long as it lasts, up to its timeouts: give each
/// sequence of requests that should not wait for another its own thread.
@available(macOS 15.0, iOS 18.0, tvOS 18.0, watchOS 11.0, visionOS 2.0, *)
public final class IOThread: TaskExecutor, @unchecked Sendable {
    private let jobs = JobQueue()

    public init(name: String = "Bindery I/O") {
        let jobs = self.jobs
        jobs.owner = self
        let thread = Thread { jobs.run() }
        thread.name = name
        thread.start()
    }

    /// The thread ends once the jobs queued before it was released have run.
    deinit { jobs.close() }

    /// The `IOThread` the calling code runs on, if any.
    static var current: IOThread? { (IOThreadState.current as? JobQueue)?.owner }

    public func enqueue(_ job: consuming ExecutorJob) {
        jobs.push(UnownedJob(job), on: asUnownedTaskExecutor())
    }
}

/// The jobs of one `IOThread`, run in the order they came.
@available(macOS 15.0, iOS 18.0, tvOS 18.0, watchOS 11.0, visionOS 2.0, *)
private final class JobQueue: IOThreadState, @unchecked Sendable {
    private let condition = NSCondition()
    private var waiting: [(job: UnownedJob, executor: UnownedTaskExecutor)] = []
    private var closed = false
    weak var owner: IOThread?

    func push(_ job: UnownedJob, on executor: UnownedTaskExecutor) {
        condition.lock()
        defer { condition.unlock() }
        waiting.append((job, executor))
        condition.signal()
    }

    func close() {
        condition.lock()
        defer { condition.unlock() }
        closed = true
        condition.signal()
    }

    override var hasNothingElseToRun: Bool {
        condition.lock()
        defer { condition.unlock() }
        return waiting.isEmpty
    }

    func run() {
        IOThreadState.setCurrent(self)
        while let next = take() { next.job.runSynchronously(on: next.executor) }
    }

    private func take() -> (job: UnownedJob, executor: UnownedTaskExecutor)? {
        condition.lock()
        defer { condition.unlock() }
        while waiting.isEmpty {
            if closed { return nil }
            condition.wait()
        }
        return waiting.removeFirst()
    }
}

/// What the socket code asks of the `IOThread` it may be running on; a class apart so the code asking needs no
/// availability check.
class IOThreadState: @unchecked Sendable {
    private static let key: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key, nil)
        return key
    }()

    /// The `IOThread` this thread runs, if it is one.
    static var current: IOThreadState? {
        pthread_getspecific(key).map { Unmanaged<IOThreadState>.fromOpaque($0).takeUnretainedValue() }
    }

    /// Set by the thread when it starts; the state outlives it.
    static func setCurrent(_ state: IOThreadState) {
        pthread_setspecific(key, Unmanaged.passUnretained(state).toOpaque())
    }

    /// Whether no other job waits for the thread: only then may it block on a socket.
    var hasNothingElseToRun: Bool { false }
}
