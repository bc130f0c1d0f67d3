import Glibc

/// Whole-file writes that are atomic under crashes, and reads that validate what they return.
///
/// A file is a 32-byte header (magic, version, payload length, payload CRC-32C, header CRC-32C; see
/// `FileFormat`) followed by exactly the payload. ``write(path:gathering:fsync:)`` writes a temporary
/// file in the same directory, `fsync`s it, `rename`s it over `path` and `fsync`s the directory, so after
/// a crash at any point `path` holds either the old content or the new, never a mix. ``read(path:)``
/// rejects a file that is truncated, extended or bit-flipped, naming the file and the problem.
public enum AtomicFile {
    /// Replaces `path` atomically with a file holding `bytes`. See ``write(path:gathering:fsync:)``.
    public static func write(path: String, bytes: [UInt8], fsync: Bool = true) throws(StorageError) {
        var result: Result<Void, StorageError> = .success(())
        bytes.withUnsafeBytes { raw in
            result = Result { () throws(StorageError) in try write(path: path, gathering: [raw], fsync: fsync) }
        }
        try result.get()
    }

    /// Replaces `path` atomically with a file whose payload is the concatenation of `parts` (written
    /// with `pwritev`, without concatenating them in memory).
    ///
    /// Steps: create `.tmp-<name>-<random>` next to `path` (`O_EXCL`, mode 0600), write header and
    /// payload, `fsync` it, `rename` it to `path`, `fsync` the directory. On failure the temporary file
    /// is removed and `path` is unchanged. With `fsync: false` both `fsync`s are skipped: still atomic
    /// against a process crash, not against power loss.
    /// - Throws: ``StorageError`` naming the failed call and file.
    public static func write(
        path: String, gathering parts: [UnsafeRawBufferPointer], fsync: Bool = true
    )
        throws(StorageError)
    {
        let temporary = try writeTemporaryFile(path: path, gathering: parts, fsync: fsync)
        do throws(StorageError) {
            try Syscall.rename(temporary, path)
        } catch {
            try? Syscall.unlink(temporary)
            throw error
        }
        if fsync { try Syscall.syncDirectory(splitPath(path).directory) }
    }

    /// Writes header and payload to a new temporary file next to `path` and (if `fsync`) `fsync`s it;
    /// returns the temporary file's path. Removes the temporary file if anything fails.
    static func writeTemporaryFile(
        path: String, gathering parts: [UnsafeRawBufferPointer], fsync: Bool
    )
        throws(StorageError) -> String
    {
        var length = 0
        for part in parts { length += part.count }
        let header = FileFormat.AtomicHeader(length: UInt64(length), payloadChecksum: CRC32C.checksum(gathering: parts))
            .encoded()
        let (directory, name) = splitPath(path)
        let temporary = joinPath(directory, temporaryName(for: name))
        let fd = try Syscall.open(temporary, O_WRONLY | O_CREAT | O_EXCL)
        do throws(StorageError) {
            try header.withStorageBytes { (raw) throws(StorageError) in
                try Syscall.pwriteAll(fd, path: temporary, [raw] + parts, at: 0)
            }
            if fsync { try Syscall.fsync(fd, path: temporary) }
            try Syscall.close(fd, path: temporary)
        } catch {
            try? Syscall.close(fd, path: temporary)
            try? Syscall.unlink(temporary)
            throw error
        }
        return temporary
    }

    /// Reads and validates a file written by ``write(path:gathering:fsync:)``, returning its payload.
    /// - Throws: ``StorageError/Kind/notFound`` if it does not exist; ``StorageError/Kind/corruptFile``
    ///   naming the file when it is shorter or longer than its header says, or a checksum fails;
    ///   ``StorageError/Kind/unsupportedVersion`` for a newer format; the failed call otherwise.
    public static func read(path: String) throws(StorageError) -> [UInt8] {
        let fd = try Syscall.open(path, O_RDONLY)
        defer { try? Syscall.close(fd, path: path) }
        let size = try Syscall.fileSize(fd, path: path)
        var reader = FileReader(fd: fd, path: path, fileSize: size)
        let header = try FileFormat.AtomicHeader.decode(
            try reader.bytes(at: 0, count: min(size, FileFormat.headerSize)), path: path)
        let (expected, overflow) = header.length.addingReportingOverflow(UInt64(FileFormat.headerSize))
        guard !overflow, UInt64(size) == expected else {
            let problem = UInt64(size) < expected ? "truncated" : "has trailing bytes"
            throw StorageError.corrupt(
                path, offset: min(size, Int(clamping: expected)),
                "\(problem): file is \(size) bytes, its header says \(expected)")
        }
        let payload = try reader.bytes(at: FileFormat.headerSize, count: Int(header.length))
        let computed = payload.withUnsafeBytes { CRC32C.checksum($0) }
        guard computed == header.payloadChecksum else {
            throw StorageError.corrupt(
                path, offset: FileFormat.headerSize,
                "payload checksum mismatch (stored \(FileFormat.hex(header.payloadChecksum)), "
                    + "computed \(FileFormat.hex(computed)))")
        }
        return payload
    }

    /// Temporary names start with `.tmp-`, which ``SessionDirectory`` and ``DataDirectory`` treat as
    /// leftovers of an interrupted write and delete.
    static let temporaryPrefix = ".tmp-"

    static func temporaryName(for name: String) -> String {
        let random = UInt64.random(in: 0...UInt64.max)
        return temporaryPrefix + name + "-" + String(random, radix: 16)
    }
}
