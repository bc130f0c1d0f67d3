/// A small JSON value for tests, independent of the service's own FastJSON: objects keep their key
/// order (the session layout depends on it) and numbers keep their exact text, so a test can send the
/// very digits it chose and read back the service's digits without a lossy round trip. `config` turns
/// it into the core's `ConfigValue` (numbers to the nearest double, as the service reads them).
///
/// Build request bodies with literals (`["gradients": ["w": [0.5, 1]]]`, key order as written) and
/// read responses with `JSON.parse`, subscripts and the typed accessors.
public indirect enum JSON: Equatable, CustomStringConvertible, Sendable {
    case null
    case bool(Bool)
    /// The number as JSON text (`1e-08`, `0.5`, `3`).
    case number(String)
    case string(String)
    case array([JSON])
    /// Members in order (duplicates kept).
    case object([(key: String, value: JSON)])

    public struct ParseError: Error, CustomStringConvertible {
        public var description: String
    }

    public static func == (lhs: JSON, rhs: JSON) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): true
        case (.bool(let a), .bool(let b)): a == b
        case (.number(let a), .number(let b)): a == b || (Double(a).map { $0 == Double(b) } ?? false)
        case (.string(let a), .string(let b)): a == b
        case (.array(let a), .array(let b)): a == b
        case (.object(let a), .object(let b)):
            a.count == b.count && zip(a, b).allSatisfy { $0.key == $1.key && $0.value == $1.value }
        default: false
        }
    }

    /// A number from a double, written as its shortest round-tripping decimal.
    public static func number(_ value: Double) -> JSON { .number(value.jsonText) }

    /// A number from a float, written as the exact double value of the float (so that parsing it to the
    /// nearest double and rounding to float32 gives the float back with no double rounding).
    public static func number(_ value: Float) -> JSON { .number(Double(value).jsonText) }

    /// An integer number.
    public static func int(_ value: Int) -> JSON { .number(String(value)) }

    /// A flat array of doubles.
    public static func numbers(_ values: [Double]) -> JSON { .array(values.map { .number($0) }) }

    /// A flat array of floats.
    public static func numbers(_ values: [Float]) -> JSON { .array(values.map { .number($0) }) }

    // MARK: - Reading

    public subscript(key: String) -> JSON? {
        guard case .object(let members) = self else { return nil }
        return members.first { $0.key == key }?.value
    }

    public subscript(index: Int) -> JSON? {
        guard case .array(let items) = self, items.indices.contains(index) else { return nil }
        return items[index]
    }

    public var string: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    public var bool: Bool? {
        if case .bool(let b) = self { return b }
        return nil
    }

    public var isNull: Bool { self == .null }

    /// The number's text.
    public var numberText: String? {
        if case .number(let t) = self { return t }
        return nil
    }

    /// The number read as the nearest double.
    public var double: Double? { numberText.flatMap(Double.init) }

    /// The number read as the nearest float (correctly rounded from the text, not via a double).
    public var float: Float? { numberText.flatMap(Float.init) }

    /// The number as an integer, if it is one.
    public var int: Int? {
        guard let text = numberText else { return nil }
        if let i = Int(text) { return i }
        guard let d = Double(text), d == d.rounded(), abs(d) < 9e15 else { return nil }
        return Int(d)
    }

    public var array: [JSON]? {
        if case .array(let items) = self { return items }
        return nil
    }

    public var members: [(key: String, value: JSON)]? {
        if case .object(let members) = self { return members }
        return nil
    }

    public var keys: [String] { members?.map(\.key) ?? [] }

    /// Every number of a number or nested arrays, in row-major order, as the nearest doubles.
    public var flatDoubles: [Double]? { flatTexts?.compactMap(Double.init) }

    /// Every number of a number or nested arrays, in row-major order, as the nearest floats.
    public var flatFloats: [Float]? { flatTexts?.compactMap(Float.init) }

    /// The number texts of a number or nested arrays, row-major.
    public var flatTexts: [String]? {
        var out: [String] = []
        func walk(_ v: JSON) -> Bool {
            switch v {
            case .number(let t):
                out.append(t)
                return true
            case .array(let items): return items.allSatisfy(walk)
            default: return false
            }
        }
        return walk(self) ? out : nil
    }

    /// The shape of nested arrays (`[]` for a bare number), assuming they are regular.
    public var nestedShape: [Int] {
        var shape: [Int] = []
        var v = self
        while case .array(let items) = v {
            shape.append(items.count)
            guard let first = items.first else { break }
            v = first
        }
        return shape
    }

    /// A copy with `key` set (appended if new, replaced in place otherwise).
    public func setting(_ key: String, _ value: JSON) -> JSON {
        guard case .object(var members) = self else { return self }
        if let i = members.firstIndex(where: { $0.key == key }) {
            members[i].value = value
        } else {
            members.append((key, value))
        }
        return .object(members)
    }

    /// A copy without `key`.
    public func removing(_ key: String) -> JSON {
        guard case .object(let members) = self else { return self }
        return .object(members.filter { $0.key != key })
    }

    // MARK: - Writing

    /// Compact JSON text.
    public var description: String {
        var out = ""
        write(to: &out)
        return out
    }

    /// Compact JSON bytes.
    public var bytes: [UInt8] { Array(description.utf8) }

    private func write(to out: inout String) {
        switch self {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .number(let t): out += t
        case .string(let s): JSON.writeString(s, to: &out)
        case .array(let items):
            out += "["
            for (i, item) in items.enumerated() {
                if i > 0 { out += "," }
                item.write(to: &out)
            }
            out += "]"
        case .object(let members):
            out += "{"
            for (i, member) in members.enumerated() {
                if i > 0 { out += "," }
                JSON.writeString(member.key, to: &out)
                out += ":"
                member.value.write(to: &out)
            }
            out += "}"
        }
    }

    private static func writeString(_ s: String, to out: inout String) {
        out += "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        out += "\""
    }

    // MARK: - Parsing

    /// Parses RFC 8259 JSON (strict enough for tests: no NaN, no trailing commas).
    public static func parse(_ bytes: [UInt8]) throws -> JSON {
        var parser = Parser(bytes: bytes)
        parser.skipSpace()
        let value = try parser.value(depth: 0)
        parser.skipSpace()
        guard parser.index == bytes.count else { throw parser.error("trailing bytes") }
        return value
    }

    public static func parse(_ text: String) throws -> JSON { try parse(Array(text.utf8)) }

    private struct Parser {
        let bytes: [UInt8]
        var index = 0

        func error(_ what: String) -> ParseError { ParseError(description: "\(what) at byte \(index)") }

        mutating func skipSpace() {
            while index < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[index]) { index += 1 }
        }

        mutating func expect(_ byte: UInt8) throws {
            skipSpace()
            guard index < bytes.count, bytes[index] == byte else {
                throw error("expected '\(Character(UnicodeScalar(byte)))'")
            }
            index += 1
        }

        mutating func literal(_ word: String, _ value: JSON) throws -> JSON {
            let w = Array(word.utf8)
            guard index + w.count <= bytes.count, Array(bytes[index..<(index + w.count)]) == w else {
                throw error("bad literal")
            }
            index += w.count
            return value
        }

        mutating func value(depth: Int) throws -> JSON {
            guard depth < 512 else { throw error("too deep") }
            skipSpace()
            guard index < bytes.count else { throw error("unexpected end") }
            switch bytes[index] {
            case UInt8(ascii: "{"):
                index += 1
                var members: [(key: String, value: JSON)] = []
                skipSpace()
                if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
                    index += 1
                    return .object(members)
                }
                while true {
                    skipSpace()
                    let key = try string()
                    try expect(UInt8(ascii: ":"))
                    members.append((key, try value(depth: depth + 1)))
                    skipSpace()
                    guard index < bytes.count else { throw error("unterminated object") }
                    if bytes[index] == UInt8(ascii: ",") {
                        index += 1
                        continue
                    }
                    try expect(UInt8(ascii: "}"))
                    return .object(members)
                }
            case UInt8(ascii: "["):
                index += 1
                var items: [JSON] = []
                skipSpace()
                if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
                    index += 1
                    return .array(items)
                }
                while true {
                    items.append(try value(depth: depth + 1))
                    skipSpace()
                    guard index < bytes.count else { throw error("unterminated array") }
                    if bytes[index] == UInt8(ascii: ",") {
                        index += 1
                        continue
                    }
                    try expect(UInt8(ascii: "]"))
                    return .array(items)
                }
            case UInt8(ascii: "\""): return .string(try string())
            case UInt8(ascii: "t"): return try literal("true", .bool(true))
            case UInt8(ascii: "f"): return try literal("false", .bool(false))
            case UInt8(ascii: "n"): return try literal("null", .null)
            default: return try number()
            }
        }

        mutating func number() throws -> JSON {
            let start = index
            func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }
            if index < bytes.count, bytes[index] == UInt8(ascii: "-") { index += 1 }
            let intStart = index
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
            guard index > intStart else { throw error("bad number") }
            guard !(bytes[intStart] == 0x30 && index - intStart > 1) else { throw error("leading zero") }
            if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
                index += 1
                let f = index
                while index < bytes.count, isDigit(bytes[index]) { index += 1 }
                guard index > f else { throw error("bad fraction") }
            }
            if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
                index += 1
                if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
                    index += 1
                }
                let e = index
                while index < bytes.count, isDigit(bytes[index]) { index += 1 }
                guard index > e else { throw error("bad exponent") }
            }
            return .number(String(decoding: bytes[start..<index], as: UTF8.self))
        }

        mutating func string() throws -> String {
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw error("expected string") }
            index += 1
            var out: [UInt8] = []
            while true {
                guard index < bytes.count else { throw error("unterminated string") }
                let b = bytes[index]
                index += 1
                switch b {
                case UInt8(ascii: "\""): return String(decoding: out, as: UTF8.self)
                case UInt8(ascii: "\\"):
                    guard index < bytes.count else { throw error("bad escape") }
                    let e = bytes[index]
                    index += 1
                    switch e {
                    case UInt8(ascii: "n"): out.append(0x0A)
                    case UInt8(ascii: "t"): out.append(0x09)
                    case UInt8(ascii: "r"): out.append(0x0D)
                    case UInt8(ascii: "b"): out.append(0x08)
                    case UInt8(ascii: "f"): out.append(0x0C)
                    case UInt8(ascii: "u"):
                        var code = try hex4()
                        if (0xD800..<0xDC00).contains(code), index + 1 < bytes.count, bytes[index] == 0x5C,
                            bytes[index + 1] == UInt8(ascii: "u")
                        {
                            index += 2
                            let low = try hex4()
                            code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                        }
                        out.append(
                            contentsOf: Array(String(UnicodeScalar(code).map(Character.init) ?? "\u{FFFD}").utf8))
                    default: out.append(e)
                    }
                case 0..<0x20: throw error("control character in string")
                default: out.append(b)
                }
            }
        }

        mutating func hex4() throws -> UInt32 {
            guard index + 4 <= bytes.count,
                let v = UInt32(String(decoding: bytes[index..<(index + 4)], as: UTF8.self), radix: 16)
            else { throw error("bad \\u escape") }
            index += 4
            return v
        }
    }
}

extension JSON: ExpressibleByDictionaryLiteral, ExpressibleByArrayLiteral, ExpressibleByStringLiteral,
    ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral, ExpressibleByBooleanLiteral, ExpressibleByNilLiteral
{
    public init(dictionaryLiteral elements: (String, JSON)...) {
        self = .object(elements.map { (key: $0.0, value: $0.1) })
    }
    public init(arrayLiteral elements: JSON...) { self = .array(elements) }
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int) { self = .number(String(value)) }
    public init(floatLiteral value: Double) { self = .number(value.jsonText) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(nilLiteral: ()) { self = .null }
}

extension Double {
    /// Swift's shortest round-tripping decimal, which is valid JSON for finite values (`1e-08`, `0.5`).
    public var jsonText: String { "\(self)" }
}
