/// The timing side of one connection: which phase it is in, since when, and what a timeout means
/// there. Pure and clock-free: every input carries `now` (monotonic nanoseconds), so tests drive it
/// with a fake clock and no sleeps.
package struct ConnectionStateMachine: Sendable, Equatable {
    /// Timeouts in nanoseconds.
    package struct Timeouts: Sendable, Equatable {
        package var header: UInt64
        package var bodyIdle: UInt64
        package var keepAliveIdle: UInt64
        package var writeIdle: UInt64
        package var linger: UInt64

        package init(header: UInt64, bodyIdle: UInt64, keepAliveIdle: UInt64, writeIdle: UInt64, linger: UInt64) {
            self.header = header
            self.bodyIdle = bodyIdle
            self.keepAliveIdle = keepAliveIdle
            self.writeIdle = writeIdle
            self.linger = linger
        }
    }

    /// Where the connection is.
    package enum Phase: Sendable, Equatable {
        /// Waiting for the first byte of a request; `fresh` for a new connection (header timeout
        /// applies), otherwise keep-alive idle.
        case idle(since: UInt64, fresh: Bool)
        /// Reading a request head that started at `since`.
        case readingHead(since: UInt64)
        /// Reading a body; the last bytes arrived at `lastProgress`.
        case readingBody(lastProgress: UInt64)
        /// A handler is working; no timeout (the service bounds its own work).
        case handling
        /// Writing a response; the last bytes left at `lastProgress`.
        case writing(lastProgress: UInt64)
        /// Draining after the last response (lingering close), since `since`.
        case lingering(since: UInt64)
        /// Closed.
        case closed
    }

    /// What a timeout check asks the connection to do.
    package enum TimeoutAction: Sendable, Equatable {
        /// Nothing is due.
        case none
        /// Answer 408 with `Connection: close`, then close (header or body timeout).
        case requestTimeout
        /// Close now without a response (keep-alive idle, write stall, linger over).
        case close
    }

    package let timeouts: Timeouts
    package private(set) var phase: Phase

    /// A new connection accepted at `now`.
    package init(timeouts: Timeouts, now: UInt64) {
        self.timeouts = timeouts
        self.phase = .idle(since: now, fresh: true)
    }

    /// Bytes arrived at `now`.
    package mutating func bytesReceived(at now: UInt64) {
        switch phase {
        case .idle: phase = .readingHead(since: now)
        case .readingBody: phase = .readingBody(lastProgress: now)
        default: break
        }
    }

    /// A request head was complete at `now`; body reading starts.
    package mutating func headReceived(at now: UInt64) {
        if case .readingHead = phase { phase = .readingBody(lastProgress: now) }
        if case .idle = phase { phase = .readingBody(lastProgress: now) }
    }

    /// The whole request was read and handed to its handler.
    package mutating func requestReceived() {
        switch phase {
        case .lingering, .closed: break
        default: phase = .handling
        }
    }

    /// A response started (or made progress) at `now`.
    package mutating func wrote(at now: UInt64) {
        switch phase {
        case .lingering, .closed: break
        default: phase = .writing(lastProgress: now)
        }
    }

    /// The response was fully written at `now` and the connection stays open.
    package mutating func responseFinished(at now: UInt64) {
        switch phase {
        case .lingering, .closed: break
        default: phase = .idle(since: now, fresh: false)
        }
    }

    /// The connection half-closed at `now` and drains.
    package mutating func startLingering(at now: UInt64) {
        if phase != .closed { phase = .lingering(since: now) }
    }

    /// The connection closed.
    package mutating func close() { phase = .closed }

    /// True while request bytes are expected (idle, head or body).
    package var isReading: Bool {
        switch phase {
        case .idle, .readingHead, .readingBody: true
        default: false
        }
    }

    /// The instant the current phase times out, or nil when no timeout applies.
    package var deadline: UInt64? {
        switch phase {
        case .idle(let since, let fresh): since &+ (fresh ? timeouts.header : timeouts.keepAliveIdle)
        case .readingHead(let since): since &+ timeouts.header
        case .readingBody(let last): last &+ timeouts.bodyIdle
        case .handling, .closed: nil
        case .writing(let last): last &+ timeouts.writeIdle
        case .lingering(let since): since &+ timeouts.linger
        }
    }

    /// What to do at `now`.
    package func timeoutAction(at now: UInt64) -> TimeoutAction {
        guard let deadline, now >= deadline else { return .none }
        switch phase {
        case .readingHead, .readingBody: return .requestTimeout
        case .idle, .writing, .lingering: return .close
        case .handling, .closed: return .none
        }
    }
}
