import Glibc

// libc calls for the blocking client side (the health probe). Kept beside Socket+Glibc.swift, the
// server side; no other MicroHTTP file calls libc.

extension Socket {
    /// Opens a blocking TCP connection to the first address of `host` on `port`, with send and
    /// receive timeouts and `TCP_NODELAY`. The corresponding C functions are `getaddrinfo`, `socket`,
    /// `setsockopt` and `connect`.
    package static func connectBlocking(host: String, port: Int, timeout: Duration) throws(SocketError) -> Int32 {
        guard let address = try resolve(host: host, port: port).first else {
            throw SocketError(operation: "getaddrinfo", code: 0, message: "\(host) has no address")
        }
        let fd = Glibc.socket(address.family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw lastClientError("socket") }
        let (seconds, attoseconds) = timeout.components
        var tv = timeval(tv_sec: Int(seconds), tv_usec: Int(attoseconds / 1_000_000_000_000))
        for option in [SO_RCVTIMEO, SO_SNDTIMEO] {
            _ = setsockopt(fd, SOL_SOCKET, option, &tv, socklen_t(MemoryLayout<timeval>.size))
        }
        var one: Int32 = 1
        _ = setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        let rc = address.storage.withUnsafeBytes { raw -> Int32 in
            // Safe: `storage` holds a complete sockaddr_in/sockaddr_in6 of `raw.count` bytes.
            raw.withMemoryRebound(to: sockaddr.self) { sa in
                Glibc.connect(fd, sa.baseAddress, socklen_t(raw.count))
            }
        }
        guard rc == 0 else {
            let error = lastClientError("connect")
            Glibc.close(fd)
            throw error
        }
        return fd
    }

    /// Sends all of `bytes` on a blocking descriptor. The corresponding C function is `send`.
    package static func sendAll(_ fd: Int32, _ bytes: [UInt8]) throws(SocketError) {
        var sent = 0
        while sent < bytes.count {
            let n = bytes.withUnsafeBytes { raw in
                // Safe: `sent < bytes.count`, so the buffer is non-empty and has a base address.
                Glibc.send(fd, raw.baseAddress! + sent, raw.count - sent, Int32(MSG_NOSIGNAL))
            }
            if n < 0 {
                if errno == EINTR { continue }
                throw lastClientError("send")
            }
            sent += n
        }
    }

    /// Receives up to `limit` bytes on a blocking descriptor; empty at end of stream.
    /// The corresponding C function is `recv`.
    package static func receiveSome(_ fd: Int32, limit: Int) throws(SocketError) -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: limit)
        while true {
            let n = buffer.withUnsafeMutableBytes { Glibc.recv(fd, $0.baseAddress, $0.count, 0) }
            if n < 0 {
                if errno == EINTR { continue }
                throw lastClientError("recv")
            }
            return Array(buffer.prefix(n))
        }
    }

    /// Closes a client descriptor. The corresponding C function is `close`.
    package static func closeClient(_ fd: Int32) {
        _ = Glibc.close(fd)
    }

    private static func lastClientError(_ operation: String) -> SocketError {
        let code = errno
        return SocketError(operation: operation, code: code, message: String(cString: strerror(code)))
    }
}
