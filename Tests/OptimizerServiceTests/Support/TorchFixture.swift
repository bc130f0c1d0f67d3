import Foundation
import OptimizerCore

/// A torch golden trajectory from `Tests/OptimizerCoreTests/Fixtures/<name>.json` (format:
/// scripts/fixtures/README.md), read by path relative to this file and kept as exact JSON text, so the
/// very digits torch wrote are what the tests send.
struct TorchFixture {
    struct Step {
        var patch: JSON?
        /// `{"w": [...], ...}`; a parameter left out has no gradient this step.
        var gradients: JSON
        var lr: Double
        var gradNorm: Double
        var parameters: JSON
    }

    var name: String
    var dtype: String
    /// The spec members (`optimizer`, `schedule`, `clip_grad_norm`, `clip_grad_value`, `param_groups`).
    var spec: JSON
    /// `[{"name", "shape", "data"}, ...]` in layout order.
    var parameters: JSON
    var steps: [Step]
    var finalState: JSON

    static var directory: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("OptimizerCoreTests/Fixtures")
    }

    /// Every fixture name, sorted.
    static func allNames() -> [String] {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return files.filter { $0.hasSuffix(".json") }.map { String($0.dropLast(5)) }.sorted()
    }

    static func load(_ name: String) throws -> TorchFixture {
        let data = try Data(contentsOf: directory.appendingPathComponent(name + ".json"))
        let json = try JSON.parse([UInt8](data))
        return TorchFixture(
            name: json["name"]?.string ?? name, dtype: json["dtype"]?.string ?? "float32", spec: json["spec"] ?? [:],
            parameters: json["parameters"] ?? [],
            steps: (json["steps"]?.array ?? []).map { s in
                Step(patch: s["patch"], gradients: s["gradients"] ?? [:], lr: s["lr"]?.double ?? .nan,
                     gradNorm: s["grad_norm"]?.double ?? .nan, parameters: s["parameters"] ?? [:])
            },
            finalState: json["final_state"] ?? [:])
    }

    /// The names of the parameters in layout order.
    var parameterNames: [String] { parameters.array?.compactMap { $0["name"]?.string } ?? [] }

    /// The `POST /v1/sessions` body: the fixture's spec members, dtype and parameters (array form).
    var createBody: JSON {
        var members = spec.members ?? []
        members.append(("dtype", .string(dtype)))
        members.append(("parameters", parameters))
        return .object(members)
    }
}

extension JSON {
    /// The core's spec tree for this value (numbers parsed to the nearest double, as the service does).
    var config: ConfigValue {
        switch self {
        case .null: .null
        case .bool(let b): .bool(b)
        case .number(let t): .number(Double(t) ?? .nan)
        case .string(let s): .string(s)
        case .array(let items): .array(items.map(\.config))
        case .object(let members): .object(members.map { (key: $0.key, value: $0.value.config) })
        }
    }
}

/// Distance in units in the last place (0 = identical bits; -0 and +0 are 1 apart from each other only
/// through the sign, so they are treated as different values here).
func ulps(_ a: Float, _ b: Float) -> Int {
    if a.bitPattern == b.bitPattern { return 0 }
    if a.isNaN || b.isNaN { return Int.max }
    func ordered(_ x: Float) -> Int64 {
        let bits = Int64(Int32(bitPattern: x.bitPattern))
        return bits < 0 ? Int64(Int32.min) - bits : bits
    }
    return Int(abs(ordered(a) - ordered(b)))
}

func relativeError(_ a: Double, _ b: Double) -> Double {
    a == b ? 0 : abs(a - b) / max(abs(a), abs(b), 1e-300)
}
