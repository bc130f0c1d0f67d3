#if _endian(big)
#error("the binary wire format is little-endian IEEE 754; byte swapping is not implemented for big-endian hosts")
#endif

/// Copies a little-endian binary body into a new flat array of `count` elements.
/// The caller has checked `bytes.count == count * MemoryLayout<S>.size`.
func decodeLittleEndian<S: WireScalar>(_ bytes: [UInt8], count: Int, as type: S.Type) -> [S] {
    [S](unsafeUninitializedCapacity: count) { buffer, initialized in
        bytes.withUnsafeBytes { raw in
            // Safe: the destination has room for `count` elements, which is exactly `raw.count` bytes;
            // copying bytes (not binding memory) works whatever the source alignment.
            UnsafeMutableRawBufferPointer(buffer).copyMemory(from: raw)
        }
        initialized = count
    }
}
