import DurableStorage
import Glibc

/// The storage benchmark. Every figure is a median; loops are bounded in count and in time.
enum StorageBench {
    static func main(arguments: [String]) {
        var directory = "/var/tmp/optd-storage-bench"
        var quick = false
        var only: String?
        var index = 0
        while index < arguments.count {
            switch arguments[index] {
            case "--dir" where index + 1 < arguments.count:
                directory = arguments[index + 1]
                index += 1
            case "--quick": quick = true
            case "--only" where index + 1 < arguments.count:
                only = arguments[index + 1]
                index += 1
            default:
                print("usage: storage-bench [--dir PATH] [--quick] [--only crc|append|recovery|snapshot]")
                return
            }
            index += 1
        }
        do {
            try run(directory: directory, quick: quick, only: only)
        } catch {
            print("storage-bench failed: \(error)")
            exit(1)
        }
    }

    static func run(directory: String, quick: Bool, only: String?) throws {
        mkdir(directory, 0o700)
        print("storage-bench: directory \(directory) on \(fileSystemName(directory)), load average \(loadAverage())")
        print("CRC32C hardware accelerated: \(CRC32C.isHardwareAccelerated)")
        if only == nil || only == "crc" { checksums(quick: quick) }
        if only == nil || only == "append" { try appends(directory: directory, quick: quick) }
        if only == nil || only == "recovery" { try recovery(directory: directory, quick: quick) }
        if only == nil || only == "snapshot" { try snapshots(directory: directory, quick: quick) }
        print("load average at the end: \(loadAverage())")
    }

    // MARK: Checksum

    static func checksums(quick: Bool) {
        print("\n## CRC-32C throughput (median of 9 samples, GB/s = 1e9 bytes/s)")
        print("size      hardware   software")
        for size in [4 << 10, 256 << 10, 40 << 20] {
            let bytes = pseudoRandomBytes(size)
            let hardware = bytes.withUnsafeBytes { raw in
                throughput(bytes: size, samples: quick ? 3 : 9) { CRC32C.checksum(raw) }
            }
            let software = bytes.withUnsafeBytes { raw in
                throughput(bytes: size, samples: quick ? 3 : 9) { CRC32C.softwareChecksum(raw) }
            }
            print(pad(label(size), 10) + pad(format(hardware, 2), 11) + format(software, 2))
        }
    }

    /// Median GB/s of `samples` timings, each repeating `body` until at least 0.1 s passed.
    static func throughput(bytes: Int, samples: Int, _ body: () -> UInt32) -> Double {
        var rates: [Double] = []
        var sink: UInt32 = 0
        for _ in 0..<samples {
            let start = now()
            var repetitions = 0
            repeat {
                sink ^= body()
                repetitions += 1
            } while now() - start < 0.1 && repetitions < 1_000_000
            rates.append(Double(bytes * repetitions) / (now() - start) / 1e9)
        }
        blackHole(sink)
        return median(rates)
    }

    // MARK: Appends

    static func appends(directory: String, quick: Bool) throws {
        print("\n## RecordLog.append (payload + 32-byte header per record; fresh file per run)")
        print("record   policy       count  p50 ms   p90 ms   p99 ms   MB/s append  MB/s incl. final sync")
        let cases: [(size: Int, count: Int, seconds: Double)] = [
            (4 << 10, quick ? 200 : 2000, quick ? 3 : 15),
            (4 << 20, quick ? 20 : 100, quick ? 3 : 20),
            (40 << 20, quick ? 4 : 20, quick ? 5 : 30),
        ]
        let policies: [FsyncPolicy] = [.always, .interval(seconds: 1), .never]
        for (size, count, seconds) in cases {
            let payload = pseudoRandomBytes(size)
            for policy in policies {
                let path = directory + "/bench-\(size)-\(policy).log"
                unlink(path)
                let log = try RecordLog.create(at: path, policy: policy)
                try log.append(payload)  // warm-up: first extent allocation, page faults
                var latencies: [Double] = []
                let start = now()
                while latencies.count < count && now() - start < seconds {
                    let before = now()
                    try log.append(payload)
                    latencies.append(now() - before)
                }
                let appendSeconds = now() - start
                try log.sync()
                let syncedSeconds = now() - start
                try log.close()
                unlink(path)
                let megabytes = Double(latencies.count * size) / 1e6
                latencies.sort()
                print(
                    pad(label(size), 9) + pad("\(policy)", 13) + pad("\(latencies.count)", 7)
                        + pad(format(percentile(latencies, 0.5) * 1e3, 3), 9)
                        + pad(format(percentile(latencies, 0.9) * 1e3, 3), 9)
                        + pad(format(percentile(latencies, 0.99) * 1e3, 3), 9)
                        + pad(format(megabytes / appendSeconds, 0), 13) + format(megabytes / syncedSeconds, 0))
            }
        }
    }

    // MARK: Recovery

