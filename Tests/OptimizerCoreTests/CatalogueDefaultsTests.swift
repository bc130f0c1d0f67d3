import OptimizerCore
import Testing

@Suite struct CatalogueDefaultsTests {
    /// Every catalogue default is accepted by the parser and is what an omitted value becomes.
    @Test(arguments: OptimizerKind.allCases)
    func defaultsAreValidSpecs(_ kind: OptimizerKind) throws {
        let members =
            [(key: "type", value: ConfigValue.string(kind.rawValue))]
            + kind.hyperparameters.map { (key: $0.name, value: $0.defaultValue) }
        #expect(try OptimizerSpec(.object(members)) == OptimizerSpec(kind: kind))
    }
}
