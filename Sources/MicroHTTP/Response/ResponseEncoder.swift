/// Serialises response heads (RFC 9112 §4, §6): status line, `Date`, `Content-Length`,
/// `Connection`, then the handler's headers minus the ones the server owns.
enum ResponseEncoder {
    /// What the `Connection` header says.
    enum ConnectionHeader {
        case none
        case close
        case keepAlive
    }

    static let continueHead: [UInt8] = Array("HTTP/1.1 100 Continue\r\n\r\n".utf8)

    /// The head bytes; `contentLength` nil omits the header (1xx, 204).
    static func head(
        status: HTTPStatus,
        headers: HTTPHeaders,
        contentLength: Int?,
        connection: ConnectionHeader,
        dateLine: [UInt8],
        chunked: Bool = false
    ) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(128 + headers.bytes.count + headers.count * 4)
        out.append(contentsOf: "HTTP/1.1 ".utf8)
        appendDecimal(status.code, to: &out)
        out.append(32)
        out.append(contentsOf: status.reasonPhrase.utf8.lazy.map { $0 == 13 || $0 == 10 ? 32 : $0 })
        out.append(13)
        out.append(10)
        out.append(contentsOf: dateLine)
        if let contentLength {
            out.append(contentsOf: "Content-Length: ".utf8)
            appendDecimal(contentLength, to: &out)
            out.append(13)
            out.append(10)
        }
        if chunked { out.append(contentsOf: "Transfer-Encoding: chunked\r\n".utf8) }
        switch connection {
        case .none: break
        case .close: out.append(contentsOf: "Connection: close\r\n".utf8)
        case .keepAlive: out.append(contentsOf: "Connection: keep-alive\r\n".utf8)
        }
        for i in 0..<headers.count where !isServerOwned(headers, i) {
            let f = headers.fields[i]
            out.append(contentsOf: headers.bytes[Int(f.nameStart)..<Int(f.nameEnd)])
            out.append(58)
            out.append(32)
            out.append(contentsOf: headers.bytes[Int(f.valueStart)..<Int(f.valueEnd)])
            out.append(13)
            out.append(10)
        }
        out.append(13)
        out.append(10)
        return out
    }

    /// Headers the server writes itself; a handler's copies are dropped.
    static func isServerOwned(_ headers: HTTPHeaders, _ i: Int) -> Bool {
        let f = headers.fields[i]
        switch f.nameEnd - f.nameStart {
        case 4: return headers.nameEquals(i, lowercased: "date")
        case 10: return headers.nameEquals(i, lowercased: "connection")
        case 14: return headers.nameEquals(i, lowercased: "content-length")
        case 17: return headers.nameEquals(i, lowercased: "transfer-encoding")
        default: return false
        }
    }

    static func appendDecimal(_ value: Int, to out: inout [UInt8]) {
        if value == 0 {
            out.append(48)
            return
        }
        var digits:
            (
                UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                UInt8, UInt8, UInt8, UInt8, UInt8
            ) =
                (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var n = value.magnitude
        var count = 0
        withUnsafeMutableBytes(of: &digits) { d in
            while n > 0 {
                d[count] = UInt8(48 + n % 10)
                n /= 10
                count += 1
            }
            if value < 0 { out.append(45) }
            for k in stride(from: count - 1, through: 0, by: -1) { out.append(d[k]) }
        }
    }
}
