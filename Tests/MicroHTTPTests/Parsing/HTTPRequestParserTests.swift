import Testing

@testable import MicroHTTP

/// One malformed-request rule: the bytes and the status RFC 9112/9110 (docs/http.md §3) demands.
struct RejectionCase: CustomTestStringConvertible, Sendable {
    var rule: String
    var request: String
    var status: Int
    var testDescription: String { rule }
}

private let host = "Host: a\r\n"

/// docs/http.md §3, one case per rule (smuggling first).
let rejectionCases: [RejectionCase] = [
    // 1. CL and TE together.
    .init(
        rule: "CL+TE",
        request: "POST / HTTP/1.1\r\n\(host)Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
        status: 400
    ),
    .init(
        rule: "TE+CL",
        request: "POST / HTTP/1.1\r\n\(host)Transfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n0\r\n\r\n",
        status: 400
    ),
    // 2. Transfer-Encoding.
    .init(
        rule: "chunked not final",
        request: "POST / HTTP/1.1\r\n\(host)Transfer-Encoding: chunked, gzip\r\n\r\n",
        status: 400
    ),
    .init(rule: "only gzip", request: "POST / HTTP/1.1\r\n\(host)Transfer-Encoding: gzip\r\n\r\n", status: 400),
    .init(
        rule: "chunked twice",
        request: "POST / HTTP/1.1\r\n\(host)Transfer-Encoding: chunked, chunked\r\n\r\n",
        status: 400
    ),
    .init(
        rule: "chunked twice over two lines",
        request: "POST / HTTP/1.1\r\n\(host)Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n",
        status: 400
    ),
    .init(
        rule: "unknown coding before chunked",
        request: "POST / HTTP/1.1\r\n\(host)Transfer-Encoding: gzip, chunked\r\n\r\n",
        status: 501
    ),
    .init(
        rule: "unknown coding on an earlier line",
        request: "POST / HTTP/1.1\r\n\(host)Transfer-Encoding: br\r\nTransfer-Encoding: chunked\r\n\r\n",
        status: 501
    ),
    .init(rule: "empty TE", request: "POST / HTTP/1.1\r\n\(host)Transfer-Encoding: \r\n\r\n", status: 400),
    .init(
        rule: "TE list with empty element",
        request: "POST / HTTP/1.1\r\n\(host)Transfer-Encoding: ,chunked\r\n\r\n",
        status: 400
    ),
    .init(
        rule: "TE on HTTP/1.0",
        request: "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
        status: 400
    ),
    // 3. Content-Length.
    .init(
        rule: "duplicate CL, same value",
        request: "POST / HTTP/1.1\r\n\(host)Content-Length: 5\r\nContent-Length: 5\r\n\r\nhello",
        status: 400
    ),
    .init(
        rule: "duplicate CL, different values",
        request: "POST / HTTP/1.1\r\n\(host)Content-Length: 5\r\nContent-Length: 0\r\n\r\nhello",
        status: 400
    ),
    .init(rule: "CL list", request: "POST / HTTP/1.1\r\n\(host)Content-Length: 5, 5\r\n\r\nhello", status: 400),
    .init(rule: "CL plus sign", request: "POST / HTTP/1.1\r\n\(host)Content-Length: +5\r\n\r\nhello", status: 400),
    .init(rule: "CL minus sign", request: "POST / HTTP/1.1\r\n\(host)Content-Length: -5\r\n\r\nhello", status: 400),
    .init(rule: "CL hex", request: "POST / HTTP/1.1\r\n\(host)Content-Length: 0x5\r\n\r\nhello", status: 400),
    .init(rule: "CL inner space", request: "POST / HTTP/1.1\r\n\(host)Content-Length: 1 2\r\n\r\nhello", status: 400),
    .init(rule: "CL empty", request: "POST / HTTP/1.1\r\n\(host)Content-Length: \r\n\r\n", status: 400),
    .init(rule: "CL letters", request: "POST / HTTP/1.1\r\n\(host)Content-Length: abc\r\n\r\n", status: 400),
    .init(
        rule: "CL overflow",
        request: "POST / HTTP/1.1\r\n\(host)Content-Length: 99999999999999999999999\r\n\r\n",
        status: 400
    ),
    // 4. Chunk sizes and framing.
    .init(
        rule: "chunk size plus sign",
        request: "POST / HTTP/1.1\r\n\(host)Transfer-Encoding: chunked\r\n\r\n+5\r\nhello\r\n0\r\n\r\n",
        status: 400
    ),
    .init(
        rule: "chunk size minus sign",
        request: "POST / HTTP/1.1\r\n\(host)Transfer-Encoding: chunked\r\n\r\n-5\r\nhello\r\n0\r\n\r\n",
        status: 400
    ),
    .init(
        rule: "chunk size leading space",
        request: "POST / HTTP/1.1\r\n\(host)Transfer-Encoding: chunked\r\n\r\n 5\r\nhello\r\n0\r\n\r\n",
        status: 400
    ),
    .init(
        rule: "chunk size trailing space without extension",
        request: "POST / HTTP/1.1\r\n\(host)Transfer-Encoding: chunked\r\n\r\n5 \r\nhello\r\n0\r\n\r\n",
        status: 400
    ),
    .init(
        rule: "chunk size 0x prefix",
        request: "POST / HTTP/1.1\r\n\(host)Transfer-Encoding: chunked\r\n\r\n0x5\r\nhello\r\n0\r\n\r\n",
        status: 400
    ),
    .init(
        rule: "chunk size not hex",
        request: "POST / HTTP/1.1\r\n\(host)Transfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n",
        status: 400
    ),
    .init(
        rule: "chunk size empty",
        request: "POST / HTTP/1.1\r\n\(host)Transfer-Encoding: chunked\r\n\r\n\r\nhello\r\n0\r\n\r\n",
        status: 400
    ),
    .init(
        rule: "chunk size overflow",
        request:
            "POST / HTTP/1.1\r\n\(host)Transfer-Encoding: chunked\r\n\r\nfffffffffffffffffffff\r\nhello\r\n0\r\n\r\n",
        status: 400
    ),
    .init(
        rule: "chunk size bare LF",
        request: "POST / HTTP/1.1\r\n\(host)Transfer-Encoding: chunked\r\n\r\n5\nhello\r\n0\r\n\r\n",
        status: 400
    ),
    .init(
        rule: "LF inside chunk extension (CVE-2025-55315)",
        request: "POST / HTTP/1.1\r\n\(host)Transfer-Encoding: chunked\r\n\r\n5;a\nb\r\nhello\r\n0\r\n\r\n",
        status: 400
    ),
    .init(
        rule: "bare CR inside chunk extension",
        request: "POST / HTTP/1.1\r\n\(host)Transfer-Encoding: chunked\r\n\r\n5;a\rb\r\nhello\r\n0\r\n\r\n",
        status: 400
    ),
    .init(
        rule: "chunk data longer than size",
        request: "POST / HTTP/1.1\r\n\(host)Transfer-Encoding: chunked\r\n\r\n3\r\nhello\r\n0\r\n\r\n",
        status: 400
    ),
    .init(
        rule: "chunk data followed by bare LF",
        request: "POST / HTTP/1.1\r\n\(host)Transfer-Encoding: chunked\r\n\r\n5\r\nhello\n0\r\n\r\n",
        status: 400
    ),
    .init(
        rule: "chunk line too long",
        request: "POST / HTTP/1.1\r\n\(host)Transfer-Encoding: chunked\r\n\r\n5;" + String(repeating: "x", count: 100)
            + "\r\nhello\r\n0\r\n\r\n",
        status: 400
    ),
    .init(
        rule: "trailer without colon",
        request: "POST / HTTP/1.1\r\n\(host)Transfer-Encoding: chunked\r\n\r\n0\r\nbad trailer\r\n\r\n",
        status: 400
    ),
    .init(
        rule: "trailer bare LF",
        request: "POST / HTTP/1.1\r\n\(host)Transfer-Encoding: chunked\r\n\r\n0\r\nA: b\n\r\n",
        status: 400
    ),
    // 6. Whitespace around the field name.
    .init(
        rule: "space before colon",
        request: "POST / HTTP/1.1\r\n\(host)Content-Length : 5\r\n\r\nhello",
        status: 400
    ),
    .init(rule: "tab before colon", request: "GET / HTTP/1.1\r\nHost\t: a\r\n\r\n", status: 400),
    .init(rule: "whitespace before first header", request: "GET / HTTP/1.1\r\n Host: a\r\n\r\n", status: 400),
    // 7. obs-fold.
    .init(rule: "obs-fold with space", request: "GET / HTTP/1.1\r\n\(host)X: a\r\n b\r\n\r\n", status: 400),
    .init(rule: "obs-fold with tab", request: "GET / HTTP/1.1\r\n\(host)X: a\r\n\tb\r\n\r\n", status: 400),
    // 8. Bare CR and LF.
    .init(rule: "bare LF line endings", request: "GET / HTTP/1.1\nHost: a\n\n", status: 400),
    .init(rule: "bare LF after a header", request: "GET / HTTP/1.1\r\nHost: a\nX: b\r\n\r\n", status: 400),
    .init(rule: "bare LF ending the head", request: "GET / HTTP/1.1\r\nHost: a\r\n\n", status: 400),
    .init(rule: "bare CR in a value", request: "GET / HTTP/1.1\r\nHost: a\rb\r\n\r\n", status: 400),
    .init(rule: "bare CR in the request line", request: "GET /\r HTTP/1.1\r\nHost: a\r\n\r\n", status: 400),
    .init(rule: "bare CR before the request line", request: "\rGET / HTTP/1.1\r\nHost: a\r\n\r\n", status: 400),
    .init(rule: "bare LF before the request line", request: "\nGET / HTTP/1.1\r\nHost: a\r\n\r\n", status: 400),
    // 9. Field syntax.
    .init(rule: "NUL in a value", request: "GET / HTTP/1.1\r\n\(host)X: a\u{0}b\r\n\r\n", status: 400),
    .init(rule: "control character in a value", request: "GET / HTTP/1.1\r\n\(host)X: a\u{1}b\r\n\r\n", status: 400),
    .init(rule: "DEL in a value", request: "GET / HTTP/1.1\r\n\(host)X: a\u{7F}b\r\n\r\n", status: 400),
    .init(rule: "separator in a name", request: "GET / HTTP/1.1\r\n\(host)X(y): b\r\n\r\n", status: 400),
    .init(rule: "empty name", request: "GET / HTTP/1.1\r\n\(host): b\r\n\r\n", status: 400),
    .init(rule: "no colon", request: "GET / HTTP/1.1\r\n\(host)Xyz\r\n\r\n", status: 400),
    // 10. Host.
    .init(rule: "missing Host on 1.1", request: "GET / HTTP/1.1\r\n\r\n", status: 400),
    .init(rule: "two Host fields", request: "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", status: 400),
    .init(rule: "two Host fields on 1.0", request: "GET / HTTP/1.0\r\nHost: a\r\nHost: b\r\n\r\n", status: 400),
    // 11. Request line.
    .init(rule: "double space", request: "GET  / HTTP/1.1\r\n\(host)\r\n", status: 400),
    .init(rule: "trailing space", request: "GET / HTTP/1.1 \r\n\(host)\r\n", status: 400),
    .init(rule: "tab separator", request: "GET\t/ HTTP/1.1\r\n\(host)\r\n", status: 400),
    .init(rule: "missing target", request: "GET HTTP/1.1\r\n\(host)\r\n", status: 400),
    .init(rule: "relative target", request: "GET abc HTTP/1.1\r\n\(host)\r\n", status: 400),
    .init(rule: "non-ASCII target", request: "GET /\u{E9} HTTP/1.1\r\n\(host)\r\n", status: 400),
    .init(rule: "unknown method", request: "BREW / HTTP/1.1\r\n\(host)\r\n", status: 501),
    .init(rule: "lowercase method", request: "get / HTTP/1.1\r\n\(host)\r\n", status: 501),
    .init(rule: "method with separator", request: "GE(T / HTTP/1.1\r\n\(host)\r\n", status: 400),
    // 12. Version.
    .init(rule: "HTTP/2.0", request: "GET / HTTP/2.0\r\n\(host)\r\n", status: 505),
    .init(rule: "HTTP/0.9", request: "GET / HTTP/0.9\r\n\(host)\r\n", status: 505),
    .init(rule: "HTTP/1.10", request: "GET / HTTP/1.10\r\n\(host)\r\n", status: 400),
    .init(rule: "lowercase http", request: "GET / http/1.1\r\n\(host)\r\n", status: 400),
    .init(rule: "missing version", request: "GET /\r\n\(host)\r\n", status: 400),
    // 14. Body too large (declared).
    .init(rule: "CL above maxBody", request: "POST / HTTP/1.1\r\n\(host)Content-Length: 1025\r\n\r\n", status: 413),
    .init(
        rule: "chunk above maxBody",
        request: "POST / HTTP/1.1\r\n\(host)Transfer-Encoding: chunked\r\n\r\n401\r\n",
        status: 413
    ),
    // 15. Expect.
    .init(
        rule: "unknown expectation",
        request: "POST / HTTP/1.1\r\n\(host)Expect: 200-ok\r\nContent-Length: 1\r\n\r\nx",
        status: 417
    ),
    // Content-Encoding (docs/http.md §7.3).
    .init(
        rule: "unsupported content coding",
        request: "POST / HTTP/1.1\r\n\(host)Content-Encoding: br\r\nContent-Length: 1\r\n\r\nx",
        status: 415
    ),
    .init(
        rule: "stacked gzip",
        request: "POST / HTTP/1.1\r\n\(host)Content-Encoding: gzip, gzip\r\nContent-Length: 1\r\n\r\nx",
        status: 415
    ),
]

