import OptimizerCore
import Testing

/// Prints, per fixture, the worst ULP distance and the share of differing elements (float32), or the
/// worst relative error (float64). Run with `swift test --filter FixtureReport` to see the table.
@Suite struct FixtureReport {
    @Test func worstULPPerFixture() throws {
        var lines: [String] = []
        for name in Fixture.names() {
            let f = try Fixture.load(name)
            if f.dtype == .float32 {
                let r = try FixtureReplay.replay(f, Float.self)
                lines.append(
                    "\(name): params \(r.worstParameterULP) ULP, scaled \(r.worstScaledULP) (\(r.differing)/\(r.elements) differ), state \(r.worstStateULP) ULP (scaled \(r.worstStateScaledULP)), grad_norm \(r.worstGradNormULP) ULP, lr \(r.worstLRULP) ULP; first \(r.firstDifference ?? "-"), worst \(r.worstScaledAt ?? "-") \(r.differingByParameter)"
                )
            } else {
                let r = try FixtureReplay.replay(f, Double.self)
                lines.append(
                    "\(name): params rel \(r.worstParameterRelative) (\(r.differing)/\(r.elements) differ, \(r.worstParameterULP) ULP), state rel \(r.worstStateRelative), grad_norm \(r.worstGradNormULP) ULP, lr \(r.worstLRULP) ULP"
                )
            }
        }
        print(lines.joined(separator: "\n"))
        #expect(lines.count == Fixture.names().count)
    }
}
