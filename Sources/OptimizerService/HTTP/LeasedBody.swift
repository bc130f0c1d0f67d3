import MicroHTTP

/// A response body that holds its share of the memory budget (`MemoryLease`) for as long as the server
/// holds the bytes: the lease is freed with the body once the response is written.
struct LeasedBody: HTTPBodyStorage {
    let bytes: [UInt8]
    let lease: MemoryLease?

    var byteCount: Int { bytes.count }

    func withUnsafeBodyBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try bytes.withUnsafeBytes { try body($0) }
    }
}

extension HTTPBody {
    /// `bytes` keeping `lease` until they are sent (plain bytes without a lease).
    static func leased(_ bytes: [UInt8], _ lease: MemoryLease?) -> HTTPBody {
        guard let lease else { return .bytes(bytes) }
        return .buffer(LeasedBody(bytes: bytes, lease: lease))
    }
}

extension HTTPResponse {
    /// An `application/json` response whose bytes keep `lease` until they are sent.
    static func json(_ bytes: [UInt8], lease: MemoryLease?, status: HTTPStatus = .ok) -> HTTPResponse {
        HTTPResponse(status: status, headers: ["Content-Type": "application/json"], body: .leased(bytes, lease))
    }
}

extension ServiceContext {
    /// Buffers up to this size need no lease: the budget's documented slack covers one per connection.
    static let unleasedBytes = 64 << 10

    /// A lease of `bytes` for a buffer about to be built, or nil when it is small (`unleasedBytes`).
    /// - Throws: 507 `limit_exceeded` (`memory_budget`) naming `what` when the budget cannot lend them.
    func lease(_ bytes: Int, for what: String) throws(ServiceError) -> MemoryLease? {
        guard bytes > Self.unleasedBytes else { return nil }
        return try registry.lease(bytes: bytes, for: what)
    }
}
