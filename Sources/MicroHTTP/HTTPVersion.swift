/// An HTTP version from a request line (`HTTP/1.1` is `major 1, minor 1`).
public struct HTTPVersion: Sendable, Hashable, CustomStringConvertible {
    /// The major version; MicroHTTP serves only 1 (others get 505).
    public var major: Int
    /// The minor version; any `1.x` other than `1.0` is served as `1.1` (RFC 9110 §2.5).
    public var minor: Int

    /// Creates a version.
    public init(major: Int, minor: Int) {
        self.major = major
        self.minor = minor
    }

    /// HTTP/1.0.
    public static let http1_0 = HTTPVersion(major: 1, minor: 0)
    /// HTTP/1.1.
    public static let http1_1 = HTTPVersion(major: 1, minor: 1)

    /// `"HTTP/1.1"`.
    public var description: String { "HTTP/\(major).\(minor)" }
}
