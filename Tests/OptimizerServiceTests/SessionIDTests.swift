import OptimizerService
import Testing

@Suite struct SessionIDTests {
    @Test func randomIdsAre32LowercaseHexDigitsAndDistinct() {
        let ids = (0..<1000).map { _ in SessionID.random() }
        #expect(Set(ids).count == 1000)
        for id in ids {
            #expect(SessionID(id.description) == id)
        }
    }

    @Test(arguments: [
        "", "abc", String(repeating: "g", count: 32), String(repeating: "A", count: 32),
        String(repeating: "a", count: 31), String(repeating: "a", count: 33), "../../etc/passwd",
    ])
    func rejectsMalformedIds(text: String) {
        #expect(SessionID(text) == nil)
    }
}
