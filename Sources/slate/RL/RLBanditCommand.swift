import ArgumentParser
import Foundation
import Slate
import SlateRL

/// `slate rl bandit`: average learning curves of a bandit algorithm over many random problems.
struct RLBanditCommand: ParsableCommand, Exemplified {
    static let configuration = CommandConfiguration(
        commandName: "bandit",
        abstract: "Run a bandit algorithm on random problems; print mean reward and cumulative regret, write regret.svg.",
        discussion: """
        eps-greedy, ucb and thompson play Sutton & Barto's k-armed testbed (arm means ~ N(0,1), \
        rewards ~ N(mean, 1); --bandit bernoulli for 0/1 arms with uniform probabilities). linucb \
        plays a linear contextual bandit (unit-vector contexts of --context-dim dimensions). The \
        curves are averaged over --runs problems; ε-greedy (and for linucb a linear-model ε-greedy) \
        is run on the same problems as a baseline. Writes config.toml, metrics.csv (one row per \
        step: each curve's mean reward and cumulative regret), regret.svg and summary.json to --out.
        """
    )

    static let examples = ["slate rl bandit --config configs/bandit-testbed.toml",
                           "slate rl bandit --algo thompson --bandit bernoulli --runs 500"]

    enum Algorithm: String, ExpressibleByArgument, CaseIterable {
        case epsGreedy = "eps-greedy", ucb, thompson, linucb
    }

    enum Kind: String, ExpressibleByArgument, CaseIterable {
        case gaussian, bernoulli
    }

    @Option(help: "Number of arms K.")
    var arms = 10

    @Option(help: "Pulls per run.")
    var steps = 1000

    @Option(help: "Algorithm: eps-greedy, ucb, thompson or linucb.")
    var algo: Algorithm = .ucb

    @Option(help: "Independent problems to average over.")
    var runs = 200

    @Option(help: "Arm rewards of the k-armed testbed: gaussian or bernoulli.")
    var bandit: Kind = .gaussian

    @Option(help: "Exploration rate of eps-greedy (and of the baseline).")
    var epsilon = 0.1

    @Option(help: "UCB1 exploration constant c.")
    var ucbC = 2.0.squareRoot()

    @Option(help: "LinUCB exploration weight α.")
    var alpha = 1.0

    @Option(help: "Context dimension of the contextual bandit (linucb).")
    var contextDim = 5

    @Option(help: "Seed: run r draws its problem from seed + r.")
    var seed: UInt64 = 0

    @OptionGroup var common: RunOptions

    func validate() throws {
        guard (2...1_000_000).contains(arms) else { throw ValidationError("--arms must be in 2...1000000, got \(arms)") }
        guard (1...100_000_000).contains(steps) else { throw ValidationError("--steps must be in 1...100000000, got \(steps)") }
        guard (1...100_000_000).contains(runs) else { throw ValidationError("--runs must be in 1...100000000, got \(runs)") }
        guard (1...10_000).contains(contextDim) else { throw ValidationError("--context-dim must be in 1...10000, got \(contextDim)") }
        guard epsilon.isFinite, (0...1).contains(epsilon) else { throw ValidationError("--epsilon must be in [0, 1], got \(epsilon)") }
        guard ucbC.isFinite, ucbC >= 0 else { throw ValidationError("--ucb-c must be a finite number ≥ 0, got \(ucbC)") }
        guard alpha.isFinite, alpha >= 0 else { throw ValidationError("--alpha must be a finite number ≥ 0, got \(alpha)") }
        guard !common.resume else {
            throw ValidationError("rl bandit keeps no checkpoint (a run takes seconds); run it again with --overwrite instead of --resume.")
        }
        // Curves (3 per algorithm, up to 3 algorithms) and, for linucb, a d×d matrix per arm.
        let curveBytes = Double(steps) * 8 * 9
        let modelBytes = Double(arms) * Double(contextDim) * Double(contextDim + 2) * 8 * (algo == .linucb ? 2 : 0)
        let physical = Double(ProcessInfo.processInfo.physicalMemory)
        guard curveBytes + modelBytes < physical / 2 else {
            throw ValidationError(String(format: "this configuration needs ≈ %.0f GB (--steps %d, --arms %d, --context-dim %d); this machine has %.0f GB, so use smaller values",
                                         (curveBytes + modelBytes) / 1e9, steps, arms, contextDim, physical / 1e9))
        }
    }

