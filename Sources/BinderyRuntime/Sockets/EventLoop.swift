import Foundation

/// One thread that owns the readiness of sockets and the timers of their waits, and resumes the tasks waiting on
/// them: no exchange, stream or connect parks a thread of its own, so a thousand quiet streams cost a thousand
/// descriptors and nothing of Swift's cooperative pool. A wait ends when its socket is ready (or may be: a caller
/// tries again on a spurious wake-up), when its deadline passes, or at once when its socket is cancelled.
///
/// The loop also runs jobs handed to it (`execute`): an `IOThread` is a loop whose jobs are the tasks preferring
/// it, so their waits end and their code runs on one thread with no hand-off.
final class EventLoop: @unchecked Sendable {
    /// The loop for sockets opened outside an `IOThread`.
    static let shared = EventLoop(name: "Bindery event loop")

    enum Outcome: Sendable {
        case ready
        case timedOut
        case cancelled
    }

    private struct Waiter {
        let serial: UInt64
        let continuation: CheckedContinuation<Outcome, Never>
    }

    /// A wait's deadline (its descriptor), or a scheduled action's (descriptor -1); `serial` tells which wait or action.
    private struct Timer: Comparable {
        let deadline: UInt64
        let descriptor: Int32
        let serial: UInt64
        static func < (lhs: Timer, rhs: Timer) -> Bool { lhs.deadline < rhs.deadline }
    }

    /// The executor whose jobs the loop runs (an `IOThread`), if any.
    weak var executor: AnyObject?
    private let poller: any Poller
    private let lock = NSLock()
    // Guarded by `lock`.
    private var waiters: [Int32: Waiter] = [:]
    private var cancelled: Set<Int32> = []
    private var timers = Heap<Timer>()
    private var jobs: [@Sendable () -> Void] = []
    private var actions: [UInt64: @Sendable () -> Void] = [:]
    private var serial: UInt64 = 0
    /// When the loop's current wait ends by itself; `.max` when it waits for events only, nil while it runs.
    private var sleepingUntil: UInt64?
    private var sockets = 0
    private var stopping = false

    init(name: String, poller: any Poller = EventLoop.systemPoller()) {
        self.poller = poller
        // The thread holds the loop until it ends.
        let thread = Thread { [self] in
            LoopThread.setCurrent(self)
            run()
        }
        thread.name = name
        thread.stackSize = 1 << 20
        thread.start()
    }

    static func systemPoller() -> any Poller {
        #if os(Linux)
            EPoller()
        #else
            PollPoller()
        #endif
    }

    /// The loop whose thread is the caller's, if any.
    static var current: EventLoop? { LoopThread.current }

    /// Starts watching `descriptor`; every socket is added once, before its first wait.
    func add(_ descriptor: Int32) {
        lock.lock()
        sockets += 1
        lock.unlock()
        poller.add(descriptor)
    }

    /// Stops watching `descriptor` and forgets its cancellation; call before closing it.
    func remove(_ descriptor: Int32) {
        poller.remove(descriptor)
        lock.lock()
        sockets -= 1
        cancelled.remove(descriptor)
        let waiter = waiters.removeValue(forKey: descriptor)
        let wake = stopping && sockets == 0
        lock.unlock()
        waiter?.continuation.resume(returning: .cancelled)
        if wake { poller.wake() }
    }

    /// Ends the thread once no socket is left on the loop and its jobs ran; its sockets keep working until then.
    func stop() {
        lock.lock()
        stopping = true
        lock.unlock()
        poller.wake()
    }

    /// Whether the loop was told to stop: a socket of it is not reused.
    var isStopping: Bool {
        lock.lock()
        defer { lock.unlock() }
        return stopping
    }

    /// Waits until `descriptor` is ready for `interest`, `deadline` passes, or the descriptor is cancelled.
    func wait(_ descriptor: Int32, for interest: Interest, until deadline: Deadline) async -> Outcome {
        await withCheckedContinuation { continuation in
            lock.lock()
            if cancelled.contains(descriptor) {
                lock.unlock()
                continuation.resume(returning: .cancelled)
                return
            }
            serial &+= 1
            waiters[descriptor] = Waiter(serial: serial, continuation: continuation)
            timers.insert(Timer(deadline: deadline.uptimeNanoseconds, descriptor: descriptor, serial: serial))
            let wakeForTimer = sleepingUntil.map { deadline.uptimeNanoseconds < $0 } ?? false
            lock.unlock()
            poller.arm(descriptor, for: interest)
            if wakeForTimer { poller.wake() }
        }
    }

