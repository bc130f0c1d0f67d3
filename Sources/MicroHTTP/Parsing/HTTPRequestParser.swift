/// An incremental, byte-based, limit-checked HTTP/1.1 request parser (RFC 9112), free of I/O.
///
/// Feed bytes into an ``InputBuffer`` and call ``next(_:)`` until it returns ``Event/needMoreData``.
/// Each request produces `.head`, zero or more `.body` ranges and `.end`, after which the parser is
/// ready for the next (pipelined) request in the same buffer. The result never depends on how the
/// bytes were split into reads: the head is validated only once it is complete, and every
/// incremental limit check fires only when the complete input would fail the same check.
///
/// Strictness (each rule is a test case in `HTTPRequestParserTests`): CR LF line endings only
/// (bare CR or LF → 400), no obs-fold, no whitespace before a field's colon, token field names,
/// no CTL in values, `Content-Length` is `1*DIGIT` and appears once, no `Content-Length` with
/// `Transfer-Encoding`, `chunked` exactly once and last, no `Transfer-Encoding` on HTTP/1.0, exactly
/// one `Host` on HTTP/1.1, strict chunk sizes and CRLF after each chunk, bounded chunk extensions and
/// trailers.
package struct HTTPRequestParser: Sendable {
    /// Byte and count limits (docs/http.md §5); exceeding one is an error with its own status.
    package struct Limits: Sendable, Equatable {
        /// Longest request line, CR LF excluded → 414.
        package var maxRequestLine: Int
        /// Longest request line plus header section, terminators included → 431.
        package var maxHeaderBytes: Int
        /// Most header fields (and, separately, trailer fields) → 431.
        package var maxHeaderCount: Int
        /// Largest body as framed on the wire (before gunzip) → 413.
        package var maxBody: Int
        /// Longest chunk-size line including extensions → 400.
        package var maxChunkLine: Int
        /// Most empty lines ignored before a request line (RFC 9112 §2.2) → 400 beyond.
        package var maxLeadingEmptyLines: Int

        package init(
            maxRequestLine: Int = 8 * 1024,
            maxHeaderBytes: Int = 32 * 1024,
            maxHeaderCount: Int = 100,
            maxBody: Int = 64 * 1024 * 1024,
            maxChunkLine: Int = 4096,
            maxLeadingEmptyLines: Int = 8
        ) {
            self.maxRequestLine = maxRequestLine
            self.maxHeaderBytes = maxHeaderBytes
            self.maxHeaderCount = maxHeaderCount
            self.maxBody = maxBody
            self.maxChunkLine = maxChunkLine
            self.maxLeadingEmptyLines = maxLeadingEmptyLines
        }
    }

    /// What the parser found.
    package enum Event: Sendable {
        /// The buffer holds no complete element; read more bytes.
        case needMoreData
        /// A complete, validated request head.
        case head(HTTPRequestHead)
        /// Body bytes at these indices of `InputBuffer.storage` (already consumed; valid until the
        /// buffer is next mutated).
        case body(Range<Int>)
        /// The end of the current request.
        case end
    }

    struct HeadScan: Sendable {
        /// Offset from `readIndex` up to which bytes were examined.
        var scanned = 0
        /// Offset just past the request line's LF, once found.
        var requestLineEnd: Int?
        /// Offset of the start of the current header line.
        var lineStart = 0
        /// Header lines seen so far.
        var lineCount = 0
        /// Empty lines skipped before the request line.
        var leadingEmptyLines = 0
    }

    enum State: Sendable {
        case head(HeadScan)
        case bodyLength(remaining: Int)
        case bodyEnd
        case chunkSize(scanned: Int)
        case chunkData(remaining: Int)
        case chunkDataEnd
        case trailers(bytes: Int, count: Int)
        case failed(HTTPParserError)
    }

    package let limits: Limits
    var state: State = .head(HeadScan())
    var bodyReceived = 0

    /// Creates a parser with the given limits.
    package init(limits: Limits = Limits()) {
        self.limits = limits
    }

    /// True between requests (no byte of the next request consumed yet).
    package var isIdle: Bool {
        if case .head(let scan) = state { return scan.scanned == 0 && scan.leadingEmptyLines == 0 }
        return false
    }

    /// True while the head of a request is being read.
    package var isReadingHead: Bool {
        if case .head = state { return true }
        return false
    }

    /// Body bytes still expected for a `Content-Length` body, or nil for other states.
    package var remainingContentLength: Int? {
        if case .bodyLength(let remaining) = state { return remaining }
        return nil
    }

    /// Records `count` body bytes that the caller received straight into its own body buffer
    /// (bypassing the input buffer) for a `Content-Length` body.
    package mutating func didReceiveBodyDirectly(_ count: Int) {
        guard case .bodyLength(let remaining) = state else { return }
        precondition(count <= remaining, "received more body bytes than the Content-Length declared")
        bodyReceived += count
        state = remaining - count == 0 ? .bodyEnd : .bodyLength(remaining: remaining - count)
    }

    /// Returns the next event from `buffer`, consuming the bytes it covers.
    /// - Throws: ``HTTPParserError``; the parser then stays failed and the connection must close.
    package mutating func next(_ buffer: inout InputBuffer) throws(HTTPParserError) -> Event {
        do {
            return try step(&buffer)
        } catch {
            state = .failed(error)
            throw error
        }
    }

    private mutating func step(_ buffer: inout InputBuffer) throws(HTTPParserError) -> Event {
        switch state {
        case .failed(let error):
            throw error
        case .head(var scan):
            let head = try scanHead(&buffer, &scan)
            guard let head else {
                state = .head(scan)
                return .needMoreData
            }
            bodyReceived = 0
            switch head.framing {
            case .none: state = .bodyEnd
            case .length(let n): state = .bodyLength(remaining: n)
            case .chunked: state = .chunkSize(scanned: 0)
            }
            return .head(head)
        case .bodyEnd:
            state = .head(HeadScan())
            return .end
        case .bodyLength(let remaining):
            let n = min(remaining, buffer.readableCount)
            guard n > 0 else { return .needMoreData }
            let start = buffer.readIndex
            buffer.consume(n)
            bodyReceived += n
            state = remaining == n ? .bodyEnd : .bodyLength(remaining: remaining - n)
            return .body(start..<(start + n))
        case .chunkSize(let scanned):
            return try parseChunkSize(&buffer, scanned: scanned)
        case .chunkData(let remaining):
            let n = min(remaining, buffer.readableCount)
            guard n > 0 else { return .needMoreData }
            let start = buffer.readIndex
            buffer.consume(n)
            bodyReceived += n
            state = remaining == n ? .chunkDataEnd : .chunkData(remaining: remaining - n)
            return .body(start..<(start + n))
        case .chunkDataEnd:
            // RFC 9112 §7.1: chunk-data is followed by exactly CRLF.
            let avail = buffer.readableCount
            if avail >= 1 && buffer.storage[buffer.readIndex] != 13 {
                throw .badRequest("chunk data is not followed by CRLF")
            }
            guard avail >= 2 else { return .needMoreData }
            guard buffer.storage[buffer.readIndex + 1] == 10 else {
                throw .badRequest("chunk data is not followed by CRLF")
            }
            buffer.consume(2)
            state = .chunkSize(scanned: 0)
            return try step(&buffer)
        case .trailers(let bytes, let count):
            return try parseTrailers(&buffer, bytes: bytes, count: count)
        }
    }

    // MARK: - Head

    /// Scans for the end of the head; returns the validated head once complete.
    private func scanHead(
        _ buffer: inout InputBuffer, _ scan: inout HeadScan
    ) throws(HTTPParserError)
        -> HTTPRequestHead?
    {
        // RFC 9112 §2.2: ignore a few empty lines (CRLF only) before the request line.
        while scan.scanned == 0 && buffer.readableCount > 0 {
            let first = buffer.storage[buffer.readIndex]
            if first == 13 {
                guard buffer.readableCount >= 2 else { return nil }
                guard buffer.storage[buffer.readIndex + 1] == 10 else {
                    throw .badRequest("bare CR before the request line")
                }
                scan.leadingEmptyLines += 1
                if scan.leadingEmptyLines > limits.maxLeadingEmptyLines {
                    throw .badRequest("too many empty lines before the request line")
                }
                buffer.consume(2)
            } else if first == 10 {
                throw .badRequest("bare LF before the request line")
            } else {
                break
            }
        }
        let avail = buffer.readableCount
        guard avail > scan.scanned else { return nil }
        let limits = self.limits
        let base = buffer.readIndex
        var headEnd: Int?
        var failure: HTTPParserError?
        buffer.storage.withUnsafeBufferPointer { all in
            // Safe: base + avail <= storage.count (InputBuffer invariant).
            let p = UnsafeBufferPointer(rebasing: all[base..<(base + avail)])
            var i = scan.scanned
            while i < avail {
                guard p[i] == 10 else {
                    i += 1
                    continue
                }
                let lf = i
                i += 1
                if scan.requestLineEnd == nil {
                    // The line is [0, lf); it may include the CR. RFC 9112 §3: long lines → 414.
                    if lf > limits.maxRequestLine + 1 {
                        failure = .uriTooLong
                        return
                    }
                    scan.requestLineEnd = lf + 1
                    scan.lineStart = lf + 1
                    continue
                }
                if lf + 1 > limits.maxHeaderBytes {
                    failure = .headersTooLarge("the header section is larger than \(limits.maxHeaderBytes) bytes")
                    return
                }
                if lf == scan.lineStart {
                    failure = .badRequest("bare LF in the header section")
                    return
                }
                if lf == scan.lineStart + 1 && p[scan.lineStart] == 13 {
                    headEnd = lf + 1
                    return
                }
                scan.lineCount += 1
                if scan.lineCount > limits.maxHeaderCount {
                    failure = .headersTooLarge("more than \(limits.maxHeaderCount) header fields")
                    return
                }
                scan.lineStart = lf + 1
            }
            scan.scanned = avail
            if scan.requestLineEnd == nil {
                if avail > limits.maxRequestLine + 1 { failure = .uriTooLong }
            } else if avail >= limits.maxHeaderBytes {
                failure = .headersTooLarge("the header section is larger than \(limits.maxHeaderBytes) bytes")
            }
        }
        if let failure { throw failure }
        guard let headEnd, let requestLineEnd = scan.requestLineEnd else { return nil }
        let head = try buffer.storage.withUnsafeBufferPointer { all throws(HTTPParserError) in
            try Self.parseHead(
                UnsafeBufferPointer(rebasing: all[base..<(base + headEnd)]),
                requestLineEnd: requestLineEnd,
                limits: limits
            )
        }
        buffer.consume(headEnd)
        return head
    }

    /// Validates a complete head (`p` ends with the empty line's CRLF).
    static func parseHead(
        _ p: UnsafeBufferPointer<UInt8>,
        requestLineEnd: Int,
        limits: Limits
    ) throws(HTTPParserError) -> HTTPRequestHead {
        // Request line: method SP request-target SP HTTP-version CRLF (RFC 9112 §3).
        let lineLF = requestLineEnd - 1
        guard lineLF >= 1, p[lineLF - 1] == 13 else { throw .badRequest("request line does not end with CRLF") }
        let lineEnd = lineLF - 1
        var i = 0
        while i < lineEnd && HTTPSyntax.isTokenByte(p[i]) { i += 1 }
        guard i > 0, i < lineEnd, p[i] == 32 else { throw .badRequest("malformed request line (method)") }
        let methodEnd = i
        i += 1
        let targetStart = i
        while i < lineEnd && HTTPSyntax.isTargetByte(p[i]) { i += 1 }
        guard i > targetStart, i < lineEnd, p[i] == 32 else {
            throw .badRequest("malformed request line (request-target)")
        }
        let targetEnd = i
        i += 1
        // HTTP-version = "HTTP/" DIGIT "." DIGIT (RFC 9112 §2.3).
        guard lineEnd - i == 8, p[i] == 72, p[i + 1] == 84, p[i + 2] == 84, p[i + 3] == 80, p[i + 4] == 47,
            p[i + 6] == 46, let major = digit(p[i + 5]), let minor = digit(p[i + 7])
        else { throw .badRequest("malformed HTTP version") }
        guard major == 1 else { throw .versionNotSupported }
        let version = HTTPVersion(major: 1, minor: minor == 0 ? 0 : 1)
        guard let method = HTTPMethod(token: UnsafeBufferPointer(rebasing: p[0..<methodEnd])) else {
            throw .unknownMethod
        }
        let (path, query) = try splitTarget(UnsafeBufferPointer(rebasing: p[targetStart..<targetEnd]), method: method)

        // Header section (RFC 9112 §5).
        let sectionStart = requestLineEnd
        let sectionEnd = p.count - 2
        var fields: [HTTPHeaders.Field] = []
        fields.reserveCapacity(8)
        var hostCount = 0
        var contentLengthCount = 0
        var contentLength = 0
        var contentLengthValid = true
        var transferEncodingSeen = false
        var chunkedCount = 0
        var lastCodingIsChunked = false
        var otherTransferCoding = false
        var connectionClose = false
        var connectionKeepAlive = false
        var expectContinue = false
        var expectOther = false
        var gzipCount = 0
        var otherContentCoding = false

        var ls = sectionStart
        while ls < sectionEnd {
            var lf = ls
            while p[lf] != 10 { lf += 1 }
            // Every line ends with CRLF; the scan already rejected empty bare-LF lines.
            guard p[lf - 1] == 13 else { throw .badRequest("header line does not end with CRLF") }
            let le = lf - 1
            var j = ls
            while j < le && HTTPSyntax.isTokenByte(p[j]) { j += 1 }
            if j == ls {
                if HTTPSyntax.isWhitespace(p[ls]) {
                    // RFC 9112 §5.2 obs-fold, or whitespace before the first field (§2.2).
                    throw .badRequest("obsolete line folding or leading whitespace in the header section")
                }
                throw .badRequest("invalid header field name")
            }
            guard j < le, p[j] == 58 else {
                if j < le && HTTPSyntax.isWhitespace(p[j]) {
                    // RFC 9112 §5.1: no whitespace between the field name and the colon.
                    throw .badRequest("whitespace between header field name and colon")
                }
                throw .badRequest("invalid character in header field name")
            }
            let nameEnd = j
            j += 1
            while j < le && HTTPSyntax.isWhitespace(p[j]) { j += 1 }
            let vs = j
            var ve = vs
            while j < le {
                let b = p[j]
                // RFC 9110 §5.5: no NUL, CR, LF or other CTL except HTAB; a CR here is a bare CR.
                guard HTTPSyntax.isFieldValueByte(b) else {
                    throw .badRequest(
                        b == 13 ? "bare CR in header field value" : "control character in header field value"
                    )
                }
                j += 1
                if !HTTPSyntax.isWhitespace(b) { ve = j }
            }
            let name = UnsafeBufferPointer(rebasing: p[ls..<nameEnd])
            let value = UnsafeBufferPointer(rebasing: p[vs..<ve])
            switch name.count {
            case 4 where equalsLowercased(name, "host"):
                hostCount += 1
            case 6 where equalsLowercased(name, "expect"):
                if equalsLowercased(value, "100-continue") { expectContinue = true } else { expectOther = true }
            case 10 where equalsLowercased(name, "connection"):
                forEachListElement(value) { element in
                    if equalsLowercased(element, "close") { connectionClose = true }
                    if equalsLowercased(element, "keep-alive") { connectionKeepAlive = true }
                    return true
                }
            case 14 where equalsLowercased(name, "content-length"):
                contentLengthCount += 1
                if let n = parseDecimal(value) { contentLength = n } else { contentLengthValid = false }
            case 16 where equalsLowercased(name, "content-encoding"):
                let ok = forEachListElement(value) { element in
                    if equalsLowercased(element, "identity") { return true }
                    if equalsLowercased(element, "gzip") || equalsLowercased(element, "x-gzip") {
                        gzipCount += 1
                    } else {
                        otherContentCoding = true
                    }
                    return true
                }
                if !ok { otherContentCoding = true }
            case 17 where equalsLowercased(name, "transfer-encoding"):
                transferEncodingSeen = true
                let ok = forEachListElement(value) { element in
                    if equalsLowercased(element, "chunked") {
                        chunkedCount += 1
                        lastCodingIsChunked = true
                    } else {
                        otherTransferCoding = true
                        lastCodingIsChunked = false
                    }
                    return true
                }
                guard ok else { throw .badRequest("malformed Transfer-Encoding") }
            default:
                break
            }
            fields.append(
                HTTPHeaders.Field(
                    nameStart: Int32(ls - sectionStart),
                    nameEnd: Int32(nameEnd - sectionStart),
                    valueStart: Int32(vs - sectionStart),
                    valueEnd: Int32(ve - sectionStart)
                )
            )
            ls = lf + 1
        }

        // RFC 9112 §3.2: exactly one Host on HTTP/1.1, at most one otherwise.
        if version.minor == 1 && hostCount == 0 { throw .badRequest("missing Host header") }
        if hostCount > 1 { throw .badRequest("more than one Host header") }

        var framing = HTTPRequestHead.Framing.none
        if transferEncodingSeen {
            // RFC 9112 §6.1, §6.3: CL with TE is an error; TE on 1.0 is faulty framing; chunked must
            // be present exactly once and final; other codings are not implemented.
            if contentLengthCount > 0 { throw .badRequest("both Content-Length and Transfer-Encoding") }
            if version.minor == 0 { throw .badRequest("Transfer-Encoding in an HTTP/1.0 request") }
            if chunkedCount > 1 { throw .badRequest("chunked applied more than once") }
            if !lastCodingIsChunked { throw .badRequest("chunked is not the final transfer coding") }
            if otherTransferCoding { throw .unsupportedTransferCoding }
            framing = .chunked
        } else if contentLengthCount > 0 {
            // RFC 9112 §6.3 rule 5: Content-Length = 1*DIGIT, once.
            if contentLengthCount > 1 { throw .badRequest("more than one Content-Length header") }
            if !contentLengthValid { throw .badRequest("invalid Content-Length") }
            if contentLength > limits.maxBody { throw .bodyTooLarge }
            if contentLength > 0 { framing = .length(contentLength) }
        }
        let isHTTP11 = version.minor == 1
        if isHTTP11 && expectOther { throw .expectationFailed }
        // RFC 9110 §8.4: a coding the server cannot decode is a 415, whether or not a body follows.
        if otherContentCoding || gzipCount > 1 { throw .unsupportedContentEncoding }

        let headerBytes = [UInt8](UnsafeBufferPointer(rebasing: p[sectionStart..<sectionEnd]))
        return HTTPRequestHead(
            method: method,
            path: path,
            query: query,
            version: version,
            headers: HTTPHeaders(validatedBytes: headerBytes, fields: fields),
            framing: framing,
            keepAlive: isHTTP11 ? !connectionClose : (connectionKeepAlive && !connectionClose),
            expectContinue: isHTTP11 && expectContinue && framing != .none,
            contentCoding: gzipCount == 1 && framing != .none ? .gzip : .identity,
            headByteCount: p.count
        )
    }

    /// Splits an origin-form (`/p?q`), absolute-form (`http://h/p?q`) or asterisk-form target
    /// (RFC 9112 §3.2) into path and query.
    static func splitTarget(
        _ t: UnsafeBufferPointer<UInt8>, method: HTTPMethod
    ) throws(HTTPParserError)
        -> (String, String?)
    {
        var start = 0
        if t[0] == 47 {
            start = 0
        } else if t.count == 1 && t[0] == 42 {
            return ("*", nil)
        } else if let schemeEnd = absoluteFormPathStart(t) {
            start = schemeEnd
            if start == t.count { return ("/", nil) }
            if t[start] == 63 {
                return ("/", String(decoding: UnsafeBufferPointer(rebasing: t[(start + 1)...]), as: UTF8.self))
            }
        } else if method == .connect {
            return (String(decoding: t, as: UTF8.self), nil)
        } else {
            throw .badRequest("malformed request-target")
        }
        var q = start
        while q < t.count && t[q] != 63 { q += 1 }
        let path = String(decoding: UnsafeBufferPointer(rebasing: t[start..<q]), as: UTF8.self)
        if q == t.count { return (path, nil) }
        return (path, String(decoding: UnsafeBufferPointer(rebasing: t[(q + 1)...]), as: UTF8.self))
    }

    /// For `http://authority/...` or `https://authority/...` returns the index where the path (or
    /// query) starts, or `t.count` when there is none.
    static func absoluteFormPathStart(_ t: UnsafeBufferPointer<UInt8>) -> Int? {
        func lower(_ b: UInt8) -> UInt8 { HTTPHeaders.lower(b) }
        var i = 0
        let scheme: [UInt8] = [104, 116, 116, 112]  // "http"
        guard t.count > 7 else { return nil }
        for c in scheme {
            guard lower(t[i]) == c else { return nil }
            i += 1
        }
        if lower(t[i]) == 115 { i += 1 }  // "s"
        guard i + 3 <= t.count, t[i] == 58, t[i + 1] == 47, t[i + 2] == 47 else { return nil }
        i += 3
        let authorityStart = i
        while i < t.count && t[i] != 47 && t[i] != 63 { i += 1 }
        guard i > authorityStart else { return nil }
        return i
    }

    // MARK: - Chunked body

    private mutating func parseChunkSize(
        _ buffer: inout InputBuffer, scanned: Int
    ) throws(HTTPParserError)
        -> Event
    {
        let avail = buffer.readableCount
        let base = buffer.readIndex
        let maxLine = limits.maxChunkLine
        var lfIndex: Int?
        buffer.storage.withUnsafeBufferPointer { all in
            var i = scanned
            while i < avail {
                if all[base + i] == 10 {
                    lfIndex = i
                    return
                }
                i += 1
            }
        }
        guard let lf = lfIndex else {
            if avail > maxLine { throw .badRequest("chunk size line too long") }
            state = .chunkSize(scanned: avail)
            return .needMoreData
        }
        if lf > maxLine { throw .badRequest("chunk size line too long") }
        // RFC 9112 §7.1: chunk-size [ chunk-ext ] CRLF; a lone LF is never accepted here.
        guard lf >= 1, buffer.storage[base + lf - 1] == 13 else {
            throw .badRequest("chunk size line does not end with CRLF")
        }
        let size = try buffer.storage.withUnsafeBufferPointer { all throws(HTTPParserError) in
            try Self.parseChunkSizeLine(UnsafeBufferPointer(rebasing: all[base..<(base + lf - 1)]))
        }
        if size > limits.maxBody - bodyReceived { throw .bodyTooLarge }
        buffer.consume(lf + 1)
        if size == 0 {
            state = .trailers(bytes: 0, count: 0)
        } else {
            state = .chunkData(remaining: size)
        }
        return try step(&buffer)
    }

    /// Parses `1*HEXDIG *( BWS ";" BWS chunk-ext-name [ BWS "=" BWS chunk-ext-val ] )` (extensions
    /// ignored, but only visible characters and whitespace allowed).
    static func parseChunkSizeLine(_ p: UnsafeBufferPointer<UInt8>) throws(HTTPParserError) -> Int {
        var i = 0
        var size = 0
        while i < p.count, let d = HTTPSyntax.hexValue(p[i]) {
            guard size <= (Int.max - d) >> 4 else { throw .badRequest("chunk size overflow") }
            size = size << 4 | d
            i += 1
        }
        guard i > 0 else { throw .badRequest("invalid chunk size") }
        guard i < p.count else { return size }
        while i < p.count && HTTPSyntax.isWhitespace(p[i]) { i += 1 }
        guard i < p.count, p[i] == 59 else { throw .badRequest("invalid chunk size") }
        while i < p.count {
            guard HTTPSyntax.isFieldValueByte(p[i]) else { throw .badRequest("invalid character in chunk extension") }
            i += 1
        }
        return size
    }

    private mutating func parseTrailers(
        _ buffer: inout InputBuffer, bytes: Int, count: Int
    ) throws(HTTPParserError)
        -> Event
    {
        var bytes = bytes
        var count = count
        while true {
            let avail = buffer.readableCount
            let base = buffer.readIndex
            var lfIndex: Int?
            buffer.storage.withUnsafeBufferPointer { all in
                for i in 0..<avail where all[base + i] == 10 {
                    lfIndex = i
                    return
                }
            }
            guard let lf = lfIndex else {
                if bytes + avail >= limits.maxHeaderBytes {
                    throw .headersTooLarge("the trailer section is larger than \(limits.maxHeaderBytes) bytes")
                }
                state = .trailers(bytes: bytes, count: count)
                return .needMoreData
            }
            bytes += lf + 1
            if bytes > limits.maxHeaderBytes {
                throw .headersTooLarge("the trailer section is larger than \(limits.maxHeaderBytes) bytes")
            }
            guard lf >= 1, buffer.storage[base + lf - 1] == 13 else {
                throw .badRequest("trailer line does not end with CRLF")
            }
            if lf == 1 {
                buffer.consume(2)
                state = .head(HeadScan())
                return .end
            }
            try buffer.storage.withUnsafeBufferPointer { all throws(HTTPParserError) in
                try Self.validateFieldLine(UnsafeBufferPointer(rebasing: all[base..<(base + lf - 1)]))
            }
            count += 1
            if count > limits.maxHeaderCount {
                throw .headersTooLarge("more than \(limits.maxHeaderCount) trailer fields")
            }
            buffer.consume(lf + 1)
        }
    }

    /// Checks `name ":" OWS value OWS` (trailer fields are validated, then ignored).
    static func validateFieldLine(_ p: UnsafeBufferPointer<UInt8>) throws(HTTPParserError) {
        var j = 0
        while j < p.count && HTTPSyntax.isTokenByte(p[j]) { j += 1 }
        guard j > 0, j < p.count, p[j] == 58 else { throw .badRequest("invalid trailer field") }
        j += 1
        while j < p.count {
            guard HTTPSyntax.isFieldValueByte(p[j]) else { throw .badRequest("control character in trailer field") }
            j += 1
        }
    }

    // MARK: - Helpers

    @inline(__always)
    static func digit(_ b: UInt8) -> Int? {
        b >= 48 && b <= 57 ? Int(b - 48) : nil
    }

    /// `1*DIGIT` without sign, whitespace or overflow.
    static func parseDecimal(_ p: UnsafeBufferPointer<UInt8>) -> Int? {
        guard !p.isEmpty else { return nil }
        var n = 0
        for b in p {
            guard let d = digit(b), n <= (Int.max - d) / 10 else { return nil }
            n = n * 10 + d
        }
        return n
    }

    /// Compares bytes with a lowercase ASCII literal, ignoring the bytes' case.
    static func equalsLowercased(_ p: UnsafeBufferPointer<UInt8>, _ s: StaticString) -> Bool {
        guard p.count == s.utf8CodeUnitCount else { return false }
        let q = s.utf8Start
        for i in 0..<p.count where HTTPHeaders.lower(p[i]) != q[i] { return false }
        return true
    }

    /// Calls `body` with each element of a comma-separated list, OWS trimmed. Returns false (and stops)
    /// when an element is empty or `body` returns false (RFC 9110 §5.6.1; empty elements rejected).
    @discardableResult
    static func forEachListElement(
        _ p: UnsafeBufferPointer<UInt8>,
        _ body: (UnsafeBufferPointer<UInt8>) -> Bool
    ) -> Bool {
        var i = 0
        guard !p.isEmpty else { return false }
        while i <= p.count {
            var end = i
            while end < p.count && p[end] != 44 { end += 1 }
            var s = i
            var e = end
            while s < e && HTTPSyntax.isWhitespace(p[s]) { s += 1 }
            while e > s && HTTPSyntax.isWhitespace(p[e - 1]) { e -= 1 }
            guard e > s, body(UnsafeBufferPointer(rebasing: p[s..<e])) else { return false }
            i = end + 1
        }
        return true
    }
}
