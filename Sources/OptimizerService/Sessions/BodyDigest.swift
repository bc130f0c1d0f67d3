/// A 128-bit digest of a request body and its content type, to recognise an idempotent retry
/// ("the same body bytes and content type").
///
/// Two independent 64-bit multiply–xorshift lanes over 8-byte words (about 1 cycle per byte); not
/// cryptographic, which is fine: a client can only confuse its own retries.
struct BodyDigest: Hashable, Sendable {
    private var a: UInt64
    private var b: UInt64

    /// 32 hex digits, for storage.
    var hex: String {
        func pad(_ v: UInt64) -> String {
            let s = String(v, radix: 16)
            return String(repeating: "0", count: 16 - s.count) + s
        }
        return pad(a) + pad(b)
    }

    /// Parses `hex`.
    init?(hex: String) {
        guard hex.utf8.count == 32, let a = UInt64(hex.prefix(16), radix: 16), let b = UInt64(hex.suffix(16), radix: 16)
        else { return nil }
        self.a = a
        self.b = b
    }

    init(body: [UInt8], contentType: String) {
        var a: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(body.count)
        var b: UInt64 = 0xC2B2_AE3D_27D4_EB4F &+ UInt64(body.count)
        @inline(__always) func mix(_ h: inout UInt64, _ w: UInt64, _ k: UInt64) {
            h = (h ^ w) &* k
            h ^= h >> 29
        }
        body.withUnsafeBytes { raw in
            let words = raw.count / 8
            for i in 0..<words {
                let w = raw.loadUnaligned(fromByteOffset: i * 8, as: UInt64.self)
                mix(&a, w, 0xFF51_AFD7_ED55_8CCD)
                mix(&b, w &+ 0x2545_F491_4F6C_DD1D, 0xC4CE_B9FE_1A85_EC53)
            }
            var tail: UInt64 = 0
            for i in (words * 8)..<raw.count { tail = tail << 8 | UInt64(raw[i]) }
            mix(&a, tail, 0xFF51_AFD7_ED55_8CCD)
            mix(&b, tail, 0xC4CE_B9FE_1A85_EC53)
        }
        for byte in contentType.utf8 {
            mix(&a, UInt64(byte), 0xFF51_AFD7_ED55_8CCD)
            mix(&b, UInt64(byte) &+ 1, 0xC4CE_B9FE_1A85_EC53)
        }
        self.a = a
        self.b = b
    }
}
