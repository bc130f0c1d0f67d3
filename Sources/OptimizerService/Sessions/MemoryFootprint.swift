import OptimizerCore

/// What the memory budget (`--memory-budget`) counts, in bytes, for sessions and for the requests and
/// responses in flight. Every figure is counted before the memory is allocated, and the constants are
/// upper bounds measured on the release binary (docs/limits.md, "What the memory budget counts";
/// BENCHMARKS.md gives the measured RSS against the budget).
enum MemoryFootprint {
    /// A session's fixed cost: its lock, lane (a Dispatch queue), registry entries and summary.
    static let perSession = 4096
    /// Per parameter tensor, besides its name and shape: the layout entry, the name index, and the
    /// engine's per-tensor arrays (step, flags, norms, group) with allocator rounding.
    static let perTensor = 320
    /// Per byte of a parameter's name (kept in the layout and its index) and per dimension of a shape.
    static let perNameByte = 2
    static let perDimension = 16
    /// One remembered idempotency key at most: the key (up to 255 bytes), the body digest, the step
    /// report and the cache's bookkeeping. The cache is counted full (`ServiceConfiguration.idempotencyKeysPerSession`, 1,024).
    static let perIdempotencyKey = 400

    /// A session held in memory: parameters and state tensors (`stateBytes`, as the engine will hold them),
    /// one gradient buffer for a step in flight, per-tensor bookkeeping, and a full idempotency cache.
    /// Saturates at `Int.max`.
    static func session(layout: ParameterLayout, stateBytes: Int, dtype: DType, idempotencyKeys: Int) -> Int {
        var total = Saturating(stateBytes)
        total += Saturating(layout.totalCount) * dtype.byteWidth
        total += perSession
        total += Saturating(idempotencyKeys) * perIdempotencyKey
        for entry in layout.entries {
            total += perTensor + perNameByte * entry.name.utf8.count + perDimension * entry.shape.count
        }
        return total.value
    }

    /// The JSON arrays that nested-array text of `shape` holds: 1 for the outermost, plus one per element
    /// of every dimension but the last (`[2, 0]` is `[[],[]]`: 3). A zero dimension empties the arrays
    /// below it but not those above it, so this can exceed the element count. Saturates.
    static func jsonArrays(shape: [Int]) -> Int {
        guard !shape.isEmpty else { return 0 }
        var arrays = Saturating(1)
        var product = Saturating(1)
        for d in shape.dropLast() {
            product = product * d
            arrays += product.value
        }
        return arrays.value
    }

    /// An upper bound on the JSON text of every parameter's values (a `GET …/parameters` or step
    /// response): each number at its longest with its comma, each array's brackets and comma, each
    /// name quoted with its colon, plus the envelope.
    static func parametersJSON(layout: ParameterLayout, dtype: DType) -> Int {
        let perNumber = dtype == .float32 ? 16 : 25
        var total = Saturating(256)
        for entry in layout.entries {
            total += Saturating(entry.count) * perNumber
            total += Saturating(jsonArrays(shape: entry.shape)) * 3
            total += 8 + 6 * entry.name.utf8.count  // a name escaped at worst (\u00XX) is 6 bytes a byte
        }
        return total.value
    }

    /// An upper bound on a checkpoint's JSON (parameters and state tensors, flat), plus the engine
    /// checkpoint copied out of the session to write it, plus the copy the session makes of its own
    /// state if a step runs while the checkpoint is written (copy-on-write).
    static func checkpointJSON(layout: ParameterLayout, stateBytes: Int, dtype: DType) -> Int {
        let perNumber = dtype == .float32 ? 16 : 25
        let elements = Saturating(stateBytes) / dtype.byteWidth
        var total = Saturating(1024) + Saturating(stateBytes) * 2 + elements * perNumber
        for entry in layout.entries {
            total += 128 + 6 * entry.name.utf8.count + 24 * entry.shape.count
        }
        return total.value
    }

    /// An upper bound on a session summary's JSON: the spec and envelope, then per tensor its name
    /// (escaped at worst), shape, offset and count.
    static func summaryJSON(layout: ParameterLayout) -> Int {
        var total = Saturating(4096)
        for entry in layout.entries {
            total += 96 + 6 * entry.name.utf8.count + 21 * entry.shape.count
        }
        return total.value
    }

    /// Parsing a JSON request body of `bodyBytes` into doubles: a number takes at least 2 bytes of text
    /// (`0,`) and 8 as a `Double`, then once more in the session dtype; so at most 6 bytes per byte.
    static func parsedJSON(bodyBytes: Int) -> Int {
        (Saturating(bodyBytes) * 6).value
    }
}

/// An `Int` whose arithmetic stops at `Int.max` instead of trapping (sizes computed from client input).
struct Saturating {
    private(set) var value: Int

    init(_ value: Int) {
        self.value = value
    }

    static func + (a: Saturating, b: Int) -> Saturating {
        let (sum, overflow) = a.value.addingReportingOverflow(b)
        return Saturating(overflow ? Int.max : sum)
    }

    static func + (a: Saturating, b: Saturating) -> Saturating { a + b.value }

    static func += (a: inout Saturating, b: Int) { a = a + b }

    static func += (a: inout Saturating, b: Saturating) { a = a + b.value }

    static func * (a: Saturating, b: Int) -> Saturating {
        let (product, overflow) = a.value.multipliedReportingOverflow(by: b)
        return Saturating(overflow ? Int.max : product)
    }

    static func / (a: Saturating, b: Int) -> Saturating { Saturating(a.value / b) }
}
