import FastJSON
import Foundation
import Testing

@Suite struct JSONReaderTests {
    // MARK: Walking documents

    @Test func objectKeysComeInDocumentOrderWithDuplicates() throws {
        var reader = JSONReader(#"{"zeta": 1, "alpha": 2, "mid": 3, "alpha": 4}"#)
        try reader.beginObject()
        var keys: [String] = []
        var values: [Double] = []
        while let key = try reader.nextKey() {
            keys.append(key)
            values.append(try reader.readDouble())
        }
        try reader.finish()
        #expect(keys == ["zeta", "alpha", "mid", "alpha"])
        #expect(values == [1, 2, 3, 4])
    }

    @Test func nestedContainersAreWalkedWithCommasHandled() throws {
        var reader = JSONReader(" {\"a\" : [ true , false, null ,{ }, [ ] ] ,\n\"b\":{\"c\":\"d\"}}\r\n\t ")
        try reader.beginObject()
        #expect(try reader.nextKey() == "a")
        try reader.beginArray()
        #expect(try reader.nextElement())
        #expect(try reader.readBool() == true)
        #expect(try reader.nextElement())
        #expect(try reader.readBool() == false)
        #expect(try reader.nextElement())
        try reader.readNull()
        #expect(try reader.nextElement())
        try reader.beginObject()
        #expect(try reader.nextKey() == nil)
        #expect(try reader.nextElement())
        try reader.beginArray()
        #expect(try reader.nextElement() == false)
        #expect(try reader.nextElement() == false)
        #expect(reader.depth == 1)
        #expect(try reader.nextKey() == "b")
        try reader.beginObject()
        #expect(try reader.nextKey() == "c")
        #expect(try reader.readString() == "d")
        #expect(try reader.nextKey() == nil)
        #expect(try reader.nextKey() == nil)
        #expect(reader.depth == 0)
        try reader.finish()
    }

    @Test func peekReportsTheNextKindWithoutConsuming() throws {
        var reader = JSONReader(#"[{}, [], "s", -1, true, false, null]"#)
        try reader.beginArray()
        var kinds: [JSONValueKind] = []
        while try reader.nextElement() {
            kinds.append(try reader.peek())
            try reader.skipValue()
        }
        #expect(kinds == [.object, .array, .string, .number, .bool, .bool, .null])
    }

    @Test func readNullIfPresentConsumesOnlyNull() throws {
        var reader = JSONReader("[null, 2]")
        try reader.beginArray()
        #expect(try reader.nextElement())
        #expect(try reader.readNullIfPresent())
        #expect(try reader.nextElement())
        #expect(try reader.readNullIfPresent() == false)
        #expect(try reader.readDouble() == 2)
    }

    @Test func skipValueSkipsWholeContainers() throws {
        var reader = JSONReader(#"{"skip": {"a": [1, {"b": "\u00e9"}], "c": null}, "keep": 7}"#)
        try reader.beginObject()
        #expect(try reader.nextKey() == "skip")
        try reader.skipValue()
        #expect(try reader.nextKey() == "keep")
        #expect(try reader.readInt() == 7)
        #expect(try reader.nextKey() == nil)
        try reader.finish()
    }

    @Test func skipValueIsAsStrictAsReading() {
        for text in ["[1, NaN]", #"{"a": "\x"}"#, "[01]", "[1,]", #"{"a" 1}"#] {
            var reader = JSONReader(text)
            #expect(throws: JSONError.self, "\(text)") { try reader.skipValue() }
        }
    }

    // MARK: Strings

    @Test(arguments: [
        (#""plain""#, "plain"),
        (#""""#, ""),
        (#""\"\\\/\b\f\n\r\t""#, "\"\\/\u{08}\u{0C}\n\r\t"),
        (#""\u0041\u00e9\u00E9\u20AC""#, "Aéé€"),
        (#""\ud83d\ude00""#, "😀"),
        (#""\uD834\uDD1E clef""#, "𝄞 clef"),
        ("\"é€😀 raw\"", "é€😀 raw"),
        (#""\u0000""#, "\u{0}"),
        (#""a/b""#, "a/b"),
    ])
    func stringsAreUnescaped(text: String, expected: String) throws {
        var reader = JSONReader(text)
        #expect(try reader.readString() == expected)
        try reader.finish()
    }

    // MARK: Numbers

    @Test func readIntAcceptsExactIntegers() throws {
        #expect(try JSONReader("42").readIntValue() == 42)
        #expect(try JSONReader("-0").readIntValue() == 0)
        #expect(try JSONReader("9223372036854775807").readIntValue() == Int.max)
        #expect(try JSONReader("-9223372036854775808").readIntValue() == Int.min)
        #expect(try JSONReader("1e3").readIntValue() == 1000)
        #expect(try JSONReader("3.0").readIntValue() == 3)
        #expect(try JSONReader("-2.5e1").readIntValue() == -25)
    }

    @Test(arguments: ["9223372036854775808", "-9223372036854775809", "1.5", "1e30", "99999999999999999999999"])
    func readIntRejectsNonIntegersAndOverflow(text: String) {
        let error = jsonError { _ = try JSONReader(text).readIntValue() }
        #expect(error?.kind == .numberOutOfRange)
        #expect(error?.offset == 0)
    }

    // MARK: Errors

    @Test(arguments: [
        // (document, offset of the error)
        ("", 0), ("   ", 3), ("{", 1), ("[", 1), ("[1,]", 3), ("[,1]", 1), (#"{"a":1,}"#, 7), ("{,}", 1),
        (#"{"a" 1}"#, 5), (#"{"a":}"#, 5), ("{a:1}", 1), ("{'a':1}", 1), ("[1 2]", 3), ("[1,,2]", 3),
        ("01", 1), ("-01", 2), ("+1", 0), (".5", 0), ("1.", 2), ("1.e5", 2), ("1e", 2), ("1e+", 3), ("-", 1),
        ("--1", 1), ("-a", 1), ("0x10", 1), ("NaN", 0), ("Infinity", 0), ("-Infinity", 1), ("nan", 1), ("inf", 0),
        ("tru", 3), ("True", 0), ("nul", 3), ("nulll", 4), ("[1]x", 3), ("[1] [2]", 4), ("1 2", 2),
        (#""abc"#, 4), (#""\x""#, 1), (#""\u12""#, 5), (#""\uD800""#, 1), (#""\uDC00""#, 1),
        (#""\uD800\u0041""#, 7), (#""\uD800x""#, 1), ("\"a\u{01}b\"", 2), ("\"\t\"", 1), ("\"a\nb\"", 2),
        ("\u{0C}1", 0), ("\u{A0}1", 0), ("[1,\n]", 4), (#"{"a":1 "b":2}"#, 7), (#"["a" : 1]"#, 5),
        (#"{"a":1]"#, 6), ("[1}", 2), ("[[1]", 4), ("{\"a\":[1,2}", 9), ("1.5.2", 3), ("1e5e5", 3),
    ])
    func malformedDocumentsAreRejected(text: String, offset: Int) {
        let error = jsonError { _ = try JSONValue(parsing: Array(text.utf8)) }
        #expect(error != nil, "accepted: \(text)")
        #expect(error?.kind == .syntax, "\(text): \(String(describing: error))")
        #expect(error?.offset == offset, "\(text): \(String(describing: error))")
    }

    @Test(
        arguments: [
            ([0x22, 0xC0, 0xAF, 0x22], 1),  // overlong '/'
            ([0x22, 0xE0, 0x80, 0xAF, 0x22], 2),  // overlong three-byte form
            ([0x22, 0xED, 0xA0, 0x80, 0x22], 2),  // encoded surrogate U+D800
            ([0x22, 0xF4, 0x90, 0x80, 0x80, 0x22], 2),  // above U+10FFFF
            ([0x22, 0xF5, 0x80, 0x80, 0x80, 0x22], 1),  // invalid lead byte
            ([0x22, 0xE2, 0x82, 0x22], 3),  // truncated sequence
            ([0x22, 0x80, 0x22], 1),  // lone continuation byte
            ([0x22, 0xFF, 0x22], 1),
            ([0x22, 0xC3], 1),  // truncated at the end of the document
            ([0xEF, 0xBB, 0xBF, 0x31], 0),  // byte order mark
        ] as [([UInt8], Int)])
    func invalidUTF8IsRejected(bytes: [UInt8], offset: Int) {
        let error = jsonError { _ = try JSONValue(parsing: bytes) }
        #expect(error?.kind == .syntax)
        #expect(error?.offset == offset, "\(bytes): \(String(describing: error))")
    }

    @Test func validUTF8OfEveryLengthIsAccepted() throws {
        // U+007F, U+0080, U+07FF, U+0800, U+D7FF, U+E000, U+FFFF, U+10000, U+10FFFF: the boundaries of Table 3-7.
        let text = "\u{7F}\u{80}\u{7FF}\u{800}\u{D7FF}\u{E000}\u{FFFF}\u{10000}\u{10FFFF}"
        let value = try JSONValue(parsing: Array("\"\(text)\"".utf8))
        #expect(value == .string(text))
    }

    @Test func anotherKindOfValueIsATypeMismatch() {
        let cases: [(String, (inout JSONReader) throws -> Void)] = [
            (#""x""#, { _ = try $0.readDouble() }),
            ("[1]", { try $0.beginObject() }),
            ("{}", { try $0.beginArray() }),
            ("1", { _ = try $0.readString() }),
            ("null", { _ = try $0.readBool() }),
            ("true", { try $0.readNull() }),
            ("{}", { _ = try $0.readInt() }),
        ]
        for (text, body) in cases {
            var reader = JSONReader(text)
            let error = jsonError { try body(&reader) }
            #expect(error?.kind == .typeMismatch, "\(text): \(String(describing: error))")
            #expect(error?.offset == 0)
        }
        // Garbage is a syntax error even where a number is expected.
        var reader = JSONReader("x")
        #expect(jsonError { _ = try reader.readDouble() }?.kind == .syntax)
    }

    @Test func nestingDeeperThanMaxDepthIsRejected() throws {
        let ok = String(repeating: "[", count: 64) + String(repeating: "]", count: 64)
        #expect(try JSONValue(parsing: Array(ok.utf8)) != .null)
        let deep = String(repeating: "[", count: 65) + String(repeating: "]", count: 65)
        let error = jsonError { _ = try JSONValue(parsing: Array(deep.utf8)) }
        #expect(error?.kind == .depthLimit)
        #expect(error?.offset == 64)
        let objects = String(repeating: #"{"a":"#, count: 4) + "1" + String(repeating: "}", count: 4)
        #expect(jsonError { _ = try JSONValue(parsing: Array(objects.utf8), maxDepth: 3) }?.kind == .depthLimit)
        #expect(try JSONValue(parsing: Array(objects.utf8), maxDepth: 4)["a"] != nil)
        // Driving the reader by hand is limited too.
        var reader = JSONReader("[[[]]]", maxDepth: 2)
        try reader.beginArray()
        _ = try reader.nextElement()
        try reader.beginArray()
        _ = try reader.nextElement()
        #expect(jsonError { try reader.beginArray() }?.kind == .depthLimit)
    }

    @Test func theDeepestAllowedNestingFitsASmallThreadStack() throws {
        // readValue and skipValue recurse once per level; maxDepth is clamped to 1024, which must fit in a
        // 512 KiB stack (Dispatch worker threads) even in a debug build.
        let depth = 1024
        let text = Array(
            (String(repeating: #"{"a":["#, count: depth / 2) + "1" + String(repeating: "]}", count: depth / 2)).utf8)
        let finished = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var results: (read: Bool, skipped: Bool, rejected: Bool) = (false, false, false)
        let thread = Thread {
            results.read = (try? JSONValue(parsing: text, maxDepth: 5000)) != nil
            var reader = JSONReader(text, maxDepth: 5000)
            results.skipped = (try? reader.skipValue()) != nil
            results.rejected =
                (try? JSONValue(
                    parsing: Array(("[" + String(decoding: text, as: UTF8.self) + "]").utf8), maxDepth: 5000)) == nil
            finished.signal()
        }
        thread.stackSize = 512 * 1024
        thread.start()
        finished.wait()
        #expect(results.read)
        #expect(results.skipped)
        #expect(results.rejected)  // 1025 levels exceed the clamped limit
    }

    @Test func finishRejectsUnclosedContainers() throws {
        var reader = JSONReader("[1")
        try reader.beginArray()
        #expect(try reader.nextElement())
        _ = try reader.readDouble()
        #expect(jsonError { try reader.finish() } != nil)
    }

    @Test func errorDescriptionNamesTheOffset() {
        let error = jsonError { _ = try JSONValue(parsing: Array("[1,]".utf8)) }
        #expect(error?.description.hasSuffix("at byte 3") == true)
        #expect(error?.message.contains("trailing comma") == true)
    }

    @Test func readerOverARawBufferCopiesIt() throws {
        var bytes: [UInt8] = Array("[1.5]".utf8)
        var reader = bytes.withUnsafeBytes { JSONReader(copying: $0) }
        bytes[1] = UInt8(ascii: "9")
        try reader.beginArray()
        _ = try reader.nextElement()
        #expect(try reader.readDouble() == 1.5)
    }
}

extension JSONReader {
    /// `readInt()` on a temporary reader, for table-driven tests.
    fileprivate func readIntValue() throws(JSONError) -> Int {
        var copy = self
        return try copy.readInt()
    }
}
