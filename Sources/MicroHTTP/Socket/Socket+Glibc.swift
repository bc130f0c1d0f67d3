import Glibc

// The only file in MicroHTTP that calls libc. Every call retries EINTR (except close, which must
// not be retried on Linux), returns EAGAIN/EWOULDBLOCK as a value, and otherwise reports
// `SocketError` naming the call.

/// `accept4` is a GNU extension that Glibc's Swift module does not export; it has a plain C ABI
/// (int and pointer arguments), so binding it by symbol name is safe.
@_silgen_name("accept4")
private func c_accept4(
    _ fd: Int32,
    _ address: UnsafeMutablePointer<sockaddr>?,
    _ length: UnsafeMutablePointer<socklen_t>?,
    _ flags: Int32
) -> Int32

extension Socket {
    private static func lastError(_ operation: String) -> SocketError {
        let code = errno
        let message = String(cString: strerror(code))
        return SocketError(operation: operation, code: code, message: message)
    }

    /// Resolves `host` (numeric or a name such as `localhost`) for a passive TCP socket on `port`.
    /// The corresponding C function is `getaddrinfo`.
    package static func resolve(host: String, port: Int) throws(SocketError) -> [SocketAddress] {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV
        var result: UnsafeMutablePointer<addrinfo>?
        let rc = getaddrinfo(host.isEmpty ? nil : host, String(port), &hints, &result)
        guard rc == 0, let first = result else {
            throw SocketError(operation: "getaddrinfo", code: rc, message: String(cString: gai_strerror(rc)))
        }
        defer { freeaddrinfo(first) }
        var addresses: [SocketAddress] = []
        var cursor: UnsafeMutablePointer<addrinfo>? = first
        while let info = cursor {
            defer { cursor = info.pointee.ai_next }
            guard let sa = info.pointee.ai_addr,
                info.pointee.ai_family == AF_INET || info.pointee.ai_family == AF_INET6
            else { continue }
            let bytes = [UInt8](UnsafeRawBufferPointer(start: sa, count: Int(info.pointee.ai_addrlen)))
            let address = SocketAddress(
                family: info.pointee.ai_family,
                storage: bytes,
                description: describe(sa),
                isIPv6: info.pointee.ai_family == AF_INET6
            )
            if !addresses.contains(where: { $0.storage == address.storage }) { addresses.append(address) }
        }
        return addresses
    }

    /// `"127.0.0.1:80"` / `"[::1]:80"` for a `sockaddr`.
    private static func describe(_ sa: UnsafePointer<sockaddr>) -> String {
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
        if sa.pointee.sa_family == sa_family_t(AF_INET) {
            return sa.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { sin in
                var addr = sin.pointee.sin_addr
                inet_ntop(AF_INET, &addr, &text, socklen_t(text.count))
                let host = String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
                return "\(host):\(UInt16(bigEndian: sin.pointee.sin_port))"
            }
        }
        if sa.pointee.sa_family == sa_family_t(AF_INET6) {
            return sa.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { sin6 in
                var addr = sin6.pointee.sin6_addr
                inet_ntop(AF_INET6, &addr, &text, socklen_t(text.count))
                let host = String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
                return "[\(host)]:\(UInt16(bigEndian: sin6.pointee.sin6_port))"
            }
        }
        return "unknown"
    }

