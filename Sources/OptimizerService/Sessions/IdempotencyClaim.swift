import OptimizerCore
import Synchronization

/// An `Idempotency-Key` claimed for a step: pending from arrival until the step is applied, so a
/// concurrent retry gets 409.
struct IdempotencyClaim: Sendable {
    let key: String
    /// What the key held before this request (a finished step, or nothing).
    let previous: IdempotencyCache.Entry?

    /// Claims `key` on arrival, or throws 409 while another request with it is pending.
    static func begin(key: String, on session: Session) throws(ServiceError) -> IdempotencyClaim {
        guard key.isValidIdempotencyKey else {
            throw .invalidField("Idempotency-Key must be 1 to 255 visible ASCII characters")
        }
        return try session.state.withLock { (s) throws(ServiceError) -> IdempotencyClaim in
            let previous = s.idempotency[key]
            guard s.idempotency.begin(key) else { throw .idempotencyConflict(key) }
            return IdempotencyClaim(key: key, previous: previous)
        }
    }

    /// For a key that already produced a step: the replayed answer (same body) or a 422 (another body).
    /// Nil when the key is new and the step must be applied.
    func replay(
        digest: BodyDigest, on session: Session
    ) throws(ServiceError)
        -> (report: StepReport, values: TensorValues, version: UInt64)?
    {
        guard case .done(let recorded, let report) = previous else { return nil }
        return try session.state.withLock { (s) throws(ServiceError) in
            s.idempotency.cancel(key, restoring: previous)
            guard !s.deleted else { throw .sessionNotFound(session.id.description) }
            guard recorded == digest else { throw .idempotencyKeyReused(key) }
            return (report, s.engine.parameterValues, s.version)
        }
    }

    /// Releases the claim after a failed request (the key keeps its earlier result, if any).
    func cancel(on session: Session) {
        session.state.withLock { s in
            if s.idempotency[key] == .pending { s.idempotency.cancel(key, restoring: previous) }
        }
    }
}