    static func recovery(directory: String, quick: Bool) throws {
        print("\n## RecordLog.open: validate and return every record (file in the page cache; median of 5)")
        print("records          file MB   seconds   GB/s")
        for (size, count) in [(4 << 10, quick ? 2000 : 20_000), (4 << 20, quick ? 10 : 100)] {
            let path = directory + "/bench-recovery-\(size).log"
            unlink(path)
            let log = try RecordLog.create(at: path, policy: .never)
            let payload = pseudoRandomBytes(size)
            for _ in 0..<count { try log.append(payload) }
            let fileBytes = log.byteCount
            try log.close()
            var times: [Double] = []
            for _ in 0..<5 {
                let start = now()
                let opened = try RecordLog.open(at: path, policy: .never)
                times.append(now() - start)
                precondition(opened.records.count == count)
                try opened.log.close()
            }
            unlink(path)
            let seconds = median(times)
            print(
                pad("\(count) x \(label(size))", 17) + pad(format(Double(fileBytes) / 1e6, 0), 10)
                    + pad(format(seconds, 3), 10) + format(Double(fileBytes) / seconds / 1e9, 2))
        }
    }

    // MARK: Snapshots

    static func snapshots(directory: String, quick: Bool) throws {
        print("\n## AtomicFile (compaction's snapshot write: temp + fsync + rename + dir fsync; median of 5)")
        print("size      write ms (fsync)   write ms (no fsync)   read ms")
        for size in [4 << 10, 4 << 20, 40 << 20] {
            let path = directory + "/bench-snapshot"
            let bytes = pseudoRandomBytes(size)
            var synced: [Double] = []
            var unsynced: [Double] = []
            var reads: [Double] = []
            for _ in 0..<(quick ? 2 : 5) {
                var start = now()
                try AtomicFile.write(path: path, bytes: bytes, fsync: true)
                synced.append(now() - start)
                start = now()
                try AtomicFile.write(path: path, bytes: bytes, fsync: false)
                unsynced.append(now() - start)
                start = now()
                let back = try AtomicFile.read(path: path)
                reads.append(now() - start)
                precondition(back.count == size)
            }
            unlink(path)
            print(
                pad(label(size), 10) + pad(format(median(synced) * 1e3, 2), 19)
                    + pad(format(median(unsynced) * 1e3, 2), 22) + format(median(reads) * 1e3, 2))
        }
    }

    // MARK: Helpers

    static func now() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) * 1e-9
    }

    static func median(_ values: [Double]) -> Double { percentile(values.sorted(), 0.5) }

    /// Nearest-rank percentile of sorted values.
    static func percentile(_ sorted: [Double], _ fraction: Double) -> Double {
        guard !sorted.isEmpty else { return .nan }
        let rank = Int((fraction * Double(sorted.count)).rounded(.up)) - 1
        return sorted[min(max(rank, 0), sorted.count - 1)]
    }

    static func pseudoRandomBytes(_ count: Int) -> [UInt8] {
        var state: UInt64 = 0x2545_F491_4F6C_DD1D
        return [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            for index in 0..<count {
                state ^= state << 13
                state ^= state >> 7
                state ^= state << 17
                buffer[index] = UInt8(truncatingIfNeeded: state)
            }
            initialized = count
        }
    }

    static func label(_ size: Int) -> String {
        size >= 1 << 20 ? "\(size >> 20) MiB" : "\(size >> 10) KiB"
    }

    static func format(_ value: Double, _ decimals: Int) -> String {
        guard value.isFinite else { return "n/a" }
        var scale = 1.0
        for _ in 0..<decimals { scale *= 10 }
        let rounded = (value * scale).rounded() / scale
        var text = "\(rounded)"
        if decimals == 0, text.hasSuffix(".0") { text.removeLast(2) }
        if decimals > 0, let dot = text.firstIndex(of: ".") {
            let have = text.distance(from: dot, to: text.endIndex) - 1
            if have < decimals { text += String(repeating: "0", count: decimals - have) }
        }
        return text
    }

    static func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text + " " : text + String(repeating: " ", count: width - text.count)
    }

    static func loadAverage() -> String {
        var loads = [Double](repeating: 0, count: 3)
        let count = getloadavg(&loads, 3)
        return count == 3 ? loads.map { format($0, 2) }.joined(separator: " ") : "unknown"
    }

    /// The file system type of the mount holding `path`, from /proc/self/mounts (longest mount-point prefix).
    static func fileSystemName(_ path: String) -> String {
        var resolved = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        guard realpath(path, &resolved) != nil, let mounts = fopen("/proc/self/mounts", "r") else { return "unknown" }
        defer { fclose(mounts) }
        let target = String(decoding: resolved.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        var best = (point: "", type: "unknown")
        var line = [CChar](repeating: 0, count: 4096)
        while fgets(&line, Int32(line.count), mounts) != nil {
            let text = String(decoding: line.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            let fields = text.split(separator: " ")
            guard fields.count >= 3 else { continue }
            let point = String(fields[1])
            let covers = target == point || target.hasPrefix(point.hasSuffix("/") ? point : point + "/")
            if covers && point.count >= best.point.count { best = (point, String(fields[2])) }
        }
        return best.type == "tmpfs" ? "tmpfs (fsync is free there: not disk numbers)" : best.type
    }

    @inline(never)
    static func blackHole(_ value: UInt32) {
        if value == 0x1234_5678 { print("") }
    }
}
