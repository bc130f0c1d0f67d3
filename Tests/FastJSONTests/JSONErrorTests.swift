import FastJSON
import Testing

@Suite struct JSONErrorTests {
    @Test func equalityComparesMessageAndOffset() {
        #expect(JSONError("x", offset: 1) != JSONError("x", offset: 2))
    }
}
