extension HTTPServer {
    /// Every address, limit and timeout of the server (docs/http.md §5), with optd's defaults.
    ///
    /// Timeouts are enforced by a sweep on each I/O queue that runs every
    /// ``sweepInterval`` (a quarter of the shortest timeout, between 10 ms and 250 ms), so a timeout
    /// fires up to one sweep interval late.
    public struct Configuration: Sendable {
        /// Address to bind: `"127.0.0.1"` (default), `"::1"`, `"::"` (IPv6 and IPv4), `"0.0.0.0"`, or a
        /// name such as `"localhost"` (every address it resolves to, on one port).
        public var host: String = "127.0.0.1"
        /// TCP port; 0 picks a free one (reported by ``HTTPServer/start()``). Default 8080.
        public var port: Int = 8080
        /// `listen` backlog. Default 1024 (the kernel caps it at `net.core.somaxconn`).
        public var backlog: Int = 1024
        /// Longest request line in bytes, CRLF excluded; longer → 414. Default 8 KiB.
        public var maxRequestLine: Int = 8 * 1024
        /// Largest request line plus header section in bytes; larger → 431. Default 32 KiB.
        public var maxHeaderBytes: Int = 32 * 1024
        /// Most header fields; more → 431. Default 100.
        public var maxHeaderCount: Int = 100
        /// Largest body as sent (before gunzip) in bytes; larger → 413, answered before the body is
        /// read when `Content-Length` declares it. Default 64 MiB.
        public var maxBody: Int = 64 * 1024 * 1024
        /// Largest body after gunzip in bytes; larger → 413 as soon as inflation passes it. Default 64 MiB.
        ///
        /// Inflation runs on the worker queue, except for bodies of at most 256 compressed bytes whose
        /// output is at most 16 KiB, which are inflated on the connection's I/O queue (tens of
        /// microseconds at most). Deflate expands up to about 1032:1, so a 256-byte body may produce
        /// about 264 KB: one whose output passes 16 KiB is inflated again on the worker queue.
        public var maxDecompressedBody: Int = 64 * 1024 * 1024
        /// From the first byte of a request (or accepting the connection) to the end of its head;
        /// exceeded → 408 and close once some of the request arrived, a silent close for a connection
        /// that never sent a byte. Default 10 s.
        public var headerTimeout: Duration = .seconds(10)
        /// Longest gap between body reads; exceeded → 408 and close. Default 30 s.
        public var bodyIdleTimeout: Duration = .seconds(30)
        /// Longest idle time between requests on a persistent connection; exceeded → close. Default 30 s.
        public var keepAliveIdle: Duration = .seconds(30)
        /// Longest gap without write progress while a response is pending; exceeded → close. Default 30 s.
        public var writeIdleTimeout: Duration = .seconds(30)
        /// Requests served on one connection before it closes (the last response carries
        /// `Connection: close`). Default 1000.
        public var maxRequestsPerConnection: Int = 1000
        /// Open connections at most; beyond, new connections get a canned 503 `limit_exceeded` and are
        /// closed. Keep it below the `RLIMIT_NOFILE` soft limit. Default 1024.
        public var maxConnections: Int = 1024
        /// Default grace period for ``HTTPServer/shutdown(grace:)``. Default 8 s.
        public var shutdownGrace: Duration = .seconds(8)
        /// How long a closing connection keeps reading and discarding after its last response
        /// (lingering close, RFC 9112 §9.6). Default 2 s.
        public var lingerTimeout: Duration = .seconds(2)
        /// Pause after `accept` fails for lack of descriptors or memory (EMFILE, ENFILE, ENOBUFS,
        /// ENOMEM) or another error. Default 200 ms.
        public var acceptBackoff: Duration = .milliseconds(200)
        /// Serial I/O queues that connections are spread over. Default: the number of processors.
        public var ioQueueCount: Int = Socket.processorCount()
        /// After a response is written, how long the connection's I/O queue keeps checking for the
        /// next request itself (a non-blocking `recv` peek between the queue's other work) before it
        /// leaves the wait to the readiness event. Default 0: off.
        ///
        /// On virtual machines whose idle CPUs halt (guest halt polling off), waking a thread for a
        /// readiness event takes tens of microseconds, more than a small request's work. A client
        /// that sends its next request right after the last response (a training loop) is then
        /// answered sooner, at the price of up to this much CPU per response when no request follows.
        public var busyPoll: Duration = .zero
        /// Per-connection receive buffer in bytes (grows for larger heads). Default 16 KiB.
        public var readBufferSize: Int = 16 * 1024
        /// Compress responses with gzip when the client accepts it. Default true. A `.worker` handler's
        /// response is compressed on the worker queue right after the handler; other responses up to
        /// 64 KiB on the connection's I/O queue, larger ones on the worker queue (a hop there and back),
        /// so that no I/O queue spends more than the time of compressing 64 KiB on one response.
        public var responseCompression: Bool = true
        /// Smallest body that is compressed, in bytes. Default 1024.
        public var gzipMinimumSize: Int = 1024
        /// zlib level for response compression, 1 (fastest) ... 9. Default 1.
        public var gzipLevel: Int = 1
        /// `Content-Type` prefixes never compressed (already compressed, or float data that
        /// compresses poorly). Default: `application/octet-stream`, `image/`, `audio/`, `video/`,
        /// `application/gzip`, `application/zip`.
        public var uncompressedContentTypes: [String] = [
            "application/octet-stream", "image/", "audio/", "video/", "application/gzip", "application/zip",
        ]
        /// Called after each response with what was served (on an I/O queue: keep it cheap). Default nil.
        public var requestObserver: (@Sendable (RequestRecord) -> Void)?
        /// Counts request body memory against the application's budget before it is allocated (see
        /// ``BodyMemoryGate`` for when it is asked and what is not counted); a refusal is answered with
        /// the gate's response and the connection closed. Default nil: bodies are bounded only by
        /// ``maxBody`` and ``maxDecompressedBody``.
        public var bodyMemoryGate: (any BodyMemoryGate)? = nil

        /// Creates a configuration with the defaults above for `host` and `port`.
        public init(host: String = "127.0.0.1", port: Int = 8080) {
            self.host = host
            self.port = port
        }

        /// A quarter of the shortest timeout, clamped to 10 ms ... 250 ms.
        public var sweepInterval: Duration {
            let shortest =
                [headerTimeout, bodyIdleTimeout, keepAliveIdle, writeIdleTimeout, lingerTimeout].min() ?? .seconds(1)
            return min(max(shortest / 4, .milliseconds(10)), .milliseconds(250))
        }

        var parserLimits: HTTPRequestParser.Limits {
            HTTPRequestParser.Limits(
                maxRequestLine: maxRequestLine,
                maxHeaderBytes: maxHeaderBytes,
                maxHeaderCount: maxHeaderCount,
                maxBody: maxBody
            )
        }

        var timeouts: ConnectionStateMachine.Timeouts {
            ConnectionStateMachine.Timeouts(
                header: headerTimeout.nanoseconds,
                bodyIdle: bodyIdleTimeout.nanoseconds,
                keepAliveIdle: keepAliveIdle.nanoseconds,
                writeIdle: writeIdleTimeout.nanoseconds,
                linger: lingerTimeout.nanoseconds
            )
        }
    }
}

extension Duration {
    /// Whole nanoseconds, saturating at 0 for negative durations.
    var nanoseconds: UInt64 {
        let (seconds, attoseconds) = components
        guard seconds >= 0 else { return 0 }
        return UInt64(seconds) * 1_000_000_000 + UInt64(attoseconds / 1_000_000_000)
    }
}
