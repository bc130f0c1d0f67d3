/// A strict RFC 8259 pull reader over an in-memory UTF-8 document.
///
/// The caller drives it in document order:
/// ```swift
/// var reader = JSONReader(body)
/// try reader.beginObject()
/// while let key = try reader.nextKey() {          // keys come in document order, duplicates included
///     switch key {
///     case "gradients": ...                          // nested beginObject / readNumberArray
///     default: try reader.skipValue()
///     }
/// }
/// try reader.finish()                                // only whitespace may follow the top-level value
/// ```
/// Every byte the reader passes over is checked against the grammar (whitespace, literals, numbers, string
/// escapes, UTF-8, `\u` surrogate pairs), including skipped values. Errors carry the byte offset where
/// reading stopped. Arrays and objects may nest at most `maxDepth` deep. Numbers convert to the nearest
/// double (see `readDouble()`), and `readNumberArray` reads number tensors straight into `[Float]`/`[Double]`.
///
/// The reader is a value: copying it copies the position, which allows look-ahead by reading from a copy.
public struct JSONReader: Sendable {
    /// The document.
    @usableFromInline
    let bytes: [UInt8]
    /// Zero-based offset of the next byte to read.
    public internal(set) var offset: Int
    /// The deepest nesting of arrays and objects accepted, 1...1024 (default 64).
    public let maxDepth: Int
    /// Number of arrays and objects begun and not yet ended.
    public internal(set) var depth: Int = 0
    /// Whether the innermost open container already has an element, so that the next one needs a comma.
    var hasElement: Bool = false

    /// Creates a reader at the start of `bytes`.
    /// - Parameters:
    ///   - bytes: the UTF-8 document (an RFC 8259 JSON text; a byte order mark is not accepted).
    ///   - maxDepth: the deepest nesting of arrays and objects accepted (default 64), clamped to 1...1024.
    public init(_ bytes: [UInt8], maxDepth: Int = 64) {
        self.bytes = bytes
        self.offset = 0
        self.maxDepth = min(max(maxDepth, 1), 1024)
    }

    /// Creates a reader over a copy of `buffer`.
    /// - Parameters:
    ///   - buffer: the UTF-8 document; copied, so it need not outlive the reader.
    ///   - maxDepth: the deepest nesting of arrays and objects accepted (default 64), clamped to 1...1024.
    public init(copying buffer: UnsafeRawBufferPointer, maxDepth: Int = 64) {
        self.init([UInt8](buffer), maxDepth: maxDepth)
    }

    /// Creates a reader over the UTF-8 of `text` (convenient in tests).
    /// - Parameters:
    ///   - text: the document.
    ///   - maxDepth: the deepest nesting of arrays and objects accepted (default 64), clamped to 1...1024.
    public init(_ text: String, maxDepth: Int = 64) {
        self.init(Array(text.utf8), maxDepth: maxDepth)
    }

    // MARK: Byte-level helpers

    /// Whether `c` is JSON whitespace (RFC 8259 §2: space, tab, line feed, carriage return).
    @inline(__always)
    static func isWhitespace(_ c: UInt8) -> Bool {
        c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09
    }

    /// Advances `offset` past whitespace.
    @inline(__always)
    mutating func skipWhitespace() {
        var i = offset
        let n = bytes.count
        while i < n && Self.isWhitespace(bytes[i]) { i &+= 1 }
        offset = i
    }

    /// The next non-whitespace byte (whitespace is consumed), or `nil` at the end of the document.
    @inline(__always)
    mutating func nextByte() -> UInt8? {
        skipWhitespace()
        return offset < bytes.count ? bytes[offset] : nil
    }

    /// A printable description of byte `c` for messages: `'x'`, `byte 0x1F`.
    static func describe(_ c: UInt8) -> String {
        if c >= 0x20 && c < 0x7F { return "'\(Character(Unicode.Scalar(c)))'" }
        let hex = String(c, radix: 16, uppercase: true)
        return "byte 0x" + (hex.count < 2 ? "0" + hex : hex)
    }

