import Foundation

/// SIGINT and SIGTERM during a long command. The first asks the work to stop at its next safe
/// point (the command saves and exits with 128 + the signal: 130 or 143); a second ends the
/// process at once, leaving whatever was last saved whole (files are only ever renamed into place).
final class Interrupts: @unchecked Sendable {
    private let lock = NSLock()
    private var first: Int32?
    private var sources: [DispatchSourceSignal] = []

    /// Starts catching the signals; `announce` says what the first one will do.
    init(announce: @escaping @Sendable (Int32) -> Void) {
        for number in [SIGINT, SIGTERM] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { [unowned self] in
                lock.lock()
                let isFirst = first == nil
                if isFirst { first = number }
                lock.unlock()
                if isFirst {
                    announce(number)
                } else {
                    Terminal.error("stopping at once")
                    Self.exitNow(128 + number)
                }
            }
            source.resume()
            sources.append(source)
        }
    }

    /// Ends the process with `status` while other threads may still be computing: `exit` would
    /// run the libraries' static destructors under their feet (oneDNN's, OpenMP's), which crashes.
    /// Nothing is lost: every file is written whole and renamed into place, and stderr is unbuffered.
    static func exitNow(_ status: Int32) -> Never {
        fflush(nil)
        _exit(status)
    }

    /// The first signal received, if any.
    var received: Int32? {
        lock.lock()
        defer { lock.unlock() }
        return first
    }

    /// The exit status for the signal received: 130 for SIGINT, 143 for SIGTERM.
    var exitStatus: Int32 { 128 + (received ?? 0) }
}
