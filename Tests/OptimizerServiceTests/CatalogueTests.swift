import Foundation
import OptimizerCore
import Testing

@testable import OptimizerService

/// The body of `GET /v1/optimizers`, built from the core's tables.
@Suite struct CatalogueTests {
    @Test func listsEveryOptimizerAndScheduleWithTheirParameters() throws {
        let body = try #require(try JSONSerialization.jsonObject(with: Data(Catalogue.json())) as? [String: Any])
        let optimizers = try #require(body["optimizers"] as? [[String: Any]])
        #expect(optimizers.compactMap { $0["type"] as? String } == OptimizerKind.allCases.map(\.rawValue))
        let adam = try #require(optimizers.first { $0["type"] as? String == "adam" })
        let adamParameters = try #require(adam["hyperparameters"] as? [[String: Any]])
        let betas = try #require(adamParameters.first { $0["name"] as? String == "betas" })
        #expect(betas["default"] as? [Double] == [0.9, 0.999])
        #expect(betas["rule"] as? String == "each in [0, 1)")
        let schedules = try #require(body["schedules"] as? [[String: Any]])
        #expect(schedules.compactMap { $0["type"] as? String } == ScheduleKind.allCases.map(\.rawValue))
        #expect(schedules.allSatisfy { ($0["description"] as? String)?.isEmpty == false })
        let cosine = try #require(schedules.first { $0["type"] as? String == "cosine_annealing" })
        let cosineArguments = try #require(cosine["hyperparameters"] as? [[String: Any]])
        let tMax = try #require(cosineArguments.first { $0["name"] as? String == "t_max" })
        #expect(tMax["required"] as? Bool == true)
        #expect(tMax["default"] is NSNull)
    }
}
