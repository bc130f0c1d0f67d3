/// A non-blocking socket descriptor. Every libc call lives in `Socket+Glibc.swift`; this type only
/// carries the descriptor and the result shapes of those calls.
package struct Socket: Sendable, Hashable {
    /// The file descriptor.
    package let descriptor: Int32

    package init(descriptor: Int32) {
        self.descriptor = descriptor
    }

    /// The outcome of a non-blocking `recv`.
    package enum ReceiveResult: Sendable, Equatable {
        /// This many bytes (> 0) were read.
        case bytes(Int)
        /// The peer closed its sending side (orderly EOF).
        case endOfFile
        /// Nothing to read now (EAGAIN/EWOULDBLOCK).
        case wouldBlock
    }

    /// The outcome of a non-blocking `accept4`.
    package enum AcceptResult: Sendable {
        /// A new connection and the peer's printable address.
        case accepted(Socket, String)
        /// No pending connection (EAGAIN).
        case wouldBlock
        /// A connection failed before it was accepted (ECONNABORTED, EPROTO, ...); try again.
        case retry
        /// Out of descriptors or memory (EMFILE, ENFILE, ENOBUFS, ENOMEM): pause accepting.
        case resourcesExhausted(SocketError)
        /// Anything else: log and back off.
        case failed(SocketError)
    }
}
