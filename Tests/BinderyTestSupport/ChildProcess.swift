import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A child process started with `posix_spawn`, for the servers and commands the tests run.
///
/// Not Foundation's `Process`: on Linux, up to Swift 6.3.1, its `run()` copies whole `dirent` records while listing
/// `/proc/self/fd` and now and then reads past the end of a page and crashes the test process
/// (swift-corelibs-foundation pull request 5472). Here the child closes every descriptor above standard error itself
/// (`closefrom`), so nothing needs listing, and no pipe of a test running at the same moment leaks into it.
public final class ChildProcess: @unchecked Sendable {
    /// How a child ended.
    public struct Termination: Sendable, Equatable {
        /// The exit status, or the number of the signal that ended the child.
        public var status: Int32
        /// Ended by a signal rather than by exiting.
        public var signalled: Bool
    }

    public let identifier: pid_t
    private let lock = NSLock()
    /// Set once the child is reaped; after that its identifier may belong to another process and is never signalled.
    private var ended: Termination?

    /// Starts `executable` (a path) with `arguments`, the test process's environment updated by `environment`, in
    /// `directory`. A standard stream left nil is the test process's own; standard input is `/dev/null` then.
    public init(
        _ executable: String, _ arguments: [String], environment: [String: String] = [:], directory: URL? = nil,
        standardInput: Int32? = nil, standardOutput: Int32? = nil, standardError: Int32? = nil
    ) throws {
        #if canImport(Darwin)
        var actions: posix_spawn_file_actions_t? = nil
        var attributes: posix_spawnattr_t? = nil
        let flags = POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_CLOEXEC_DEFAULT
        #else
        var actions = posix_spawn_file_actions_t()
        var attributes = posix_spawnattr_t()
        let flags = POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF
        #endif
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        if let standardInput {
            posix_spawn_file_actions_adddup2(&actions, standardInput, STDIN_FILENO)
        } else {
            posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0)
        }
        if let standardOutput { posix_spawn_file_actions_adddup2(&actions, standardOutput, STDOUT_FILENO) }
        if let standardError { posix_spawn_file_actions_adddup2(&actions, standardError, STDERR_FILENO) }
        #if canImport(Glibc)
        guard Spawn.closeFrom(&actions, STDERR_FILENO + 1) == 0 else {
            throw ServerFailure("cannot ask for the descriptors of \(executable) to be closed")
        }
        if let directory, Spawn.changeDirectory(&actions, directory.path) != 0 {
            throw ServerFailure("cannot start \(executable) in \(directory.path)")
        }
        #else
        if let directory, posix_spawn_file_actions_addchdir_np(&actions, directory.path) != 0 {
            throw ServerFailure("cannot start \(executable) in \(directory.path)")
        }
        #endif

        // Default signal handling and no blocked signals: the test process's own would otherwise be inherited, and a
        // server that blocks SIGTERM cannot be stopped politely.
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var signals = sigset_t()
        sigemptyset(&signals)
        posix_spawnattr_setsigmask(&attributes, &signals)
        sigfillset(&signals)
        sigdelset(&signals, SIGKILL)
        sigdelset(&signals, SIGSTOP)
        posix_spawnattr_setsigdefault(&attributes, &signals)
        posix_spawnattr_setflags(&attributes, Int16(flags))

        let variables = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
            .map { "\($0.key)=\($0.value)" }
        let argumentStrings = ([executable] + arguments).map { strdup($0) }
        let variableStrings = variables.map { strdup($0) }
        defer { (argumentStrings + variableStrings).forEach { free($0) } }
        var identifier = pid_t()
        let failure = posix_spawn(
            &identifier, executable, &actions, &attributes, argumentStrings + [nil], variableStrings + [nil])
        guard failure == 0 else {
            throw ServerFailure("cannot start \(executable): \(String(cString: strerror(failure)))")
        }
        self.identifier = identifier
    }

    /// Whether the child has not ended yet; reaps it if it has.
    public var isRunning: Bool { reap(waiting: false) == nil }

    /// Sends `signal` to the child, unless it has ended and been reaped.
    public func signal(_ signal: Int32) {
        lock.withLock {
            if ended == nil { _ = kill(identifier, signal) }
        }
    }

    /// Waits, blocking this thread, until the child ends.
    @discardableResult
    public func waitUntilExit() -> Termination {
        // Wait for the end without reaping, so that `signal` from another thread never reaches a reused identifier.
        var information = siginfo_t()
        while waitid(P_PID, id_t(identifier), &information, WEXITED | WNOWAIT) == -1, errno == EINTR {}
        return reap(waiting: true) ?? Termination(status: -1, signalled: false)
    }

    private func reap(waiting: Bool) -> Termination? {
        lock.withLock {
            if let ended { return ended }
            var status: Int32 = 0
            var reaped: pid_t
            repeat {
                reaped = waitpid(identifier, &status, waiting ? 0 : WNOHANG)
            } while reaped == -1 && errno == EINTR
            guard reaped == identifier else { return nil }
            let signal = status & 0x7f
            ended = signal == 0
                ? Termination(status: (status >> 8) & 0xff, signalled: false)
                : Termination(status: signal, signalled: true)
            return ended
        }
    }
}

#if canImport(Glibc)
/// The C library's `posix_spawn` extensions that Swift does not import (they are declared for `_GNU_SOURCE` only),
/// looked up once. glibc 2.34 and later has both.
private enum Spawn {
    typealias CloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
    typealias ChangeDirectory = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>) -> Int32

    static let closeFrom = unsafeBitCast(symbol("posix_spawn_file_actions_addclosefrom_np"), to: CloseFrom.self)
    static let changeDirectory = unsafeBitCast(
        symbol("posix_spawn_file_actions_addchdir_np"), to: ChangeDirectory.self)

    private static func symbol(_ name: String) -> UnsafeMutableRawPointer {
        guard let symbol = dlsym(dlopen(nil, RTLD_NOW), name) else {
            fatalError("this C library has no \(name); the tests need glibc 2.34 or later")
        }
        return symbol
    }
}
#endif
