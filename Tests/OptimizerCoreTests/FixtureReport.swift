import Foundation
import OptimizerCore
import TestSupport
import Testing

/// Prints, per fixture, the worst ULP distance and the share of differing elements (float32), or the
/// worst relative error (float64). Run `OPTD_FIXTURE_REPORT=1 swift test --filter FixtureReport` to see the
/// table.
@Suite struct FixtureReport {
    @Test func worstULPPerFixture() throws {
        var lines: [String] = []
        // Per optimizer type (float32): worst raw ULP, worst scaled ULP, differing and compared elements.
        var summary: [String: (raw: Int, scaled: Double, differing: Int, elements: Int)] = [:]
        for name in TorchFixture.names() {
            let f = try TorchFixture.load(name)
            if f.dtype == "float32" {
                let r = try FixtureReplay.replay(f, Float.self)
                let type = f.spec["optimizer"]?["type"]?.string ?? "?"
                var s = summary[type] ?? (0, 0, 0, 0)
                s = (
                    max(s.raw, r.worstParameterULP), max(s.scaled, r.worstScaledULP), s.differing + r.differing,
                    s.elements + r.elements
                )
                summary[type] = s
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
        if ProcessInfo.processInfo.environment["OPTD_FIXTURE_REPORT"] != nil {
            print(lines.joined(separator: "\n"))
            print("float32 per optimizer: worst ULP / worst ULP of the step's largest parameter / bit-identical share")
            for (type, s) in summary.sorted(by: { $0.key < $1.key }) {
                let identical = 100 * Double(s.elements - s.differing) / Double(max(1, s.elements))
                print("\(type): \(s.raw) ULP / \(s.scaled) / \(identical)% of \(s.elements)")
            }
        }
        #expect(lines.count == TorchFixture.names().count)
    }
}
