import Glibc

extension RecordLog {
    /// Opens an existing log, validates every record and returns them with the log, ready for appending.
    ///
    /// The scan reads records in order and checks each header checksum, version, sequence number,
    /// length and payload checksum. At the first record that fails:
    /// - if no valid record exists anywhere after it (searched byte by byte), it is a torn tail from an
    ///   interrupted append: the file is truncated there (and `fdatasync`ed unless the policy is
    ///   ``FsyncPolicy/never``), and ``LogRecovery`` reports how many bytes were dropped and why;
    /// - if a valid record follows (or the bad record has valid checksums but the wrong sequence number),
    ///   the file is corrupt and this throws ``StorageError/Kind/corruptFile``
    ///   naming the file, the offset and the problem, leaving the file untouched: truncating there could
    ///   silently drop records that were acknowledged.
    ///
    /// A record with valid checksums but a newer version throws ``StorageError/Kind/unsupportedVersion``
    /// and is never truncated. A file header that is missing, torn or for another generation is an error.
    /// - Parameters:
    ///   - path: the log file.
    ///   - policy: the fsync policy for later appends.
    ///   - expectedGeneration: if given, the header's generation must equal it.
    /// - Returns: the open log, every valid payload in append order, and the recovery report.
    /// - Throws: ``StorageError``.
    public static func open(
        at path: String, policy: FsyncPolicy, expectedGeneration: UInt64? = nil
    ) throws(StorageError) -> (log: RecordLog, records: [[UInt8]], recovery: LogRecovery) {
        try policy.validate()
        let fd = try Syscall.open(path, O_RDWR)
        do throws(StorageError) {
            let size = try Syscall.fileSize(fd, path: path)
            var reader = FileReader(fd: fd, path: path, fileSize: size)
            guard size >= FileFormat.headerSize else {
                throw StorageError.corrupt(
                    path, offset: 0, "file is \(size) bytes, shorter than the 32-byte log header")
            }
            let header = try FileFormat.LogHeader.decode(
                try reader.bytes(at: 0, count: FileFormat.headerSize), path: path)
            if let expectedGeneration, header.generation != expectedGeneration {
                throw StorageError.corrupt(
                    path, offset: 16, "log header says generation \(header.generation), expected \(expectedGeneration)")
            }
            var scan = try LogScan.run(&reader, salt: header.salt)
            var report = LogRecovery(path: path, recordCount: scan.records.count, validByteCount: scan.validEnd)
            if let problem = scan.problem {
                if let next = problem.nextValidRecord {
                    throw StorageError.corrupt(
                        path, offset: problem.offset,
                        "\(problem.reason); a valid record follows at byte \(next), so this is corruption, not a torn tail"
                    )
                }
                if problem.checksumsValid {
                    throw StorageError.corrupt(
                        path, offset: problem.offset, "\(problem.reason); a torn write cannot produce this")
                }
                try Syscall.ftruncate(fd, path: path, length: scan.validEnd)
                if policy != .never { try Syscall.fdatasync(fd, path: path) }
                report.discardedByteCount = size - scan.validEnd
                report.discardReason = "byte \(problem.offset): \(problem.reason)"
            }
            let log = RecordLog(
                path: path, fd: fd, policy: policy, header: header, end: scan.validEnd,
                records: UInt64(scan.records.count))
            let records = scan.records
            scan.records = []
            return (log, records, report)
        } catch {
            try? Syscall.close(fd, path: path)
            throw error
        }
    }
}

/// One pass over a log's records, and the search for valid data after a bad record.
struct LogScan {
    struct Problem {
        var offset: Int
        var reason: String
        /// Offset of the first valid record after `offset`, if any.
        var nextValidRecord: Int?
        /// True when the bad record itself has valid checksums (out of sequence): no torn write does that.
        var checksumsValid = false
    }

    var records: [[UInt8]] = []
    var validEnd = FileFormat.headerSize
    var problem: Problem?

