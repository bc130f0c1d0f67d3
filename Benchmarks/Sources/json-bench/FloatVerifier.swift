import FastJSON
import Foundation

/// Checks every one of the 2^32 float bit patterns: FastJSON reads the text of every finite value back to the
/// same bits, and the text equals Swift's `description` (shortest, closest; non-finite values must be `null`)
/// except where `description` itself does not read back through the nearest double (then FastJSON writes 9
/// significant digits; these are listed as fallbacks).
enum FloatVerifier {
    static func run(threads: Int, chunks range: Range<Int>? = nil) {
        let chunkBits = 22
        let chunks = 1 << (32 - chunkBits)
        let range = (range ?? 0..<chunks).clamped(to: 0..<chunks)
        let failures = Failures()
        let start = ContinuousClock.now
        print(
            "verifying float bit patterns of chunks \(range) of \(chunks) (2^\(chunkBits) each) on \(threads) thread(s)..."
        )
        DispatchQueue.concurrentPerform(iterations: threads) { worker in
            var chunk = range.lowerBound + worker
            while chunk < range.upperBound {
                var fallbacks: [String] = []
                let problems = verify(chunk: chunk, chunkBits: chunkBits, fallbacks: &fallbacks)
                for problem in problems { print("FAILURE \(problem)") }
                for fallback in fallbacks {
                    print("fallback (description does not read back through a double) \(fallback)")
                }
                failures.add(problems)
                if chunk % 64 == 0 { print("chunk \(chunk)/\(chunks): \(failures.count) failures so far") }
                chunk += threads
            }
        }
        print("done in \(ContinuousClock.now - start): \(failures.count) failures")
        for f in failures.first { print("  \(f)") }
        if failures.count > 0 { exit(1) }
    }

    /// Whether FastJSON reads `text` back as `v` (nearest double, then nearest float).
    static func readsBack(_ text: some Collection<UInt8>, as v: Float) -> Bool {
        var reader = JSONReader(Array(text))
        guard let x = try? reader.readFloat() else { return false }
        return x.bitPattern == v.bitPattern
    }

    /// Problems in one chunk; values whose `description` does not read back through the nearest double (and
    /// whose FastJSON text, necessarily different, does) are counted in `fallbacks`, not as problems.
    static func verify(chunk: Int, chunkBits: Int, fallbacks: inout [String]) -> [String] {
        let base = UInt32(chunk) << UInt32(chunkBits)
        let values = (0..<UInt32(1 << chunkBits)).map { Float(bitPattern: base | $0) }
        var writer = JSONWriter()
        writer.writeNumberArray(values)
        var problems: [String] = []
        let bytes = writer.bytes
        // Every element's text: equal to description, and read back by FastJSON as the same float (`null`
        // elements, for the non-finite values, are read as NaN).
        var back: [Float] = []
        back.reserveCapacity(values.count)
        var reader = JSONReader(bytes)
        do {
            try reader.beginArray()
            while try reader.nextElement() {
                back.append(try reader.readNullIfPresent() ? .nan : try reader.readFloat())
            }
            try reader.finish()
        } catch {
            problems.append("chunk \(chunk): \(error)")
        }
        var start = 1
        var index = 0
        for i in 1..<bytes.count where bytes[i] == UInt8(ascii: ",") || i == bytes.count - 1 {
            let v = values[index]
            let text = bytes[start..<i]
            let name = "0x\(String(v.bitPattern, radix: 16))"
            if v.isFinite {
                let description = v.description
                let readBack = index < back.count && back[index].bitPattern == v.bitPattern
                if !readBack {
                    problems.append("\(name): \(String(decoding: text, as: UTF8.self)) reads back differently")
                } else if !text.elementsEqual(description.utf8) {
                    if readsBack(description.utf8, as: v) {
                        problems.append("\(name): \(String(decoding: text, as: UTF8.self)) != \(description)")
                    } else {
                        fallbacks.append(
                            "\(name): \(String(decoding: text, as: UTF8.self)) (description \(description))")
                    }
                }
            } else if !text.elementsEqual("null".utf8) {
                problems.append("\(name): \(String(decoding: text, as: UTF8.self)) != null")
            }
            start = i + 1
            index += 1
        }
        if index != values.count { problems.append("chunk \(chunk): \(index) texts for \(values.count) values") }
        return Array(problems.prefix(20))
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
