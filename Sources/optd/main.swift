import OptimizerService

print("optd: API \(ServiceVersion.apiPrefix) (service not yet wired)")
