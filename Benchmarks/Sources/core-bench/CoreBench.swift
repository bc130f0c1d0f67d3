import Foundation
import OptimizerCore

/// Measures `OptimizerEngine<Float>.step` throughput for Adam, AdamW, SGD with momentum, Adagrad and
/// RMSprop on one tensor of 1k, 1M and 10M parameters, at 1 thread and at all cores, then runs
/// scripts/bench/torch_fused_adam.py for the torch baseline. Reports medians of repeated steps.
enum CoreBench {
    struct Case {
        var label: String
        var optimizer: ConfigValue
    }

    static let cases: [Case] = [
        Case(label: "adam", optimizer: .object([("type", .string("adam"))])),
        Case(label: "adamw", optimizer: .object([("type", .string("adamw"))])),
        Case(
            label: "sgd-momentum",
            optimizer: .object([("type", .string("sgd")), ("lr", .number(0.01)), ("momentum", .number(0.9))])),
        Case(label: "adagrad", optimizer: .object([("type", .string("adagrad"))])),
        Case(label: "rmsprop", optimizer: .object([("type", .string("rmsprop"))])),
    ]

    static func main() {
        let arguments = CommandLine.arguments
        let quick = arguments.contains("--quick")
        var sizes = quick ? [1_000, 1_000_000] : [1_000, 1_000_000, 10_000_000]
        var selected = cases
        if let i = arguments.firstIndex(of: "--only"), i + 1 < arguments.count {
            let names = arguments[i + 1].split(separator: ",").map(String.init)
            selected = cases.filter { names.contains($0.label) }
        }
        if let i = arguments.firstIndex(of: "--sizes"), i + 1 < arguments.count {
            sizes = arguments[i + 1].split(separator: ",").compactMap { Int($0) }
        }
        var runs = 1
        if let i = arguments.firstIndex(of: "--runs"), i + 1 < arguments.count, let r = Int(arguments[i + 1]), r > 0 {
            runs = min(r, 9)
        }
        let cores = OptimizerEngine<Float>.processorCount
        let threadCounts = cores > 1 ? [1, cores] : [1]
        print(
            "core-bench: float32, one parameter tensor, median of repeated steps (median of \(runs) run(s)); \(cores) cores"
        )
        print(pad("optimizer", 14) + pad("params", 10) + pad("threads", 8) + pad("median", 12) + "throughput")
        var adamFigures: [String: Double] = [:]
        for c in selected {
            for n in sizes {
                for threads in threadCounts {
                    do {
                        var perRun: [Double] = []
                        for _ in 0..<runs { perRun.append(try measure(c.optimizer, count: n, threads: threads)) }
                        perRun.sort()
                        let seconds = perRun[perRun.count / 2]
                        let rate = Double(n) / seconds
                        if c.label == "adam" { adamFigures["\(n)/\(threads)"] = rate }
                        print(
                            pad(c.label, 14) + pad(String(n), 10) + pad(String(threads), 8)
                                + pad(formatTime(seconds), 12) + formatRate(rate))
                    } catch {
                        print("\(c.label) n=\(n): \(error)")
                    }
                }
            }
        }
        if !arguments.contains("--no-torch") {
            runTorch(sizes: sizes, threads: threadCounts, runs: runs, adam: adamFigures)
        }
    }

    /// Median seconds per step after warm-up, bounded by repetitions and about 3 s per configuration.
    static func measure(_ optimizer: ConfigValue, count n: Int, threads: Int) throws -> Double {
        let spec = try TrainingSpec(.object([("optimizer", optimizer)]))
        let layout = try ParameterLayout([("w", [n])])
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> Float {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Float(Int64(bitPattern: state >> 11) % 2_000_001 - 1_000_000) / 1_000_000
        }
        var initial = [Float](repeating: 0, count: n)
        var gradients = [Float](repeating: 0, count: n)
        for i in 0..<n {
            initial[i] = next()
            gradients[i] = next()
        }
        var engine = try OptimizerEngine<Float>(spec: spec, layout: layout, initialValues: initial)
        engine.threadCount = threads
        let present = [true]
        let maxRepetitions = n <= 10_000 ? 20_000 : (n <= 1_000_000 ? 300 : 40)
        for _ in 0..<3 { _ = try engine.step(gradients: gradients, present: present) }
        var samples: [Double] = []
        samples.reserveCapacity(maxRepetitions)
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: .seconds(3))
        while samples.count < maxRepetitions, samples.count < 5 || clock.now < deadline {
            let start = clock.now
            _ = try engine.step(gradients: gradients, present: present)
            let elapsed = start.duration(to: clock.now)
            samples.append(Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18)
        }
        samples.sort()
        return samples[samples.count / 2]
    }

    static func runTorch(sizes: [Int], threads: [Int], runs: Int, adam: [String: Double]) {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
            "../../../scripts/bench/torch_fused_adam.py"
        ).standardized
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "python3", script.path, "--sizes", sizes.map(String.init).joined(separator: ","),
            "--threads", threads.map(String.init).joined(separator: ","), "--runs", String(runs),
        ]
        let pipe = Pipe()
        process.standardOutput = pipe
        do {
            try process.run()
        } catch {
            print("torch baseline not run: \(error)")
            return
        }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        print("")
        print("torch.optim.Adam(fused=True), same machine (" + script.lastPathComponent + "):")
        print(pad("params", 10) + pad("threads", 8) + pad("median", 12) + pad("throughput", 16) + "optd adam / torch")
        for line in text.split(separator: "\n") where line.hasPrefix("torch_fused_adam") {
            var fields: [String: String] = [:]
            for part in line.split(separator: " ").dropFirst() {
                let kv = part.split(separator: "=", maxSplits: 1)
                if kv.count == 2 { fields[String(kv[0])] = String(kv[1]) }
            }
            guard let n = fields["n"], let t = fields["threads"], let s = Double(fields["median_s"] ?? ""),
                let rate = Double(fields["params_per_s"] ?? "")
            else { continue }
            let ratio = adam["\(n)/\(t)"].map { String(format: "%.2fx", $0 / rate) } ?? "-"
            print(pad(n, 10) + pad(t, 8) + pad(formatTime(s), 12) + pad(formatRate(rate), 16) + ratio)
        }
        if process.terminationStatus != 0 { print("(torch script exited with status \(process.terminationStatus))") }
    }

    static func pad(_ s: String, _ width: Int) -> String {
        s.count >= width ? s + " " : s + String(repeating: " ", count: width - s.count)
    }

    static func formatTime(_ s: Double) -> String {
        s < 1e-3 ? String(format: "%.2f µs", s * 1e6) : String(format: "%.3f ms", s * 1e3)
    }

    static func formatRate(_ r: Double) -> String { String(format: "%.0f M params/s", r / 1e6) }
}
