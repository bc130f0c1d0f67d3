/// Character classes of RFC 9110 §5.6 and RFC 9112, on bytes.
enum HTTPSyntax {
    /// `tchar = "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "." / "^" / "_" / "`" / "|" / "~"
    /// / DIGIT / ALPHA` (RFC 9110 §5.6.2).
    @inline(__always)
    static func isTokenByte(_ b: UInt8) -> Bool {
        switch b {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        case UInt8(ascii: "!"), UInt8(ascii: "#"), UInt8(ascii: "$"), UInt8(ascii: "%"), UInt8(ascii: "&"),
            UInt8(ascii: "'"), UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."),
            UInt8(ascii: "^"), UInt8(ascii: "_"), UInt8(ascii: "`"), UInt8(ascii: "|"), UInt8(ascii: "~"):
            return true
        default:
            return false
        }
    }

    /// A field-value byte: VCHAR, obs-text, SP or HTAB (RFC 9110 §5.5); no NUL, CR, LF or other CTL.
    @inline(__always)
    static func isFieldValueByte(_ b: UInt8) -> Bool {
        b == 9 || (b >= 32 && b != 127)
    }

    /// A request-target byte: visible ASCII (RFC 3986 characters; anything else must be
    /// percent-encoded). Rejects SP, CTL, DEL and non-ASCII.
    @inline(__always)
    static func isTargetByte(_ b: UInt8) -> Bool { b > 32 && b < 127 }

    /// SP or HTAB.
    @inline(__always)
    static func isWhitespace(_ b: UInt8) -> Bool { b == 32 || b == 9 }

    /// The value of a hexadecimal digit, or nil.
    @inline(__always)
    static func hexValue(_ b: UInt8) -> Int? {
        switch b {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): Int(b - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): Int(b - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): Int(b - UInt8(ascii: "A") + 10)
        default: nil
        }
    }
}
