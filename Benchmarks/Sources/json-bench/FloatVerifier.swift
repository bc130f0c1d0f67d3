import FastJSON
import Foundation

/// Checks every one of the 2^32 float bit patterns: FastJSON's text equals Swift's `description` (shortest,
/// closest, and known to read back exactly; non-finite values must be written as `null`), and FastJSON reads
/// the text of every finite value back to the same bits.
enum FloatVerifier {
    static func run(threads: Int) {
        let chunkBits = 22
        let chunks = 1 << (32 - chunkBits)
        let failures = Failures()
        let start = ContinuousClock.now
        print("verifying all 2^32 float bit patterns in \(chunks) chunks on \(threads) thread(s)...")
        DispatchQueue.concurrentPerform(iterations: threads) { worker in
            var chunk = worker
            while chunk < chunks {
                let problems = verify(chunk: chunk, chunkBits: chunkBits)
                failures.add(problems)
                if chunk % 64 == 0 { print("chunk \(chunk)/\(chunks): \(failures.count) failures so far") }
                chunk += threads
            }
        }
        print("done in \(ContinuousClock.now - start): \(failures.count) failures")
        for f in failures.first { print("  \(f)") }
        if failures.count > 0 { exit(1) }
    }

    static func verify(chunk: Int, chunkBits: Int) -> [String] {
        let base = UInt32(chunk) << UInt32(chunkBits)
        let values = (0..<UInt32(1 << chunkBits)).map { Float(bitPattern: base | $0) }
        var writer = JSONWriter()
        writer.writeNumberArray(values)
        var problems: [String] = []
        // Compare each element's text with description.
        let bytes = writer.bytes
        var start = 1
        var index = 0
        for i in 1..<bytes.count where bytes[i] == UInt8(ascii: ",") || i == bytes.count - 1 {
            let v = values[index]
            let matches =
                v.isFinite
                ? bytes[start..<i].elementsEqual(v.description.utf8)
                : bytes[start..<i].elementsEqual("null".utf8)
            if !matches && problems.count < 10 {
                let text = String(decoding: bytes[start..<i], as: UTF8.self)
                problems.append(
                    "0x\(String(v.bitPattern, radix: 16)): \(text) != \(v.isFinite ? v.description : "null")")
            }
            start = i + 1
            index += 1
        }
        if index != values.count { problems.append("chunk \(chunk): \(index) texts for \(values.count) values") }
        // Read the finite ones back with FastJSON.
        let finite = values.filter(\.isFinite)
        var w2 = JSONWriter()
        w2.writeNumberArray(finite)
        var reader = JSONReader(w2.bytes)
        var back: [Float] = []
        var shape: [Int] = []
        do {
            _ = try reader.readNumberArray(into: &back, shape: &shape)
        } catch {
            problems.append("chunk \(chunk): \(error)")
        }
        if !back.elementsEqual(finite, by: { $0.bitPattern == $1.bitPattern }) {
            problems.append("chunk \(chunk): FastJSON read-back differs")
        }
        return problems
    }

    /// Thread-safe failure collection (NSLock guards both fields).
    final class Failures: @unchecked Sendable {
        private let lock = NSLock()
        private var all: [String] = []

        func add(_ problems: [String]) {
            lock.lock()
            all += problems
            lock.unlock()
        }

        var count: Int {
            lock.lock()
            defer { lock.unlock() }
            return all.count
        }

        var first: [String] {
            lock.lock()
            defer { lock.unlock() }
            return Array(all.prefix(20))
        }
    }
}
