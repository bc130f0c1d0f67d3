/// What one optimizer step did.
public struct StepReport: Sendable, Equatable {
    /// The session's step count after this step (1 after the first step).
    public var step: Int
    /// The learning rate the default group used (the first group's when the default group is empty).
    public var lr: Double
    /// The global L2 norm of the step's gradients before clipping, computed in the session dtype as
    /// `torch.nn.utils.get_total_norm` does (bit-identical in float32), widened to `Double`. Without clipping,
    /// tensors of at least 2²¹ elements are summed in parallel chunks and may differ from torch by a few ULP.
    public var gradNorm: Double

    /// Creates a report.
    public init(step: Int, lr: Double, gradNorm: Double) {
        self.step = step
        self.lr = lr
        self.gradNorm = gradNorm
    }
}
