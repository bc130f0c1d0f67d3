import Dispatch
import Glibc
import Synchronization
import Testing

@testable import OptimizerService

@Suite struct SessionLaneTests {
    @Test func idleLaneRunsWorkOnTheCallerBeforeReturning() {
        let lane = SessionLane(label: "test.lane")
        let caller = pthread_self()
        let ranOnCaller = Mutex<Bool?>(nil)
        lane.runNowOrQueue { ranOnCaller.withLock { $0 = pthread_equal(pthread_self(), caller) != 0 } }
        #expect(ranOnCaller.withLock { $0 } == true)
    }

    @Test func busyLaneQueuesWorkAndKeepsSubmissionOrder() throws {
        let lane = SessionLane(label: "test.lane")
        let release = DispatchSemaphore(value: 0)
        let started = DispatchSemaphore(value: 0)
        let done = DispatchSemaphore(value: 0)
        let order = Mutex<[Int]>([])
        lane.async {
            started.signal()
            release.wait()
        }
        #expect(started.wait(timeout: .now() + 10) == .success)
        for i in 0..<20 {
            let work: @Sendable () -> Void = {
                order.withLock { $0.append(i) }
                if i == 19 { done.signal() }
            }
            if i.isMultiple(of: 2) { lane.runNowOrQueue(work) } else { lane.async(work) }
        }
        // Nothing ran inline while the lane was busy.
        #expect(order.withLock { $0 }.isEmpty)
        release.signal()
        #expect(done.wait(timeout: .now() + 10) == .success)
        #expect(order.withLock { $0 } == Array(0..<20))
        // Idle again: a submission runs inline on the caller. The lane marks itself idle just after the
        // last work returns, so this may take a few tries (bounded: 2 s).
        let caller = pthread_self()
        var ranInline = false
        for _ in 0..<200 where !ranInline {
            let onCaller = Mutex(false)
            lane.runNowOrQueue { onCaller.withLock { $0 = pthread_equal(pthread_self(), caller) != 0 } }
            ranInline = onCaller.withLock { $0 }
            if !ranInline { usleep(10_000) }
        }
        #expect(ranInline)
    }

    @Test func concurrentSubmittersRunOneAtATimeInEachSubmittersOrder() throws {
        let lane = SessionLane(label: "test.lane")
        let threads = 4
        let perThread = 500
        let running = Atomic<Int>(0)
        let overlaps = Atomic<Int>(0)
        let seen = Mutex([[Int]](repeating: [], count: threads))
        let finished = DispatchSemaphore(value: 0)
        let completed = Atomic<Int>(0)
        try Threads.run(threads) { t in
            for i in 0..<perThread {
                let work: @Sendable () -> Void = {
                    if running.add(1, ordering: .sequentiallyConsistent).newValue != 1 {
                        overlaps.add(1, ordering: .relaxed)
                    }
                    seen.withLock { $0[t].append(i) }
                    running.subtract(1, ordering: .sequentiallyConsistent)
                    if completed.add(1, ordering: .sequentiallyConsistent).newValue == threads * perThread {
                        finished.signal()
                    }
                }
                if (i + t).isMultiple(of: 3) { lane.async(work) } else { lane.runNowOrQueue(work) }
            }
        }
        #expect(finished.wait(timeout: .now() + 30) == .success)
        #expect(overlaps.load(ordering: .relaxed) == 0)
        for t in 0..<threads {
            #expect(seen.withLock { $0[t] } == Array(0..<perThread), "thread \(t)'s work ran out of order")
        }
    }
}
