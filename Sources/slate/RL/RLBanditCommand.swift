import ArgumentParser
import Foundation
import Slate
import SlateRL

/// `slate rl bandit`: average learning curves of a bandit algorithm over many random problems.
struct RLBanditCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bandit",
        abstract: "Run a bandit algorithm on random problems; print mean reward and cumulative regret, write regret.svg.",
        discussion: """
        eps-greedy, ucb and thompson play Sutton & Barto's k-armed testbed (arm means ~ N(0,1), \
        rewards ~ N(mean, 1); --bandit bernoulli for 0/1 arms with uniform probabilities). linucb \
        plays a linear contextual bandit (unit-vector contexts of --context-dim dimensions). The \
        curves are averaged over --runs problems; ε-greedy (and for linucb a linear-model ε-greedy) is run on the same problems as a baseline.
        """
    )

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

    @Option(help: "UCB1 exploration constant c (default √2).")
    var ucbC = 2.0.squareRoot()

    @Option(help: "LinUCB exploration weight α.")
    var alpha = 1.0

    @Option(help: "Context dimension of the contextual bandit (linucb).")
    var contextDim = 5

    @Option(help: "Seed: run r draws its problem from seed + r.")
    var seed: UInt64 = 0

    @Option(help: "Directory for regret.svg and regret.csv.")
    var out = "."

    func validate() throws {
        guard arms >= 2 else { throw ValidationError("--arms must be at least 2, got \(arms)") }
        guard steps >= 1, runs >= 1 else { throw ValidationError("--steps and --runs must be at least 1") }
        guard (0...1).contains(epsilon) else { throw ValidationError("--epsilon must be in [0, 1], got \(epsilon)") }
        guard contextDim >= 1 else { throw ValidationError("--context-dim must be at least 1") }
    }

    func run() throws {
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
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        var plot = LinePlot(title: "Cumulative regret, \(arms) arms, mean of \(runs) runs", xLabel: "step",
                            yLabel: "cumulative regret")
        for c in curves { plot.add(c.name, y: c.cumulativeRegret) }
        try plot.write(to: dir.appendingPathComponent("regret.svg"))
        var csv = "step," + curves.map { "\($0.name)_mean_reward,\($0.name)_cumulative_regret" }.joined(separator: ",") + "\n"
        for t in 0..<steps {
            csv += "\(t + 1)," + curves.map { "\($0.meanReward[t]),\($0.cumulativeRegret[t])" }.joined(separator: ",") + "\n"
        }
        try writeAtomically(csv, to: dir.appendingPathComponent("regret.csv"))
        print("wrote \(dir.appendingPathComponent("regret.svg").path) and regret.csv")
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
