/// The on-disk layouts. All integers are little-endian; every header is 32 bytes and ends with the
/// CRC-32C of its first 28 bytes.
///
/// Log file (`RecordLog`): a file header, then records back to back.
///
///     file header  0..<8  magic 89 4F 4C 4F 47 0D 0A 1A ("\x89OLOG\r\n\x1A")
///                  8..<12 format version (1)
///                 12..<16 salt: a random UInt32 chosen when the log is created
///                 16..<24 generation
///                 24..<28 zero
///                 28..<32 CRC-32C of bytes 0..<28
///     record       0..<4  magic D7 52 45 43 ("\xD7REC")
///                  4      record version (1);  5 flags (0);  6..<8 zero
///                  8..<16 payload length in bytes
///                 16..<24 sequence number (0 for the first record of the file, then +1)
///                 24..<28 CRC-32C of the payload, starting from the salt
///                 28..<32 CRC-32C of bytes 0..<28, starting from the salt
///                 32...   payload
///
/// The header checksum covers the payload checksum, so together they cover header and payload. Seeding
/// both with the per-file salt means a record copied from another log, or forged inside a client's
/// payload (gradients are client bytes), does not validate here. Checking the header on its own before
/// trusting its length field means a flipped length bit is reported as corruption, not mistaken for
/// a record running past the end of the file.
///
/// Atomic file (`AtomicFile`): a header, then exactly `length` payload bytes.
///
///     0..<8  magic 89 4F 41 54 4D 0D 0A 1A ("\x89OATM\r\n\x1A");  8..<12 version (1);  12..<16 zero
///     16..<24 payload length;  24..<28 CRC-32C of the payload;  28..<32 CRC-32C of bytes 0..<28
enum FileFormat {
    static let headerSize = 32
    static let version: UInt32 = 1
    static let recordVersion: UInt8 = 1
    static let logMagic: [UInt8] = [0x89, 0x4F, 0x4C, 0x4F, 0x47, 0x0D, 0x0A, 0x1A]
    static let atomicMagic: [UInt8] = [0x89, 0x4F, 0x41, 0x54, 0x4D, 0x0D, 0x0A, 0x1A]
    static let recordMagic: [UInt8] = [0xD7, 0x52, 0x45, 0x43]

    /// The header of a log file.
    struct LogHeader: Equatable {
        var salt: UInt32
        var generation: UInt64

        func encoded() -> [UInt8] {
            var bytes = [UInt8](repeating: 0, count: headerSize)
            bytes.replaceSubrange(0..<8, with: logMagic)
            store(version, into: &bytes, at: 8)
            store(salt, into: &bytes, at: 12)
            store(generation, into: &bytes, at: 16)
            store(CRC32C.checksum(bytes[0..<28]), into: &bytes, at: 28)
            return bytes
        }

        /// Decodes and validates a 32-byte header; throws an error naming `path` and what is wrong.
        static func decode(_ bytes: [UInt8], path: String) throws(StorageError) -> LogHeader {
            guard bytes.count == headerSize else {
                throw StorageError.corrupt(path, offset: 0, "log header is \(bytes.count) bytes, expected 32")
            }
            guard Array(bytes[0..<8]) == logMagic else {
                throw StorageError.corrupt(path, offset: 0, "not a DurableStorage log file (bad magic)")
            }
            let stored = load(UInt32.self, bytes, at: 28)
            let computed = CRC32C.checksum(bytes[0..<28])
            guard stored == computed else {
                throw StorageError.corrupt(
                    path, offset: 0, "log header checksum mismatch (stored \(hex(stored)), computed \(hex(computed)))")
            }
            let fileVersion = load(UInt32.self, bytes, at: 8)
            guard fileVersion == version, load(UInt32.self, bytes, at: 24) == 0 else {
                throw StorageError(
                    kind: .unsupportedVersion, path: path, offset: 0,
                    detail: "log format version \(fileVersion) is not supported (this build reads version \(version))")
            }
            return LogHeader(salt: load(UInt32.self, bytes, at: 12), generation: load(UInt64.self, bytes, at: 16))
        }
    }

    /// The header in front of each log record.
    struct RecordHeader: Equatable {
        var length: UInt64
        var sequence: UInt64
        var payloadChecksum: UInt32

        func encoded(salt: UInt32) -> [UInt8] {
            var bytes = [UInt8](repeating: 0, count: headerSize)
            bytes.replaceSubrange(0..<4, with: recordMagic)
            bytes[4] = recordVersion
            store(length, into: &bytes, at: 8)
            store(sequence, into: &bytes, at: 16)
            store(payloadChecksum, into: &bytes, at: 24)
            store(CRC32C.checksum(bytes[0..<28], continuing: salt), into: &bytes, at: 28)
            return bytes
        }

