import Glibc
import Testing

@testable import MicroHTTP

/// A blocking loopback TCP client for live tests: raw bytes out, parsed responses in.
/// Every read has a timeout (SO_RCVTIMEO), so no test can hang.
final class TestClient {
    struct Response {
        var status: Int
        var headers: [(String, String)]
        var body: [UInt8]
        var head: String

        func header(_ name: String) -> String? {
            headers.first { $0.0.lowercased() == name.lowercased() }?.1
        }
        var text: String { String(decoding: body, as: UTF8.self) }
    }

    enum Failure: Error {
        case connect(Int32)
        case timeout
        case closed
        case malformed(String)
    }

    let fd: Int32
    private var buffer: [UInt8] = []

    init(port: Int, host: String = "127.0.0.1", timeout: Double = 5) throws {
        do {
            fd = try Socket.connectBlocking(host: host, port: port, timeout: .milliseconds(Int(timeout * 1000)))
        } catch {
            throw Failure.connect(error.code)
        }
    }

    deinit { Glibc.close(fd) }

    func send(_ text: String) throws { try send(Array(text.utf8)) }

    func send(_ bytes: [UInt8]) throws { try Socket.sendAll(fd, bytes) }

    func shutdownWrite() { Glibc.shutdown(fd, Int32(SHUT_WR)) }

    /// Reads more bytes into the buffer; false on EOF.
    private func fill() throws -> Bool {
        var chunk = [UInt8](repeating: 0, count: 65536)
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
    func readRaw(_ count: Int) throws -> [UInt8] {
        while buffer.count < count {
            guard try fill() else { throw Failure.closed }
        }
        let out = Array(buffer[0..<count])
        buffer.removeFirst(count)
        return out
    }

    /// Reads one response; `headRequest` means no body follows whatever Content-Length says.
    func readResponse(headRequest: Bool = false) throws -> Response {
        var headEnd: Int?
        while headEnd == nil {
            if let r = findHeadEnd() {
                headEnd = r
                break
            }
            guard try fill() else { throw Failure.closed }
        }
        let end = headEnd!
        let head = String(decoding: buffer[0..<end], as: UTF8.self)
        buffer.removeFirst(end + 4)
        var lines = head.split(separator: "\r\n", omittingEmptySubsequences: false).map(String.init)
        let statusLine = lines.removeFirst()
        let parts = statusLine.split(separator: " ")
        guard parts.count >= 2, parts[0] == "HTTP/1.1", let status = Int(parts[1]) else {
            throw Failure.malformed(statusLine)
        }
        var headers: [(String, String)] = []
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { throw Failure.malformed(line) }
            headers.append(
                (String(line[..<colon]), String(line[line.index(after: colon)...]).trimmingCharacters(in: " "))
            )
        }
        var response = Response(status: status, headers: headers, body: [], head: head)
        if headRequest || status < 200 || status == 204 || status == 304 { return response }
        if response.header("transfer-encoding")?.lowercased() == "chunked" {
            while true {
                var line: [UInt8] = []
                while true {
                    let b = try readRaw(1)[0]
                    if b == 10 { break }
                    if b != 13 { line.append(b) }
                }
                guard let size = Int(String(decoding: line, as: UTF8.self), radix: 16) else {
                    throw Failure.malformed("chunk size")
                }
                if size == 0 {
                    guard try readRaw(2) == [13, 10] else { throw Failure.malformed("chunked end") }
                    return response
                }
                response.body += try readRaw(size)
                guard try readRaw(2) == [13, 10] else { throw Failure.malformed("chunk end") }
            }
        }
        guard let length = response.header("content-length").flatMap({ Int($0) }) else {
            // Close-delimited body (HTTP/1.0 stream).
            while try fill() {}
            response.body = buffer
            buffer.removeAll()
            return response
        }
        response.body = try readRaw(length)
        return response
    }

    /// True when the server closed the connection (EOF or reset) within the read timeout.
    func isClosedByPeer() -> Bool {
        do {
            while true {
                buffer.removeAll()
                guard try fill() else { return true }
            }
        } catch {
            return false
        }
    }

    /// Bytes already received but not consumed.
    var pending: Int { buffer.count }

    private func findHeadEnd() -> Int? {
        guard buffer.count >= 4 else { return nil }
        for i in 0...(buffer.count - 4)
        where buffer[i] == 13 && buffer[i + 1] == 10 && buffer[i + 2] == 13 && buffer[i + 3] == 10 {
            return i
        }
        return nil
    }
}

extension String {
    func trimmingCharacters(in set: Character) -> String {
        var s = Substring(self)
        while s.first == set { s.removeFirst() }
        while s.last == set { s.removeLast() }
        return String(s)
    }
}
