extension ScheduleSpec {
    /// The learning rate of session step `k` (0-based) for a group whose base lr is `base`.
    ///
    /// Mirrors the expressions of PyTorch's `_get_closed_form_lr` (and `OneCycleLR.get_lr`, which has no
    /// recursion) operation for operation, with the same libm `pow` and `cos` as Python.
    /// For `one_cycle`, `base` is ignored (PyTorch overwrites the group's lr with max_lr / div_factor) and
    /// `k` may go up to `total_steps` (PyTorch's limit on `last_epoch`).
    public func learningRate(base: Double, step k: Int) -> Double {
        let e = Double(k)
        switch form {
        case .step(let stepSize, let gamma):
            return base * LibM.pow(gamma, Double(k / stepSize))
        case .multiStep(let milestones, let gamma):
            let passed = milestones.reduce(0) { $0 + ($1 <= k ? 1 : 0) }
            return base * LibM.pow(gamma, Double(passed))
        case .exponential(let gamma):
            return base * LibM.pow(gamma, e)
        case .cosineAnnealing(let tMax, let etaMin):
            return etaMin + (base - etaMin) * (1 + LibM.cos(Double.pi * e / Double(tMax))) / 2
        case .cosineAnnealingWarmRestarts(let t0, let tMult, let etaMin):
            // PyTorch tracks T_cur and T_i with integer arithmetic as the epochs advance one by one.
            var tCur = k
            var tI = t0
            if tMult == 1 {
                tCur = k % t0
            } else {
                while tCur >= tI {
                    tCur -= tI
                    let (next, overflow) = tI.multipliedReportingOverflow(by: tMult)
                    if overflow { break }
                    tI = next
                }
            }
            return etaMin + (base - etaMin) * (1 + LibM.cos(Double.pi * Double(tCur) / Double(tI))) / 2
        case .linear(let start, let end, let total):
            return base * (start + (end - start) * Double(min(total, k)) / Double(total))
        case .polynomial(let total, let power):
            return base * LibM.pow(1.0 - Double(min(total, k)) / Double(total), power)
        case .constant(let factor, let total):
            return base * (factor + (k >= total ? 1 : 0) * (1 - factor))
        case .oneCycle(let c):
            return c.evaluate(step: k).lr
        case .sequential(let schedulers, let milestones):
            var index = 0
            while index < milestones.count, k >= milestones[index] { index += 1 }
            let start = index == 0 ? 0 : milestones[index - 1]
            return schedulers[index].learningRate(base: base, step: k - start)
        }
    }

    /// The momentum (or betas[0]) that `one_cycle` with `cycle_momentum` sets for session step `k`, else nil.
    public func momentum(step k: Int) -> Double? {
        guard case .oneCycle(let c) = form, c.cycleMomentum else { return nil }
        return c.evaluate(step: k).momentum
    }
}

extension ScheduleSpec.OneCycle {
    /// The index of the first phase whose end step equals its start step (PyTorch divides by that
    /// length, `end_step - start_step`, when a step reaches the phase), or nil when every phase has steps.
    var emptyPhase: Int? {
        var start = 0.0
        for (i, phase) in phases.enumerated() {
            if phase.0 == start { return i }
            start = phase.0
        }
        return nil
    }

    /// `OneCycleLR.get_lr()` at `last_epoch = step`, lr and momentum.
    func evaluate(step: Int) -> (lr: Double, momentum: Double) {
        let stepNumber = Double(step)
        var startStep = 0.0
        let phases = self.phases
        for (i, phase) in phases.enumerated() {
            let endStep = phase.0
            if stepNumber <= endStep || i == phases.count - 1 {
                let pct = (stepNumber - startStep) / (endStep - startStep)
                return (anneal(phase.1, phase.2, pct), anneal(phase.3, phase.4, pct))
            }
            startStep = endStep
        }
        return (maxLR / divFactor / finalDivFactor, maxMomentum)  // not reached: the last phase always matches
    }

    /// (end_step, start_lr, end_lr, start_momentum, end_momentum) per phase, as PyTorch's `_schedule_phases`.
    private var phases: [(Double, Double, Double, Double, Double)] {
        let initialLR = maxLR / divFactor
        let minLR = initialLR / finalDivFactor
        let total = Double(totalSteps)
        let phases: [(Double, Double, Double, Double, Double)]
        if threePhase {
            phases = [
                (pctStart * total - 1, initialLR, maxLR, maxMomentum, baseMomentum),
                (2 * pctStart * total - 2, maxLR, initialLR, baseMomentum, maxMomentum),
                (total - 1, initialLR, minLR, maxMomentum, maxMomentum),
            ]
        } else {
            phases = [
                (pctStart * total - 1, initialLR, maxLR, maxMomentum, baseMomentum),
                (total - 1, maxLR, minLR, baseMomentum, maxMomentum),
            ]
        }
        return phases
    }

    private func anneal(_ start: Double, _ end: Double, _ pct: Double) -> Double {
        if linearAnneal { return (end - start) * pct + start }
        let cosOut = LibM.cos(Double.pi * pct) + 1
        return end + (start - end) / 2.0 * cosOut
    }
}
