import OptimizerCore

/// What a session summary shows, captured under the session's lock and written outside it.
struct SessionSummary: Sendable {
    var id: SessionID
    var name: String?
    var dtype: DType
    var step: Int
    var lr: Double
    var spec: TrainingSpec
    var layout: ParameterLayout
    var createdAt: Timestamp
    var updatedAt: Timestamp
}
