import Testing

@testable import MicroHTTP

@Suite struct DateCacheTests {
    @Test(arguments: [
        (784_111_777, "Sun, 06 Nov 1994 08:49:37 GMT"),  // RFC 9110 §5.6.7's example
        (0, "Thu, 01 Jan 1970 00:00:00 GMT"),
        (951_782_400, "Tue, 29 Feb 2000 00:00:00 GMT"),
        (4_102_444_799, "Thu, 31 Dec 2099 23:59:59 GMT"),
    ])
    func formatsIMFFixdate(_ seconds: Int, _ expected: String) {
        #expect(DateCache.imfFixdate(epochSeconds: seconds) == expected)
    }

    @Test func headerLineIsACompleteField() {
        let line = String(decoding: DateCache().headerLine(), as: UTF8.self)
        #expect(line.hasPrefix("Date: "))
        #expect(line.hasSuffix(" GMT\r\n"))
        #expect(line.utf8.count == "Date: Sun, 06 Nov 1994 08:49:37 GMT\r\n".utf8.count)
    }
}