    /// Creates a non-blocking listening socket bound to `address` with `SO_REUSEADDR`; IPv6 sockets
    /// bound to `::` also accept IPv4 (`IPV6_V6ONLY` off). The corresponding C functions are `socket`,
    /// `setsockopt`, `bind` and `listen`.
    package static func listen(on address: SocketAddress, backlog: Int32) throws(SocketError) -> Socket {
        let fd = Glibc.socket(
            address.family,
            Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue),
            0
        )
        guard fd >= 0 else { throw lastError("socket") }
        var one: Int32 = 1
        var zero: Int32 = 0
        _ = setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        if address.isIPv6 {
            _ = setsockopt(fd, Int32(IPPROTO_IPV6), IPV6_V6ONLY, &zero, socklen_t(MemoryLayout<Int32>.size))
        }
        let rc = address.storage.withUnsafeBytes { raw in
            Glibc.bind(fd, raw.baseAddress?.assumingMemoryBound(to: sockaddr.self), socklen_t(raw.count))
        }
        guard rc == 0 else {
            let error = lastError("bind \(address)")
            Glibc.close(fd)
            throw error
        }
        guard Glibc.listen(fd, backlog) == 0 else {
            let error = lastError("listen")
            Glibc.close(fd)
            throw error
        }
        return Socket(descriptor: fd)
    }

    /// The local port the socket is bound to. The corresponding C function is `getsockname`.
    package func localPort() throws(SocketError) -> Int {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let rc = withUnsafeMutablePointer(to: &storage) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        guard rc == 0 else { throw Socket.lastError("getsockname") }
        let family = storage.ss_family
        return withUnsafePointer(to: &storage) { p in
            if family == sa_family_t(AF_INET6) {
                return p.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) {
                    Int(UInt16(bigEndian: $0.pointee.sin6_port))
                }
            }
            return p.withMemoryRebound(to: sockaddr_in.self, capacity: 1) {
                Int(UInt16(bigEndian: $0.pointee.sin_port))
            }
        }
    }

    /// Accepts one pending connection as a non-blocking, close-on-exec socket with `TCP_NODELAY` on.
    /// The corresponding C function is `accept4`.
    package func accept() -> AcceptResult {
        var storage = sockaddr_storage()
        while true {
            var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
            let fd = withUnsafeMutablePointer(to: &storage) { p in
                p.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    c_accept4(descriptor, $0, &length, Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue))
                }
            }
            if fd >= 0 {
                var one: Int32 = 1
                _ = setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
                let peer = withUnsafePointer(to: &storage) { p in
                    p.withMemoryRebound(to: sockaddr.self, capacity: 1) { Socket.describe($0) }
                }
                return .accepted(Socket(descriptor: fd), peer)
            }
            switch errno {
            case EINTR: continue
            case EAGAIN, EWOULDBLOCK: return .wouldBlock
            case ECONNABORTED, EPROTO, EPERM, ENETDOWN, ENOPROTOOPT, EHOSTDOWN, ENONET, EHOSTUNREACH, EOPNOTSUPP,
                ENETUNREACH:
                return .retry
            case EMFILE, ENFILE, ENOBUFS, ENOMEM: return .resourcesExhausted(Socket.lastError("accept4"))
            default: return .failed(Socket.lastError("accept4"))
            }
        }
    }

    /// Reads into `buffer`. The corresponding C function is `recv`.
    package func receive(into buffer: UnsafeMutableRawBufferPointer) throws(SocketError) -> ReceiveResult {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return .wouldBlock }
        while true {
            let n = recv(descriptor, base, buffer.count, 0)
            if n > 0 { return .bytes(n) }
            if n == 0 { return .endOfFile }
            switch errno {
            case EINTR: continue
            case EAGAIN, EWOULDBLOCK: return .wouldBlock
            default: throw Socket.lastError("recv")
            }
        }
    }

    /// True when a `recv` would not block: bytes are waiting, the peer closed, or the socket has
    /// an error. A one-byte `recv` with `MSG_PEEK | MSG_DONTWAIT`; nothing is consumed.
    package func isReadable() -> Bool {
        var byte: UInt8 = 0
        while true {
            let n = recv(descriptor, &byte, 1, Int32(MSG_PEEK | MSG_DONTWAIT))
            if n >= 0 { return true }
            switch errno {
            case EINTR: continue
            case EAGAIN, EWOULDBLOCK: return false
            default: return true
            }
        }
    }

    /// Sends `first` then `second` in one gathered call with `MSG_NOSIGNAL`; returns the bytes
    /// written (possibly fewer than offered), or nil when the socket buffer is full. The
    /// corresponding C function is `sendmsg`.
    package func send(_ first: UnsafeRawBufferPointer, _ second: UnsafeRawBufferPointer) throws(SocketError) -> Int? {
        var iov = (
            iovec(iov_base: UnsafeMutableRawPointer(mutating: first.baseAddress), iov_len: first.count),
            iovec(iov_base: UnsafeMutableRawPointer(mutating: second.baseAddress), iov_len: second.count)
        )
        let count = second.isEmpty ? 1 : (first.isEmpty ? 2 : 2)
        while true {
            let n = withUnsafeMutablePointer(to: &iov) { tuple -> Int in
                tuple.withMemoryRebound(to: iovec.self, capacity: 2) { vectors in
                    var header = msghdr()
                    if first.isEmpty {
                        header.msg_iov = vectors + 1
                        header.msg_iovlen = 1
                    } else {
                        header.msg_iov = vectors
                        header.msg_iovlen = count
                    }
                    return sendmsg(descriptor, &header, Int32(MSG_NOSIGNAL))
                }
            }
            if n >= 0 { return n }
            switch errno {
            case EINTR: continue
            case EAGAIN, EWOULDBLOCK: return nil
            default: throw Socket.lastError("sendmsg")
            }
        }
    }

    /// Stops sending (FIN) but keeps receiving, for a lingering close (RFC 9112 §9.6).
    /// The corresponding C function is `shutdown`.
    package func shutdownWrite() {
        _ = Glibc.shutdown(descriptor, Int32(SHUT_WR))
    }

    /// Closes the descriptor; never retried (Linux releases it even on EINTR).
    /// The corresponding C function is `close`.
    package func close() {
        _ = Glibc.close(descriptor)
    }

    /// Ignores SIGPIPE process-wide (sends also pass `MSG_NOSIGNAL`). The corresponding C function
    /// is `signal`.
    package static func ignoreSIGPIPE() {
        _ = signal(SIGPIPE, SIG_IGN)
    }

    /// Sets `signo`'s disposition to ignore, so that a `DispatchSource` signal source alone handles it
    /// (required as PID 1). The corresponding C function is `signal`.
    package static func ignoreSignal(_ signo: Int32) {
        _ = signal(signo, SIG_IGN)
    }

    /// SIGTERM.
    package static var terminateSignal: Int32 { SIGTERM }
    /// SIGINT.
    package static var interruptSignal: Int32 { SIGINT }

    /// The soft and hard `RLIMIT_NOFILE`. The corresponding C function is `getrlimit`.
    package static func openFileLimit() -> (soft: UInt64, hard: UInt64) {
        var limit = rlimit()
        guard getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return (0, 0) }
        return (UInt64(limit.rlim_cur), UInt64(limit.rlim_max))
    }

    /// Seconds since the Unix epoch (for the `Date` header). The corresponding C function is
    /// `clock_gettime(CLOCK_REALTIME)`.
    package static func wallClockSeconds() -> Int {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int(ts.tv_sec)
    }

    /// Monotonic nanoseconds. The corresponding C function is `clock_gettime(CLOCK_MONOTONIC)`.
    package static func monotonicNanoseconds() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }

    /// The number of online processors (default I/O queue count). The corresponding C function is
    /// `sysconf(_SC_NPROCESSORS_ONLN)`.
    package static func processorCount() -> Int {
        max(1, sysconf(Int32(_SC_NPROCESSORS_ONLN)))
    }
}
