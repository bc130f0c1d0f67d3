import Dispatch

/// One serial I/O queue and the connections bound to it, with the shared timeout sweep.
///
/// `@unchecked Sendable`: `connections`, `requestsInProgress`, `scratch` and `timer` are only touched
/// on `queue`.
final class IOLoop: @unchecked Sendable {
    let queue: DispatchQueue
    /// A receive buffer shared by this queue's connections when they hold none of their own
    /// (new and idle connections, lingering drains). Only touched on `queue`.
    var scratch = [UInt8](repeating: 0, count: 64 * 1024)
    private var connections: [ObjectIdentifier: Connection] = [:]
    /// Requests of this queue's connections whose head arrived and whose response is not yet
    /// written; busy polling (`HTTPServer.Configuration.busyPoll`) only runs while it is 0.
    /// Only touched on `queue`.
    var requestsInProgress = 0
    private var timer: (any DispatchSourceTimer)?

    init(label: String) {
        queue = DispatchQueue(label: label, qos: .userInitiated)
    }

    /// Starts the sweep that checks every connection's deadline each `interval`.
    func startSweep(interval: Duration) {
        queue.async {
            let t = DispatchSource.makeTimerSource(queue: self.queue)
            let ns = Int(interval.nanoseconds)
            t.schedule(deadline: .now() + .nanoseconds(ns), repeating: .nanoseconds(ns), leeway: .nanoseconds(ns / 10))
            t.setEventHandler { [weak self] in self?.sweep() }
            t.resume()
            self.timer = t
        }
    }

    func stopSweep() {
        queue.async {
            self.timer?.cancel()
            self.timer = nil
        }
    }

    /// Call on `queue`.
    func register(_ connection: Connection) {
        connections[ObjectIdentifier(connection)] = connection
    }

    /// Call on `queue`.
    func unregister(_ connection: Connection) {
        connections[ObjectIdentifier(connection)] = nil
    }

    /// Call on `queue`: applies `body` to every connection (a snapshot, so `body` may close them).
    func forEachConnection(_ body: (Connection) -> Void) {
        for c in Array(connections.values) { body(c) }
    }

    private func sweep() {
        let now = Socket.monotonicNanoseconds()
        for c in Array(connections.values) { c.checkTimeout(now: now) }
    }
}