@Suite struct HTTPRequestParserTests {
    static let smallBody = HTTPRequestParser.Limits(maxBody: 1024, maxChunkLine: 64)

    @Test(arguments: rejectionCases)
    func rejectsMalformedRequest(_ c: RejectionCase) {
        let outcomes = parseEverySplit(c.request, limits: Self.smallBody)
        #expect(errorStatus(outcomes) == c.status, "\(outcomes)")
        // Nothing after the error: a rejected request never yields a second request.
        if case .error = outcomes.last {} else { Issue.record("no error at the end: \(outcomes)") }
    }

    @Test func parsesSimpleGet() {
        let out = parseEverySplit("GET /v1/x?a=1&b HTTP/1.1\r\nHost: example\r\nAccept: */*\r\n\r\n")
        #expect(out.count == 2)
        #expect(out.last == .end)
        guard case .head(let s) = out.first else { Issue.record("no head"); return }
        #expect(s.hasPrefix("GET /v1/x q=a=1&b HTTP/1.1 none ka=true 100=false ce=identity"))
        #expect(s.hasSuffix("[Host=example,Accept=*/*]"))
    }

    @Test func contentLengthBodyIsDeliveredExactly() {
        let out = parseEverySplit("POST /e HTTP/1.1\r\nHost: a\r\nContent-Length: 11\r\n\r\nhello world")
        #expect(out.dropFirst() == [.body(Array("hello world".utf8)), .end])
    }