    /// Runs `action` on the loop's thread at `deadline`, unless `cancelTimer` with the id returned comes first.
    func schedule(at deadline: Deadline, _ action: @escaping @Sendable () -> Void) -> UInt64 {
        lock.lock()
        serial &+= 1
        let id = serial
        actions[id] = action
        timers.insert(Timer(deadline: deadline.uptimeNanoseconds, descriptor: -1, serial: id))
        let wake = sleepingUntil.map { deadline.uptimeNanoseconds < $0 } ?? false
        lock.unlock()
        if wake { poller.wake() }
        return id
    }

    func cancelTimer(_ id: UInt64) {
        lock.lock()
        actions[id] = nil
        lock.unlock()
    }

    /// Ends `descriptor`'s wait, and every later one, as `.cancelled`; from any thread.
    func cancel(_ descriptor: Int32) {
        lock.lock()
        cancelled.insert(descriptor)
        let waiter = waiters.removeValue(forKey: descriptor)
        lock.unlock()
        waiter?.continuation.resume(returning: .cancelled)
    }

    func isCancelled(_ descriptor: Int32) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        return cancelled.contains(descriptor)
    }

    /// Runs `job` on the loop's thread, after the jobs before it.
    func execute(_ job: @escaping @Sendable () -> Void) {
        lock.lock()
        jobs.append(job)
        let wake = sleepingUntil != nil && LoopThread.current !== self
        lock.unlock()
        if wake { poller.wake() }
    }

    private func run() {
        while true {
            lock.lock()
            let ready = jobs
            jobs.removeAll(keepingCapacity: true)
            lock.unlock()
            for job in ready { job() }

            lock.lock()
            if stopping, sockets == 0, jobs.isEmpty {
                lock.unlock()
                return
            }
            let now = DispatchTime.now().uptimeNanoseconds
            var expired: [Waiter] = []
            var due: [@Sendable () -> Void] = []
            while let first = timers.first, first.deadline <= now {
                timers.removeFirst()
                if first.descriptor < 0 {
                    if let action = actions.removeValue(forKey: first.serial) { due.append(action) }
                } else if waiters[first.descriptor]?.serial == first.serial {
                    expired.append(waiters.removeValue(forKey: first.descriptor)!)
                }
            }
            // Timers of waits and actions that ended otherwise are dropped in bulk once they outnumber the live ones.
            if timers.count > 2 * (waiters.count + actions.count) + 1024 {
                timers.removeAll { $0.descriptor < 0 ? actions[$0.serial] == nil : waiters[$0.descriptor]?.serial != $0.serial }
            }
            let next = jobs.isEmpty && expired.isEmpty && due.isEmpty ? (timers.first?.deadline ?? .max) : now
            sleepingUntil = next
            lock.unlock()
            for waiter in expired { waiter.continuation.resume(returning: .timedOut) }
            for action in due { action() }

            let milliseconds = next == .max ? -1 : Int32(clamping: (next - min(next, now) + 999_999) / 1_000_000)
            let descriptors = poller.wait(milliseconds: milliseconds)

            lock.lock()
            sleepingUntil = nil
            let woken = descriptors.compactMap { waiters.removeValue(forKey: $0) }
            lock.unlock()
            for waiter in woken { waiter.continuation.resume(returning: .ready) }
        }
    }
}

/// Which `EventLoop` runs on the current thread.
private enum LoopThread {
    private static let key: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key, nil)
        return key
    }()

    static var current: EventLoop? {
        pthread_getspecific(key).map { Unmanaged<EventLoop>.fromOpaque($0).takeUnretainedValue() }
    }

    /// Set by the loop's thread when it starts; loops live as long as their thread.
    static func setCurrent(_ loop: EventLoop) {
        pthread_setspecific(key, Unmanaged.passUnretained(loop).toOpaque())
    }
}

/// A binary min-heap.
struct Heap<Element: Comparable> {
    private var elements: [Element] = []

    var first: Element? { elements.first }
    var count: Int { elements.count }

    /// Removes every element that `shouldBeRemoved`; a sorted array is a heap.
    mutating func removeAll(where shouldBeRemoved: (Element) -> Bool) {
        elements = elements.filter { !shouldBeRemoved($0) }.sorted()
    }

    mutating func insert(_ element: Element) {
        elements.append(element)
        var child = elements.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard elements[child] < elements[parent] else { break }
            elements.swapAt(child, parent)
            child = parent
        }
    }

    mutating func removeFirst() {
        guard !elements.isEmpty else { return }
        elements.swapAt(0, elements.count - 1)
        elements.removeLast()
        var parent = 0
        while true {
            let left = 2 * parent + 1
            let right = left + 1
            var smallest = parent
            if left < elements.count, elements[left] < elements[smallest] { smallest = left }
            if right < elements.count, elements[right] < elements[smallest] { smallest = right }
            guard smallest != parent else { return }
            elements.swapAt(parent, smallest)
            parent = smallest
        }
    }
}
