import Slate

/// Learning curves of a bandit algorithm, averaged over independent runs.
public struct BanditCurves: Sendable {
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
    public var averageReward: Double { Statistics.mean(meanReward) }
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
                           makeProblem: (inout RandomGenerator) -> any KArmedBandit,
                           makeAlgorithm: (Int, UInt64) -> any BanditAlgorithm) -> BanditCurves {
        average(steps: steps, runs: runs, seed: seed) { runSeed, rng, record in
            var problemRNG = RandomGenerator(seed: runSeed, for: .banditProblem)
            let problem = makeProblem(&problemRNG)
            let algorithm = makeAlgorithm(problem.k, runSeed)
            let best = problem.optimalMean
            for t in 0..<steps {
                let arm = algorithm.selectArm(using: &rng)
                let reward = problem.pull(arm, using: &rng)
                algorithm.update(arm: arm, reward: reward)
                record(t, reward, best - problem.means[arm], problem.means[arm] == best)
            }
            return algorithm.name
        }
    }

    /// A contextual experiment: every step draws a context, the algorithm picks an arm, and the
    /// regret is `max_a θ_a·x − θ_chosen·x`.
    public static func runContextual(steps: Int, runs: Int, seed: UInt64 = 0,
                                     makeProblem: (inout RandomGenerator) -> LinearContextualBandit,
                                     makeAlgorithm: (LinearContextualBandit, UInt64) -> any ContextualBanditAlgorithm) -> BanditCurves {
        average(steps: steps, runs: runs, seed: seed) { runSeed, rng, record in
            var problemRNG = RandomGenerator(seed: runSeed, for: .banditProblem)
            let problem = makeProblem(&problemRNG)
            let algorithm = makeAlgorithm(problem, runSeed)
            for t in 0..<steps {
                let x = problem.context(using: &problemRNG)
                let arm = algorithm.selectArm(context: x, using: &rng)
                let reward = problem.pull(arm, context: x, using: &rng)
                algorithm.update(arm: arm, context: x, reward: reward)
                let best = problem.optimalReward(context: x), got = problem.expectedReward(arm, context: x)
                record(t, reward, best - got, got == best)
            }
            return algorithm.name
        }
    }

    /// One step's outcome: step index, reward, regret, whether the arm was optimal.
    typealias Record = (Int, Double, Double, Bool) -> Void

    /// Plays `runs` runs and averages what they record. `play(runSeed, &rng, record)` plays one
    /// run (its problem from `runSeed`, its choices and rewards from `rng`) and returns the
    /// algorithm's name.
    private static func average(steps: Int, runs: Int, seed: UInt64,
                                play: (UInt64, inout RandomGenerator, Record) -> String) -> BanditCurves {
        precondition(steps > 0 && runs > 0, "steps and runs must be positive")
        var rewardSums = [Double](repeating: 0, count: steps)
        var regretSums = [Double](repeating: 0, count: steps)
        var optimalCounts = [Double](repeating: 0, count: steps)
        var name = ""
        for run in 0..<runs {
            let runSeed = seed &+ UInt64(run)
            var rng = RandomGenerator(seed: runSeed, for: .banditPlay)
            name = play(runSeed, &rng) { t, reward, regret, optimal in
                rewardSums[t] += reward
                regretSums[t] += regret
                if optimal { optimalCounts[t] += 1 }
            }
        }
        var curves = BanditCurves(name: name, steps: steps, runs: runs)
        curves.meanReward = rewardSums
        curves.optimalActionRate = optimalCounts
        curves.finish(regretSums: regretSums)
        return curves
    }
}

extension SeedPurpose {
    /// The problem of a bandit run (its arms' means, its contexts), from the run's seed `seed + r`:
    /// two algorithms run with the same seed face the same problems.
    static let banditProblem = SeedPurpose("bandit problem") { runSeed, _ in runSeed }
    /// A bandit run's choices and rewards, from the run's seed.
    static let banditPlay = SeedPurpose("bandit play") { runSeed, _ in runSeed ^ 0x5DEE_CE66_D1CE_4E5B }
}