        enum Decoded {
            case valid(RecordHeader)
            /// Magic and checksum are right, but the version or flags are from a newer format.
            case unsupported(version: UInt8, flags: UInt8)
            /// Not a valid header: torn, zeroed or corrupt.
            case invalid(String)
        }

        /// Decodes 32 bytes at `offset` of `bytes`.
        static func decode(_ bytes: UnsafeRawBufferPointer, salt: UInt32) -> Decoded {
            precondition(bytes.count >= headerSize)
            guard bytes[0] == recordMagic[0], bytes[1] == recordMagic[1], bytes[2] == recordMagic[2],
                bytes[3] == recordMagic[3]
            else {
                return .invalid("bad record magic")
            }
            let stored = bytes.loadUnaligned(fromByteOffset: 28, as: UInt32.self).littleEndian
            let computed = CRC32C.checksum(UnsafeRawBufferPointer(rebasing: bytes[0..<28]), continuing: salt)
            guard stored == computed else {
                return .invalid("record header checksum mismatch (stored \(hex(stored)), computed \(hex(computed)))")
            }
            guard bytes[4] == recordVersion, bytes[5] == 0, bytes[6] == 0, bytes[7] == 0 else {
                return .unsupported(version: bytes[4], flags: bytes[5])
            }
            return .valid(
                RecordHeader(
                    length: bytes.loadUnaligned(fromByteOffset: 8, as: UInt64.self).littleEndian,
                    sequence: bytes.loadUnaligned(fromByteOffset: 16, as: UInt64.self).littleEndian,
                    payloadChecksum: bytes.loadUnaligned(fromByteOffset: 24, as: UInt32.self).littleEndian))
        }
    }

    /// The header of an atomic file.
    struct AtomicHeader: Equatable {
        var length: UInt64
        var payloadChecksum: UInt32

        func encoded() -> [UInt8] {
            var bytes = [UInt8](repeating: 0, count: headerSize)
            bytes.replaceSubrange(0..<8, with: atomicMagic)
            store(version, into: &bytes, at: 8)
            store(length, into: &bytes, at: 16)
            store(payloadChecksum, into: &bytes, at: 24)
            store(CRC32C.checksum(bytes[0..<28]), into: &bytes, at: 28)
            return bytes
        }

        static func decode(_ bytes: [UInt8], path: String) throws(StorageError) -> AtomicHeader {
            guard bytes.count == headerSize else {
                throw StorageError.corrupt(
                    path, offset: 0, "file is \(bytes.count) bytes, shorter than the 32-byte header (truncated)")
            }
            guard Array(bytes[0..<8]) == atomicMagic else {
                throw StorageError.corrupt(path, offset: 0, "not a DurableStorage atomic file (bad magic)")
            }
            let stored = load(UInt32.self, bytes, at: 28)
            let computed = CRC32C.checksum(bytes[0..<28])
            guard stored == computed else {
                throw StorageError.corrupt(
                    path, offset: 0, "header checksum mismatch (stored \(hex(stored)), computed \(hex(computed)))")
            }
            let fileVersion = load(UInt32.self, bytes, at: 8)
            guard fileVersion == version, load(UInt32.self, bytes, at: 12) == 0 else {
                throw StorageError(
                    kind: .unsupportedVersion, path: path, offset: 0,
                    detail: "atomic file format version \(fileVersion) is not supported (this build reads \(version))")
            }
            return AtomicHeader(
                length: load(UInt64.self, bytes, at: 16), payloadChecksum: load(UInt32.self, bytes, at: 24))
        }
    }

    static func store<T: FixedWidthInteger>(_ value: T, into bytes: inout [UInt8], at offset: Int) {
        var little = value.littleEndian
        withUnsafeBytes(of: &little) { raw in
            for index in 0..<MemoryLayout<T>.size { bytes[offset + index] = raw[index] }
        }
    }

    static func load<T: FixedWidthInteger>(_: T.Type, _ bytes: [UInt8], at offset: Int) -> T {
        var value: T = 0
        for index in (0..<MemoryLayout<T>.size).reversed() {
            value = (value << 8) | T(bytes[offset + index])
        }
        return value
    }

    static func hex(_ value: UInt32) -> String {
        let digits = String(value, radix: 16)
        return "0x" + String(repeating: "0", count: 8 - digits.count) + digits
    }
}
