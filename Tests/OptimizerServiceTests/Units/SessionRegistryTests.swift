import OptimizerCore
import Testing

@testable import OptimizerService

/// `SessionRegistry` on its own: reservations, sessions in memory and resting, and the memory budget
/// shared by session state (`reserve`, `grow`) and by requests and responses in flight (leases).
@Suite struct SessionRegistryTests {
    /// A float32 SGD session of `count` zeros, not yet in any registry.
    static func session(count: Int = 3) throws -> Session {
        let spec = try TrainingSpec(
            .object([("optimizer", .object([("type", .string("sgd")), ("lr", .number(0.1))]))]))
        let layout = try ParameterLayout([("w", [count])])
        let engine = try OptimizerEngine<Float>(
            spec: spec, layout: layout, initialValues: [Float](repeating: 0, count: count))
        let state = Session.State(
            engine: .float32(engine), name: nil, updatedAt: .now(), idempotency: IdempotencyCache(capacity: 4))
        return Session(id: .random(), state: state, createdAt: .now(), storage: nil)
    }

    /// Reserves and inserts a session of `bytes`.
    @discardableResult
    static func add(_ registry: SessionRegistry, bytes: Int, count: Int = 3) throws -> Session {
        let session = try session(count: count)
        let reservation = try registry.reserve(bytes: bytes, parameters: count)
        registry.insert(session, for: reservation)
        return session
    }

    /// Expects `body` to throw a 507 `limit_exceeded` naming `limit`, with `mentions` in its detail.
    static func expectLimit(
        _ limit: String, mentions: [String] = [], sourceLocation: SourceLocation = #_sourceLocation,
        _ body: () throws -> Void
    ) {
        expectServiceError(
            "limit_exceeded", status: 507, limit: limit, mentions: mentions, sourceLocation: sourceLocation, body)
    }

    @Test func aReservationCountsUntilReleasedOrInserted() throws {
        let registry = SessionRegistry(maxSessions: 10, memoryBudgetBytes: 1000)
        let reservation = try registry.reserve(bytes: 400, parameters: 3)
        #expect(registry.gauges().stateBytes == 400)
        #expect(registry.gauges().parameters == 3)
        #expect(registry.gauges().sessions == 0, "a session being created is not listed")
        registry.release(reservation)
        #expect(registry.gauges().stateBytes == 0)
        #expect(registry.gauges().parameters == 0)

        let session = try Self.session()
        registry.insert(session, for: try registry.reserve(bytes: 400, parameters: 3))
        #expect(registry.session(session.id) === session)
        #expect(registry.gauges().sessions == 1)
        #expect(registry.gauges().stateBytes == 400)
        #expect(registry.summaries().map(\.id) == [session.id])
    }

    @Test func removeFreesTheSessionsShare() throws {
        let registry = SessionRegistry(maxSessions: 10, memoryBudgetBytes: 1000)
        let a = try Self.add(registry, bytes: 300)
        let b = try Self.add(registry, bytes: 200, count: 5)
        #expect(registry.summaries().map(\.id) == [a.id, b.id], "oldest first")
        #expect(registry.remove(a.id) === a)
        #expect(registry.remove(a.id) == nil)
        #expect(registry.session(a.id) == nil)
        #expect(registry.gauges().stateBytes == 200)
        #expect(registry.gauges().parameters == 5)
        #expect(registry.summaries().map(\.id) == [b.id])
    }

    @Test func maxSessionsCountsPendingAndRestingSessions() throws {
        let registry = SessionRegistry(maxSessions: 2, memoryBudgetBytes: 1 << 20)
        let a = try Self.add(registry, bytes: 10)
        let pending = try registry.reserve(bytes: 10, parameters: 3)
        Self.expectLimit("max_sessions", mentions: ["2", "--max-sessions"]) {
            _ = try registry.reserve(bytes: 10, parameters: 3)
        }
        registry.release(pending)
        let b = try Self.add(registry, bytes: 10)
        // A session resting in the data directory still counts.
        registry.rest(a, summary: a.summary())
        Self.expectLimit("max_sessions") { _ = try registry.reserve(bytes: 10, parameters: 3) }
        #expect(registry.remove(b.id) != nil)
        _ = try registry.reserve(bytes: 10, parameters: 3)
    }