    @Test func chunkedBodyWithExtensionsAndTrailersIsDechunked() {
        let request =
            "POST /e HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: Chunked\r\n\r\n"
            + "5;name=value ; other\r\nhello\r\n1\r\n \r\n00005\r\nworld\r\n0\r\nTrailer: x\r\nOther: y\r\n\r\n"
        let out = parseEverySplit(request)
        guard case .head(let s) = out.first else { Issue.record("no head"); return }
        #expect(s.contains(" chunked "))
        #expect(out.dropFirst() == [.body(Array("hello world".utf8)), .end])
    }

    @Test func pipelinedRequestsAreParsedInOrder() {
        let request =
            "POST /a HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc"
            + "\r\n"  // an extra CRLF between requests is ignored (RFC 9112 §2.2)
            + "GET /b HTTP/1.1\r\nHost: a\r\n\r\n"
            + "POST /c HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nxy\r\n0\r\n\r\n"
        let out = parseEverySplit(request)
        #expect(out.count == 8)
        let paths = out.compactMap { o -> String? in
            if case .head(let s) = o { return String(s.split(separator: " ")[1]) }
            return nil
        }
        #expect(paths == ["/a", "/b", "/c"])
        #expect(out[1] == .body(Array("abc".utf8)))
        #expect(out[6] == .body(Array("xy".utf8)))
    }

