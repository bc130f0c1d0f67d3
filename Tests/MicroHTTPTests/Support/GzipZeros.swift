import CZlib

/// gzip of `total` zero bytes at level 9, produced by streaming (the plain data is never held): a
/// bomb of about 1 KB per MiB.
func gzipZeros(total: Int) -> [UInt8] {
    var stream = z_stream()
    _ = czlib_deflateInit2(&stream, 9, 15 + 16, 8, Z_DEFAULT_STRATEGY)
    defer { deflateEnd(&stream) }
    let zeros = [UInt8](repeating: 0, count: 1 << 20)
    var out: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 1 << 16)
    var remaining = total
    while true {
        let n = min(remaining, zeros.count)
        remaining -= n
        let flush = remaining == 0 ? Z_FINISH : Z_NO_FLUSH
        zeros.withUnsafeBytes { z in
            stream.next_in = UnsafeMutablePointer(mutating: z.baseAddress?.assumingMemoryBound(to: Bytef.self))
            stream.avail_in = uInt(n)
            repeat {
                chunk.withUnsafeMutableBytes { c in
                    stream.next_out = c.baseAddress?.assumingMemoryBound(to: Bytef.self)
                    stream.avail_out = uInt(c.count)
                    _ = deflate(&stream, flush)
                    out.append(contentsOf: c[0..<(c.count - Int(stream.avail_out))])
                }
            } while stream.avail_out == 0
        }
        if remaining == 0 { break }
    }
    return out
}
