/// A dependency-free gzip writer for request bodies (RFC 1952 around RFC 1951 *stored* blocks, and a
/// run-length "bomb" made of fixed-Huffman blocks), so tests need not link zlib.
enum Gzip {
    /// `data` as a valid gzip member with uncompressed (stored) deflate blocks.
    static func stored(_ data: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [0x1F, 0x8B, 8, 0, 0, 0, 0, 0, 0, 255]
        var i = 0
        repeat {
            let n = min(65_535, data.count - i)
            let final: UInt8 = i + n >= data.count ? 1 : 0
            out.append(final)
            out += [UInt8(n & 0xFF), UInt8(n >> 8), UInt8(~n & 0xFF), UInt8((~n >> 8) & 0xFF)]
            out += data[i..<(i + n)]
            i += n
        } while i < data.count
        out += littleEndian(crc32(data))
        out += littleEndian(UInt32(truncatingIfNeeded: data.count))
        return out
    }

    /// A gzip member that inflates to `count` zero bytes from a few KB: a fixed-Huffman deflate
    /// stream of one literal 0 followed by length-258 back-references at distance 1.
    static func zeros(count: Int) -> [UInt8] {
        var bits = BitWriter()
        bits.write(1, count: 1)  // BFINAL
        bits.write(1, count: 2)  // BTYPE = 01 (fixed Huffman)
        func literal(_ value: Int) {
            // Literals 0...143 are 8-bit codes 00110000 + value, written most significant bit first.
            bits.writeReversed(0x30 + value, count: 8)
        }
        literal(0)
        var remaining = count - 1
        while remaining >= 258 {
            bits.writeReversed(0b1100_0101, count: 8)  // length code 285 (258): 11000101
            bits.writeReversed(0, count: 5)  // distance code 0 (distance 1)
            remaining -= 258
        }
        while remaining > 0 {
            literal(0)
            remaining -= 1
        }
        bits.writeReversed(0, count: 7)  // end of block (256): 0000000
        var out: [UInt8] = [0x1F, 0x8B, 8, 0, 0, 0, 0, 0, 0, 255]
        out += bits.finish()
        out += littleEndian(crc32([UInt8](repeating: 0, count: count)))
        out += littleEndian(UInt32(truncatingIfNeeded: count))
        return out
    }

    private struct BitWriter {
        var bytes: [UInt8] = []
        var current: UInt32 = 0
        var used = 0

        /// Writes `count` bits of `value`, least significant first (deflate's order for extra bits).
        mutating func write(_ value: Int, count: Int) {
            for i in 0..<count {
                current |= UInt32((value >> i) & 1) << UInt32(used)
                used += 1
                if used == 8 {
                    bytes.append(UInt8(current))
                    current = 0
                    used = 0
                }
            }
        }

        /// Writes a Huffman code of `count` bits, most significant first.
        mutating func writeReversed(_ code: Int, count: Int) {
            for i in stride(from: count - 1, through: 0, by: -1) { write((code >> i) & 1, count: 1) }
        }

        mutating func finish() -> [UInt8] {
            if used > 0 { bytes.append(UInt8(current)) }
            return bytes
        }
    }

    private static func littleEndian(_ v: UInt32) -> [UInt8] {
        [UInt8(v & 0xFF), UInt8((v >> 8) & 0xFF), UInt8((v >> 16) & 0xFF), UInt8(v >> 24)]
    }

    private static let table: [UInt32] = (0..<256).map { n in
        var c = UInt32(n)
        for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        return c
    }

    /// CRC-32 (IEEE 802.3), as gzip's trailer needs.
    static func crc32(_ data: [UInt8]) -> UInt32 {
        var c: UInt32 = 0xFFFF_FFFF
        for b in data { c = table[Int((c ^ UInt32(b)) & 0xFF)] ^ (c >> 8) }
        return c ^ 0xFFFF_FFFF
    }
}
