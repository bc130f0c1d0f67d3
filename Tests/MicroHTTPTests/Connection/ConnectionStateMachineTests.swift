import Testing

@testable import MicroHTTP

/// The timeout logic with a fake clock: every input carries `now`, so no test sleeps.
@Suite struct ConnectionStateMachineTests {
    static let ms: UInt64 = 1_000_000
    static let timeouts = ConnectionStateMachine.Timeouts(
        header: 10_000 * ms,
        bodyIdle: 30_000 * ms,
        keepAliveIdle: 5_000 * ms,
        writeIdle: 20_000 * ms,
        linger: 2_000 * ms
    )

    @Test func freshConnectionThatSendsNothingIsClosedAfterTheHeaderTimeout() {
        let m = ConnectionStateMachine(timeouts: Self.timeouts, now: 1_000 * Self.ms)
        #expect(m.timeoutAction(at: 10_999 * Self.ms) == .none)
        #expect(m.timeoutAction(at: 11_000 * Self.ms) == .close)
    }

    @Test func slowHeadGets408AtTheHeaderDeadlineCountedFromItsFirstByte() {
        var m = ConnectionStateMachine(timeouts: Self.timeouts, now: 0)
        m.bytesReceived(at: 3_000 * Self.ms)
        m.bytesReceived(at: 12_000 * Self.ms)  // more bytes do not extend the header deadline
        #expect(m.timeoutAction(at: 12_999 * Self.ms) == .none)
        #expect(m.timeoutAction(at: 13_000 * Self.ms) == .requestTimeout)
    }

    @Test func bodyTimeoutIsAnIdleGapRenewedByEachRead() {
        var m = ConnectionStateMachine(timeouts: Self.timeouts, now: 0)
        m.bytesReceived(at: 1 * Self.ms)
        m.headReceived(at: 2 * Self.ms)
        m.bytesReceived(at: 25_000 * Self.ms)
        #expect(m.timeoutAction(at: 54_999 * Self.ms) == .none)
        #expect(m.timeoutAction(at: 55_000 * Self.ms) == .requestTimeout)
    }

    @Test func handlersAreNeverTimedOut() {
        var m = ConnectionStateMachine(timeouts: Self.timeouts, now: 0)
        m.bytesReceived(at: 0)
        m.headReceived(at: 0)
        m.requestReceived()
        #expect(m.deadline == nil)
        #expect(m.timeoutAction(at: UInt64.max / 2) == .none)
    }

    @Test func stalledWriteIsClosedAfterWriteIdle() {
        var m = ConnectionStateMachine(timeouts: Self.timeouts, now: 0)
        m.requestReceived()
        m.wrote(at: 100 * Self.ms)
        m.wrote(at: 5_000 * Self.ms)
        #expect(m.timeoutAction(at: 24_999 * Self.ms) == .none)
        #expect(m.timeoutAction(at: 25_000 * Self.ms) == .close)
    }

    @Test func keepAliveIdleClosesWithoutAResponse() {
        var m = ConnectionStateMachine(timeouts: Self.timeouts, now: 0)
        m.wrote(at: 1 * Self.ms)
        m.responseFinished(at: 10 * Self.ms)
        #expect(m.phase == .idle(since: 10 * Self.ms, fresh: false))
        #expect(m.timeoutAction(at: 5_009 * Self.ms) == .none)
        #expect(m.timeoutAction(at: 5_010 * Self.ms) == .close)
        m.bytesReceived(at: 5_000 * Self.ms)
        #expect(m.timeoutAction(at: 5_010 * Self.ms) == .none)
        #expect(m.deadline == 15_000 * Self.ms)
    }

    @Test func lingeringEndsAfterTheLingerTimeoutAndIgnoresLaterEvents() {
        var m = ConnectionStateMachine(timeouts: Self.timeouts, now: 0)
        m.startLingering(at: 100 * Self.ms)
        m.bytesReceived(at: 500 * Self.ms)
        m.responseFinished(at: 600 * Self.ms)
        #expect(m.timeoutAction(at: 2_099 * Self.ms) == .none)
        #expect(m.timeoutAction(at: 2_100 * Self.ms) == .close)
        m.close()
        #expect(m.deadline == nil)
        #expect(!m.isReading)
    }
}
