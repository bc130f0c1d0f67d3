import Dispatch
import Glibc

func timespecForTests(milliseconds: Int) -> timespec {
    timespec(tv_sec: milliseconds / 1000, tv_nsec: (milliseconds % 1000) * 1_000_000)
}

func nanosleepForTests(_ ts: inout timespec) -> Int32 {
    nanosleep(&ts, nil)
}

/// Sleeps the calling thread (tests only; bounded by the caller).
func sleepForTests(milliseconds: Int) {
    var ts = timespecForTests(milliseconds: milliseconds)
    _ = nanosleep(&ts, nil)
}

/// Monotonic milliseconds for measuring test latencies.
func nowMilliseconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) * 1000 + Double(ts.tv_nsec) / 1_000_000
}

enum DispatchQueueForTests {
    static let global = DispatchQueue.global()
}
