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

/// Resident set size of this process in bytes (the servers under test run in-process).
func residentBytesForTests() -> Int {
    guard let f = fopen("/proc/self/statm", "r") else { return 0 }
    defer { fclose(f) }
    var line = [CChar](repeating: 0, count: 128)
    guard fgets(&line, Int32(line.count), f) != nil else { return 0 }
    let fields = String(decoding: line.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self).split(
        separator: " ")
    guard fields.count > 1, let pages = Int(fields[1]) else { return 0 }
    return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
}

/// Peak resident set size (VmHWM) of this process in bytes.
func peakResidentBytesForTests() -> Int {
    guard let f = fopen("/proc/self/status", "r") else { return 0 }
    defer { fclose(f) }
    var line = [CChar](repeating: 0, count: 256)
    while fgets(&line, Int32(line.count), f) != nil {
        let text = String(decoding: line.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        if text.hasPrefix("VmHWM:") {
            let kib = text.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0
            return kib * 1024
        }
    }
    return 0
}

/// Resets VmHWM to the current RSS (Linux: `echo 5 > /proc/self/clear_refs`).
func resetPeakResidentBytesForTests() {
    guard let f = fopen("/proc/self/clear_refs", "w") else { return }
    fputs("5", f)
    fclose(f)
}
