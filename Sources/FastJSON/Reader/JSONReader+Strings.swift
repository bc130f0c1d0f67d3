extension JSONReader {
    /// Reads a string value, unescaped.
    ///
    /// RFC 8259 §7: control characters (U+0000...U+001F) must be escaped; the escapes are `\" \\ \/ \b \f \n
    /// \r \t \uXXXX`, and a UTF-16 surrogate pair is written as two `\u` escapes (a lone surrogate is an
    /// error). §8.1: the text must be valid UTF-8 (no overlong forms, no encoded surrogates, nothing above
    /// U+10FFFF).
    /// - Throws: `JSONError`: `.typeMismatch` if another kind of value is next, `.syntax` otherwise.
    public mutating func readString() throws(JSONError) -> String {
        guard nextByte() == UInt8(ascii: "\"") else { throw unexpected("a string", at: offset) }
        return try scanString()
    }

    /// Reads the string token whose opening quote is at `offset`.
    mutating func scanString() throws(JSONError) -> String {
        let start = offset &+ 1
        var i = start
        let n = bytes.count
        // Fast path: printable ASCII without escapes.
        while i < n {
            let c = bytes[i]
            if c == UInt8(ascii: "\"") {
                offset = i &+ 1
                return String(decoding: bytes[start..<i], as: UTF8.self)
            }
            if c == UInt8(ascii: "\\") || c < 0x20 || c >= 0x80 { break }
            i &+= 1
        }
        var out: [UInt8] = []
        out.reserveCapacity(i &- start &+ 16)
        out.append(contentsOf: bytes[start..<i])
        offset = i
        try scanStringTail(into: &out, building: true)
        return String(decoding: out, as: UTF8.self)
    }

    /// Checks the string token whose opening quote is at `offset` and moves past it.
    mutating func skipString() throws(JSONError) {
        var unused: [UInt8] = []
        offset &+= 1
        try scanStringTail(into: &unused, building: false)
    }

    /// Reads string content from `offset` up to and including the closing quote, appending the unescaped
    /// UTF-8 to `out` when `building`.
    mutating func scanStringTail(into out: inout [UInt8], building: Bool) throws(JSONError) {
        var i = offset
        let n = bytes.count
        while true {
            guard i < n else { throw JSONError("unterminated string", offset: i) }
            let c = bytes[i]
            if c == UInt8(ascii: "\"") {
                offset = i &+ 1
                return
            }
            if c == UInt8(ascii: "\\") {
                guard i &+ 1 < n else { throw JSONError("unterminated string", offset: i &+ 1) }
                let e = bytes[i &+ 1]
                let simple: UInt8
                switch e {
                case UInt8(ascii: "\""): simple = 0x22
                case UInt8(ascii: "\\"): simple = 0x5C
                case UInt8(ascii: "/"): simple = 0x2F
                case UInt8(ascii: "b"): simple = 0x08
                case UInt8(ascii: "f"): simple = 0x0C
                case UInt8(ascii: "n"): simple = 0x0A
                case UInt8(ascii: "r"): simple = 0x0D
                case UInt8(ascii: "t"): simple = 0x09
                case UInt8(ascii: "u"):
                    var scalar = try hex4(at: i &+ 2)
                    var next = i &+ 6
                    if scalar >= 0xD800 && scalar <= 0xDBFF {
                        // A high surrogate must be followed by an escaped low surrogate.
                        guard
                            next &+ 1 < n && bytes[next] == UInt8(ascii: "\\") && bytes[next &+ 1] == UInt8(ascii: "u")
                        else {
                            throw JSONError(
                                "a high surrogate escape must be followed by a low surrogate escape", offset: i)
                        }
                        let low = try hex4(at: next &+ 2)
                        guard low >= 0xDC00 && low <= 0xDFFF else {
                            throw JSONError(
                                "a high surrogate escape must be followed by a low surrogate escape", offset: next)
                        }
                        scalar = 0x10000 &+ ((scalar &- 0xD800) << 10) &+ (low &- 0xDC00)
                        next &+= 6
                    } else if scalar >= 0xDC00 && scalar <= 0xDFFF {
                        throw JSONError("a low surrogate escape without a preceding high surrogate", offset: i)
                    }
                    if building { Self.appendUTF8(scalar, to: &out) }
                    i = next
                    continue
                default:
                    throw JSONError("invalid escape sequence '\\\(Character(Unicode.Scalar(e)))'", offset: i)
                }
                if building { out.append(simple) }
                i &+= 2
                continue
            }
            if c < 0x20 {
                throw JSONError("control character \(Self.describe(c)) must be escaped in a string", offset: i)
            }
            if c < 0x80 {
                if building { out.append(c) }
                i &+= 1
                continue
            }
            let length = try utf8SequenceLength(at: i)
            if building { out.append(contentsOf: bytes[i..<i &+ length]) }
            i &+= length
        }
    }

    /// The value of the four hex digits at `i`.
    func hex4(at i: Int) throws(JSONError) -> UInt32 {
        var v: UInt32 = 0
        for k in 0..<4 {
            guard i &+ k < bytes.count else { throw JSONError("unterminated string", offset: i &+ k) }
            let c = bytes[i &+ k]
            let d: UInt8
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): d = c &- UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): d = c &- UInt8(ascii: "a") &+ 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): d = c &- UInt8(ascii: "A") &+ 10
            default: throw JSONError("expected four hex digits after '\\u'", offset: i &+ k)
            }
            v = v << 4 | UInt32(d)
        }
        return v
    }

    /// Length of the well-formed UTF-8 sequence starting with the non-ASCII byte at `i` (Unicode Table 3-7).
    func utf8SequenceLength(at i: Int) throws(JSONError) -> Int {
        let n = bytes.count
        let lead = bytes[i]
        let length: Int
        var low: UInt8 = 0x80
        var high: UInt8 = 0xBF
        switch lead {
        case 0xC2...0xDF: length = 2
        case 0xE0:
            length = 3
            low = 0xA0
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED:
            length = 3
            high = 0x9F  // excludes encoded surrogates U+D800...U+DFFF
        case 0xF0:
            length = 4
            low = 0x90
        case 0xF1...0xF3: length = 4
        case 0xF4:
            length = 4
            high = 0x8F  // nothing above U+10FFFF
        default: throw JSONError("invalid UTF-8 lead byte \(Self.describe(lead))", offset: i)
        }
        guard i &+ length <= n else { throw JSONError("truncated UTF-8 sequence", offset: i) }
        let second = bytes[i &+ 1]
        guard second >= low && second <= high else {
            throw JSONError("invalid UTF-8 continuation byte \(Self.describe(second))", offset: i &+ 1)
        }
        var k = 2
        while k < length {
            let b = bytes[i &+ k]
            guard b & 0xC0 == 0x80 else {
                throw JSONError("invalid UTF-8 continuation byte \(Self.describe(b))", offset: i &+ k)
            }
            k &+= 1
        }
        return length
    }

    /// Appends the UTF-8 encoding of a Unicode scalar value (not a surrogate) to `out`.
    static func appendUTF8(_ v: UInt32, to out: inout [UInt8]) {
        switch v {
        case 0..<0x80:
            out.append(UInt8(v))
        case 0x80..<0x800:
            out.append(UInt8(0xC0 | (v >> 6)))
            out.append(UInt8(0x80 | (v & 0x3F)))
        case 0x800..<0x10000:
            out.append(UInt8(0xE0 | (v >> 12)))
            out.append(UInt8(0x80 | ((v >> 6) & 0x3F)))
            out.append(UInt8(0x80 | (v & 0x3F)))
        default:
            out.append(UInt8(0xF0 | (v >> 18)))
            out.append(UInt8(0x80 | ((v >> 12) & 0x3F)))
            out.append(UInt8(0x80 | ((v >> 6) & 0x3F)))
            out.append(UInt8(0x80 | (v & 0x3F)))
        }
    }
}
