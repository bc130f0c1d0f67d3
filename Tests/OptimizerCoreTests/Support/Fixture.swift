import Foundation
import OptimizerCore

/// One torch golden trajectory from `Fixtures/` (format and generator: scripts/fixtures/README.md).
struct Fixture {
    struct Step {
        var patch: ConfigValue?
        var gradients: [String: [Double]]
        var lr: Double
        var gradNorm: Double
        var parameters: [String: [Double]]
    }

    var name: String
    var dtype: DType
    var spec: ConfigValue
    var parameters: [(name: String, shape: [Int], data: [Double])]
    var steps: [Step]
    var finalState: [String: [(key: String, value: ConfigValue)]]

    /// Every fixture file in the test bundle, sorted by name.
    static func all() throws -> [URL] {
        guard let dir = Bundle.module.url(forResource: "Fixtures", withExtension: nil) else { return [] }
        let files = try FileManager.default.contentsOfDirectory(at: dir, includingPropertiesForKeys: nil)
        return files.filter { $0.pathExtension == "json" }.sorted { $0.lastPathComponent < $1.lastPathComponent }
    }

    static func names() -> [String] {
        ((try? all()) ?? []).map { $0.deletingPathExtension().lastPathComponent }
    }

    static func load(_ name: String) throws -> Fixture {
        guard let dir = Bundle.module.url(forResource: "Fixtures", withExtension: nil) else {
            throw TestJSON.ParseError(description: "no Fixtures folder")
        }
        let text = try String(contentsOf: dir.appendingPathComponent(name + ".json"), encoding: .utf8)
        return try Fixture(json: TestJSON.parse(text))
    }

    init(json: ConfigValue) throws {
        func numbers(_ v: ConfigValue?) -> [Double] { v?.arrayValue?.compactMap(\.numberValue) ?? [] }
        func named(_ v: ConfigValue?) -> [String: [Double]] {
            var out: [String: [Double]] = [:]
            for (k, x) in v?.objectValue ?? [] { out[k] = x.numberValue.map { [$0] } ?? numbers(x) }
            return out
        }
        name = json["name"]?.stringValue ?? ""
        dtype = json["dtype"]?.stringValue == "float64" ? .float64 : .float32
        spec = json["spec"] ?? .null
        parameters = (json["parameters"]?.arrayValue ?? []).map { p in
            (p["name"]?.stringValue ?? "", numbers(p["shape"]).map { Int($0) }, numbers(p["data"]))
        }
        steps = (json["steps"]?.arrayValue ?? []).map { s in
            Step(
                patch: s["patch"], gradients: named(s["gradients"]), lr: s["lr"]?.numberValue ?? .nan,
                gradNorm: s["grad_norm"]?.numberValue ?? .nan, parameters: named(s["parameters"]))
        }
        var state: [String: [(key: String, value: ConfigValue)]] = [:]
        for (k, v) in json["final_state"]?.objectValue ?? [] { state[k] = v.objectValue ?? [] }
        finalState = state
    }
}

/// Distance in units in the last place between two values of the same type (0 = identical bits).
func ulpDistance(_ a: Float, _ b: Float) -> Int {
    if a == b { return 0 }
    if a.isNaN || b.isNaN { return Int.max }
    func ordered(_ x: Float) -> Int64 {
        let bits = Int64(Int32(bitPattern: x.bitPattern))
        return bits < 0 ? Int64(Int32.min) - bits : bits
    }
    return Int(abs(ordered(a) - ordered(b)))
}

func ulpDistance(_ a: Double, _ b: Double) -> Int {
    if a == b { return 0 }
    if a.isNaN || b.isNaN { return Int.max }
    func ordered(_ x: Double) -> Int64 {
        let bits = Int64(bitPattern: x.bitPattern)
        return bits < 0 ? Int64.min &- bits : bits
    }
    let d = ordered(a).subtractingReportingOverflow(ordered(b))
    return d.overflow
        ? Int.max : Int(d.partialValue.magnitude > UInt64(Int.max) ? UInt64(Int.max) : d.partialValue.magnitude)
}
