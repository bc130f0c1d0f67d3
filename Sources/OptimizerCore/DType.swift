/// The element type of a session's parameters, gradients and optimizer state.
public enum DType: String, Sendable, CaseIterable, Hashable {
    /// IEEE 754 binary32, 4 bytes per element (torch.float32).
    case float32
    /// IEEE 754 binary64, 8 bytes per element (torch.float64).
    case float64

    /// Bytes per element.
    public var byteWidth: Int {
        switch self {
        case .float32: 4
        case .float64: 8
        }
    }
}
