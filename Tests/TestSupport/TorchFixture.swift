public import Foundation
public import OptimizerCore

/// A torch golden trajectory, `Fixtures/<name>.json` of this target (format: scripts/fixtures/README.md),
/// kept as exact JSON text so that the very digits torch wrote are what a test sends; the `…Values`
/// views give the numbers as the nearest doubles for replaying through the core.
///
/// The fixtures are this target's resources (`.copy("Fixtures")`), found through `Bundle.module`, so
/// every test target that depends on TestSupport reads the same files from a clean clone.
public struct TorchFixture: Sendable {
    public struct Step: Sendable {
        /// The optimizer patch applied before this step, if any.
        public var patch: JSON?
        /// `{"w": [...], ...}`; a parameter left out has no gradient this step.
        public var gradients: JSON
        public var lr: Double
        public var gradNorm: Double
        /// Every parameter after the step.
        public var parameters: JSON

        /// The gradients by name, flattened row-major, as the nearest doubles.
        public var gradientValues: [String: [Double]] { TorchFixture.flatValues(gradients) }

        /// The parameters after the step by name, flattened row-major, as the nearest doubles.
        public var parameterValues: [String: [Double]] { TorchFixture.flatValues(parameters) }
    }

    public var name: String
    /// `"float32"` or `"float64"`.
    public var dtype: String
    /// The spec members (`optimizer`, `schedule`, `clip_grad_norm`, `clip_grad_value`, `param_groups`).
    public var spec: JSON
    /// `[{"name", "shape", "data"}, ...]` in layout order.
    public var parameters: JSON
    public var steps: [Step]
    /// `{"<parameter>": {"<state>": number or [numbers]}}` after the last step.
    public var finalState: JSON

    public enum Failure: Error, CustomStringConvertible {
        case noFixturesFolder

        public var description: String { "the TestSupport bundle has no Fixtures folder" }
    }

    /// The fixtures folder of the TestSupport resource bundle.
    public static var directory: URL? { Bundle.module.url(forResource: "Fixtures", withExtension: nil) }

    /// Every fixture name, sorted.
    public static func names() -> [String] {
        guard let directory else { return [] }
        let files = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return files.filter { $0.hasSuffix(".json") }.map { String($0.dropLast(5)) }.sorted()
    }

    /// Reads `Fixtures/<name>.json`.
    public static func load(_ name: String) throws -> TorchFixture {
        guard let directory else { throw Failure.noFixturesFolder }
        let data = try Data(contentsOf: directory.appendingPathComponent(name + ".json"))
        return try TorchFixture(json: JSON.parse([UInt8](data)), name: name)
    }

    /// A fixture from its parsed JSON; `name` when the JSON has none.
    public init(json: JSON, name: String = "") {
        self.name = json["name"]?.string ?? name
        dtype = json["dtype"]?.string ?? "float32"
        spec = json["spec"] ?? [:]
        parameters = json["parameters"] ?? []
        steps = (json["steps"]?.array ?? []).map { s in
            Step(
                patch: s["patch"], gradients: s["gradients"] ?? [:], lr: s["lr"]?.double ?? .nan,
                gradNorm: s["grad_norm"]?.double ?? .nan, parameters: s["parameters"] ?? [:])
        }
        finalState = json["final_state"] ?? [:]
    }

    /// The names of the parameters in layout order.
    public var parameterNames: [String] { parameters.array?.compactMap { $0["name"]?.string } ?? [] }

    /// The parameters in layout order with their shapes and initial values (nearest doubles).
    public var tensors: [(name: String, shape: [Int], data: [Double])] {
        (parameters.array ?? []).map { p in
            (p["name"]?.string ?? "", (p["shape"]?.array ?? []).compactMap(\.int), p["data"]?.flatDoubles ?? [])
        }
    }

    /// The final optimizer state per parameter, members in torch's order, as the core's values.
    public var finalStateValues: [String: [(key: String, value: ConfigValue)]] {
        var out: [String: [(key: String, value: ConfigValue)]] = [:]
        for (name, entries) in finalState.members ?? [] {
            out[name] = (entries.members ?? []).map { (key: $0.key, value: $0.value.config) }
        }
        return out
    }

    /// The `POST /v1/sessions` body: the fixture's spec members, dtype and parameters (array form).
    public var createBody: JSON {
        var members = spec.members ?? []
        members.append(("dtype", .string(dtype)))
        members.append(("parameters", parameters))
        return .object(members)
    }

    /// `{"name": number or nested arrays}` flattened, as the nearest doubles.
    static func flatValues(_ json: JSON) -> [String: [Double]] {
        var out: [String: [Double]] = [:]
        for (key, value) in json.members ?? [] { out[key] = value.flatDoubles ?? [] }
        return out
    }
}
