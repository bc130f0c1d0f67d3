import Glibc

/// Sequential-friendly positional reads of one file through a 1 MiB window, so scanning a log of small
/// records costs one `pread` per MiB rather than two per record. Large reads bypass the window.
struct FileReader {
    let fd: Int32
    let path: String
    let fileSize: Int
    private var window: [UInt8]
    private var windowStart = 0
    private var windowCount = 0
    static let windowSize = 1 << 20

    init(fd: Int32, path: String, fileSize: Int) {
        self.fd = fd
        self.path = path
        self.fileSize = fileSize
        // No bigger than the file: recovering many small sessions should not zero a MiB each.
        self.window = [UInt8](repeating: 0, count: min(FileReader.windowSize, fileSize))
    }

    /// Copies `destination.count` bytes from `offset` into `destination`; the range must lie inside the
    /// file (callers check against ``fileSize``). A file that shrank under us is reported as corrupt.
    mutating func read(at offset: Int, into destination: UnsafeMutableRawBufferPointer) throws(StorageError) {
        let count = destination.count
        precondition(offset >= 0 && offset + count <= fileSize)
        if count == 0 { return }
        if offset >= windowStart && offset + count <= windowStart + windowCount {
            window.withUnsafeBytes { raw in
                // Safe: the checks above keep the source range inside the filled window.
                destination.copyMemory(
                    from: UnsafeRawBufferPointer(rebasing: raw[(offset - windowStart)..<(offset - windowStart + count)])
                )
            }
            return
        }
        if count >= FileReader.windowSize / 2 {
            let got = try Syscall.pread(fd, path: path, into: destination, at: offset)
            if got != count { throw shrank(offset + got) }
            return
        }
        let want = min(window.count, fileSize - offset)
        let got = try window.withMutableStorageBytes { (raw) throws(StorageError) -> Int in
            try Syscall.pread(fd, path: path, into: UnsafeMutableRawBufferPointer(rebasing: raw[0..<want]), at: offset)
        }
        windowStart = offset
        windowCount = got
        if got < count { throw shrank(offset + got) }
        window.withUnsafeBytes { raw in
            destination.copyMemory(from: UnsafeRawBufferPointer(rebasing: raw[0..<count]))
        }
    }

    /// `count` bytes at `offset` as a new array.
    mutating func bytes(at offset: Int, count: Int) throws(StorageError) -> [UInt8] {
        var failure: StorageError?
        let result = [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            do throws(StorageError) {
                try read(at: offset, into: UnsafeMutableRawBufferPointer(buffer))
                initialized = count
            } catch {
                failure = error
                initialized = 0
            }
        }
        if let failure { throw failure }
        return result
    }

    private func shrank(_ end: Int) -> StorageError {
        StorageError.corrupt(
            path, offset: end,
            "file ended at byte \(end) while reading; it is \(fileSize) bytes long (changed while open?)")
    }
}
