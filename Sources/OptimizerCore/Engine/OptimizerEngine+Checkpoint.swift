extension OptimizerEngine {
    /// All state keyed by parameter name with PyTorch's state names, enough to continue bit-identically.
    ///
    /// Entries per parameter are in PyTorch's order: `step` (all but SGD and Lion), `mu_product` (NAdam), then the
    /// state tensors the parameter holds. Parameters without state are omitted.
    public func checkpoint() -> EngineCheckpoint<Scalar> {
        let kind = spec.optimizer.kind
        let names = StateSlots.names(kind)
        var states: [ParameterState<Scalar>] = []
        for (p, entry) in layout.entries.enumerated() where hasState[p] {
            var entries: [StateEntry<Scalar>] = []
            if StateSlots.hasStepCounter(kind) { entries.append(StateEntry(name: "step", value: .count(steps[p]))) }
            if kind == .nadam { entries.append(StateEntry(name: "mu_product", value: .scalar(muProducts[p]))) }
            let range = entry.offset..<(entry.offset + entry.count)
            for (slot, name) in names.enumerated() where slotBits[p] & UInt8(1 << slot) != 0 {
                let values: [Scalar]
                switch slot {
                case 0: values = Array(slot0[range])
                case 1: values = Array(slot1[range])
                default: values = Array(slot2[range])
                }
                entries.append(StateEntry(name: name, value: .tensor(values)))
            }
            if !entries.isEmpty { states.append(ParameterState(name: entry.name, entries: entries)) }
        }
        return EngineCheckpoint(
            spec: spec, layout: layout, stepCount: stepCount, parameters: parameters, states: states,
            lastLR: spec.schedule == nil ? nil : lrCursors.map(\.lr))
    }

    /// Restores an engine from a checkpoint; its next steps are bit-identical to the original's.
    ///
    /// - Throws: `invalidCheckpoint` naming the problem (parameter count, unknown or duplicate parameter,
    ///   unknown state name for the optimizer, a tensor of the wrong element count, a missing required
    ///   entry, a negative step, a step count past a one_cycle schedule's total_steps), and the errors of
    ///   `init(spec:layout:initialValues:)`.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public init(checkpoint: EngineCheckpoint<Scalar>) throws(OptimizerError) {
        guard checkpoint.parameters.count == checkpoint.layout.totalCount else {
            throw .invalidCheckpoint(
                "parameters have \(checkpoint.parameters.count) elements; the layout has \(checkpoint.layout.totalCount)"
            )
        }
        guard checkpoint.stepCount >= 0 else { throw .invalidCheckpoint("step \(checkpoint.stepCount) is negative") }
        if let total = checkpoint.spec.schedule?.totalSteps, checkpoint.stepCount > total {
            throw .invalidCheckpoint("step \(checkpoint.stepCount) is past the schedule's total_steps = \(total)")
        }
        try self.init(spec: checkpoint.spec, layout: checkpoint.layout, initialValues: checkpoint.parameters)
        stepCount = checkpoint.stepCount
        if let lastLR = checkpoint.lastLR {
            guard spec.schedule != nil else { throw .invalidCheckpoint("last_lr is given but there is no schedule") }
            guard lastLR.count == spec.groupHyperparameters.count else {
                throw .invalidCheckpoint(
                    "last_lr has \(lastLR.count) values; the session has \(spec.groupHyperparameters.count) "
                        + "parameter group(s), the default group first")
            }
            lrCursors = zip(spec.groupHyperparameters, lastLR).map { h, lr in
                ScheduleCursor(base: h.lr, step: stepCount, lr: lr)
            }
        } else {
            resetSchedule()
        }
        let kind = spec.optimizer.kind
        let names = StateSlots.names(kind)
        var seen = [Bool](repeating: false, count: layout.count)
        if kind == .adagrad {
            // Adagrad's state exists from creation; a checkpoint lists it for every parameter.
            for p in 0..<layout.count { hasState[p] = false; slotBits[p] = 0 }
        }
        for state in checkpoint.states {
            guard let p = layout.index(of: state.name) else {
                throw .invalidCheckpoint("state for unknown parameter \"\(state.name)\"")
            }
            if seen[p] { throw .invalidCheckpoint("state for parameter \"\(state.name)\" appears twice") }
            seen[p] = true
            let entry = layout.entries[p]
            var bits: UInt8 = 0
            var step: Int?
            var mu: Scalar?
            for item in state.entries {
                let where_ = "state \"\(item.name)\" of parameter \"\(state.name)\""
                switch (item.name, item.value) {
                case ("step", .count(let n)) where StateSlots.hasStepCounter(kind):
                    guard n >= 0 else { throw .invalidCheckpoint("\(where_) is negative (\(n))") }
                    step = n
                case ("mu_product", .scalar(let x)) where kind == .nadam:
                    guard x.isFinite else { throw .invalidCheckpoint("\(where_) is not finite") }
                    mu = x
                case (let name, .tensor(let values)):
                    guard let slot = names.firstIndex(of: name) else {
                        throw .invalidCheckpoint(
                            "\(kind.rawValue) has no state \"\(name)\" (parameter \"\(state.name)\"); it keeps "
                                + (StateSlots.hasStepCounter(kind) ? "step, " : "")
                                + (kind == .nadam ? "mu_product, " : "")
                                + names.joined(separator: ", "))
                    }
                    guard values.count == entry.count else {
                        throw .invalidCheckpoint(
                            "\(where_) has \(values.count) elements; the parameter has \(entry.count)")
                    }
                    if bits & UInt8(1 << slot) != 0 { throw .invalidCheckpoint("\(where_) appears twice") }
                    bits |= UInt8(1 << slot)
                    ensureSlot(slot)
                    for i in 0..<entry.count {
                        switch slot {
                        case 0: slot0[entry.offset + i] = values[i]
                        case 1: slot1[entry.offset + i] = values[i]
                        default: slot2[entry.offset + i] = values[i]
                        }
                    }
                default:
                    throw .invalidCheckpoint("\(where_) is not a state \(kind.rawValue) keeps in this form")
                }
            }
            // Required entries: PyTorch's non-optional state for the optimizer.
            if StateSlots.hasStepCounter(kind), step == nil {
                throw .invalidCheckpoint("state of parameter \"\(state.name)\" lacks \"step\"")
            }
            if kind == .nadam, mu == nil {
                throw .invalidCheckpoint("state of parameter \"\(state.name)\" lacks \"mu_product\"")
            }
            for (slot, name) in names.enumerated()
            where StateSlots.isMandatory(kind, slot: slot) && bits & UInt8(1 << slot) == 0 {
                throw .invalidCheckpoint("state of parameter \"\(state.name)\" lacks \"\(name)\"")
            }
            steps[p] = step ?? 0
            muProducts[p] = mu ?? 1
            slotBits[p] = bits
            hasState[p] = true
        }
        if kind == .adagrad, let missing = seen.firstIndex(of: false) {
            throw .invalidCheckpoint(
                "adagrad keeps state for every parameter; \"\(layout.entries[missing].name)\" has none")
        }
    }

    /// Allocates slot `slot` (zero-filled) if it is not allocated yet.
    mutating func ensureSlot(_ slot: Int) {
        let n = layout.totalCount
        switch slot {
        case 0: if slot0.count != n { slot0 = [Scalar](repeating: 0, count: n) }
        case 1: if slot1.count != n { slot1 = [Scalar](repeating: 0, count: n) }
        default: if slot2.count != n { slot2 = [Scalar](repeating: 0, count: n) }
        }
    }
}
