import Testing

@testable import MicroHTTP

@Suite struct ResponseEncoderTests {
    let date = Array("Date: Sun, 06 Nov 1994 08:49:37 GMT\r\n".utf8)

    @Test func headHasStatusDateLengthAndHandlerHeadersButNotServerOwnedOnes() {
        let headers: HTTPHeaders = [
            "Content-Type": "text/plain", "content-length": "999", "Connection": "keep-alive", "X-A": "1",
            "Transfer-Encoding": "chunked", "Date": "yesterday",
        ]
        let head = ResponseEncoder.head(
            status: .created,
            headers: headers,
            contentLength: 12,
            connection: .close,
            dateLine: date
        )
        #expect(
            String(decoding: head, as: UTF8.self)
                == "HTTP/1.1 201 Created\r\nDate: Sun, 06 Nov 1994 08:49:37 GMT\r\nContent-Length: 12\r\nConnection: close\r\n"
                + "Content-Type: text/plain\r\nX-A: 1\r\n\r\n"
        )
    }

    @Test func noContentLengthWhenNil() {
        let head = ResponseEncoder.head(
            status: .noContent,
            headers: HTTPHeaders(),
            contentLength: nil,
            connection: .none,
            dateLine: date
        )
        #expect(
            String(decoding: head, as: UTF8.self)
                == "HTTP/1.1 204 No Content\r\nDate: Sun, 06 Nov 1994 08:49:37 GMT\r\n\r\n"
        )
    }

    @Test(arguments: [0, 7, 10, 1_234_567_890, Int.max])
    func decimalsAreWrittenExactly(_ n: Int) {
        var out: [UInt8] = []
        ResponseEncoder.appendDecimal(n, to: &out)
        #expect(String(decoding: out, as: UTF8.self) == String(n))
    }
}
