import Glibc
import MicroHTTP

/// A blocking HTTP/1.1 client on a POSIX socket for live tests of `HTTPServer` and of the service:
/// exact control over the bytes sent (raw heads, chunked and gzip bodies, pipelining, half-close),
/// keep-alive, and a receive timeout on every read (`SO_RCVTIMEO`) so that no test can hang.
///
/// Interim `1xx` responses are returned by ``readResponse(method:)`` like any other (a test that sends
/// `Expect: 100-continue` reads them itself), so an unexpected `100 Continue` fails the test that
/// did not ask for it.
public final class HTTPClient: TestHTTPClient {
    public typealias Response = TestResponse

    public enum Failure: Error, CustomStringConvertible {
        /// The connection could not be made (`errno`, with the socket error's text).
        case connect(Int32, String)
        /// No complete response within the receive timeout.
        case timeout
        /// The server closed the connection before a complete response.
        case closed
        /// Bytes that are not an HTTP/1.1 response.
        case malformed(String)

        public var description: String {
            switch self {
            case .connect(_, let message): "cannot connect: \(message)"
            case .timeout: "no response within the receive timeout"
            case .closed: "the server closed the connection"
            case .malformed(let s): "malformed response: \(s)"
            }
        }
    }

    /// The connected socket (for tests that read or write around the client).
    public let fd: Int32
    /// The server's port.
    public let port: Int
    private var buffer: [UInt8] = []
    private var start = 0
    private var isOpen = true

    /// Connects to `host:port` with `timeout` seconds for the connect and for every send and receive.
    public init(port: Int, host: String = "127.0.0.1", timeout: Double = 15) throws {
        self.port = port
        do {
            fd = try Socket.connectBlocking(host: host, port: port, timeout: .milliseconds(Int(timeout * 1000)))
        } catch {
            throw Failure.connect(error.code, error.description)
        }
    }

    deinit { close() }

    /// Closes the socket (idempotent).
    public func close() {
        guard isOpen else { return }
        isOpen = false
        Glibc.close(fd)
    }

    // MARK: - Sending

    /// Sends raw bytes.
    public func send(_ bytes: [UInt8]) throws { try Socket.sendAll(fd, bytes) }

    /// Sends the UTF-8 bytes of `text`.
    public func send(_ text: String) throws { try send(Array(text.utf8)) }

    /// Half-closes the connection: the server reads EOF, the client can still read.
    public func shutdownWrite() { Glibc.shutdown(fd, Int32(SHUT_WR)) }

    /// The bytes of a request: `Host` is added, and `Content-Length` (or chunked framing with
    /// `chunkSize`) when there is a body.
    public static func requestBytes(
        _ method: String, _ path: String, headers: [(String, String)] = [], body: [UInt8]? = nil, chunkSize: Int? = nil
    ) -> [UInt8] {
        var head = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        guard let body else { return Array((head + "\r\n").utf8) }
        guard let chunkSize else { return Array((head + "Content-Length: \(body.count)\r\n\r\n").utf8) + body }
        var out = Array((head + "Transfer-Encoding: chunked\r\n\r\n").utf8)
        var i = 0
        while i < body.count {
            let n = min(chunkSize, body.count - i)
            out += Array("\(String(n, radix: 16))\r\n".utf8) + body[i..<(i + n)] + [13, 10]
            i += n
        }
        return out + Array("0\r\n\r\n".utf8)
    }

    /// Sends one request with a chunked body of `chunkSize`-byte chunks and reads its response.
    public func request(
        _ method: String, _ path: String, headers: [(String, String)] = [], body: [UInt8], chunkSize: Int
    ) throws -> Response {
        try send(Self.requestBytes(method, path, headers: headers, body: body, chunkSize: chunkSize))
        return try readResponse(method: method)
    }

    /// Sends one request (`Content-Length` framing) and reads its response.
    public func perform(
        _ method: String, _ path: String, headers: [(String, String)], body: [UInt8]?
    ) throws -> Response {
        try send(Self.requestBytes(method, path, headers: headers, body: body))
        return try readResponse(method: method)
    }

