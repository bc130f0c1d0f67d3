import OptimizerCore
import Testing

@Suite struct OptimizerCatalogueTests {
    @Test func listsEveryOptimizerAndScheduleWithTheirParameters() throws {
        let c = OptimizerCatalogue.config()
        let optimizers = try #require(c["optimizers"]?.arrayValue)
        #expect(optimizers.compactMap { $0["type"]?.stringValue } == OptimizerKind.allCases.map(\.rawValue))
        let adam = try #require(optimizers.first { $0["type"] == .string("adam") })
        let betas = try #require(adam["hyperparameters"]?.arrayValue?.first { $0["name"] == .string("betas") })
        #expect(betas["default"] == .array([.number(0.9), .number(0.999)]))
        #expect(betas["rule"] == .string("each in [0, 1)"))
        let schedules = try #require(c["schedules"]?.arrayValue)
        #expect(schedules.compactMap { $0["type"]?.stringValue } == ScheduleKind.allCases.map(\.rawValue))
        let cosine = try #require(schedules.first { $0["type"] == .string("cosine_annealing") })
        let tMax = try #require(cosine["arguments"]?.arrayValue?.first { $0["name"] == .string("t_max") })
        #expect(tMax["required"] == .bool(true))
        #expect(tMax["default"] == nil)
    }

    /// Every catalogue default is accepted by the parser and is what an omitted value becomes.
    @Test(arguments: OptimizerKind.allCases)
    func defaultsAreValidSpecs(_ kind: OptimizerKind) throws {
        let members =
            [(key: "type", value: ConfigValue.string(kind.rawValue))]
            + kind.hyperparameters.map { (key: $0.name, value: $0.defaultValue) }
        #expect(try OptimizerSpec(.object(members)) == OptimizerSpec(kind: kind))
    }
}
