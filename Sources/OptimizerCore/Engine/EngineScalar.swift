/// The element types of an `OptimizerEngine`: `Float` (float32 sessions) and `Double` (float64 sessions).
///
/// The engine's public methods are pre-specialized for both, so a call from another module runs the
/// specialized kernels even though the engine is generic.
public protocol EngineScalar: BinaryFloatingPoint, Sendable {
    /// The session dtype this type stores.
    static var dtype: DType { get }
}

extension Float: EngineScalar {
    /// `.float32`.
    public static var dtype: DType { .float32 }
}

extension Double: EngineScalar {
    /// `.float64`.
    public static var dtype: DType { .float64 }
}
