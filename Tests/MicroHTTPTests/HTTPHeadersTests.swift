import Testing

@testable import MicroHTTP

@Suite struct HTTPHeadersTests {
    @Test func lookupIsCaseInsensitiveAndOrdered() {
        var h: HTTPHeaders = ["Content-Type": "a", "X-Multi": "1"]
        h.add(name: "x-multi", value: "2")
        #expect(h["content-type"] == "a")
        #expect(h["CONTENT-TYPE"] == "a")
        #expect(h.values(for: "X-MULTI") == ["1", "2"])
        #expect(h["missing"] == nil)
        #expect(h.map(\.name) == ["Content-Type", "X-Multi", "x-multi"])
    }

    @Test func replaceAndRemove() {
        var h: HTTPHeaders = ["A": "1", "B": "2", "a": "3"]
        h.replaceOrAdd(name: "a", value: "4")
        #expect(h.values(for: "A") == ["4"])
        h.remove(name: "b")
        #expect(h.count == 1)
    }

    @Test func injectedLineBreaksAreNeutralised() {
        var h = HTTPHeaders()
        h.add(name: "X-Evil", value: "a\r\nSet-Cookie: b")
        h.add(name: "Bad Name", value: "v")
        var out: [UInt8] = []
        h.write(to: &out)
        let text = String(decoding: out, as: UTF8.self)
        #expect(text == "X-Evil: a  Set-Cookie: b\r\nBad-Name: v\r\n")
    }

    @Test func tokenListsAreSearchedCaseInsensitively() {
        let h: HTTPHeaders = ["Vary": "Origin, accept-encoding"]
        #expect(h.containsToken("Accept-Encoding", in: "vary"))
        #expect(!h.containsToken("Cookie", in: "vary"))
    }
}
