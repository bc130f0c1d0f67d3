import Glibc
import MicroHTTP

/// A blocking HTTP/1.1 client on a POSIX loopback socket for live service tests: exact control over
/// the bytes sent (headers, chunked and gzip bodies, pipelining), keep-alive, and a receive timeout on
/// every read so that no test can hang.
final class HTTPClient {
    /// One parsed response.
    struct Response: CustomStringConvertible {
        var status: Int
        var headers: [(name: String, value: String)]
        var body: [UInt8]

        /// The first value of `name` (case-insensitive).
        func header(_ name: String) -> String? {
            headers.first { $0.name.lowercased() == name.lowercased() }?.value
        }

        var text: String { String(decoding: body, as: UTF8.self) }

        /// The body parsed as JSON.
        func json() throws -> JSON { try JSON.parse(body) }

        var contentType: String? { header("Content-Type") }

        var description: String {
            let shown = body.count > 600 ? String(decoding: body.prefix(600), as: UTF8.self) + "…" : text
            return "HTTP \(status) \(headers.map { "\($0.name): \($0.value)" }.joined(separator: "; ")) \(shown)"
        }
    }

    enum Failure: Error, CustomStringConvertible {
        case timeout
        case closed
        case malformed(String)

        var description: String {
            switch self {
            case .timeout: "no response within the receive timeout"
            case .closed: "the server closed the connection"
            case .malformed(let s): "malformed response: \(s)"
            }
        }
    }

    let fd: Int32
    let port: Int
    private var buffer: [UInt8] = []
    private var start = 0

    /// Connects to `host:port` with `timeout` seconds for every send and receive.
    init(port: Int, host: String = "127.0.0.1", timeout: Double = 15) throws {
        self.port = port
        fd = try Socket.connectBlocking(host: host, port: port, timeout: .milliseconds(Int(timeout * 1000)))
    }

    private var isOpen = true

    deinit { close() }

    /// Closes the socket (idempotent).
    func close() {
        guard isOpen else { return }
        isOpen = false
        Glibc.close(fd)
    }

    // MARK: - Sending

    /// Sends raw bytes.
    func send(_ bytes: [UInt8]) throws { try Socket.sendAll(fd, bytes) }

    func send(_ text: String) throws { try send(Array(text.utf8)) }

    /// The bytes of a request: `Host` is added, and `Content-Length` (or chunked framing with
    /// `chunkSize`) when there is a body.
    static func requestBytes(
        _ method: String, _ path: String, headers: [(String, String)] = [], body: [UInt8]? = nil, chunkSize: Int? = nil
    ) -> [UInt8] {
        var head = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        var out: [UInt8] = []
        if let body {
            if let chunkSize {
                head += "Transfer-Encoding: chunked\r\n\r\n"
                out = Array(head.utf8)
                var i = 0
                while i < body.count {
                    let n = min(chunkSize, body.count - i)
                    out += Array("\(String(n, radix: 16))\r\n".utf8) + body[i..<(i + n)] + [13, 10]
                    i += n
                }
                out += Array("0\r\n\r\n".utf8)
            } else {
                head += "Content-Length: \(body.count)\r\n\r\n"
                out = Array(head.utf8) + body
            }
        } else {
            out = Array((head + "\r\n").utf8)
        }
        return out
    }

    /// Sends one request and reads its response.
    func request(
        _ method: String, _ path: String, headers: [(String, String)] = [], body: [UInt8]? = nil, chunkSize: Int? = nil
    ) throws -> Response {
        try send(Self.requestBytes(method, path, headers: headers, body: body, chunkSize: chunkSize))
        return try readResponse(method: method)
    }

    /// A JSON request (`Content-Type: application/json` unless `headers` sets one).
    func request(_ method: String, _ path: String, json: JSON, headers: [(String, String)] = []) throws -> Response {
        var all = headers
        if !all.contains(where: { $0.0.lowercased() == "content-type" }) { all.append(("Content-Type", "application/json")) }
        return try request(method, path, headers: all, body: json.bytes)
    }

    func get(_ path: String, headers: [(String, String)] = []) throws -> Response {
        try request("GET", path, headers: headers)
    }

    func post(_ path: String, json: JSON, headers: [(String, String)] = []) throws -> Response {
        try request("POST", path, json: json, headers: headers)
    }

    // MARK: - Receiving

    private var available: Int { buffer.count - start }

    /// Reads more bytes; false on EOF.
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

    private func take(_ count: Int) throws -> [UInt8] {
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

    /// Reads one response to a request with `method` (HEAD responses have no body).
    func readResponse(method: String = "GET") throws -> Response {
        var statusLine = try line()
        var status = 0
        // Skip interim 1xx responses (100 Continue).
        while true {
            let parts = statusLine.split(separator: " ", maxSplits: 2)
            guard parts.count >= 2, parts[0] == "HTTP/1.1", let s = Int(parts[1]) else { throw Failure.malformed(statusLine) }
            status = s
            if status >= 200 { break }
            while try !line().isEmpty {}
            statusLine = try line()
        }
        var headers: [(name: String, value: String)] = []
        while true {
            let l = try line()
            if l.isEmpty { break }
            guard let colon = l.firstIndex(of: ":") else { throw Failure.malformed(l) }
            let value = l[l.index(after: colon)...].drop { $0 == " " || $0 == "\t" }
            headers.append((String(l[..<colon]), String(value)))
        }
        var response = Response(status: status, headers: headers, body: [])
        if method == "HEAD" || status == 204 || status == 304 { return response }
        if response.header("Transfer-Encoding")?.lowercased().contains("chunked") == true {
            var body: [UInt8] = []
            while true {
                let sizeLine = try line()
                guard let size = Int(sizeLine.split(separator: ";")[0].trimmed(" "), radix: 16) else {
                    throw Failure.malformed("chunk size \(sizeLine)")
                }
                if size == 0 {
                    while try !line().isEmpty {}
                    break
                }
                body += try take(size)
                _ = try take(2)
            }
            response.body = body
        } else if let length = response.header("Content-Length").flatMap({ Int($0) }) {
            response.body = try take(length)
        } else {
            var body: [UInt8] = []
            while try fill() {}
            body = Array(buffer[start...])
            start = buffer.count
            response.body = body
        }
        return response
    }

    /// True when the server closes the connection (EOF or reset) within the receive timeout.
    func waitForClose() -> Bool {
        do {
            while try fill() { start = buffer.count }
            return true
        } catch {
            return false
        }
    }
}

extension String {
    /// Without leading and trailing characters from `set`.
    func trimmed(_ set: String) -> String {
        let chars = Set(set)
        guard let first = firstIndex(where: { !chars.contains($0) }), let last = lastIndex(where: { !chars.contains($0) })
        else { return "" }
        return String(self[first...last])
    }
}

extension Substring {
    func trimmed(_ set: String) -> String { String(self).trimmed(set) }
}
