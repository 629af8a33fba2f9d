/// Learning curves of a bandit algorithm, averaged over independent runs.
public struct BanditCurves {
    /// Algorithm name.
    public var name: String
    /// Mean reward at each step, `(steps)`.
    public var meanReward: [Double]
    /// Mean cumulative (pseudo-)regret after each step: `Σ_t μ* − μ(a_t)`, `(steps)`.
    public var cumulativeRegret: [Double]
    /// Fraction of runs that pulled an optimal arm at each step, `(steps)`.
    public var optimalActionRate: [Double]
    /// Number of runs averaged.
    public var runs: Int

    /// Mean reward over all steps and runs.
    public var averageReward: Double { meanReward.reduce(0, +) / Double(max(meanReward.count, 1)) }
    /// Cumulative regret after the last step.
    public var finalRegret: Double { cumulativeRegret.last ?? 0 }

    init(name: String, steps: Int, runs: Int) {
        self.name = name
        meanReward = Array(repeating: 0, count: steps)
        cumulativeRegret = Array(repeating: 0, count: steps)
        optimalActionRate = Array(repeating: 0, count: steps)
        self.runs = runs
    }

    /// Turns per-step sums over runs into means and accumulates the regret.
    mutating func finish(regretSums: [Double]) {
        var total = 0.0
        for t in 0..<meanReward.count {
            meanReward[t] /= Double(runs)
            optimalActionRate[t] /= Double(runs)
            total += regretSums[t] / Double(runs)
            cumulativeRegret[t] = total
        }
    }
}

/// Runs bandit experiments as Sutton & Barto's testbed does: `runs` independent problems, each
/// played for `steps` pulls by a fresh algorithm; curves are averaged over runs. Run `r` draws
/// its problem from seed `seed + r`, so two algorithms run with the same seed face the same
/// problems.
public enum BanditRunner {
    /// A k-armed experiment. `makeProblem` draws a problem from the given generator;
    /// `makeAlgorithm(k, runSeed)` builds a fresh algorithm.
    public static func run(steps: Int, runs: Int, seed: UInt64 = 0,
                           makeProblem: (inout SeededRandom) -> any KArmedBandit,
                           makeAlgorithm: (Int, UInt64) -> any BanditAlgorithm) -> BanditCurves {
        precondition(steps > 0 && runs > 0, "steps and runs must be positive")
        var curves: BanditCurves?
        var regretSums = [Double](repeating: 0, count: steps)
        for run in 0..<runs {
            let runSeed = seed &+ UInt64(run)
            var problemRNG = SeededRandom(seed: runSeed)
            let problem = makeProblem(&problemRNG)
            let algorithm = makeAlgorithm(problem.k, runSeed)
            if curves == nil { curves = BanditCurves(name: algorithm.name, steps: steps, runs: runs) }
            var rng = SeededRandom(seed: runSeed ^ 0x5DEE_CE66_D1CE_4E5B)
            let best = problem.optimalMean
            for t in 0..<steps {
                let arm = algorithm.selectArm(using: &rng)
                let reward = problem.pull(arm, using: &rng)
                algorithm.update(arm: arm, reward: reward)
                curves!.meanReward[t] += reward
                regretSums[t] += best - problem.means[arm]
                if problem.means[arm] == best { curves!.optimalActionRate[t] += 1 }
            }
        }
        curves!.finish(regretSums: regretSums)
        return curves!
    }

    /// A contextual experiment: every step draws a context, the algorithm picks an arm, and the
    /// regret is `max_a θ_a·x − θ_chosen·x`.
    public static func runContextual(steps: Int, runs: Int, seed: UInt64 = 0,
                                     makeProblem: (inout SeededRandom) -> LinearContextualBandit,
                                     makeAlgorithm: (LinearContextualBandit, UInt64) -> any ContextualBanditAlgorithm) -> BanditCurves {
        precondition(steps > 0 && runs > 0, "steps and runs must be positive")
        var curves: BanditCurves?
        var regretSums = [Double](repeating: 0, count: steps)
        for run in 0..<runs {
            let runSeed = seed &+ UInt64(run)
            var problemRNG = SeededRandom(seed: runSeed)
            let problem = makeProblem(&problemRNG)
            let algorithm = makeAlgorithm(problem, runSeed)
            if curves == nil { curves = BanditCurves(name: algorithm.name, steps: steps, runs: runs) }
            var rng = SeededRandom(seed: runSeed ^ 0x5DEE_CE66_D1CE_4E5B)
            for t in 0..<steps {
                let x = problem.context(using: &problemRNG)
                let arm = algorithm.selectArm(context: x, using: &rng)
                let reward = problem.pull(arm, context: x, using: &rng)
                algorithm.update(arm: arm, context: x, reward: reward)
                let best = problem.optimalReward(context: x), got = problem.expectedReward(arm, context: x)
                curves!.meanReward[t] += reward
                regretSums[t] += best - got
                if got == best { curves!.optimalActionRate[t] += 1 }
            }
        }
        curves!.finish(regretSums: regretSums)
        return curves!
    }
}