    @Test func zeroContentLengthHasNoBody() {
        let out = parseEverySplit("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n")
        guard case .head(let s) = out.first else { Issue.record("no head"); return }
        #expect(s.contains(" none "))
        #expect(out.count == 2)
    }

    @Test func leadingZerosInContentLengthAreAccepted() {
        let out = parseEverySplit("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 003\r\n\r\nabc")
        #expect(out.dropFirst() == [.body(Array("abc".utf8)), .end])
    }

    @Test func optionalWhitespaceAroundValuesIsTrimmedAndTabsAllowed() {
        let out = parseEverySplit("GET / HTTP/1.1\r\nHost:a\r\nX: \t a\tb \t\r\n\r\n")
        guard case .head(let s) = out.first else { Issue.record("no head"); return }
        #expect(s.hasSuffix("[Host=a,X=a\tb]"))
    }

    @Test func http10DefaultsToCloseAndNeedsNoHost() {
        let out = parseEverySplit("GET / HTTP/1.0\r\n\r\n")
        guard case .head(let s) = out.first else { Issue.record("no head"); return }
        #expect(s.contains("HTTP/1.0 none ka=false"))
        let ka = parseEverySplit("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n")
        guard case .head(let s2) = ka.first else { Issue.record("no head"); return }
        #expect(s2.contains("ka=true"))
    }

