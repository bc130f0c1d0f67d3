import FastJSON
import Foundation

/// Measures FastJSON reading and writing float arrays, and runs scripts/bench/orjson_bench.py on the same text.
///
/// Usage: swift run -c release --package-path Benchmarks json-bench [--count N] [--repeat R] [--no-orjson]
///        [--python PATH] [--orjson-script PATH] [--only NAME-FRAGMENT]
///        [--verify-all-floats [--threads T] [--chunks FROM:TO]]
enum JSONBench {
    struct Options {
        var count = 1_000_000
        var repeats = 15
        var orjson = true
        var python = "python3"
        var script: String?
        var verifyAllFloats = false
        var threads = 1
        var only: String?
        var chunks: Range<Int>?
    }

    static func parseOptions() -> Options {
        var options = Options()
        var args = CommandLine.arguments.dropFirst()
        func value(_ name: String) -> String {
            guard let v = args.popFirst() else {
                print("missing value for \(name)")
                exit(2)
            }
            return v
        }
        while let arg = args.popFirst() {
            switch arg {
            case "--count": options.count = Int(value(arg)) ?? options.count
            case "--repeat": options.repeats = max(1, Int(value(arg)) ?? options.repeats)
            case "--no-orjson": options.orjson = false
            case "--python": options.python = value(arg)
            case "--orjson-script": options.script = value(arg)
            case "--verify-all-floats": options.verifyAllFloats = true
            case "--threads": options.threads = max(1, Int(value(arg)) ?? 1)
            case "--only": options.only = value(arg)
            case "--chunks":
                // FROM:TO, half-open, of the 1024 chunks of --verify-all-floats.
                let parts = value(arg).split(separator: ":").compactMap { Int($0) }
                if parts.count == 2 && parts[0] < parts[1] { options.chunks = parts[0]..<parts[1] }
            default:
                print("unknown argument \(arg)")
                exit(2)
            }
        }
        return options
    }

    static func main() {
        let options = parseOptions()
        if options.verifyAllFloats {
            FloatVerifier.run(threads: options.threads, chunks: options.chunks)
            return
        }
        runBenchmarks(options)
    }

    // MARK: Data

    /// Gaussian values with standard deviation 0.01 (typical gradients), deterministic.
    static func gradients(count: Int, seed: UInt64) -> [Double] {
        var state = seed
        func next() -> Double {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            z ^= z >> 31
            return (Double(z >> 11) + 0.5) * 0x1p-53
        }
        var out: [Double] = []
        out.reserveCapacity(count)
        while out.count < count {
            // Box-Muller.
            let r = (-2 * log(next())).squareRoot()
            let t = 2 * Double.pi * next()
            out.append(0.01 * r * cos(t))
            if out.count < count { out.append(0.01 * r * sin(t)) }
        }
        return out
    }

    // MARK: Timing

    struct Timing {
        /// Median wall-clock seconds.
        var median: Double
        /// Fastest wall-clock seconds.
        var min: Double
        /// Median CPU seconds of this thread (excludes time descheduled on a busy machine).
        var cpuMedian: Double
    }

    /// Checksum of every timed result, printed at the end so no work is optimized away; single-threaded use only.
    nonisolated(unsafe) static var sink: UInt64 = 0