    func run() throws {
        common.applyThreads()
        let out = common.outputDirectory(tool: "rl", name: "bandit-\(algo.rawValue)")
        try RunDirectory.prepare(out, resume: false, overwrite: common.overwrite, checkpoint: "none")
        try ResolvedConfig.write(self, name: "slate rl bandit", to: out)
        let start = Date()
        let print: (String) -> Void = common.quiet || common.json ? { _ in } : { Swift.print($0) }
        print("slate rl bandit: algo=\(algo.rawValue) arms=\(arms) steps=\(steps) runs=\(runs) "
              + (algo == .linucb ? "context-dim=\(contextDim) alpha=\(alpha)" : "bandit=\(bandit.rawValue)")
              + " epsilon=\(epsilon) seed=\(seed)")
        // The chosen algorithm, then the ε-greedy baselines run on the same problems.
        var curves = [curves(for: algo)]
        if algo != .epsGreedy { curves.append(self.curves(for: .epsGreedy)) }
        if algo == .linucb { curves.append(self.curves(for: .epsGreedy, linear: true)) }

        for c in curves {
            let name = c.name.padding(toLength: max(26, c.name.count), withPad: " ", startingAt: 0)
            print(name + String(format: " mean reward/step %.4f   cumulative regret %8.2f   optimal arm %5.1f%% (last step)",
                                c.averageReward, c.finalRegret, 100 * c.optimalActionRate.last!))
        }
        let main = curves[0]
        let marks = Set([steps / 10, steps / 4, steps / 2, steps].filter { $0 >= 1 })
        print("step      regret(\(main.name))")
        for t in marks.sorted() { print(String(format: "%-9d %.2f", t, main.cumulativeRegret[t - 1])) }

        let dir = URL(fileURLWithPath: out, isDirectory: true)
        var plot = LinePlot(title: "Cumulative regret, \(arms) arms, mean of \(runs) runs", xLabel: "step",
                            yLabel: "cumulative regret")
        for c in curves { plot.add(c.name, y: c.cumulativeRegret) }
        try plot.write(to: dir.appendingPathComponent("regret.svg"))
        var csv = "step," + curves.map { "\($0.name)_mean_reward,\($0.name)_cumulative_regret" }.joined(separator: ",") + "\n"
        for t in 0..<steps {
            csv += "\(t + 1)," + curves.map { "\($0.meanReward[t]),\($0.cumulativeRegret[t])" }.joined(separator: ",") + "\n"
        }
        try writeAtomically(csv, to: dir.appendingPathComponent("metrics.csv"))
        let metrics = BanditMetrics(algo: algo.rawValue, arms: arms, steps: steps, runs: runs,
                                    meanReward: finite(main.averageReward), cumulativeRegret: finite(main.finalRegret),
                                    optimalActionRate: main.optimalActionRate.last.flatMap(finite),
                                    baselineCumulativeRegret: curves.count > 1 ? finite(curves[1].finalRegret) : nil)
        try RunSummary(tool: "rl", command: "bandit", out: out, wallSeconds: Date().timeIntervalSince(start), metrics: metrics)
            .write(printJSON: common.json)
        print("wrote \(out)/: regret.svg, metrics.csv, config.toml, summary.json")
    }

    /// Learning curves of `algorithm` on the problems this command's options describe.
    /// `linear` picks the linear-model ε-greedy baseline on the contextual bandit.
    private func curves(for algorithm: Algorithm, linear: Bool = false) -> BanditCurves {
        let (k, eps, c, a, d) = (arms, epsilon, ucbC, alpha, contextDim)
        if algo == .linucb {
            return BanditRunner.runContextual(
                steps: steps, runs: runs, seed: seed,
                makeProblem: { LinearContextualBandit(k: k, dimension: d, using: &$0) },
                makeAlgorithm: { problem, _ -> any ContextualBanditAlgorithm in
                    if algorithm == .linucb { return LinUCB(k: problem.k, dimension: problem.dimension, alpha: a) }
                    if linear { return LinearEpsilonGreedy(k: problem.k, dimension: problem.dimension, epsilon: eps) }
                    return ContextFree(EpsilonGreedy(k: problem.k, epsilon: eps))
                })
        }
        let kind = bandit
        return BanditRunner.run(
            steps: steps, runs: runs, seed: seed,
            makeProblem: { rng -> any KArmedBandit in
                kind == .gaussian ? GaussianBandit(k: k, using: &rng) : BernoulliBandit(k: k, using: &rng)
            },
            makeAlgorithm: { k, runSeed -> any BanditAlgorithm in
                switch algorithm {
                case .epsGreedy, .linucb: return EpsilonGreedy(k: k, epsilon: eps)
                case .ucb: return UCB1(k: k, c: c)
                case .thompson:
                    return kind == .gaussian ? GaussianThompson(k: k) : BernoulliThompson(k: k, seed: runSeed)
                }
            })
    }
}

/// `rl bandit`'s headline figures in summary.json: the chosen algorithm's mean reward per step,
/// final cumulative regret and last-step optimal-arm rate, and the ε-greedy baseline's regret.
struct BanditMetrics: Codable {
    var algo: String
    var arms: Int
    var steps: Int
    var runs: Int
    var meanReward: Double?
    var cumulativeRegret: Double?
    var optimalActionRate: Double?
    var baselineCumulativeRegret: Double?

    enum CodingKeys: String, CodingKey {
        case algo, arms, steps, runs, meanReward = "mean_reward", cumulativeRegret = "cumulative_regret"
        case optimalActionRate = "optimal_action_rate", baselineCumulativeRegret = "baseline_cumulative_regret"
    }
}