    @Test func connectionCloseTokenEndsKeepAlive() {
        let out = parseEverySplit("GET / HTTP/1.1\r\nHost: a\r\nConnection: foo, CLOSE\r\n\r\n")
        guard case .head(let s) = out.first else { Issue.record("no head"); return }
        #expect(s.contains("ka=false"))
    }

    @Test func otherHTTP1MinorVersionsAreServedAs11() {
        let out = parseEverySplit("GET / HTTP/1.7\r\nHost: a\r\n\r\n")
        guard case .head(let s) = out.first else { Issue.record("no head"); return }
        #expect(s.contains("HTTP/1.1"))
    }

    @Test func expectContinueIsFlaggedOnlyForHTTP11WithBody() {
        let out = parseEverySplit("POST / HTTP/1.1\r\nHost: a\r\nExpect: 100-Continue\r\nContent-Length: 1\r\n\r\nx")
        guard case .head(let s) = out.first else { Issue.record("no head"); return }
        #expect(s.contains("100=true"))
        // HTTP/1.0 MUST ignore Expect (RFC 9110 §10.1.1), including unknown expectations.
        let old = parseEverySplit("POST / HTTP/1.0\r\nExpect: 200-ok\r\nContent-Length: 1\r\n\r\nx")
        guard case .head(let s2) = old.first else { Issue.record("no head: \(old)"); return }
        #expect(s2.contains("100=false"))
    }

    @Test func gzipContentEncodingIsRecognisedAndOthersRefusedWithOrWithoutABody() {
        let out = parseEverySplit("POST / HTTP/1.1\r\nHost: a\r\nContent-Encoding: GZIP\r\nContent-Length: 1\r\n\r\nx")
        guard case .head(let s) = out.first else { Issue.record("no head"); return }
        #expect(s.contains("ce=gzip"))
        // A coding the server cannot decode is a 415 even when no body follows (RFC 9110 §8.4).
        let noBody = parseEverySplit("GET / HTTP/1.1\r\nHost: a\r\nContent-Encoding: br\r\n\r\n")
        #expect(errorStatus(noBody) == 415)
        let gzipWithoutBody = parseEverySplit("GET / HTTP/1.1\r\nHost: a\r\nContent-Encoding: gzip\r\n\r\n")
        #expect(errorStatus(gzipWithoutBody) == nil)
    }

    @Test func absoluteFormAndAsteriskTargets() {
        let out = parseEverySplit("GET http://example.com:80/p/q?x=1 HTTP/1.1\r\nHost: example.com\r\n\r\n")
        guard case .head(let s) = out.first else { Issue.record("no head"); return }
        #expect(s.hasPrefix("GET /p/q q=x=1 "))
        let bare = parseEverySplit("GET https://example.com HTTP/1.1\r\nHost: example.com\r\n\r\n")
        guard case .head(let s2) = bare.first else { Issue.record("no head"); return }
        #expect(s2.hasPrefix("GET / q=nil "))
        let star = parseEverySplit("OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n")
        guard case .head(let s3) = star.first else { Issue.record("no head"); return }
        #expect(s3.hasPrefix("OPTIONS * q=nil "))
    }

    @Test func requestLineAtTheLimitIsAcceptedAndOneByteMoreIs414() {
        let limits = HTTPRequestParser.Limits(maxRequestLine: 64)
        let fixed = "GET / HTTP/1.1".utf8.count
        let atLimit = "GET /" + String(repeating: "a", count: 64 - fixed) + " HTTP/1.1\r\nHost: a\r\n\r\n"
        #expect(errorStatus(parseEverySplit(atLimit, limits: limits)) == nil)
        let over = "GET /" + String(repeating: "a", count: 65 - fixed) + " HTTP/1.1\r\nHost: a\r\n\r\n"
        #expect(errorStatus(parseEverySplit(over, limits: limits)) == 414)
        // A request line that never ends is rejected once it passes the limit.
        let endless = "GET /" + String(repeating: "a", count: 200)
        #expect(errorStatus(parseEverySplit(endless, limits: limits)) == 414)
    }

