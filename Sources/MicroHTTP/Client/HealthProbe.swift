/// A minimal blocking HTTP/1.1 GET for health checks (`optd --check-health` in a container's
/// `HEALTHCHECK`), so images need no curl.
public enum HealthProbe {
    /// Sends `GET path` to `host:port` and returns the response's status code.
    /// - Throws: `SocketError` when the server cannot be reached in `timeout`, or answers something
    ///   that is not HTTP/1.x.
    public static func status(host: String, port: Int, path: String, timeout: Duration) throws(SocketError) -> Int {
        let fd = try Socket.connectBlocking(host: host, port: port, timeout: timeout)
        defer { Socket.closeClient(fd) }
        let request =
            "GET \(path) HTTP/1.1\r\nHost: \(host)\r\nConnection: close\r\nUser-Agent: optd-health-probe\r\n\r\n"
        try Socket.sendAll(fd, Array(request.utf8))
        var head: [UInt8] = []
        while head.count < 4096, !head.contains(UInt8(ascii: "\n")) {
            let chunk = try Socket.receiveSome(fd, limit: 4096)
            if chunk.isEmpty { break }
            head += chunk
        }
        // "HTTP/1.1 200 OK": the three digits after the first space.
        let line = head.prefix { $0 != UInt8(ascii: "\r") && $0 != UInt8(ascii: "\n") }
        let parts = line.split(separator: UInt8(ascii: " "), maxSplits: 2)
        guard parts.count >= 2, parts[0].starts(with: Array("HTTP/1.".utf8)),
            let status = Int(String(decoding: parts[1], as: UTF8.self)), (100...599).contains(status)
        else {
            throw SocketError(operation: "probe", code: 0, message: "not an HTTP/1.x response")
        }
        return status
    }
}
