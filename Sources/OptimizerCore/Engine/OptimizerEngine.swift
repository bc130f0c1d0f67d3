/// A session's optimizer: parameters, optimizer state and the fused step, with PyTorch 2.15's numerics.
///
/// - Hyperparameters are per parameter group (`TrainingSpec`) and may change between steps (`update`).
/// - Each parameter has its own `step` count; a parameter without a gradient in a step is skipped entirely
///   (state untouched), as a PyTorch parameter whose `.grad` is `None`.
/// - A step validates everything first (counts, non-empty, finite gradients, schedule not exhausted) and
///   changes nothing when it throws.
/// - Clipping (`clip_grad_norm_` / `clip_grad_value_`) is folded into the kernel's gradient load, so a step
///   allocates nothing. Each parameter tensor is updated in one pass over memory; tensors with at least
///   65,536 elements are split across up to `threadCount` cores (results do not depend on the split).
///
/// float32 sessions reproduce `torch.optim`'s default (single-tensor) CPU path bit for bit in most
/// elements by following ATen's operation order and FMA use (docs/optimizer-math.md §1.15).
public struct OptimizerEngine<Scalar: EngineScalar>: Sendable {
    /// The training spec with the current hyperparameters.
    public internal(set) var spec: TrainingSpec
    /// Parameter names, shapes and offsets.
    public let layout: ParameterLayout
    /// All parameters, flat in layout order.
    public internal(set) var parameters: [Scalar]
    /// Steps applied to the session (the schedule's position).
    public internal(set) var stepCount: Int
    /// The most cores one tensor's update is split across (default: all online processors).
    public var threadCount: Int = Parallel.processorCount

    /// Group index of each parameter (0 = default group).
    var groupOfParameter: [Int]
    /// State tensors by `StateSlots` index (empty until some group needs the slot).
    var slot0: [Scalar] = []
    var slot1: [Scalar] = []
    var slot2: [Scalar] = []
    /// Per parameter: PyTorch's `step`, whether PyTorch would hold state, which slots it holds (bit i =
    /// slot i), and NAdam's `mu_product`.
    var steps: [Int]
    var hasState: [Bool]
    var slotBits: [UInt8]
    var muProducts: [Scalar]
    /// Per group, PyTorch's recursive lr sequence (empty without a schedule), always at `stepCount`: the
    /// lr the next step uses, read in O(1).
    var lrCursors: [ScheduleCursor] = []
    /// Reused per step (no allocation): lr per group, L2 norm and clipping norm per parameter.
    var groupLR: [Double] = []
    var l2Scratch: [Scalar] = []
    var clipScratch: [Scalar] = []

    /// The number of online processors.
    public static var processorCount: Int { Parallel.processorCount }

