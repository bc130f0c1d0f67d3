import Testing
import TestSupport

/// `GET /v1/optimizers`: every optimizer and schedule of the contract, with PyTorch's defaults (through the
/// router in memory: nothing here is about HTTP).
@Suite struct CatalogueRouteTests {
    static let optimizerTypes = [
        "sgd", "adam", "adamw", "adagrad", "rmsprop", "adadelta", "adamax", "nadam", "radam",
        "rprop", "lion",
    ]
    static let scheduleTypes = [
        "step", "multi_step", "exponential", "cosine_annealing", "cosine_annealing_warm_restarts",
        "linear", "polynomial", "one_cycle", "constant", "sequential",
    ]

    /// `torch.optim` 2.15 defaults (docs/optimizer-math.md §1), written down independently of the service.
    static let torchDefaults: [(type: String, name: String, value: JSON)] = [
        ("sgd", "lr", 0.001), ("sgd", "momentum", 0), ("sgd", "nesterov", false),
        ("adam", "lr", 0.001), ("adam", "betas", [0.9, 0.999]), ("adam", "eps", 1e-8), ("adam", "weight_decay", 0),
        ("adam", "amsgrad", false),
        ("adamw", "weight_decay", 0.01),
        ("adagrad", "lr", 0.01), ("adagrad", "eps", 1e-10), ("adagrad", "initial_accumulator_value", 0),
        ("rmsprop", "lr", 0.01), ("rmsprop", "alpha", 0.99), ("rmsprop", "centered", false),
        ("adadelta", "lr", 1.0), ("adadelta", "rho", 0.9), ("adadelta", "eps", 1e-6),
        ("adamax", "lr", 0.002),
        ("nadam", "lr", 0.002), ("nadam", "momentum_decay", 0.004),
        ("radam", "lr", 0.001),
        ("rprop", "lr", 0.01), ("rprop", "etas", [0.5, 1.2]), ("rprop", "step_sizes", [1e-6, 50]),
    ]

    @Test func listsEveryOptimizerAndScheduleWithDefaultsAndRules() throws {
        try withRouterClient { client, _ in
            let r = try client.get("/v1/optimizers")
            #expect(r.status == 200)
            #expect(r.contentType?.hasPrefix("application/json") == true)
            let catalogue = try r.json()
            let optimizers = catalogue["optimizers"]?.array ?? []
            #expect(Set(optimizers.compactMap { $0["type"]?.string }) == Set(Self.optimizerTypes))
            let schedules = catalogue["schedules"]?.array ?? []
            #expect(Set(schedules.compactMap { $0["type"]?.string }) == Set(Self.scheduleTypes))
            for entry in optimizers + schedules {
                let type = entry["type"]?.string ?? "?"
                let hyperparameters = entry["hyperparameters"]?.array ?? []
                #expect(!hyperparameters.isEmpty, "\(type) lists no hyperparameters")
                for h in hyperparameters {
                    #expect(h["name"]?.string?.isEmpty == false, "\(type): \(h)")
                    #expect(h["default"] != nil, "\(type): \(h)")
                    #expect(h["rule"]?.string?.isEmpty == false, "\(type): \(h)")
                }
            }
            for (type, name, value) in Self.torchDefaults {
                let entry = optimizers.first { $0["type"]?.string == type }
                let h = entry?["hyperparameters"]?.array?.first { $0["name"]?.string == name }
                #expect(
                    h?["default"] == value,
                    "\(type).\(name) default \(String(describing: h?["default"])), torch \(value)")
            }
            // PyTorch's implementation switches are not hyperparameters.
            for entry in optimizers {
                let names = entry["hyperparameters"]?.array?.compactMap { $0["name"]?.string } ?? []
                #expect(names.allSatisfy { !["foreach", "fused", "capturable", "differentiable"].contains($0) })
            }
        }
    }

    @Test func everyCatalogueOptimizerCanBeCreatedWithItsDefaults() throws {
        try withRouterClient { client, _ in
            let optimizers = try client.get("/v1/optimizers").json()["optimizers"]?.array ?? []
            for entry in optimizers {
                guard let type = entry["type"]?.string else { continue }
                let r = try client.post(
                    "/v1/sessions", json: ["optimizer": ["type": .string(type)], "parameters": ["w": [1, 2]]])
                #expect(r.status == 201, "\(type): \(r)")
                // The summary's optimizer echoes every default of the catalogue.
                let optimizer = try r.json()["optimizer"]
                for h in entry["hyperparameters"]?.array ?? [] {
                    guard let name = h["name"]?.string else { continue }
                    #expect(
                        optimizer?[name] == h["default"], "\(type).\(name): \(String(describing: optimizer?[name]))")
                }
            }
        }
    }
}
