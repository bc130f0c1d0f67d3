import MicroHTTP
import Testing

@Suite struct HTTPMethodTests {
    @Test func rawValuesAreUppercaseTokens() {
        for method in HTTPMethod.allCases {
            #expect(method.rawValue == method.rawValue.uppercased())
        }
    }
}