    /// Creates an engine with all optimizer state at PyTorch's initial values.
    ///
    /// - Parameters:
    ///   - spec: the validated training spec.
    ///   - layout: the parameters.
    ///   - initialValues: all parameters flat in layout order (`layout.totalCount` elements).
    /// - Throws: `unknownParameter` / `invalidHyperparameter` when the groups do not fit the layout,
    ///   `shapeMismatch` (parameter `"parameters"`) for a wrong element count.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public init(spec: TrainingSpec, layout: ParameterLayout, initialValues: [Scalar]) throws(OptimizerError) {
        guard initialValues.count == layout.totalCount else {
            throw .shapeMismatch(parameter: "parameters", expected: layout.totalCount, actual: initialValues.count)
        }
        self.spec = spec
        self.layout = layout
        self.parameters = initialValues
        self.stepCount = 0
        self.groupOfParameter = try spec.groupIndices(for: layout)
        self.steps = [Int](repeating: 0, count: layout.count)
        self.hasState = [Bool](repeating: false, count: layout.count)
        self.slotBits = [UInt8](repeating: 0, count: layout.count)
        self.muProducts = [Scalar](repeating: 1, count: layout.count)
        self.l2Scratch = [Scalar](repeating: 0, count: layout.count)
        self.clipScratch = [Scalar](repeating: 0, count: layout.count)
        allocateSlots()
        resetSchedule()
        if spec.optimizer.kind == .adagrad {
            // torch.optim.Adagrad creates `step` and `sum` in __init__, from each group's value.
            for (p, entry) in layout.entries.enumerated() {
                let value = Scalar(spec.groupHyperparameters[groupOfParameter[p]].initialAccumulatorValue)
                for i in entry.offset..<(entry.offset + entry.count) { slot0[i] = value }
                hasState[p] = true
                slotBits[p] = 1
            }
        }
    }

    /// The learning rate the next step's default group will use (the first group's when the default group
    /// has no parameters).
    public var lr: Double {
        let g = reportingGroup
        guard spec.schedule != nil else { return spec.groupHyperparameters[g].lr }
        return lrCursors[g].lr
    }

    /// Overwrites all parameters (PUT parameters); optimizer state is kept.
    ///
    /// - Throws: `shapeMismatch` (parameter `"parameters"`) if the count differs from the layout's.
    public mutating func setParameters(_ flat: [Scalar]) throws(OptimizerError) {
        guard flat.count == layout.totalCount else {
            throw .shapeMismatch(parameter: "parameters", expected: layout.totalCount, actual: flat.count)
        }
        parameters = flat
    }

    /// Overwrites all parameters from a buffer (PUT parameters with a binary body); optimizer state is kept.
    ///
    /// - Throws: `shapeMismatch` (parameter `"parameters"`) if the count differs from the layout's.
    public mutating func setParameters(_ flat: UnsafeBufferPointer<Scalar>) throws(OptimizerError) {
        guard flat.count == layout.totalCount else {
            throw .shapeMismatch(parameter: "parameters", expected: layout.totalCount, actual: flat.count)
        }
        parameters.withUnsafeMutableBufferPointer { destination in
            for i in 0..<flat.count { destination[i] = flat[i] }
        }
    }

    /// Bytes of parameters and state tensors once `spec` is in force: state slots are allocated when a
    /// spec first needs them and never freed, so this counts the slots allocated now and those `spec`
    /// adds (`(1 + slots) × totalCount × width`, saturating). For a PATCH to count the state it adds
    /// before it is allocated (`spec.updatingOptimizer(_:)` gives the spec).
    public func stateBytes(under spec: TrainingSpec) -> Int {
        let n = layout.totalCount
        var slots = Set(StateSlots.required(for: spec))
        for (slot, count) in [slot0.count, slot1.count, slot2.count].enumerated() where count == n && n > 0 {
            slots.insert(slot)
        }
        return TrainingSpec.tensorBytes(tensors: 1 + slots.count, parameterCount: n, width: MemoryLayout<Scalar>.stride)
    }

    /// Changes the optimizer's hyperparameters between steps (PATCH). With a schedule, `lr` sets the base
    /// learning rate the schedule scales. Parameter groups keep their overrides and follow the rest.
    ///
    /// - Throws: the errors of `OptimizerSpec.merging(_:)`; on error nothing changes.
    public mutating func update(optimizer patch: ConfigValue) throws(OptimizerError) {
        let updated = try spec.updatingOptimizer(patch)
        let baseChanged = updated.groupHyperparameters.map(\.lr) != spec.groupHyperparameters.map(\.lr)
        spec = updated
        allocateSlots()
        if baseChanged { resetSchedule() }
    }

    /// Applies one optimizer step.
    ///
    /// - Parameters:
    ///   - gradients: all gradients flat in layout order (`layout.totalCount` elements); the values of
    ///     parameters whose `present` flag is false are ignored.
    ///   - present: per parameter, whether it has a gradient in this step.
    /// - Returns: the new step count, the default group's lr and the pre-clip gradient norm.
    /// - Throws: `shapeMismatch`, `emptyStep`, `scheduleExhausted`, `nonFiniteGradient` (first offending
    ///   parameter in layout order and its flat index); nothing changes on error.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public mutating func step(gradients: [Scalar], present: [Bool]) throws(OptimizerError) -> StepReport {
        guard gradients.count == layout.totalCount else {
            throw .shapeMismatch(parameter: "gradients", expected: layout.totalCount, actual: gradients.count)
        }
        return try gradients.withUnsafeBufferPointer { (g) throws(OptimizerError) -> StepReport in
            try step(gradients: g, present: present)
        }
    }

    /// Applies one optimizer step reading the gradients in place (zero-copy variant of
    /// `step(gradients:present:)`). Do not let `gradients` alias the engine's own storage.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public mutating func step(
        gradients: UnsafeBufferPointer<Scalar>, present: [Bool]
    ) throws(OptimizerError)
        -> StepReport
    {
        guard gradients.count == layout.totalCount else {
            throw .shapeMismatch(parameter: "gradients", expected: layout.totalCount, actual: gradients.count)
        }
        guard present.count == layout.count else {
            throw .shapeMismatch(parameter: "present", expected: layout.count, actual: present.count)
        }
        guard present.contains(true) else { throw .emptyStep }
        let k = stepCount
        if let total = spec.schedule?.totalSteps, k >= total {
            throw .scheduleExhausted(step: k + 1, totalSteps: total)
        }
        guard let base = gradients.baseAddress else { throw .emptyStep }

        // Validation and the global norm in one read of the gradients.
        let norms = try l2Scratch.withUnsafeMutableBufferPointer { l2 throws(OptimizerError) in
            try clipScratch.withUnsafeMutableBufferPointer { clip throws(OptimizerError) in
                try Self.globalNorms(
                    base, layout: layout, present: present, clipping: spec.clipping,
                    threads: max(1, threadCount), l2, clip)
            }
        }
        // Nothing below can fail.
        // The cursors are at step k (see `lrCursors`).
        if spec.schedule != nil {
            for g in groupLR.indices { groupLR[g] = lrCursors[g].lr }
        }
        let transform: GradientTransform<Scalar>.Clip
        switch spec.clipping {
        case nil: transform = .none
        case .value(let c): transform = .clamp(Scalar(c))
        case .norm(let maxNorm, _):
            // torch: clip_coef = max_norm / (total + 1e-6) evaluates as reciprocal(total + 1e-6) * max_norm
            // in the gradient dtype, then clamp(max=1); the gradients are always multiplied.
            let denominator = norms.clip + Scalar(1e-6)
            let coefficient = (1 / denominator) * Scalar(maxNorm)
            transform = .scale(coefficient < 1 ? coefficient : 1)
        }

        let kind = spec.optimizer.kind
        let threads = max(1, threadCount)
        let momentumOverride = spec.schedule?.momentum(step: k)
        for p in 0..<layout.count where present[p] {
            let entry = layout.entries[p]
            let group = groupOfParameter[p]
            var h = spec.groupHyperparameters[group]
            let lr = groupLR[group]
            if let m = momentumOverride {
                if kind.cyclesMomentumThroughBetas == true { h.beta1 = m } else { h.momentum = m }
            }
            let firstStep = !hasState[p]
            hasState[p] = true
            steps[p] += 1
            let t = steps[p]
            // PyTorch creates the state tensors the group's configuration needs when the parameter first
            // steps; tensors enabled later (e.g. amsgrad switched on) start from zeros here.
            var bits = slotBits[p]
            for slot in 0..<StateSlots.count(kind)
            where StateSlots.uses(kind, slot: slot, h, cycled: momentumOverride != nil) {
                bits |= UInt8(1 << slot)
            }
            let bufferExisted = slotBits[p] & 1 != 0
            slotBits[p] = bits
            let gt = GradientTransform<Scalar>(clip: transform, maximize: h.maximize)
            let offset = entry.offset
            let count = entry.count
            if count == 0 { continue }
            parameters.withUnsafeMutableBufferPointer { pb in
                slot0.withUnsafeMutableBufferPointer { s0 in
                    slot1.withUnsafeMutableBufferPointer { s1 in
                        slot2.withUnsafeMutableBufferPointer { s2 in
                            // Safe: every slot a kernel touches has layout.totalCount elements (allocateSlots),
                            // so offset ..< offset + count is in bounds; unused slots point at the parameters
                            // and are never accessed.
                            let pBase = pb.baseAddress.unsafelyUnwrapped + offset
                            let x = TensorPointers<Scalar>(
                                param: pBase, grad: base + offset,
                                slot0: s0.baseAddress.map { $0 + offset } ?? pBase,
                                slot1: s1.baseAddress.map { $0 + offset } ?? pBase,
                                slot2: s2.baseAddress.map { $0 + offset } ?? pBase)
                            Self.runKernel(
                                kind, h, lr: lr, t: t, firstStep: firstStep, bufferExisted: bufferExisted,
                                muProduct: &muProducts[p], x: x, count: count, gt: gt, threads: threads)
                        }
                    }
                }
            }
        }
        stepCount = k + 1
        if let schedule = spec.schedule {
            for g in lrCursors.indices { lrCursors[g].advance(schedule) }
        }
        return StepReport(step: stepCount, lr: groupLR[reportingGroup], gradNorm: Double(norms.l2))
    }

    /// Applies one step from named gradients (a convenience for tests and small clients; allocates).
    ///
    /// - Throws: `unknownParameter`, `shapeMismatch` naming the parameter, and the errors of
    ///   `step(gradients:present:)`.
    public mutating func step(named gradients: [(name: String, values: [Scalar])]) throws(OptimizerError) -> StepReport
    {
        var flat = [Scalar](repeating: 0, count: layout.totalCount)
        var present = [Bool](repeating: false, count: layout.count)
        for (name, values) in gradients {
            guard let p = layout.index(of: name) else { throw .unknownParameter(name) }
            let entry = layout.entries[p]
            guard values.count == entry.count else {
                throw .shapeMismatch(parameter: name, expected: entry.count, actual: values.count)
            }
            for i in 0..<entry.count { flat[entry.offset + i] = values[i] }
            present[p] = true
        }
        return try step(gradients: flat, present: present)
    }

    // MARK: - Internals

    /// The group whose lr is reported: 0, or 1 when the default group is empty.
    var reportingGroup: Int {
        if groupOfParameter.contains(0) || spec.paramGroups.isEmpty { return 0 }
        return 1
    }

    /// Restarts every group's lr sequence from its base lr and positions it at `stepCount` (creation, a
    /// restore without `last_lr`, a base-lr change; bounded work, see `ScheduleCursor`) and sets the
    /// unscheduled lrs.
    mutating func resetSchedule() {
        groupLR = spec.groupHyperparameters.map(\.lr)
        if let schedule = spec.schedule {
            lrCursors = groupLR.map { ScheduleCursor(schedule: schedule, base: $0, step: stepCount) }
        } else {
            lrCursors = []
        }
    }

    /// Allocates (zero-filled) every state slot the current spec needs that is not allocated yet.
    mutating func allocateSlots() {
        let n = layout.totalCount
        for slot in StateSlots.required(for: spec) {
            switch slot {
            case 0: if slot0.count != n { slot0 = [Scalar](repeating: 0, count: n) }
            case 1: if slot1.count != n { slot1 = [Scalar](repeating: 0, count: n) }
            default: if slot2.count != n { slot2 = [Scalar](repeating: 0, count: n) }
            }
        }
    }

    /// The global L2 norm (always, for the report) and the clipping norm, in the session dtype, after
    /// checking every present gradient is finite.
    static func globalNorms(
        _ g: UnsafePointer<Scalar>, layout: ParameterLayout, present: [Bool],
        clipping: Clipping?, threads: Int, _ l2Norms: UnsafeMutableBufferPointer<Scalar>,
        _ clipNorms: UnsafeMutableBufferPointer<Scalar>
    ) throws(OptimizerError)
        -> (l2: Scalar, clip: Scalar)
    {
        var used = 0
        var normType = Clipping.NormType.l2
        if case .norm(_, let type) = clipping { normType = type }
        for (p, entry) in layout.entries.enumerated() where present[p] {
            let x = g + entry.offset
            // Without clipping the norm is only reported, so very large tensors may sum in parallel.
            let norm =
                clipping == nil && threads > 1 && entry.count >= 1 << 21
                ? GradientNorm.l2Parallel(x, entry.count, threads: threads) : GradientNorm.l2(x, entry.count)
            if !norm.isFinite, let index = GradientNorm.firstNonFinite(x, entry.count) {
                throw .nonFiniteGradient(parameter: entry.name, index: index)
            }
            l2Norms[used] = norm
            switch normType {
            case .l2: break
            case .l1: clipNorms[used] = GradientNorm.l1(x, entry.count)
            case .infinity: clipNorms[used] = GradientNorm.lInf(x, entry.count)
            }
            used += 1
        }
        // Safe: the scratch buffers have one element per parameter and `used` >= 1 (a step has a gradient).
        let l2 = GradientNorm.l2(UnsafePointer(l2Norms.baseAddress.unsafelyUnwrapped), used)
        let clip: Scalar
        switch normType {
        case .l2: clip = l2
        case .l1: clip = GradientNorm.l1(UnsafePointer(clipNorms.baseAddress.unsafelyUnwrapped), used)
        case .infinity: clip = GradientNorm.lInf(UnsafePointer(clipNorms.baseAddress.unsafelyUnwrapped), used)
        }
        return (l2, clip)
    }

    /// Builds the optimizer's kernel for one parameter and runs it over the tensor, split across cores
    /// when large.
    @inline(__always)
    static func runKernel(
        _ kind: OptimizerKind, _ h: Hyperparameters, lr: Double, t: Int, firstStep: Bool,
        bufferExisted: Bool, muProduct: inout Scalar, x: TensorPointers<Scalar>, count: Int,
        gt: GradientTransform<Scalar>, threads: Int
    ) {
        switch kind {
        case .adam, .adamw:
            let k = AdamKernel<Scalar>(h, lr: lr, step: t)
            Parallel.forEachChunk(count: count, threads: threads) { k.run(x, $0, gt) }
        case .sgd:
            let k = SGDKernel<Scalar>(h, lr: lr, momentum: h.momentum, bufferExists: bufferExisted)
            Parallel.forEachChunk(count: count, threads: threads) { k.run(x, $0, gt) }
        case .adagrad:
            let k = AdagradKernel<Scalar>(h, lr: lr, step: t)
            Parallel.forEachChunk(count: count, threads: threads) { k.run(x, $0, gt) }
        case .rmsprop:
            let k = RMSpropKernel<Scalar>(h, lr: lr, momentum: h.momentum)
            Parallel.forEachChunk(count: count, threads: threads) { k.run(x, $0, gt) }
        case .adadelta:
            let k = AdadeltaKernel<Scalar>(h, lr: lr)
            Parallel.forEachChunk(count: count, threads: threads) { k.run(x, $0, gt) }
        case .adamax:
            let k = AdamaxKernel<Scalar>(h, lr: lr, step: t)
            Parallel.forEachChunk(count: count, threads: threads) { k.run(x, $0, gt) }
        case .nadam:
            let k = NAdamKernel<Scalar>(h, lr: lr, step: t, muProduct: &muProduct)
            Parallel.forEachChunk(count: count, threads: threads) { k.run(x, $0, gt) }
        case .radam:
            let k = RAdamKernel<Scalar>(h, lr: lr, step: t)
            Parallel.forEachChunk(count: count, threads: threads) { k.run(x, $0, gt) }
        case .rprop:
            let k = RpropKernel<Scalar>(h, lr: lr, firstStep: firstStep)
            Parallel.forEachChunk(count: count, threads: threads) { k.run(x, $0, gt) }
        case .lion:
            let k = LionKernel<Scalar>(h, lr: lr)
            Parallel.forEachChunk(count: count, threads: threads) { k.run(x, $0, gt) }
        }
    }
}
