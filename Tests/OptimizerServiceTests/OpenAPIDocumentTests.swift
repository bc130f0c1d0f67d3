import Foundation
import Testing

@testable import OptimizerService

@Suite struct OpenAPIDocumentTests {
    /// The embedded copy must be regenerated (scripts/embed-openapi.sh) whenever openapi.yaml changes.
    @Test func embeddedDocumentEqualsOpenapiYaml() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let file = try String(contentsOf: root.appendingPathComponent("openapi.yaml"), encoding: .utf8)
        #expect(OpenAPIDocument.yaml + "\n" == file, "run scripts/embed-openapi.sh")
    }
}
