import CDurableStorage

/// CRC-32C (Castagnoli polynomial 0x1EDC6F41, reflected 0x82F63B78), the checksum of every DurableStorage
/// header and payload.
///
/// With SSE4.2 it runs the `crc32` instruction on three interleaved streams of 8 KiB (about 15 GB/s on
/// this project's AMD EPYC VM, see BENCHMARKS.md); without it, slicing-by-8 tables (about 2 GB/s). It
/// detects every burst error of up to 32 bits and every error of up to 3 bits in messages below 256 MiB
/// (Hamming distance 4; Castagnoli 1993, Koopman), and misses a random corruption with probability 2⁻³².
///
/// Checksums chain: `checksum(b, continuing: checksum(a))` equals the checksum of `a` followed by `b`.
public enum CRC32C {
    /// True when the SSE4.2 instruction is used on this CPU (checked once with `cpuid`).
    public static var isHardwareAccelerated: Bool { optd_crc32c_hardware_available() != 0 }

    /// The CRC-32C of `bytes`, continuing from `crc` (pass 0, the default, for a new checksum).
    /// `checksum("123456789".utf8)` is `0xE3069283`.
    @inlinable
    public static func checksum(_ bytes: UnsafeRawBufferPointer, continuing crc: UInt32 = 0) -> UInt32 {
        guard let base = bytes.baseAddress else { return crc }
        return update(crc, base, bytes.count)
    }

    /// The CRC-32C of `bytes`, continuing from `crc` (0 for a new checksum).
    @inlinable
    public static func checksum(_ bytes: some Sequence<UInt8>, continuing crc: UInt32 = 0) -> UInt32 {
        if let result = bytes.withContiguousStorageIfAvailable({ checksum(UnsafeRawBufferPointer($0), continuing: crc) }
        ) {
            return result
        }
        let copy = Array(bytes)
        return copy.withUnsafeBytes { checksum($0, continuing: crc) }
    }

    /// The CRC-32C of the concatenation of `parts`, continuing from `crc`.
    @inlinable
    public static func checksum(gathering parts: [UnsafeRawBufferPointer], continuing crc: UInt32 = 0) -> UInt32 {
        var result = crc
        for part in parts { result = checksum(part, continuing: result) }
        return result
    }

    /// The portable table-driven implementation (same results), for tests and benchmarks.
    public static func softwareChecksum(_ bytes: UnsafeRawBufferPointer, continuing crc: UInt32 = 0) -> UInt32 {
        guard let base = bytes.baseAddress else { return crc }
        return optd_crc32c_software(crc, base, bytes.count)
    }

    @usableFromInline
    static func update(_ crc: UInt32, _ base: UnsafeRawPointer, _ count: Int) -> UInt32 {
        optd_crc32c(crc, base, count)
    }
}