    @Test func headerBytesAboveTheLimitAre431() {
        let limits = HTTPRequestParser.Limits(maxHeaderBytes: 100)
        let base = "GET / HTTP/1.1\r\nHost: a\r\nX: "
        let fits = base + String(repeating: "v", count: 100 - base.utf8.count - 4) + "\r\n\r\n"
        #expect(fits.utf8.count == 100)
        #expect(errorStatus(parseEverySplit(fits, limits: limits)) == nil)
        let over = base + String(repeating: "v", count: 100 - base.utf8.count - 3) + "\r\n\r\n"
        #expect(errorStatus(parseEverySplit(over, limits: limits)) == 431)
        let endless = base + String(repeating: "v", count: 300)
        #expect(errorStatus(parseEverySplit(endless, limits: limits)) == 431)
    }

    @Test func headerCountAboveTheLimitIs431() {
        let limits = HTTPRequestParser.Limits(maxHeaderCount: 3)
        let three = "GET / HTTP/1.1\r\nHost: a\r\nA: 1\r\nB: 2\r\n\r\n"
        #expect(errorStatus(parseEverySplit(three, limits: limits)) == nil)
        let four = "GET / HTTP/1.1\r\nHost: a\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n"
        #expect(errorStatus(parseEverySplit(four, limits: limits)) == 431)
    }

    @Test func chunkedBodyAboveMaxBodyIs413EvenInSmallChunks() {
        let limits = HTTPRequestParser.Limits(maxBody: 8)
        let ok = "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nabcd\r\n4\r\nefgh\r\n0\r\n\r\n"
        #expect(errorStatus(parseEverySplit(ok, limits: limits)) == nil)
        let over =
            "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nabcd\r\n5\r\nefghi\r\n0\r\n\r\n"
        #expect(errorStatus(parseEverySplit(over, limits: limits)) == 413)
    }

    @Test func contentLengthAtMaxBodyIsAccepted() {
        let limits = HTTPRequestParser.Limits(maxBody: 5)
        let out = parseEverySplit("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello", limits: limits)
        #expect(out.dropFirst() == [.body(Array("hello".utf8)), .end])
    }

    @Test func trailerSectionIsBounded() {
        let limits = HTTPRequestParser.Limits(maxHeaderBytes: 64, maxHeaderCount: 2)
        let many = "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n"
        #expect(errorStatus(parseEverySplit(many, limits: limits)) == 431)
        let long =
            "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nA: "
            + String(repeating: "x", count: 80)
        #expect(errorStatus(parseEverySplit(long, limits: limits)) == 431)
    }

    @Test func tooManyLeadingEmptyLinesAreRejected() {
        let ok = parseEverySplit(String(repeating: "\r\n", count: 8) + "GET / HTTP/1.1\r\nHost: a\r\n\r\n")
        #expect(errorStatus(ok) == nil)
        let bad = parseEverySplit(String(repeating: "\r\n", count: 9) + "GET / HTTP/1.1\r\nHost: a\r\n\r\n")
        #expect(errorStatus(bad) == 400)
    }

    @Test func smugglingAttemptNeverYieldsASecondRequest() {
        // FlyingFox answered 200 then 404 to this (docs/http.md §1 F5); we answer one 400 and stop.
        let attack =
            "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 0\r\n\r\nGET /admin HTTP/1.1\r\nHost: a\r\n\r\n"
        let out = parseEverySplit(attack)
        #expect(out.count == 1)
        #expect(errorStatus(out) == 400)
    }

    @Test func parserStaysFailedAfterAnError() {
        var parser = HTTPRequestParser()
        var buffer = InputBuffer()
        buffer.append(Array("GET / HTTP/1.1\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n".utf8))
        #expect(throws: HTTPParserError.self) { _ = try parser.next(&buffer) }
        #expect(throws: HTTPParserError.self) { _ = try parser.next(&buffer) }
    }

    @Test func directBodyReceptionCompletesTheRequest() throws {
        var parser = HTTPRequestParser()
        var buffer = InputBuffer()
        buffer.append(Array("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\nab".utf8))
        guard case .head = try parser.next(&buffer) else { Issue.record("no head"); return }
        guard case .body(let r) = try parser.next(&buffer) else { Issue.record("no body"); return }
        #expect(r.count == 2)
        #expect(parser.remainingContentLength == 8)
        parser.didReceiveBodyDirectly(8)
        guard case .end = try parser.next(&buffer) else { Issue.record("no end"); return }
        #expect(parser.isIdle)
    }
}
