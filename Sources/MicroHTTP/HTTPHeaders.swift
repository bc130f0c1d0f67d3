/// An ordered list of HTTP header fields with case-insensitive name lookup, stored as bytes.
///
/// Request headers keep the bytes the client sent (one array per request, no `String` per field);
/// strings are made only when a handler asks for a value. Names compare ASCII case-insensitively
/// (RFC 9110 §5.1). Values added by handlers are sanitised: CR, LF and NUL become spaces, so a
/// value can never split a response header.
public struct HTTPHeaders: Sendable, Sequence, ExpressibleByDictionaryLiteral, CustomStringConvertible {
    /// Byte ranges of one field inside ``bytes``.
    @usableFromInline
    struct Field: Sendable {
        @usableFromInline var nameStart: Int32
        @usableFromInline var nameEnd: Int32
        @usableFromInline var valueStart: Int32
        @usableFromInline var valueEnd: Int32
    }

    @usableFromInline var bytes: [UInt8]
    @usableFromInline var fields: [Field]

    /// Creates an empty header list.
    public init() {
        bytes = []
        fields = []
    }

    /// Creates a header list from `(name, value)` pairs, in order.
    public init(_ pairs: [(String, String)]) {
        self.init()
        for (name, value) in pairs { add(name: name, value: value) }
    }

    /// Creates a header list from a dictionary literal, in source order.
    public init(dictionaryLiteral elements: (String, String)...) {
        self.init(elements)
    }

    /// Adopts already-validated bytes and field ranges (used by the request parser).
    init(validatedBytes: [UInt8], fields: [Field]) {
        self.bytes = validatedBytes
        self.fields = fields
    }

    /// The number of fields.
    public var count: Int { fields.count }

    /// True when there are no fields.
    public var isEmpty: Bool { fields.isEmpty }

    /// The name of field `index` as sent.
    public func name(at index: Int) -> String {
        let f = fields[index]
        return String(decoding: bytes[Int(f.nameStart)..<Int(f.nameEnd)], as: UTF8.self)
    }

    /// The value of field `index`, without surrounding whitespace.
    public func value(at index: Int) -> String {
        let f = fields[index]
        return String(decoding: bytes[Int(f.valueStart)..<Int(f.valueEnd)], as: UTF8.self)
    }

    /// The first value of the field called `name` (case-insensitive), or nil.
    public subscript(name: String) -> String? {
        guard let i = firstIndex(of: name) else { return nil }
        return value(at: i)
    }

    /// Every value of the fields called `name`, in order.
    public func values(for name: String) -> [String] {
        var result: [String] = []
        for i in fields.indices where nameMatches(i, name) { result.append(value(at: i)) }
        return result
    }

    /// True when a field called `name` is present.
    public func contains(_ name: String) -> Bool { firstIndex(of: name) != nil }

    /// The index of the first field called `name` (case-insensitive), or nil.
    public func firstIndex(of name: String) -> Int? {
        for i in fields.indices where nameMatches(i, name) { return i }
        return nil
    }

    /// Appends a field; CR, LF and NUL in `name` or `value` are replaced by spaces, and an empty name
    /// is ignored.
    public mutating func add(name: String, value: String) {
        guard !name.isEmpty else { return }
        let ns = bytes.count
        for b in name.utf8 { bytes.append(HTTPHeaders.isFieldNameByte(b) ? b : UInt8(ascii: "-")) }
        let ne = bytes.count
        for b in value.utf8 { bytes.append(b == 0 || b == 10 || b == 13 ? 32 : b) }
        let ve = bytes.count
        fields.append(Field(nameStart: Int32(ns), nameEnd: Int32(ne), valueStart: Int32(ne), valueEnd: Int32(ve)))
    }

    /// Replaces every field called `name` with one field holding `value`.
    public mutating func replaceOrAdd(name: String, value: String) {
        remove(name: name)
        add(name: name, value: value)
    }

    /// Removes every field called `name` (the bytes are reclaimed lazily).
    public mutating func remove(name: String) {
        fields.removeAll { f in HTTPHeaders.equalsIgnoringCase(bytes, Int(f.nameStart), Int(f.nameEnd), name) }
    }

    /// The value of `name` and a flag telling whether the list contains the token `token`
    /// (comma-separated, case-insensitive; used for `Connection`, `Accept-Encoding`, `Vary`).
    public func containsToken(_ token: String, in name: String) -> Bool {
        for v in values(for: name) {
            for part in v.split(separator: ",") {
                let t = part.split(separator: ";").first.map { $0.trimmingSpaces() } ?? ""
                if t.lowercased() == token.lowercased() { return true }
            }
        }
        return false
    }

    /// Iterates `(name, value)` pairs in order.
    public func makeIterator() -> AnyIterator<(name: String, value: String)> {
        var i = 0
        return AnyIterator {
            guard i < fields.count else { return nil }
            defer { i += 1 }
            return (name(at: i), value(at: i))
        }
    }

    /// `"Name: value"` lines joined by newlines.
    public var description: String {
        map { "\($0.name): \($0.value)" }.joined(separator: "\n")
    }

    // MARK: - Byte-level helpers

    @inline(__always)
    func nameMatches(_ index: Int, _ name: String) -> Bool {
        let f = fields[index]
        return HTTPHeaders.equalsIgnoringCase(bytes, Int(f.nameStart), Int(f.nameEnd), name)
    }

    /// True when the field name bytes equal `name` case-insensitively (lowercase ASCII of both sides).
    func nameEquals(_ index: Int, lowercased name: StaticString) -> Bool {
        let f = fields[index]
        let len = Int(f.nameEnd - f.nameStart)
        guard len == name.utf8CodeUnitCount else { return false }
        let p = name.utf8Start
        let s = Int(f.nameStart)
        for i in 0..<len where HTTPHeaders.lower(bytes[s + i]) != p[i] { return false }
        return true
    }

    static func equalsIgnoringCase(_ bytes: [UInt8], _ start: Int, _ end: Int, _ name: String) -> Bool {
        var utf8 = name.utf8.makeIterator()
        var i = start
        while i < end {
            guard let c = utf8.next(), lower(c) == lower(bytes[i]) else { return false }
            i += 1
        }
        return utf8.next() == nil
    }

    @inline(__always)
    static func lower(_ b: UInt8) -> UInt8 { b >= 65 && b <= 90 ? b | 0x20 : b }

    /// RFC 9110 §5.6.2 `tchar`.
    @inline(__always)
    static func isFieldNameByte(_ b: UInt8) -> Bool { HTTPSyntax.isTokenByte(b) }

    /// Appends each field as `Name: value\r\n` to `out`.
    func write(to out: inout [UInt8]) {
        for f in fields {
            out.append(contentsOf: bytes[Int(f.nameStart)..<Int(f.nameEnd)])
            out.append(58)
            out.append(32)
            out.append(contentsOf: bytes[Int(f.valueStart)..<Int(f.valueEnd)])
            out.append(13)
            out.append(10)
        }
    }
}

extension Substring {
    func trimmingSpaces() -> Substring {
        var s = self
        while let f = s.first, f == " " || f == "\t" { s.removeFirst() }
        while let l = s.last, l == " " || l == "\t" { s.removeLast() }
        return s
    }
}