    /// The kind of value that starts with byte `c`, if any.
    static func kind(startingWith c: UInt8) -> JSONValueKind? {
        switch c {
        case UInt8(ascii: "{"): .object
        case UInt8(ascii: "["): .array
        case UInt8(ascii: "\""): .string
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): .number
        case UInt8(ascii: "t"), UInt8(ascii: "f"): .bool
        case UInt8(ascii: "n"): .null
        default: nil
        }
    }

    /// The error for finding something other than `expected` at `offset` (or at the end of the document).
    ///
    /// The start of another kind of value is a `.typeMismatch`; anything else is `.syntax`.
    func unexpected(_ expected: String, at i: Int) -> JSONError {
        guard i < bytes.count else {
            return JSONError("expected \(expected), found the end of the document", offset: i)
        }
        let c = bytes[i]
        if let kind = Self.kind(startingWith: c) {
            return JSONError("expected \(expected), found \(kind)", offset: i, kind: .typeMismatch)
        }
        return JSONError("expected \(expected), found \(Self.describe(c))", offset: i)
    }

    // MARK: Structure

    /// The kind of the next value, without consuming it (whitespace before it is consumed).
    /// - Throws: `JSONError` (`.syntax`) at the end of the document or at a byte that cannot start a value.
    public mutating func peek() throws(JSONError) -> JSONValueKind {
        guard let c = nextByte() else { throw unexpected("a value", at: offset) }
        guard let kind = Self.kind(startingWith: c) else {
            throw JSONError("expected a value, found \(Self.describe(c))", offset: offset)
        }
        return kind
    }

    /// Enters a container whose opening byte is at `offset`.
    @inline(__always)
    mutating func enterContainer() throws(JSONError) {
        guard depth < maxDepth else {
            throw JSONError("nesting deeper than \(maxDepth) levels", offset: offset, kind: .depthLimit)
        }
        depth &+= 1
        offset &+= 1
        hasElement = false
    }

    /// Leaves a container whose closing byte is at `offset`.
    @inline(__always)
    mutating func leaveContainer() {
        depth &-= 1
        offset &+= 1
        // The container just closed is an element of its parent.
        hasElement = true
    }

    /// Consumes `{`; then read members with `nextKey()` until it returns `nil`.
    /// - Throws: `JSONError`: `.typeMismatch` if another kind of value is next, `.depthLimit` beyond
    ///   `maxDepth`, `.syntax` otherwise.
    public mutating func beginObject() throws(JSONError) {
        guard nextByte() == UInt8(ascii: "{") else { throw unexpected("an object", at: offset) }
        try enterContainer()
    }

    /// The next member's key, with its `:` consumed so that the member's value is next; `nil` (with the `}`
    /// consumed) when the object ends.
    ///
    /// Keys come in document order and duplicates are returned as they appear. Every member's value must be
    /// read or skipped before the next call.
    /// - Throws: `JSONError` (`.syntax`) for a missing comma or colon, a trailing comma, or a malformed key.
    public mutating func nextKey() throws(JSONError) -> String? {
        guard try moveToNextMember() else { return nil }
        let key = try scanString()
        try consumeColon()
        return key
    }

    /// Moves to the opening quote of the next member's key (consuming a comma); `false`, with the `}` consumed,
    /// when the object ends.
    mutating func moveToNextMember() throws(JSONError) -> Bool {
        guard var c = nextByte() else { throw unexpected("'}' or a member", at: offset) }
        if c == UInt8(ascii: "}") {
            leaveContainer()
            return false
        }
        if hasElement {
            guard c == UInt8(ascii: ",") else {
                throw JSONError("expected ',' or '}' after an object member, found \(Self.describe(c))", offset: offset)
            }
            offset &+= 1
            guard let d = nextByte() else { throw unexpected("a string key", at: offset) }
            if d == UInt8(ascii: "}") {
                throw JSONError("a trailing comma is not allowed before '}'", offset: offset)
            }
            c = d
        }
        guard c == UInt8(ascii: "\"") else {
            throw JSONError("expected a string key, found \(Self.describe(c))", offset: offset)
        }
        return true
    }

    /// Consumes the `:` after a key; the member's value is next.
    mutating func consumeColon() throws(JSONError) {
        guard let colon = nextByte() else { throw unexpected("':' after an object key", at: offset) }
        guard colon == UInt8(ascii: ":") else {
            throw JSONError("expected ':' after an object key, found \(Self.describe(colon))", offset: offset)
        }
        offset &+= 1
        hasElement = true
    }

    /// Consumes `[`; then call `nextElement()` before each element until it returns `false`.
    /// - Throws: `JSONError`: `.typeMismatch` if another kind of value is next, `.depthLimit` beyond
    ///   `maxDepth`, `.syntax` otherwise.
    public mutating func beginArray() throws(JSONError) {
        guard nextByte() == UInt8(ascii: "[") else { throw unexpected("an array", at: offset) }
        try enterContainer()
    }

    /// `true` if another element follows (its comma consumed, so the element is next); `false` (with the `]`
    /// consumed) when the array ends.
    /// - Throws: `JSONError` (`.syntax`) for a missing comma, a trailing comma, or the end of the document.
    public mutating func nextElement() throws(JSONError) -> Bool {
        guard let c = nextByte() else { throw unexpected("']' or an element", at: offset) }
        if c == UInt8(ascii: "]") {
            leaveContainer()
            return false
        }
        if hasElement {
            guard c == UInt8(ascii: ",") else {
                throw JSONError("expected ',' or ']' after an array element, found \(Self.describe(c))", offset: offset)
            }
            offset &+= 1
            guard let d = nextByte() else { throw unexpected("an array element", at: offset) }
            if d == UInt8(ascii: "]") {
                throw JSONError("a trailing comma is not allowed before ']'", offset: offset)
            }
        }
        hasElement = true
        return true
    }

    /// Checks that only whitespace follows the top-level value (RFC 8259 §2: `JSON-text = ws value ws`).
    ///
    /// Call it once the top-level value has been read.
    /// - Throws: `JSONError` (`.syntax`) if containers are still open or anything but whitespace remains.
    public mutating func finish() throws(JSONError) {
        if depth > 0 {
            throw JSONError("the document ended with \(depth) unclosed array(s) or object(s)", offset: offset)
        }
        guard let c = nextByte() else { return }
        throw JSONError("unexpected \(Self.describe(c)) after the top-level value", offset: offset)
    }

    // MARK: Literals

    /// Consumes the literal `word` (already known to start at `offset`).
    @inline(__always)
    mutating func expectLiteral(_ word: StaticString) throws(JSONError) {
        let n = word.utf8CodeUnitCount
        let p = word.utf8Start
        var k = 0
        while k < n {
            let i = offset &+ k
            guard i < bytes.count && bytes[i] == p[k] else {
                throw JSONError("invalid literal; expected '\(word)'", offset: i)
            }
            k &+= 1
        }
        offset &+= n
    }

    /// Reads `true` or `false`.
    /// - Throws: `JSONError`: `.typeMismatch` if another kind of value is next, `.syntax` otherwise.
    public mutating func readBool() throws(JSONError) -> Bool {
        switch nextByte() {
        case UInt8(ascii: "t"):
            try expectLiteral("true")
            return true
        case UInt8(ascii: "f"):
            try expectLiteral("false")
            return false
        default:
            throw unexpected("a boolean", at: offset)
        }
    }

    /// Reads `null`.
    /// - Throws: `JSONError`: `.typeMismatch` if another kind of value is next, `.syntax` otherwise.
    public mutating func readNull() throws(JSONError) {
        guard nextByte() == UInt8(ascii: "n") else { throw unexpected("null", at: offset) }
        try expectLiteral("null")
    }

    /// Reads `null` and returns `true` if it is next; otherwise consumes nothing (but whitespace) and returns
    /// `false`. For optional members: `if try !reader.readNullIfPresent() { x = try reader.readDouble() }`.
    /// - Throws: `JSONError` (`.syntax`) for a malformed literal starting with `n`.
    public mutating func readNullIfPresent() throws(JSONError) -> Bool {
        guard nextByte() == UInt8(ascii: "n") else { return false }
        try expectLiteral("null")
        return true
    }
}
