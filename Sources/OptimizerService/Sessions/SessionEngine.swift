public import OptimizerCore

/// A session's optimizer engine in its dtype: the one place that switches on float32 / float64, so
/// the rest of the service handles sessions without generics.
public enum SessionEngine: Sendable {
    case float32(OptimizerEngine<Float>)
    case float64(OptimizerEngine<Double>)

    /// The dtype of parameters, gradients and state.
    public var dtype: DType {
        switch self {
        case .float32: .float32
        case .float64: .float64
        }
    }

    /// The validated training spec (optimizer, schedule, clipping, groups).
    public var spec: TrainingSpec {
        switch self {
        case .float32(let e): e.spec
        case .float64(let e): e.spec
        }
    }

    /// Names, shapes and offsets of the parameters, in layout order.
    public var layout: ParameterLayout {
        switch self {
        case .float32(let e): e.layout
        case .float64(let e): e.layout
        }
    }

    /// Bytes of parameters and state tensors once `spec` is in force (`OptimizerEngine.stateBytes(under:)`).
    public func stateBytes(under spec: TrainingSpec) -> Int {
        switch self {
        case .float32(let e): e.stateBytes(under: spec)
        case .float64(let e): e.stateBytes(under: spec)
        }
    }

    /// Steps applied so far.
    public var stepCount: Int {
        switch self {
        case .float32(let e): e.stepCount
        case .float64(let e): e.stepCount
        }
    }

    /// The lr the next step's default group will use.
    public var lr: Double {
        switch self {
        case .float32(let e): e.lr
        case .float64(let e): e.lr
        }
    }

    /// The parameters as a value that can be sent in place (copy-on-write: no copy is made here).
    public var parameterValues: TensorValues {
        switch self {
        case .float32(let e): .float32(e.parameters)
        case .float64(let e): .float64(e.parameters)
        }
    }

    /// Applies one step from flat gradients in layout order; on error nothing changes.
    ///
    /// Switches on `self` alone and swaps in a placeholder before mutating, so the engine's arrays are
    /// uniquely referenced and updated in place (a tuple `switch (self, gradients)` would keep a second
    /// reference and make every step copy the whole state).
    public mutating func step(gradients: StepGradients, present: [Bool]) throws(OptimizerError) -> StepReport {
        switch self {
        case .float32(var e):
            self = .float32(placeholder32)
            defer { self = .float32(e) }
            switch gradients {
            case .values(.float32(let g)): return try e.step(gradients: g, present: present)
            case .littleEndian(let bytes): return try Self.step(&e, littleEndian: bytes, present: present)
            case .values(.float64): preconditionFailure("gradients decoded for another dtype")
            }
        case .float64(var e):
            self = .float64(placeholder64)
            defer { self = .float64(e) }
            switch gradients {
            case .values(.float64(let g)): return try e.step(gradients: g, present: present)
            case .littleEndian(let bytes): return try Self.step(&e, littleEndian: bytes, present: present)
            case .values(.float32): preconditionFailure("gradients decoded for another dtype")
            }
        }
    }

    /// Steps `engine` reading a binary body's little-endian values in place when its storage is
    /// aligned for `Scalar` (always, for array storage from malloc), else from an aligned copy.
    private static func step<Scalar: WireScalar>(
        _ engine: inout OptimizerEngine<Scalar>, littleEndian bytes: [UInt8], present: [Bool]
    ) throws(OptimizerError) -> StepReport {
        let result = bytes.withUnsafeBufferPointer { raw -> Result<StepReport, OptimizerError>? in
            guard let base = raw.baseAddress, Int(bitPattern: base) % MemoryLayout<Scalar>.alignment == 0,
                raw.count % MemoryLayout<Scalar>.stride == 0
            else { return nil }
            // Safe: the bytes are aligned for Scalar and a whole number of Scalars; a little-endian
            // host (x86-64, arm64: every platform optd builds for) reads them as the wire's values.
            return raw.withMemoryRebound(to: Scalar.self) { values in
                Result { () throws(OptimizerError) in try engine.step(gradients: values, present: present) }
            }
        }
        if let result { return try result.get() }
        return try engine.step(
            gradients: decodeLittleEndian(
                bytes, count: bytes.count / MemoryLayout<Scalar>.stride,
                as: Scalar.self), present: present)
    }

    /// Overwrites every parameter (flat, layout order); optimizer state is kept.
    public mutating func setParameters(_ values: TensorValues) throws(OptimizerError) {
        switch self {
        case .float32(var e):
            guard case .float32(let v) = values else { preconditionFailure("values decoded for another dtype") }
            self = .float32(placeholder32)
            defer { self = .float32(e) }
            try e.setParameters(v)
        case .float64(var e):
            guard case .float64(let v) = values else { preconditionFailure("values decoded for another dtype") }
            self = .float64(placeholder64)
            defer { self = .float64(e) }
            try e.setParameters(v)
        }
    }

    /// Changes default-group hyperparameters (`{"lr": 5e-4}`); the type cannot change.
    public mutating func update(optimizer patch: ConfigValue) throws(OptimizerError) {
        switch self {
        case .float32(var e):
            self = .float32(placeholder32)
            defer { self = .float32(e) }
            try e.update(optimizer: patch)
        case .float64(var e):
            self = .float64(placeholder64)
            defer { self = .float64(e) }
            try e.update(optimizer: patch)
        }
    }
}

/// Tiny engines swapped in while the real one is mutated outside the enum, so that the mutation
/// happens on a uniquely referenced value (no copy of parameter or state arrays).
private let placeholder32: OptimizerEngine<Float> = SessionEngine.makePlaceholder()
private let placeholder64: OptimizerEngine<Double> = SessionEngine.makePlaceholder()

extension SessionEngine {
    fileprivate static func makePlaceholder<Scalar: EngineScalar>() -> OptimizerEngine<Scalar> {
        // A one-element SGD engine: valid by construction (the values below satisfy every rule).
        do {
            let layout = try ParameterLayout([(name: "placeholder", shape: [1])])
            return try OptimizerEngine(
                spec: TrainingSpec(optimizer: OptimizerSpec(kind: .sgd)), layout: layout,
                initialValues: [0])
        } catch {
            preconditionFailure("the placeholder engine is valid: \(error)")
        }
    }
}

/// A step's gradients: decoded values, or a binary body's little-endian bytes (every tensor in
/// layout order, the session's dtype, length already checked), read in place without a copy.
public enum StepGradients: Sendable {
    case values(TensorValues)
    case littleEndian([UInt8])

    /// Size in bytes of the values.
    var byteCount: Int {
        switch self {
        case .values(.float32(let v)): v.count * 4
        case .values(.float64(let v)): v.count * 8
        case .littleEndian(let bytes): bytes.count
        }
    }
}

/// Flat tensor values in a session's dtype (parameters or gradients, layout order).
public enum TensorValues: Sendable {
    case float32([Float])
    case float64([Double])

    /// Number of elements.
    public var count: Int {
        switch self {
        case .float32(let v): v.count
        case .float64(let v): v.count
        }
    }
}
