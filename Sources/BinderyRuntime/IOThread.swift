import Foundation

/// A thread of its own that runs the tasks preferring it and waits on their connections itself, as a synchronous
/// client does: a loop of requests in such a task hands nothing to another thread.
///
///     let thread = IOThread()
///     try await withTaskExecutorPreference(thread) {
///         for id in ids { projects.append(try await client.projects.get(id: id)) }
///     }
///
/// An `IOThread` is an event loop: connections opened by its tasks wait on it, and when one is ready, the task
/// waiting on it goes on on the same thread, with no hand-off to wake another (two thread switches a request on a
/// busy machine). Its tasks take turns on the one thread, so work that computes for long holds back the others'
/// I/O: give such work, and each sequence of requests that should not wait for another, its own thread. The
/// thread ends once the `IOThread` is released and its connections are closed.
@available(macOS 15.0, iOS 18.0, tvOS 18.0, watchOS 11.0, visionOS 2.0, *)
public final class IOThread: TaskExecutor, @unchecked Sendable {
    let loop: EventLoop

    /// Starts a thread named `name` that runs the jobs given to it.
    public init(name: String = "Bindery I/O") {
        loop = EventLoop(name: name)
        loop.executor = self
    }

    /// The `IOThread` the calling code runs on, if any.
    static var current: IOThread? { EventLoop.current?.executor as? IOThread }

    deinit { loop.stop() }

    /// Runs `job` on this thread.
    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let executor = asUnownedTaskExecutor()
        loop.execute { job.runSynchronously(on: executor) }
    }
}
