/// PyTorch's recursive ("chainable") learning-rate sequence for one parameter group, kept at the
/// session's current step.
///
/// PyTorch's `get_lr()` multiplies the group's current lr (`lr_k = f(lr_{k−1})`), which differs from the
/// closed form in the last bits of the double; the fixtures (and torch users) see the recursive values, so
/// the engine keeps one cursor per group, always at the engine's step count, and advances it once per
/// step. Reading the lr is O(1).
///
/// Positioning a cursor at step `k` without its history (a base lr changed by PATCH, or a checkpoint
/// that does not carry `last_lr`) replays the recursion from step 0 when `k <= replayLimit`, and
/// otherwise starts from the closed form at `k` (`ScheduleSpec.learningRate(base:step:)`, equal to the
/// recursion up to rounding), so that no request pays for more than `replayLimit` steps
/// (docs/limits.md, "Schedules at any step").
struct ScheduleCursor: Sendable, Equatable {
    /// The step whose lr `lr` is.
    private(set) var k: Int
    /// The lr of step `k`: what torch's optimizer holds in `group["lr"]` after `scheduler.step()`.
    private(set) var lr: Double
    /// The base lr the sequence started from.
    let base: Double

    /// The most work spent replaying a cursor to a step without its history: steps times
    /// `ScheduleSpec.replayCost` (about 1 ms).
    static let replayLimit = 65_536

    /// The cursor at `step` (the lr after the scheduler's constructor ran its initial step for step 0):
    /// replayed from step 0 while `step × schedule.replayCost <= replayLimit`, else from the closed form.
    init(schedule: ScheduleSpec, base: Double, step: Int = 0) {
        self.base = base
        let (work, overflow) = step.multipliedReportingOverflow(by: schedule.replayCost)
        if overflow || work > Self.replayLimit {
            self.k = step
            self.lr = schedule.learningRate(base: base, step: step)
            return
        }
        self.k = 0
        self.lr = schedule.initialLR(base: base)
        while k < step { advance(schedule) }
    }

    /// A cursor restored as it was saved: the lr of `step` as the recursion reached it.
    init(base: Double, step: Int, lr: Double) {
        self.base = base
        self.k = step
        self.lr = lr
    }

    /// Moves to step `k + 1`.
    mutating func advance(_ schedule: ScheduleSpec) {
        k += 1
        lr = schedule.recursiveLR(previous: lr, base: base, epoch: k)
    }
}

extension ScheduleSpec {
    /// The work of one `recursiveLR` call, in units of one multiplication: 1 plus the milestones scanned.
    var replayCost: Int {
        switch form {
        case .multiStep(let milestones, _): 1 + milestones.count
        case .sequential(let schedulers, let milestones):
            1 + milestones.count + schedulers.reduce(1) { max($0, $1.replayCost) }
        default: 1
        }
    }

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
