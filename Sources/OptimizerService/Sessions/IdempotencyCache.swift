import OptimizerCore

/// The idempotency keys a session has seen, with the step each produced (`Idempotency-Key`).
///
/// A key is first *pending* (its step is queued or running: a retry gets 409), then *done* with the
/// digest of its body and the step it produced (a retry with the same body replays that step
/// number; another body is a 422). The oldest done keys are forgotten past `capacity`.
struct IdempotencyCache: Sendable {
    enum Entry: Sendable, Equatable {
        case pending
        case done(digest: BodyDigest, report: StepReport)
    }

    private(set) var entries: [String: Entry] = [:]
    private var order: [String] = []
    let capacity: Int

    init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    subscript(key: String) -> Entry? { entries[key] }

    /// Marks `key` pending; false if it is already pending.
    mutating func begin(_ key: String) -> Bool {
        if entries[key] == .pending { return false }
        if entries[key] == nil { order.append(key) }
        entries[key] = .pending
        return true
    }

    /// Records the step `key` produced.
    mutating func complete(_ key: String, digest: BodyDigest, report: StepReport) {
        entries[key] = .done(digest: digest, report: report)
        evict()
    }

    /// Forgets a pending key whose request failed or was a replay, restoring an earlier result.
    mutating func cancel(_ key: String, restoring previous: Entry?) {
        if let previous {
            entries[key] = previous
        } else {
            entries[key] = nil
            order.removeAll { $0 == key }
        }
    }

    /// The finished keys, oldest first (for snapshots).
    var finished: [(key: String, digest: BodyDigest, report: StepReport)] {
        order.compactMap { key in
            guard case .done(let digest, let report)? = entries[key] else { return nil }
            return (key, digest, report)
        }
    }

    private mutating func evict() {
        while order.count > capacity, let oldest = order.first {
            if entries[oldest] == .pending { break }
            order.removeFirst()
            entries[oldest] = nil
        }
    }
}

extension String {
    /// An `Idempotency-Key` is 1 to 255 visible ASCII characters.
    var isValidIdempotencyKey: Bool {
        !isEmpty && utf8.count <= 255 && utf8.allSatisfy { $0 >= 0x21 && $0 <= 0x7E }
    }
}
