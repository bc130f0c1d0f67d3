import CDurableStorage
import Glibc

/// The one place DurableStorage calls libc for files. Every wrapper retries `EINTR`, completes partial
/// reads and writes, and throws a ``StorageError`` naming the call, its errno and the path.
enum Syscall {
    /// Largest byte count Linux transfers in one `read`/`write` call (`MAX_RW_COUNT`); longer transfers
    /// come back partial and are continued.
    static let maxTransfer = 0x7fff_f000
    /// Most `iovec`s one `pwritev` accepts (`IOV_MAX` on Linux).
    static let maxIOVecs = 1024

    static func errorMessage(_ code: Int32) -> String {
        guard let text = strerror(code) else { return "unknown error" }
        return String(cString: text)
    }

    /// Runs `body` until it does not fail with `EINTR`; any other failure (`-1`) becomes an error.
    @inline(__always)
    static func retrying<T: FixedWidthInteger>(
        _ operation: String, path: String?, _ body: () -> T
    ) throws(StorageError) -> T {
        while true {
            let result = body()
            if result != -1 { return result }
            let code = errno
            if code == EINTR { continue }
            throw StorageError.syscall(operation, errno: code, path: path)
        }
    }

    /// Opens `path` with `O_CLOEXEC` added to `flags`. The corresponding C function is `open`.
    static func open(_ path: String, _ flags: Int32, mode: mode_t = 0o600) throws(StorageError) -> Int32 {
        try retrying("open", path: path) { Glibc.open(path, flags | O_CLOEXEC, mode) }
    }

    /// Closes `fd`. `EINTR` is not retried: on Linux the descriptor is released whatever `close` returns.
    /// The corresponding C function is `close`.
    static func close(_ fd: Int32, path: String?) throws(StorageError) {
        if Glibc.close(fd) == -1 {
            let code = errno
            if code != EINTR { throw StorageError.syscall("close", errno: code, path: path) }
        }
    }

    /// Writes every byte of `buffers`, in order, starting at `offset`, with as few `pwritev` calls as the
    /// kernel allows (one for a record below 2 GiB). The corresponding C function is `pwritev`.
    static func pwriteAll(
        _ fd: Int32, path: String, _ buffers: [UnsafeRawBufferPointer], at offset: Int
    ) throws(StorageError) {
        var vectors: [iovec] = []
        vectors.reserveCapacity(buffers.count)
        for buffer in buffers where buffer.count > 0 {
            // The kernel only reads through iov_base; the mutable pointer is what the C type demands.
            vectors.append(
                iovec(iov_base: UnsafeMutableRawPointer(mutating: buffer.baseAddress), iov_len: buffer.count))
        }
        var index = 0
        var position = offset
        while index < vectors.count {
            let batch = min(vectors.count - index, maxIOVecs)
            let written = try retrying("pwritev", path: path) {
                vectors.withUnsafeBufferPointer { pointer in
                    // Safe: index < vectors.count, so baseAddress is non-nil and index + batch <= count.
                    pointer.baseAddress.map { Glibc.pwritev(fd, $0 + index, Int32(batch), off_t(position)) } ?? 0
                }
            }
            if written == 0 {
                throw StorageError(
                    kind: .systemCall, path: path, operation: "pwritev", offset: position,
                    detail: "pwritev wrote 0 bytes")
            }
            position += written
            var remaining = written
            while remaining > 0 {
                let length = vectors[index].iov_len
                if length <= remaining {
                    remaining -= length
                    index += 1
                } else {
                    // Safe: remaining < iov_len, so the advanced pointer stays inside this buffer.
                    vectors[index].iov_base = vectors[index].iov_base.map { $0 + remaining }
                    vectors[index].iov_len = length - remaining
                    remaining = 0
                }
            }
        }
    }

    /// Reads up to `buffer.count` bytes at `offset`, stopping early only at end of file; returns the
    /// number of bytes read. The corresponding C function is `pread`.
    static func pread(
        _ fd: Int32, path: String, into buffer: UnsafeMutableRawBufferPointer, at offset: Int
    ) throws(StorageError) -> Int {
        guard let base = buffer.baseAddress else { return 0 }
        var total = 0
        while total < buffer.count {
            let want = min(buffer.count - total, maxTransfer)
            let got = try retrying("pread", path: path) { Glibc.pread(fd, base + total, want, off_t(offset + total)) }
            if got == 0 { break }
            total += got
        }
        return total
    }

    /// Forces the file's data (and the size, if it changed) to stable storage. The corresponding C
    /// function is `fdatasync`.
    static func fdatasync(_ fd: Int32, path: String) throws(StorageError) {
        _ = try retrying("fdatasync", path: path) { Glibc.fdatasync(fd) }
    }

    /// Forces data and all metadata to stable storage. The corresponding C function is `fsync`.
    static func fsync(_ fd: Int32, path: String) throws(StorageError) {
        _ = try retrying("fsync", path: path) { Glibc.fsync(fd) }
    }

    /// Sets the file's length. The corresponding C function is `ftruncate`.
    static func ftruncate(_ fd: Int32, path: String, length: Int) throws(StorageError) {
        _ = try retrying("ftruncate", path: path) { Glibc.ftruncate(fd, off_t(length)) }
    }

