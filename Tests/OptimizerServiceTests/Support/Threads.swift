import Foundation
import Synchronization

/// Runs `count` blocking clients on dedicated threads (not the Dispatch pool the server uses) and waits
/// for them, at most `timeout` seconds. Errors thrown by a body are collected and rethrown.
enum Threads {
    struct Timeout: Error, CustomStringConvertible {
        var description: String { "client threads did not finish in time" }
    }

    struct Failures: Error, CustomStringConvertible {
        var errors: [String]
        var description: String { errors.joined(separator: "; ") }
    }

    static func run(_ count: Int, timeout: Double = 30, _ body: @escaping @Sendable (Int) throws -> Void) throws {
        let done = DispatchSemaphore(value: 0)
        let errors = Mutex<[String]>([])
        for i in 0..<count {
            let thread = Thread {
                do {
                    try body(i)
                } catch {
                    errors.withLock { $0.append("thread \(i): \(error)") }
                }
                done.signal()
            }
            thread.stackSize = 1 << 20
            thread.start()
        }
        let deadline = DispatchTime.now() + timeout
        for _ in 0..<count {
            guard done.wait(timeout: deadline) == .success else { throw Timeout() }
        }
        let failures = errors.withLock { $0 }
        if !failures.isEmpty { throw Failures(errors: failures) }
    }
}
