import OptimizerCore
import Testing

@Suite struct DTypeTests {
    @Test func byteWidthMatchesIEEEFormats() {
        #expect(DType.float32.byteWidth == MemoryLayout<Float>.size)
        #expect(DType.float64.byteWidth == MemoryLayout<Double>.size)
    }
}
