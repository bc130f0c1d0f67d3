/// Asked before a request's body bytes are buffered (declared Content-Length up front; chunked and
/// inflated gzip bodies as they grow, in steps of at most 1 MiB), so that an application can count
/// them against its own memory budget.
///
/// Bounds and timing:
/// - A buffer that stays within 64 KiB is not counted: the hot path of
///   small requests asks nothing. Such bodies are bounded by the open connections × 64 KiB (× 2 for a
///   gzip body: its compressed bytes and its inflated output are separate buffers, each up to 64 KiB).
/// - A `Content-Length` body above 64 KiB is reserved once, for its declared length, when its head
///   arrives (before `100 Continue` and before any body byte is read).
/// - A chunked body, and the output of inflating a gzip body, are reserved when their buffer must grow
///   past 64 KiB, for the whole new capacity, in reservations of at most 1 MiB each; the leases of the
///   old buffer are given back after its bytes moved into the new one, so the count covers the moment
///   when both are allocated. Capacities grow by doubling, capped by ``HTTPServer/Configuration/maxBody``
///   (chunked) or ``HTTPServer/Configuration/maxDecompressedBody`` (gzip output).
/// - `reserve(bytes:)` is called on the server's I/O queues and on its worker queue, one request at a
///   time per connection but concurrently across connections: keep it non-blocking and cheap (an
///   atomic counter), and thread-safe.
public protocol BodyMemoryGate: Sendable {
    /// Reserves `bytes` more for one request's body. Returns a lease that gives them back when it is
    /// released (deinit), or nil to refuse; a refused request is answered with `refusal(bytes:)` and
    /// its connection closed (the unread body is not read).
    func reserve(bytes: Int) -> (any BodyMemoryLease)?
    /// The response for a refused reservation (the application's own problem, e.g. 507).
    func refusal(bytes: Int) -> HTTPResponse
}

/// Bytes held against a BodyMemoryGate; released when the lease is deinitialised.
///
/// The server keeps a request's leases while it buffers the body, then hands them to the handler in
/// ``HTTPRequest/bodyLeases``: they are released when the last copy of that request value goes away
/// (when the handler returns, or later for a deferred handler that keeps the request), or when the
/// exchange ends first (response sent or connection closed).
public protocol BodyMemoryLease: AnyObject, Sendable {}

/// How request body buffers grow against a ``BodyMemoryGate``.
enum BodyMemory {
    /// Body buffers up to this capacity (64 KiB) are not counted against the gate.
    static let ungatedBytes = 64 * 1024
    /// The largest single reservation made while a buffer grows: 1 MiB.
    static let step = 1 << 20

    /// Makes `bytes` able to take `extra` more bytes without reallocating, asking `gate` for the new
    /// capacity first when it passes ``ungatedBytes``. Capacity doubles (at least 4 KiB) and is capped
    /// by `limit` (but never below what is needed), and by ``ungatedBytes`` while that suffices. On
    /// success `leases` cover the new capacity; returns the refused reservation's size when the gate
    /// refused (nothing was reallocated then).
    static func makeRoom(
        in bytes: inout [UInt8],
        leases: inout [any BodyMemoryLease],
        for extra: Int,
        limit: Int,
        gate: (any BodyMemoryGate)?
    ) -> Int? {
        let needed = bytes.count + extra
        guard needed > bytes.capacity else { return nil }
        var capacity = max(needed, min(limit, max(bytes.capacity * 2, 4096)))
        // Allocators round capacities up: do not let doubling cross the ungated size needlessly.
        if needed <= ungatedBytes && capacity > ungatedBytes { capacity = ungatedBytes }
        guard let gate, capacity > ungatedBytes else {
            bytes.reserveCapacity(capacity)
            return nil
        }
        // The new buffer is allocated while the old one still holds the bytes: lease all of it, and
        // release the old buffer's leases once the bytes moved.
        var fresh: [any BodyMemoryLease] = []
        fresh.reserveCapacity((capacity + step - 1) / step)
        var covered = 0
        while covered < capacity {
            let size = min(step, capacity - covered)
            guard let lease = gate.reserve(bytes: size) else { return size }
            fresh.append(lease)
            covered += size
        }
        bytes.reserveCapacity(capacity)
        leases = fresh
        return nil
    }
}
