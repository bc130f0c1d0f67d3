/// A per-connection receive buffer: bytes `[readIndex, writeIndex)` of `storage` are unread.
///
/// The parser consumes from the front (advancing `readIndex`); the connection appends at the back,
/// either by copying (tests, fuzzing) or by letting `recv` write straight into the free space.
package struct InputBuffer: Sendable {
    package var storage: [UInt8]
    package private(set) var readIndex = 0
    package private(set) var writeIndex = 0

    /// Creates an empty buffer; storage is allocated on first use.
    package init(capacity: Int = 0) {
        storage = capacity > 0 ? [UInt8](repeating: 0, count: capacity) : []
    }

    /// The number of unread bytes.
    @inline(__always) package var readableCount: Int { writeIndex - readIndex }

    /// The allocated size.
    package var capacity: Int { storage.count }

    /// Appends `bytes` (copying), growing the storage as needed.
    package mutating func append(_ bytes: some Collection<UInt8>) {
        reserveWritable(bytes.count)
        storage.replaceSubrange(writeIndex..<(writeIndex + bytes.count), with: bytes)
        writeIndex += bytes.count
    }

    /// Makes room for at least `count` more bytes after `writeIndex`, compacting before growing.
    package mutating func reserveWritable(_ count: Int) {
        if storage.count - writeIndex >= count { return }
        compact()
        if storage.count - writeIndex >= count { return }
        var newCapacity = Swift.max(storage.count, 1024)
        while newCapacity - writeIndex < count { newCapacity *= 2 }
        var grown = [UInt8](repeating: 0, count: newCapacity)
        if writeIndex > 0 {
            grown.withUnsafeMutableBytes { dst in
                storage.withUnsafeBytes { src in
                    // Safe: writeIndex <= storage.count < newCapacity.
                    dst.baseAddress?.copyMemory(from: src.baseAddress!, byteCount: writeIndex)
                }
            }
        }
        storage = grown
    }

    /// Moves the unread bytes to the front of the storage.
    package mutating func compact() {
        guard readIndex > 0 else { return }
        let n = readableCount
        if n > 0 {
            storage.withUnsafeMutableBytes { raw in
                // Safe: both ranges lie inside the buffer; memmove handles the overlap.
                guard let base = raw.baseAddress else { return }
                (base + 0).copyMemory(from: base + readIndex, byteCount: n)
            }
        }
        readIndex = 0
        writeIndex = n
    }

    /// Lets `body` write into the free space (at least `minimum` bytes, compacting or growing first)
    /// and records how many bytes it wrote. `body` returns the count written (0 for none).
    /// Do not escape the pointer from the closure.
    package mutating func writeWithUnsafeMutableBytes(
        minimum: Int,
        _ body: (UnsafeMutableRawBufferPointer) -> Int
    ) -> Int {
        if readIndex == writeIndex {
            readIndex = 0
            writeIndex = 0
        }
        reserveWritable(minimum)
        let start = writeIndex
        let written = storage.withUnsafeMutableBytes { raw -> Int in
            let free = UnsafeMutableRawBufferPointer(rebasing: raw[start...])
            return body(free)
        }
        precondition(
            written >= 0 && written <= storage.count - start,
            "writer reported more bytes than it had room for"
        )
        writeIndex += written
        return written
    }

    /// Marks `count` bytes as read.
    @inline(__always) package mutating func consume(_ count: Int) {
        readIndex += count
        if readIndex == writeIndex {
            readIndex = 0
            writeIndex = 0
        }
    }

    /// Releases the storage if no unread bytes remain and it has grown beyond `keep` bytes.
    package mutating func shrinkIfIdle(keep: Int) {
        if readableCount == 0 && storage.count > keep {
            storage = []
            readIndex = 0
            writeIndex = 0
        }
    }
}
