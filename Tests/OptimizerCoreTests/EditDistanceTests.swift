import Testing

@testable import OptimizerCore

@Suite struct EditDistanceTests {
    @Test func distanceCountsEdits() {
        #expect(EditDistance.distance("lr", "lrr") == 1)
        #expect(EditDistance.distance("betas", "beta") == 1)
        #expect(EditDistance.distance("kitten", "sitting") == 3)
        #expect(EditDistance.distance("", "abc") == 3)
    }

    @Test func suggestionIsNearestPlausibleName() {
        let names = OptimizerKind.adam.hyperparameters.map(\.name)
        #expect(EditDistance.suggestion(for: "lrr", among: names) == "lr")
        #expect(EditDistance.suggestion(for: "weight_decy", among: names) == "weight_decay")
        #expect(EditDistance.suggestion(for: "Betas", among: names) == "betas")
        #expect(EditDistance.suggestion(for: "completely_unrelated_name", among: names) == nil)
    }
}