    static func run(_ reader: inout FileReader, salt: UInt32) throws(StorageError) -> LogScan {
        var scan = LogScan()
        let size = reader.fileSize
        var header = [UInt8](repeating: 0, count: FileFormat.headerSize)
        var offset = FileFormat.headerSize
        var sequence: UInt64 = 0
        while offset < size {
            let remaining = size - offset
            guard remaining >= FileFormat.headerSize else {
                scan.problem = Problem(offset: offset, reason: "incomplete record header (\(remaining) of 32 bytes)")
                break
            }
            try header.withMutableStorageBytes { (raw) throws(StorageError) in try reader.read(at: offset, into: raw) }
            let decoded = header.withUnsafeBytes { FileFormat.RecordHeader.decode($0, salt: salt) }
            switch decoded {
            case .invalid(let reason):
                scan.problem = Problem(offset: offset, reason: reason)
            case .unsupported(let version, let flags):
                throw StorageError(
                    kind: .unsupportedVersion, path: reader.path, offset: offset,
                    detail: "record version \(version) flags \(flags) is not supported (this build reads version 1)")
            case .valid(let record):
                if record.sequence != sequence {
                    scan.problem = Problem(
                        offset: offset,
                        reason:
                            "record has valid checksums but sequence number \(record.sequence), expected \(sequence)",
                        checksumsValid: true)
                } else if record.length > UInt64(remaining - FileFormat.headerSize) {
                    scan.problem = Problem(
                        offset: offset,
                        reason: "record of \(record.length) payload bytes extends past the end of the file "
                            + "(\(remaining - FileFormat.headerSize) present)")
                } else {
                    let length = Int(record.length)
                    let payload = try reader.bytes(at: offset + FileFormat.headerSize, count: length)
                    let computed = payload.withUnsafeBytes { CRC32C.checksum($0, continuing: salt) }
                    if computed != record.payloadChecksum {
                        scan.problem = Problem(
                            offset: offset,
                            reason: "payload checksum mismatch in record \(sequence) (stored "
                                + "\(FileFormat.hex(record.payloadChecksum)), computed \(FileFormat.hex(computed)))")
                    } else {
                        scan.records.append(payload)
                        offset += FileFormat.headerSize + length
                        sequence += 1
                        scan.validEnd = offset
                    }
                }
            }
            if scan.problem != nil { break }
        }
        if var problem = scan.problem {
            problem.nextValidRecord = try firstValidRecord(&reader, after: problem.offset, salt: salt)
            scan.problem = problem
        }
        return scan
    }

    /// The offset of the first complete, valid record (header and payload checksums, supported version)
    /// that starts after `start`, at any byte position; `nil` if there is none.
    static func firstValidRecord(
        _ reader: inout FileReader, after start: Int, salt: UInt32
    ) throws(StorageError)
        -> Int?
    {
        let size = reader.fileSize
        let headerSize = FileFormat.headerSize
        let chunkSize = 1 << 20
        var chunk = [UInt8](repeating: 0, count: min(chunkSize + headerSize, max(0, size - start)))
        var chunkStart = start + 1
        while chunkStart + headerSize <= size {
            // Each chunk holds every candidate start in [chunkStart, chunkStart + chunkSize) with its header.
            let count = min(chunkSize + headerSize, size - chunkStart)
            try chunk.withMutableStorageBytes { (raw) throws(StorageError) in
                try reader.read(at: chunkStart, into: UnsafeMutableRawBufferPointer(rebasing: raw[0..<count]))
            }
            let lastCandidate = count - headerSize
            var index = 0
            while index <= lastCandidate {
                guard let hit = chunk[index...lastCandidate].firstIndex(of: FileFormat.recordMagic[0]) else { break }
                index = hit + 1
                let decoded = chunk.withUnsafeBytes { raw in
                    FileFormat.RecordHeader.decode(
                        UnsafeRawBufferPointer(rebasing: raw[hit..<(hit + headerSize)]), salt: salt)
                }
                guard case .valid(let header) = decoded else { continue }
                let candidate = chunkStart + hit
                guard header.length <= UInt64(size - candidate - headerSize) else { continue }
                let payload = try reader.bytes(at: candidate + headerSize, count: Int(header.length))
                if payload.withUnsafeBytes({ CRC32C.checksum($0, continuing: salt) }) == header.payloadChecksum {
                    return candidate
                }
            }
            chunkStart += chunkSize
        }
        return nil
    }
}
