import Dispatch
import Synchronization

/// Runs a session's changes one at a time, in the order they were submitted.
///
/// Work normally runs on the lane's own Dispatch queue. ``runNowOrQueue(_:)`` runs it at once on
/// the calling thread when nothing is running or waiting, which saves the two thread wake-ups of a
/// round trip through the queue (I/O queue → session queue → I/O queue): for a 1k-parameter step,
/// whose work takes a few microseconds, those wake-ups were most of the request's time.
///
/// Order: a submission either finds the lane idle and runs at once, or joins the waiting list, which
/// the one runner (the thread that found the lane idle, then the queue) empties in order. Work
/// submitted while a caller runs inline is handed to the queue, so the caller's thread is never held
/// by other submitters' work.
final class SessionLane: Sendable {
    private struct State {
        /// True while some thread runs the lane's work (inline or on the queue).
        var running = false
        /// Work submitted while running, in submission order.
        var waiting: [@Sendable () -> Void] = []
    }

    private let state = Mutex(State())
    private let queue: DispatchQueue

    init(label: String) {
        queue = DispatchQueue(label: label, qos: .userInitiated)
    }

    /// Queues `work` behind everything submitted before it; it runs on the lane's queue.
    func async(_ work: @escaping @Sendable () -> Void) {
        let start = state.withLock { s in
            s.waiting.append(work)
            guard !s.running else { return false }
            s.running = true
            return true
        }
        if start { queue.async { self.drain() } }
    }

    /// Runs `work` on the calling thread if the lane is idle, else queues it like ``async(_:)``.
    /// Only for work that takes microseconds: the caller is blocked while it runs.
    func runNowOrQueue(_ work: @escaping @Sendable () -> Void) {
        let now = state.withLock { s in
            guard !s.running else {
                s.waiting.append(work)
                return false
            }
            s.running = true
            return true
        }
        guard now else { return }
        work()
        let more = state.withLock { s in
            if s.waiting.isEmpty { s.running = false }
            return !s.waiting.isEmpty
        }
        if more { queue.async { self.drain() } }
    }

    /// Runs waiting work in order until none is left, then marks the lane idle.
    private func drain() {
        while true {
            let batch = state.withLock { s in
                if s.waiting.isEmpty { s.running = false }
                defer { s.waiting = [] }
                return s.waiting
            }
            if batch.isEmpty { return }
            for work in batch { work() }
        }
    }
}
