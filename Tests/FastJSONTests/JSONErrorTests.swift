import FastJSON
import Testing

@Suite struct JSONErrorTests {
    @Test func equalityComparesMessageAndOffset() {
        #expect(JSONError("x", offset: 1) != JSONError("x", offset: 2))
    }

    @Test func kindDefaultsToSyntaxAndTakesPartInEquality() {
        #expect(JSONError("x", offset: 1).kind == .syntax)
        #expect(JSONError("x", offset: 1, kind: .raggedArray) != JSONError("x", offset: 1))
        let kinds: [JSONError.Kind] = [.syntax, .depthLimit, .typeMismatch, .raggedArray, .numberOutOfRange]
        #expect(Set(kinds).count == 5)
        #expect(
            kinds.map(\.description) == ["syntax", "depthLimit", "typeMismatch", "raggedArray", "numberOutOfRange"])
        #expect(JSONError("bad", offset: 7).description == "bad at byte 7")
    }
}
