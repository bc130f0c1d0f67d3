import CZlib

/// Incremental gunzip of one request body with an absolute cap on the output (docs/http.md §7.3).
/// `Sendable` is not claimed: one inflater is used by one thread at a time.
///
/// Accepts exactly one gzip member (RFC 1952): zlib or raw deflate data, a second member, trailing
/// bytes or a truncated stream are errors. Output is produced in 64 KiB steps and the running total
/// is checked after every step, so a zip bomb costs at most `maxOutput` + 64 KiB of memory (plus the
/// output buffer's last doubling while its bytes move). With a ``BodyMemoryGate``, the output buffer's
/// growth past 64 KiB is reserved through it first (``BodyMemory/makeRoom(in:leases:for:limit:gate:)``).
final class GzipInflater {
    /// Why inflation stopped.
    enum Failure: Error, Equatable {
        /// The decompressed size passed the cap → 413.
        case tooLarge
        /// Not a single valid gzip member → 400.
        case corrupt
        /// The body memory gate refused a reservation of `bytes` for the output.
        case refused(bytes: Int)
    }

    private let stream: UnsafeMutablePointer<z_stream>
    private var scratch: [UInt8]
    private var finished = false
    private var initialised = false
    let maxOutput: Int
    private let gate: (any BodyMemoryGate)?
    /// The leases that count the output buffer's capacity against `gate`.
    private(set) var outputLeases: [any BodyMemoryLease] = []

    /// Creates an inflater whose output may not exceed `maxOutput` bytes, counted against `gate`.
    init(maxOutput: Int, gate: (any BodyMemoryGate)? = nil) {
        self.maxOutput = maxOutput
        self.gate = gate
        stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
        stream.initialize(to: z_stream())
        scratch = [UInt8](repeating: 0, count: 64 * 1024)
        // windowBits 15 + 16: gzip only (zlib.h); zlib-wrapped data fails with Z_DATA_ERROR.
        initialised = czlib_inflateInit2(stream, 15 + 16) == Z_OK
    }

    deinit {
        if initialised { inflateEnd(stream) }
        stream.deinitialize(count: 1)
        stream.deallocate()
    }

    /// Inflates `input`, appending the output to `output`.
    func inflate(_ input: UnsafeRawBufferPointer, into output: inout [UInt8]) throws(Failure) {
        guard initialised else { throw .corrupt }
        guard !input.isEmpty else { return }
        // Bytes after the end of the member: a second member or garbage.
        guard !finished, let base = input.baseAddress else { throw .corrupt }
        stream.pointee.next_in = UnsafeMutablePointer(mutating: base.assumingMemoryBound(to: Bytef.self))
        stream.pointee.avail_in = uInt(input.count)
        defer {
            stream.pointee.next_in = nil
            stream.pointee.avail_in = 0
        }
        while true {
            let chunk = scratch.count
            let (rc, produced) = scratch.withUnsafeMutableBytes { raw -> (Int32, Int) in
                stream.pointee.next_out = raw.baseAddress?.assumingMemoryBound(to: Bytef.self)
                stream.pointee.avail_out = uInt(chunk)
                let rc = CZlib.inflate(stream, Z_NO_FLUSH)
                let produced = chunk - Int(stream.pointee.avail_out)
                stream.pointee.next_out = nil
                return (rc, produced)
            }
            if produced > 0 {
                guard output.count + produced <= maxOutput else { throw .tooLarge }
                try makeRoom(in: &output, for: produced)
                output.append(contentsOf: scratch[0..<produced])
            }
            switch rc {
            case Z_STREAM_END:
                finished = true
                if stream.pointee.avail_in > 0 { throw .corrupt }
                return
            case Z_OK:
                if stream.pointee.avail_in == 0 && produced < chunk { return }
            case Z_BUF_ERROR:
                // No progress possible: all input consumed and output space left → need more input.
                if stream.pointee.avail_in == 0 { return }
                throw .corrupt
            default:
                throw .corrupt
            }
        }
    }

    /// Grows `output` for `extra` more bytes through the gate.
    private func makeRoom(in output: inout [UInt8], for extra: Int) throws(Failure) {
        if let refused = BodyMemory.makeRoom(
            in: &output, leases: &outputLeases, for: extra, limit: maxOutput, gate: gate
        ) {
            throw .refused(bytes: refused)
        }
    }

    /// Checks that the whole member arrived (a truncated stream is an error).
    func finish() throws(Failure) {
        guard finished else { throw .corrupt }
    }

    /// An inflated body and the gate leases that count its buffer.
    struct Inflated {
        var bytes: [UInt8]
        var leases: [any BodyMemoryLease]
    }

    /// Inflates a complete gzip body, or fails with `.tooLarge` as soon as the output passes
    /// `maxOutput` (so a bomb costs at most `maxOutput` + 64 KiB), `.refused` when `gate` refuses the
    /// output's growth, or `.corrupt`.
    static func inflateAll(
        _ input: [UInt8],
        maxOutput: Int,
        gate: (any BodyMemoryGate)? = nil
    ) -> Result<Inflated, Failure> {
        let inflater = GzipInflater(maxOutput: maxOutput, gate: gate)
        var output: [UInt8] = []
        let outcome = input.withUnsafeBytes { raw in
            Result { () throws(Failure) in
                try inflater.makeRoom(in: &output, for: min(maxOutput, max(4096, input.count * 4)))
                try inflater.inflate(raw, into: &output)
                try inflater.finish()
            }
        }
        return outcome.map { Inflated(bytes: output, leases: inflater.outputLeases) }
    }
}
