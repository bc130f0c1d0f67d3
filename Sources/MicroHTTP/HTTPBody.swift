/// Contiguous bytes that can be sent as a response body without another copy.
///
/// `[UInt8]`, `[Float]`, `[Double]` and `ArraySlice<UInt8>` conform; floats go out in the machine's
/// byte order (little-endian on x86_64 and arm64), which is the API's binary format.
public protocol HTTPBodyStorage: Sendable {
    /// The number of bytes.
    var byteCount: Int { get }
    /// Calls `body` with the bytes. Do not escape the pointer from the closure.
    func withUnsafeBodyBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R
}

/// A fixed-size, pointer-free element type whose arrays can be sent as bodies in place.
public protocol HTTPBodyElement: BitwiseCopyable, Sendable {}
extension UInt8: HTTPBodyElement {}
extension Int8: HTTPBodyElement {}
extension Float: HTTPBodyElement {}
extension Double: HTTPBodyElement {}
extension Int32: HTTPBodyElement {}
extension UInt32: HTTPBodyElement {}

extension Array: HTTPBodyStorage where Element: HTTPBodyElement {
    /// `count * MemoryLayout<Element>.stride`.
    public var byteCount: Int { count * MemoryLayout<Element>.stride }
    /// The array's bytes, in place.
    public func withUnsafeBodyBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try withUnsafeBytes { try body($0) }
    }
}

extension ArraySlice: HTTPBodyStorage where Element: HTTPBodyElement {
    /// `count * MemoryLayout<Element>.stride`.
    public var byteCount: Int { count * MemoryLayout<Element>.stride }
    /// The slice's bytes, in place.
    public func withUnsafeBodyBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try withUnsafeBytes { try body($0) }
    }
}

/// A response body produced piece by piece and pulled by the server whenever the socket can take
/// more, so at most one piece is buffered (natural backpressure).
///
/// ``next()`` is called on the connection's I/O queue and must not block: use it for bodies that
/// are generated (for example a large JSON document encoded piece by piece), not for waiting.
/// With a known ``length`` the body goes out with `Content-Length` (a stream that then produces a
/// different total ends the connection); with `nil` it is sent chunked to HTTP/1.1 clients and
/// close-delimited to HTTP/1.0 clients. Streams are never gzip-compressed.
public protocol HTTPBodyStream: AnyObject, Sendable {
    /// The total byte count, if known in advance.
    var length: Int? { get }
    /// The next piece (empty pieces are skipped), or nil at the end.
    func next() -> [UInt8]?
}

/// A response body.
public enum HTTPBody: Sendable {
    /// No body (`Content-Length: 0` where a length is allowed).
    case empty
    /// Bytes owned by the response.
    case bytes([UInt8])
    /// A large buffer sent in place (for example `[Float]` parameters), never copied again.
    case buffer(any HTTPBodyStorage)
    /// Pieces pulled from a stream as the socket drains.
    case stream(any HTTPBodyStream)

    /// The body length in bytes (a stream's declared length, or 0 when unknown).
    public var count: Int {
        switch self {
        case .empty: 0
        case .bytes(let b): b.count
        case .buffer(let s): s.byteCount
        case .stream(let s): s.length ?? 0
        }
    }

    /// Calls `body` with the bytes (empty for `.empty` and `.stream`). Do not escape the pointer from
    /// the closure.
    public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        switch self {
        case .empty, .stream: try body(UnsafeRawBufferPointer(start: nil, count: 0))
        case .bytes(let b): try b.withUnsafeBytes { try body($0) }
        case .buffer(let s): try s.withUnsafeBodyBytes { try body($0) }
        }
    }

    /// A copy of the bytes (for tests and small bodies); drains a stream.
    public var bytes: [UInt8] {
        switch self {
        case .empty:
            return []
        case .stream(let s):
            var out: [UInt8] = []
            while let piece = s.next() { out += piece }
            return out
        case .bytes(let b):
            return b
        case .buffer(let s):
            return s.withUnsafeBodyBytes { [UInt8]($0) }
        }
    }
}