    static func threadCPUSeconds() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
    }

    static func measure(_ repeats: Int, _ body: () -> UInt64) -> Timing {
        let clock = ContinuousClock()
        var times: [Double] = []
        var cpu: [Double] = []
        _ = body()  // warm-up
        for _ in 0..<repeats {
            let cpuStart = threadCPUSeconds()
            let start = clock.now
            sink &+= body()
            let elapsed = clock.now - start
            cpu.append(threadCPUSeconds() - cpuStart)
            times.append(Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18)
        }
        times.sort()
        cpu.sort()
        return Timing(median: times[times.count / 2], min: times[0], cpuMedian: cpu[cpu.count / 2])
    }

    static func row(_ name: String, _ t: Timing, count: Int, bytes: Int) {
        let mps = Double(count) / t.median / 1e6
        let mbps = Double(bytes) / t.median / 1e6
        let cpuPart =
            t.cpuMedian > 0
            ? String(format: " cpu %6.2f ms %6.1f M/s", t.cpuMedian * 1e3, Double(count) / t.cpuMedian / 1e6) : ""
        print(
            name.padding(toLength: 56, withPad: " ", startingAt: 0)
                + String(format: "%8.2f ms %6.1f M/s %5.0f MB/s (min %6.2f ms)", t.median * 1e3, mps, mbps, t.min * 1e3)
                + cpuPart)
    }

    /// Runs and prints one case unless `--only` excludes it; returns its timing.
    static func bench(_ o: Options, _ name: String, count: Int, bytes: Int, _ body: () -> UInt64) -> Timing? {
        if let only = o.only, !name.contains(only) { return nil }
        let t = measure(o.repeats, body)
        row(name, t, count: count, bytes: bytes)
        return t
    }

    static func require(_ condition: Bool, _ message: String) {
        if !condition {
            print("CHECK FAILED: \(message)")
            exit(1)
        }
    }

    // MARK: FastJSON cases

    static func parseFloats(_ text: [UInt8]) -> [Float] {
        var reader = JSONReader(text)
        var values: [Float] = []
        var shape: [Int] = []
        do {
            _ = try reader.readNumberArray(into: &values, shape: &shape)
            try reader.finish()
        } catch {
            print("parse failed: \(error)")
            exit(1)
        }
        return values
    }

    static func runBenchmarks(_ o: Options) {
        let n = o.count
        let side = Int(Double(n).squareRoot())
        let doubles = gradients(count: n, seed: 7)
        let floats = doubles.map { Float($0) }
        let shape2D = [side, n / side]
        let n2D = side * (n / side)

        var w32 = JSONWriter()
        w32.writeNumberArray(floats)
        let text32 = w32.bytes
        var w32n = JSONWriter()
        w32n.writeNumberArray(floats[0..<n2D], shape: shape2D)
        let text32Nested = w32n.bytes
        var w64 = JSONWriter()
        w64.writeNumberArray(doubles)
        let text64 = w64.bytes
        // What Python's json.dumps(tensor.tolist()) sends for a float32 tensor: the float64 repr of each float32.
        var wPy = JSONWriter()
        wPy.writeNumberArray(floats.map { Double($0) })
        let textPy = wPy.bytes

        require(parseFloats(text32).elementsEqual(floats, by: { $0.bitPattern == $1.bitPattern }), "float32 round trip")
        require(
            parseFloats(textPy).elementsEqual(floats, by: { $0.bitPattern == $1.bitPattern }), "python text round trip")

        let load =
            (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?.split(separator: " ").prefix(3)
            .joined(separator: " ") ?? "?"
        print("json-bench: \(n) gradient-like values (N(0, 0.01)), median of \(o.repeats) runs, one thread")
        print("load average before: \(load); \(ProcessInfo.processInfo.activeProcessorCount) CPUs")
        print(
            String(
                format:
                    "float32 text %.2f MB (%.1f B/number, e.g. %@); float64 text %.2f MB; python-style float32 %.2f MB",
                Double(text32.count) / 1e6, Double(text32.count) / Double(n),
                String(decoding: text32.prefix(40), as: UTF8.self), Double(text64.count) / 1e6,
                Double(textPy.count) / 1e6))
        print("")

        var values32 = [Float](repeating: 0, count: n)
        var shape: [Int] = []
        var appended: [Float] = []
        appended.reserveCapacity(n)
        var values64 = [Double](repeating: 0, count: n)

        let parse32 = bench(o, "FastJSON parse float32 flat -> preallocated [Float]", count: n, bytes: text32.count) {
            var reader = JSONReader(text32)
            let info = try? reader.readNumberArray(into: &values32, at: 0, maxCount: n, shape: &shape)
            return UInt64(info?.count ?? 0)
        }
        _ = bench(o, "FastJSON parse float32 flat -> append to [Float]", count: n, bytes: text32.count) {
            appended.removeAll(keepingCapacity: true)
            var reader = JSONReader(text32)
            let info = try? reader.readNumberArray(into: &appended, shape: &shape)
            return UInt64(info?.count ?? 0)
        }
        _ = bench(o, "FastJSON parse float32 nested \(shape2D) -> [Float]", count: n2D, bytes: text32Nested.count) {
            var reader = JSONReader(text32Nested)
            let info = try? reader.readNumberArray(into: &values32, at: 0, maxCount: n, shape: &shape)
            return UInt64(info?.count ?? 0)
        }
        _ = bench(o, "FastJSON parse python-style 17-digit text -> [Float]", count: n, bytes: textPy.count) {
            var reader = JSONReader(textPy)
            let info = try? reader.readNumberArray(into: &values32, at: 0, maxCount: n, shape: &shape)
            return UInt64(info?.count ?? 0)
        }
        let parse64 = bench(o, "FastJSON parse float64 flat -> [Double]", count: n, bytes: text64.count) {
            var reader = JSONReader(text64)
            let info = try? reader.readNumberArray(into: &values64, at: 0, maxCount: n, shape: &shape)
            return UInt64(info?.count ?? 0)
        }

        // A step body with many small tensors: {"gradients": {"p0": [[..10..] x 10], ...}} (10 000 x [10, 10]).
        let tensors = n / 100
        var wMany = JSONWriter()
        wMany.beginObject()
        wMany.writeKey("gradients")
        wMany.beginObject()
        for t in 0..<tensors {
            wMany.writeKey("p\(t)")
            wMany.writeNumberArray(floats[(t * 100)..<(t * 100 + 100)], shape: [10, 10])
        }
        wMany.endObject()
        wMany.endObject()
        let textMany = wMany.bytes
        _ = bench(
            o, "FastJSON parse \(tensors) tensors [10, 10] by key -> [Float]", count: tensors * 100,
            bytes: textMany.count
        ) {
            var reader = JSONReader(textMany)
            var total = 0
            do {
                try reader.beginObject()
                while try reader.nextKey() != nil {
                    try reader.beginObject()
                    var offset = 0
                    while try reader.nextKey() != nil {
                        let info = try reader.readNumberArray(into: &values32, at: offset, maxCount: 100, shape: &shape)
                        offset += info.count
                    }
                    total += offset
                }
                try reader.finish()
            } catch {
                print("parse failed: \(error)")
                exit(1)
            }
            return UInt64(total)
        }
        let names = (0..<tensors).map { "p\($0)" }
        _ = bench(o, "FastJSON write \(tensors) tensors [10, 10] by key", count: tensors * 100, bytes: textMany.count) {
            var writer = JSONWriter()
            writer.beginObject()
            writer.writeKey("parameters")
            writer.beginObject()
            for t in 0..<tensors {
                writer.writeKey(names[t])
                writer.writeNumberArray(floats[(t * 100)..<(t * 100 + 100)], shape: [10, 10])
            }
            writer.endObject()
            writer.endObject()
            return UInt64(writer.bytes.count)
        }
        _ = bench(
            o, "FastJSON write \(tensors) tensors by key, capacity reserved", count: tensors * 100,
            bytes: textMany.count
        ) {
            var writer = JSONWriter(reservingCapacity: tensors * 100 * 17)
            writer.beginObject()
            writer.writeKey("parameters")
            writer.beginObject()
            for t in 0..<tensors {
                writer.writeKey(names[t])
                writer.writeNumberArray(floats[(t * 100)..<(t * 100 + 100)], shape: [10, 10])
            }
            writer.endObject()
            writer.endObject()
            return UInt64(writer.bytes.count)
        }

        let write32 = bench(o, "FastJSON write float32 flat (new JSONWriter)", count: n, bytes: text32.count) {
            var writer = JSONWriter()
            writer.writeNumberArray(floats)
            return UInt64(writer.bytes.count)
        }
        _ = bench(o, "FastJSON write float32 nested \(shape2D)", count: n2D, bytes: text32Nested.count) {
            var writer = JSONWriter()
            writer.writeNumberArray(floats[0..<n2D], shape: shape2D)
            return UInt64(writer.bytes.count)
        }
        let write64 = bench(o, "FastJSON write float64 flat (new JSONWriter)", count: n, bytes: text64.count) {
            var writer = JSONWriter()
            writer.writeNumberArray(doubles)
            return UInt64(writer.bytes.count)
        }

        // Baseline: Swift's own shortest formatting (`description`), appended with commas.
        _ = bench(o, "baseline: Float.description into [UInt8]", count: n, bytes: text32.count) {
            var out: [UInt8] = []
            out.reserveCapacity(n * 16)
            for x in floats {
                var s = x.description
                s.withUTF8 { out.append(contentsOf: $0) }
                out.append(UInt8(ascii: ","))
            }
            return UInt64(out.count)
        }
        _ = bench(o, "baseline: Double.description into [UInt8]", count: n, bytes: text64.count) {
            var out: [UInt8] = []
            out.reserveCapacity(n * 25)
            for x in doubles {
                var s = x.description
                s.withUTF8 { out.append(contentsOf: $0) }
                out.append(UInt8(ascii: ","))
            }
            return UInt64(out.count)
        }

        guard o.orjson else { return }
        print("")
        let o32 = runOrjson(o, text: text32, dtype: "float32")
        let o64 = runOrjson(o, text: text64, dtype: "float64")
        guard let o32, let o64 else { return }
        func orjsonRow(_ name: String, _ report: JSONValue, _ key: String, count: Int, bytes: Int) -> Timing? {
            guard let median = report[key + "_median_s"]?.doubleValue,
                let minimum = report[key + "_min_s"]?.doubleValue,
                let cpu = report[key + "_cpu_s"]?.doubleValue
            else { return nil }
            let t = Timing(median: median, min: minimum, cpuMedian: cpu)
            row(name, t, count: count, bytes: bytes)
            return t
        }

        let version = o32["orjson"]?.stringValue ?? "?"
        let ol32 = orjsonRow("orjson \(version) loads float32 text", o32, "loads", count: n, bytes: text32.count)
        let od32 = orjsonRow(
            "orjson dumps list of floats (float32 values)", o32, "dumps", count: n, bytes: text32.count)
        let on32 = orjsonRow("orjson dumps numpy float32 array", o32, "dumps_numpy", count: n, bytes: text32.count)
        let ol64 = orjsonRow("orjson loads float64 text", o64, "loads", count: n, bytes: text64.count)
        let od64 = orjsonRow("orjson dumps list of floats (float64)", o64, "dumps", count: n, bytes: text64.count)
        let on64 = orjsonRow("orjson dumps numpy float64 array", o64, "dumps_numpy", count: n, bytes: text64.count)
        print("")
        func ratio(_ name: String, _ ours: Timing?, _ theirs: Timing?) {
            guard let ours, let theirs else { return }
            print(
                name.padding(toLength: 56, withPad: " ", startingAt: 0)
                    + String(
                        format: "%6.2fx wall   %6.2fx cpu", theirs.median / ours.median,
                        theirs.cpuMedian / ours.cpuMedian))
        }
        ratio("speed-up parse float32 vs orjson.loads", parse32, ol32)
        ratio("speed-up write float32 vs orjson.dumps(list)", write32, od32)
        ratio("speed-up write float32 vs orjson.dumps(numpy f32)", write32, on32)
        ratio("speed-up parse float64 vs orjson.loads", parse64, ol64)
        ratio("speed-up write float64 vs orjson.dumps(list)", write64, od64)
        ratio("speed-up write float64 vs orjson.dumps(numpy f64)", write64, on64)
        print("(checksum \(sink % 1000))")
    }

    // MARK: orjson

    static func findScript(_ o: Options) -> String? {
        if let s = o.script { return s }
        for candidate in ["scripts/bench/orjson_bench.py", "../scripts/bench/orjson_bench.py"]
        where FileManager.default.fileExists(atPath: candidate) {
            return candidate
        }
        return nil
    }

    static func runOrjson(_ o: Options, text: [UInt8], dtype: String) -> JSONValue? {
        guard let script = findScript(o) else {
            print(
                "orjson: scripts/bench/orjson_bench.py not found (run from the repository root or pass --orjson-script)"
            )
            return nil
        }
        let path = NSTemporaryDirectory() + "json-bench-\(getpid())-\(dtype).json"
        defer { try? FileManager.default.removeItem(atPath: path) }
        guard FileManager.default.createFile(atPath: path, contents: Data(text)) else {
            print("orjson: cannot write \(path)")
            return nil
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [o.python, script, "--input", path, "--repeat", String(o.repeats), "--dtype", dtype]
        let pipe = Pipe()
        process.standardOutput = pipe
        do {
            try process.run()
        } catch {
            print("orjson: cannot run \(o.python): \(error)")
            return nil
        }
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0, let value = try? JSONValue(parsing: [UInt8](output)) else {
            print("orjson: the script failed (status \(process.terminationStatus)); is orjson installed?")
            return nil
        }
        return value
    }
}