    /// The file's size in bytes. The corresponding C function is `fstat`.
    static func fileSize(_ fd: Int32, path: String) throws(StorageError) -> Int {
        var info = stat()
        _ = try retrying("fstat", path: path) { Glibc.fstat(fd, &info) }
        return Int(info.st_size)
    }

    /// A second descriptor for the same open file. The corresponding C function is `dup`.
    static func dup(_ fd: Int32, path: String) throws(StorageError) -> Int32 {
        try retrying("dup", path: path) { Glibc.fcntl(fd, F_DUPFD_CLOEXEC, Int32(0)) }
    }

    /// Atomically replaces `destination` by `source`. The corresponding C function is `rename`.
    static func rename(_ source: String, _ destination: String) throws(StorageError) {
        _ = try retrying("rename", path: source + " -> " + destination) { Glibc.rename(source, destination) }
    }

    /// Gives `source` the additional name `destination`, failing with ``StorageError/Kind/alreadyExists``
    /// if that name is taken (an atomic "create if absent"). The corresponding C function is `link`.
    static func link(_ source: String, _ destination: String) throws(StorageError) {
        _ = try retrying("link", path: source + " -> " + destination) { Glibc.link(source, destination) }
    }

    /// Removes a file name. The corresponding C function is `unlink`.
    static func unlink(_ path: String) throws(StorageError) {
        _ = try retrying("unlink", path: path) { Glibc.unlink(path) }
    }

    /// Creates a directory. The corresponding C function is `mkdir`.
    static func mkdir(_ path: String, mode: mode_t = 0o700) throws(StorageError) {
        _ = try retrying("mkdir", path: path) { Glibc.mkdir(path, mode) }
    }

    /// Removes an empty directory. The corresponding C function is `rmdir`.
    static func rmdir(_ path: String) throws(StorageError) {
        _ = try retrying("rmdir", path: path) { Glibc.rmdir(path) }
    }

    /// What `path` is, without following a final symbolic link; `nil` if it does not exist. The
    /// corresponding C function is `lstat`.
    static func fileType(_ path: String) throws(StorageError) -> FileType? {
        var info = stat()
        if Glibc.lstat(path, &info) == -1 {
            let code = errno
            if code == ENOENT { return nil }
            throw StorageError.syscall("lstat", errno: code, path: path)
        }
        switch info.st_mode & S_IFMT {
        case S_IFDIR: return .directory
        case S_IFREG: return .regular
        default: return .other
        }
    }

    enum FileType { case regular, directory, other }

    /// Makes the directory's entries (creations, renames, removals) durable. The corresponding C
    /// functions are `open(O_DIRECTORY)` and `fsync`.
    static func syncDirectory(_ path: String) throws(StorageError) {
        let fd = try open(path, O_RDONLY | O_DIRECTORY)
        defer { try? close(fd, path: path) }
        try fsync(fd, path: path)
    }

    /// The names in a directory, without `.` and `..`, sorted. The corresponding C functions are
    /// `opendir`, `readdir` and `closedir`.
    static func listDirectory(_ path: String) throws(StorageError) -> [String] {
        guard let directory = Glibc.opendir(path) else {
            throw StorageError.syscall("opendir", errno: errno, path: path)
        }
        defer { Glibc.closedir(directory) }
        var names: [String] = []
        while true {
            errno = 0
            guard let entry = Glibc.readdir(directory) else {
                let code = errno
                if code != 0 { throw StorageError.syscall("readdir", errno: code, path: path) }
                break
            }
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted()
    }

    /// Takes an exclusive, non-blocking advisory lock on the open file; `false` if someone else holds
    /// it. The corresponding C function is `flock`.
    static func tryLockExclusive(_ fd: Int32, path: String) throws(StorageError) -> Bool {
        while true {
            if optd_flock_exclusive_nonblocking(fd) == 0 { return true }
            let code = errno
            if code == EINTR { continue }
            if code == EWOULDBLOCK { return false }
            throw StorageError.syscall("flock", errno: code, path: path)
        }
    }

    /// Removes `path` and everything below it (without following symbolic links), then the directory
    /// itself. Missing entries are not an error.
    static func removeTree(_ path: String) throws(StorageError) {
        guard let type = try fileType(path) else { return }
        if type == .directory {
            for name in try listDirectory(path) {
                try removeTree(path + "/" + name)
            }
            do throws(StorageError) { try rmdir(path) } catch  where error.kind == .notFound {}
        } else {
            do throws(StorageError) { try unlink(path) } catch  where error.kind == .notFound {}
        }
    }
}

/// Joins a directory and a name with one `/`.
func joinPath(_ directory: String, _ name: String) -> String {
    directory.hasSuffix("/") ? directory + name : directory + "/" + name
}

/// The directory part of `path` (`"."` when there is none) and the last component.
func splitPath(_ path: String) -> (directory: String, name: String) {
    var trimmed = Substring(path)
    while trimmed.count > 1 && trimmed.hasSuffix("/") { trimmed = trimmed.dropLast() }
    guard let slash = trimmed.lastIndex(of: "/") else { return (".", String(trimmed)) }
    let directory = trimmed[..<slash]
    return (directory.isEmpty ? "/" : String(directory), String(trimmed[trimmed.index(after: slash)...]))
}
