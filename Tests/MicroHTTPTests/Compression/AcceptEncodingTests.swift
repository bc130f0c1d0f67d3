import Testing

@testable import MicroHTTP

@Suite struct AcceptEncodingTests {
    @Test(arguments: [
        ("gzip", true), ("deflate, gzip;q=0.5", true), ("GZIP", true), ("x-gzip", true),
        ("gzip;q=0", false), ("gzip; q=0.000", false), ("br", false), ("", false),
        ("*", true), ("*;q=0", false), ("gzip;q=0, *", false), ("identity", false),
        ("gzip;q=abc", false), ("gzip;q=2", false),
    ])
    func negotiatesGzip(_ value: String, _ expected: Bool) {
        let headers: HTTPHeaders = ["Accept-Encoding": value]
        #expect(AcceptEncoding.acceptsGzip(headers) == expected)
    }

    @Test func absentHeaderMeansIdentity() {
        #expect(!AcceptEncoding.acceptsGzip(HTTPHeaders()))
    }
}
