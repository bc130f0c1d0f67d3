import Testing

@testable import MicroHTTP

@Suite struct HTTPResponseTests {
    @Test func problemIsRFC9457JSONWithEscaping() {
        let r = HTTPResponse.problem(
            status: .unprocessableContent,
            code: "shape_mismatch",
            detail: "gradient \"w\" has 5\nelements"
        )
        #expect(r.status.code == 422)
        #expect(r.headers["Content-Type"] == "application/problem+json")
        #expect(
            String(decoding: r.body.bytes, as: UTF8.self)
                == #"{"type":"about:blank","title":"Unprocessable Content","status":422,"detail":"gradient \"w\" has 5\nelements","code":"shape_mismatch"}"#
        )
    }

    @Test func floatBuffersAreSentAsTheirBytes() {
        let body = HTTPBody.buffer([Float(1), Float(-2)])
        #expect(body.count == 8)
        #expect(body.bytes == [0, 0, 0x80, 0x3f, 0, 0, 0, 0xc0])
    }

    @Test func statusHelpers() {
        #expect(HTTPStatus.noContent.forbidsBody)
        #expect(HTTPStatus.notModified.forbidsBody && !HTTPStatus.notModified.forbidsContentLength)
        #expect(HTTPStatus(code: 599).reasonPhrase == "")
    }

    @Test func problemsCarryTheirStatusAndCode() {
        #expect(HTTPProblem.headersTooLarge.status == .requestHeaderFieldsTooLarge)
        #expect(HTTPProblem.headersTooLarge.code == "headers_too_large")
        let response = HTTPProblem.connectionLimit.response(detail: "full")
        #expect(response.status == .serviceUnavailable)
        #expect(String(decoding: response.body.bytes, as: UTF8.self).contains(#""code":"limit_exceeded""#))
        #expect(Set(HTTPProblem.allCases.map(\.code)).count == HTTPProblem.allCases.count, "one code per problem")
    }
}
