import OptimizerService
import Testing

@Suite struct ServiceVersionTests {
    @Test func apiPrefixIsVersionOne() {
        #expect(ServiceVersion.apiPrefix == "/v1")
    }
}