    // MARK: - Receiving

    private var available: Int { buffer.count - start }

    /// Bytes already received but not consumed.
    public var pending: Int { available }

    /// Reads more bytes; false on EOF (or a reset).
    private func fill() throws -> Bool {
        if start > 0, start == buffer.count {
            buffer.removeAll(keepingCapacity: true)
            start = 0
        } else if start > 1 << 20 {
            buffer.removeFirst(start)
            start = 0
        }
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = recv(fd, &chunk, chunk.count, 0)
            if n > 0 {
                buffer.append(contentsOf: chunk[0..<n])
                return true
            }
            if n == 0 { return false }
            if errno == EINTR { continue }
            if errno == EAGAIN || errno == EWOULDBLOCK { throw Failure.timeout }
            if errno == ECONNRESET { return false }
            throw Failure.closed
        }
    }

    /// Reads exactly `count` raw bytes.
    public func readRaw(_ count: Int) throws -> [UInt8] {
        while available < count {
            guard try fill() else { throw Failure.closed }
        }
        let out = Array(buffer[start..<(start + count)])
        start += count
        return out
    }

    /// The next line ending in CRLF, without it.
    private func line() throws -> String {
        while true {
            if let i = buffer[start...].firstIndex(of: 10), i > start, buffer[i - 1] == 13 {
                let text = String(decoding: buffer[start..<(i - 1)], as: UTF8.self)
                start = i + 1
                return text
            }
            guard try fill() else { throw Failure.closed }
        }
    }

    /// Reads one response to a request with `method`: `HEAD` responses, `1xx`, `204` and `304` have
    /// no body; otherwise chunked, `Content-Length` or close-delimited framing.
    public func readResponse(method: String = "GET") throws -> Response {
        let statusLine = try line()
        let parts = statusLine.split(separator: " ", maxSplits: 2)
        guard parts.count >= 2, parts[0] == "HTTP/1.1", let status = Int(parts[1]) else {
            throw Failure.malformed(statusLine)
        }
        var head = statusLine
        var headers: [(name: String, value: String)] = []
        while true {
            let l = try line()
            if l.isEmpty { break }
            head += "\r\n" + l
            guard let colon = l.firstIndex(of: ":") else { throw Failure.malformed(l) }
            headers.append((String(l[..<colon]), l[l.index(after: colon)...].trimmed(" \t")))
        }
        var response = Response(status: status, headers: headers, body: [], head: head)
        if method == "HEAD" || status < 200 || status == 204 || status == 304 { return response }
        if response.header("Transfer-Encoding")?.lowercased().contains("chunked") == true {
            while true {
                let sizeLine = try line()
                guard
                    let size = Int(
                        sizeLine.split(separator: ";", omittingEmptySubsequences: false)[0].trimmed(" "), radix: 16)
                else { throw Failure.malformed("chunk size \(sizeLine)") }
                if size == 0 {
                    while try !line().isEmpty {}  // trailers
                    break
                }
                response.body += try readRaw(size)
                guard try readRaw(2) == [13, 10] else { throw Failure.malformed("chunk end") }
            }
        } else if let length = response.header("Content-Length").flatMap({ Int($0) }) {
            response.body = try readRaw(length)
        } else {
            while try fill() {}
            response.body = Array(buffer[start...])
            start = buffer.count
        }
        return response
    }

    /// True when the server closes the connection (EOF or reset) within the receive timeout; bytes
    /// received meanwhile are dropped.
    public func waitForClose() -> Bool {
        do {
            while try fill() { start = buffer.count }
            return true
        } catch {
            return false
        }
    }
}

extension StringProtocol {
    /// Without leading and trailing characters from `set`.
    public func trimmed(_ set: String) -> String {
        let chars = Set(set)
        guard let first = firstIndex(where: { !chars.contains($0) }),
            let last = lastIndex(where: { !chars.contains($0) })
        else { return "" }
        return String(self[first...last])
    }
}
