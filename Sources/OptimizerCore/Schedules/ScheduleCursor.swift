/// PyTorch's recursive ("chainable") learning-rate sequence for one parameter group, advanced one step
/// at a time.
///
/// PyTorch's `get_lr()` multiplies the group's current lr (`lr_k = f(lr_{k−1})`), which differs from the
/// closed form in the last bits of the double; the fixtures (and torch users) see the recursive values, so
/// the engine keeps a cursor per group and advances it once per step. The lr of step `k` is a pure function
/// of the schedule, the group's base lr and `k`, so a restored engine rebuilds the same cursor by replaying
/// from step 0.
struct ScheduleCursor: Sendable, Equatable {
    /// The step whose lr `lr` is.
    private(set) var k: Int
    /// The lr of step `k`.
    private(set) var lr: Double
    /// The base lr the sequence started from.
    let base: Double

    /// The cursor at step 0 (the lr after the scheduler's constructor ran its initial step).
    init(schedule: ScheduleSpec, base: Double) {
        self.k = 0
        self.base = base
        self.lr = schedule.initialLR(base: base)
    }

    /// Moves to step `k + 1`.
    mutating func advance(_ schedule: ScheduleSpec) {
        k += 1
        lr = schedule.recursiveLR(previous: lr, base: base, epoch: k)
    }

    /// The lr of step `target`, advancing (or replaying from 0 when `target` is behind the cursor).
    mutating func lr(at target: Int, _ schedule: ScheduleSpec) -> Double {
        if target < k { self = ScheduleCursor(schedule: schedule, base: base) }
        while k < target { advance(schedule) }
        return lr
    }
}

extension ScheduleSpec {
    /// `get_lr()` at `last_epoch = 0` with the group lr equal to `base`.
    func initialLR(base: Double) -> Double {
        switch form {
        case .linear(let start, _, _): return base * start
        case .constant(let factor, _): return base * factor
        case .sequential(let schedulers, _): return schedulers[0].initialLR(base: base)
        case .oneCycle, .cosineAnnealingWarmRestarts: return learningRate(base: base, step: 0)
        default: return base
        }
    }

    /// `get_lr()` at `last_epoch = epoch >= 1`, given the group's previous lr.
    func recursiveLR(previous lr: Double, base: Double, epoch e: Int) -> Double {
        switch form {
        case .step(let stepSize, let gamma):
            return e % stepSize != 0 ? lr : lr * gamma
        case .multiStep(let milestones, let gamma):
            let hits = milestones.reduce(0) { $0 + ($1 == e ? 1 : 0) }
            return hits == 0 ? lr : lr * LibM.pow(gamma, Double(hits))
        case .exponential(let gamma):
            return lr * gamma
        case .cosineAnnealing(let tMax, let etaMin):
            if (e - 1 - tMax) % (2 * tMax) == 0 {
                return lr + (base - etaMin) * (1 - LibM.cos(Double.pi / Double(tMax))) / 2
            }
            return (1 + LibM.cos(Double.pi * Double(e) / Double(tMax)))
                / (1 + LibM.cos(Double.pi * Double(e - 1) / Double(tMax))) * (lr - etaMin) + etaMin
        case .linear(let start, let end, let total):
            if e > total { return lr }
            return lr * (1.0 + (end - start) / (Double(total) * start + Double(e - 1) * (end - start)))
        case .polynomial(let total, let power):
            if e > total { return lr }
            let decay = LibM.pow(
                (1.0 - Double(e) / Double(total)) / (1.0 - Double(e - 1) / Double(total)), power)
            return lr * decay
        case .constant(let factor, let total):
            if e != total { return lr }
            return factor == 0 ? base : lr * (1.0 / factor)
        case .cosineAnnealingWarmRestarts, .oneCycle:
            return learningRate(base: base, step: e)
        case .sequential(let schedulers, let milestones):
            var index = 0
            while index < milestones.count, e >= milestones[index] { index += 1 }
            let start = index == 0 ? 0 : milestones[index - 1]
            if index > 0, e == start {
                // SequentialLR calls scheduler.step(0): the closed form at epoch 0.
                return schedulers[index].learningRate(base: base, step: 0)
            }
            return schedulers[index].recursiveLR(previous: lr, base: base, epoch: e - start)
        }
    }
}
