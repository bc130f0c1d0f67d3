/// A resolved IPv4 or IPv6 socket address (the raw `sockaddr` bytes plus a printable form).
package struct SocketAddress: Sendable, CustomStringConvertible {
    /// `AF_INET` or `AF_INET6`.
    package var family: Int32
    /// The `sockaddr_in` / `sockaddr_in6` bytes.
    package var storage: [UInt8]
    /// `"127.0.0.1:8080"` or `"[::1]:8080"`.
    package var description: String
    /// True for IPv6.
    package var isIPv6: Bool
}
