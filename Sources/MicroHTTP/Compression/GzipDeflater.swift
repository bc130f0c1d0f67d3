import CZlib

/// One-shot gzip compression of response bodies (RFC 1952 via zlib, windowBits 15 + 16, memLevel 8).
enum GzipDeflater {
    /// The gzip member for `input` at zlib `level` (1 fastest ... 9 smallest), or nil on a zlib error.
    static func compress(_ input: UnsafeRawBufferPointer, level: Int) -> [UInt8]? {
        var stream = z_stream()
        guard czlib_deflateInit2(&stream, Int32(level), 15 + 16, 8, Z_DEFAULT_STRATEGY) == Z_OK else { return nil }
        defer { deflateEnd(&stream) }
        let bound = Int(deflateBound(&stream, uLong(input.count))) + 32
        var output = [UInt8](repeating: 0, count: bound)
        let rc = output.withUnsafeMutableBytes { out -> Int32 in
            stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress?.assumingMemoryBound(to: Bytef.self))
            stream.avail_in = uInt(input.count)
            stream.next_out = out.baseAddress?.assumingMemoryBound(to: Bytef.self)
            stream.avail_out = uInt(out.count)
            return deflate(&stream, Z_FINISH)
        }
        guard rc == Z_STREAM_END else { return nil }
        output.removeLast(output.count - Int(stream.total_out))
        return output
    }
}