    @Test func restMovesASessionOutOfMemoryKeepingItsPlace() throws {
        let registry = SessionRegistry(maxSessions: 10, memoryBudgetBytes: 1000)
        let a = try Self.add(registry, bytes: 300)
        let b = try Self.add(registry, bytes: 200)
        registry.rest(a, summary: a.summary())
        #expect(registry.session(a.id) == nil)
        #expect(registry.isResting(a.id))
        #expect(!registry.isResting(b.id))
        #expect(registry.gauges().stateBytes == 200, "a resting session holds no memory")
        #expect(registry.gauges().parameters == 3)
        #expect(registry.gauges().sessions == 2)
        #expect(registry.summaries().map(\.id) == [a.id, b.id])
        #expect(registry.idle(longerThan: -1).map(\.id) == [b.id])
        // Reloaded: in memory again, still first in the listing.
        registry.insert(a, for: try registry.reserve(bytes: 300, parameters: 3))
        #expect(!registry.isResting(a.id))
        #expect(registry.session(a.id) === a)
        #expect(registry.summaries().map(\.id) == [a.id, b.id])
        #expect(registry.gauges().stateBytes == 500)
        // Resting a session that is not in memory does nothing.
        registry.rest(try Self.session(), summary: a.summary())
        #expect(registry.gauges().sessions == 2)
    }

    @Test func theBudgetRefusesASessionThatDoesNotFit() throws {
        let registry = SessionRegistry(maxSessions: 10, memoryBudgetBytes: 1000)
        try Self.add(registry, bytes: 600)
        Self.expectLimit("memory_budget", mentions: ["500", "400 of", "1000", "--memory-budget"]) {
            _ = try registry.reserve(bytes: 500, parameters: 3)
        }
        #expect(registry.gauges().stateBytes == 600, "a refused reservation holds nothing")
        _ = try registry.reserve(bytes: 400, parameters: 3)  // exactly the rest
        Self.expectLimit("memory_budget") { _ = try registry.reserve(bytes: 1, parameters: 1) }
        Self.expectLimit("memory_budget") { _ = try registry.reserve(bytes: Int.max, parameters: 1) }
    }

    @Test func growAddsToTheSessionsShareWithinTheBudget() throws {
        let registry = SessionRegistry(maxSessions: 10, memoryBudgetBytes: 1000)
        let s = try Self.add(registry, bytes: 300)
        try registry.grow(s, by: 200)
        #expect(registry.gauges().stateBytes == 500)
        try registry.grow(s, by: 0)
        try registry.grow(s, by: -100)
        #expect(registry.gauges().stateBytes == 500, "nothing to grow")
        Self.expectLimit("memory_budget", mentions: ["600", "optimizer state"]) { try registry.grow(s, by: 600) }
        #expect(registry.gauges().stateBytes == 500)
        // Removing the session frees what it grew by too.
        #expect(registry.remove(s.id) != nil)
        #expect(registry.gauges().stateBytes == 0)
        // A session no longer in memory does not grow.
        try registry.grow(s, by: 100)
        #expect(registry.gauges().stateBytes == 0)
    }

    @Test func aLeaseHoldsBudgetUntilItIsFreed() throws {
        let registry = SessionRegistry(maxSessions: 10, memoryBudgetBytes: 1000)
        try Self.add(registry, bytes: 300)
        var lease: MemoryLease? = try registry.lease(bytes: 500, for: "the JSON response")
        #expect(lease?.bytes == 500)
        #expect(registry.gauges().leasedBytes == 500)
        // Leases and sessions share the budget.
        Self.expectLimit("memory_budget", mentions: ["the JSON response", "300", "200 of", "500"]) {
            _ = try registry.lease(bytes: 300, for: "the JSON response")
        }
        Self.expectLimit("memory_budget", mentions: ["this session"]) {
            _ = try registry.reserve(bytes: 201, parameters: 1)
        }
        lease = nil
        #expect(registry.gauges().leasedBytes == 0, "freed on deinit")
        _ = try registry.reserve(bytes: 700, parameters: 1)
        Self.expectLimit("memory_budget") { _ = try registry.lease(bytes: 1, for: "x") }
        Self.expectLimit("memory_budget") { _ = try registry.lease(bytes: -1, for: "x") }
        Self.expectLimit("memory_budget") { _ = try registry.lease(bytes: Int.max, for: "x") }
        #expect(registry.gauges().leasedBytes == 0)
        _ = lease
    }

    @Test func tryLeaseIsNilWhenTheBytesDoNotFit() throws {
        let registry = SessionRegistry(maxSessions: 10, memoryBudgetBytes: 1000)
        var first = registry.tryLease(bytes: 800)
        #expect(first != nil)
        #expect(registry.tryLease(bytes: 201) == nil)
        #expect(registry.gauges().leasedBytes == 800)
        withExtendedLifetime(registry.tryLease(bytes: 200)) { second in
            #expect(second != nil)
            #expect(registry.gauges().leasedBytes == 1000)
        }
        #expect(registry.gauges().leasedBytes == 800)
        first = nil
        #expect(registry.gauges().leasedBytes == 0)
        #expect(registry.tryLease(bytes: 1000) != nil)
        #expect(registry.gauges().leasedBytes == 0, "a lease nobody keeps is freed at once")
        _ = first
    }
}
