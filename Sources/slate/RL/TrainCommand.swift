import ArgumentParser
import Foundation
import Slate
import SlateRL

/// `slate rl train`: train PPO, DQN or REINFORCE on a registered environment, evaluate the greedy
/// policy, and write policy.safetensors, metrics.csv, returns.svg, config.json and summary.json.
struct RLTrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train a PPO, DQN or REINFORCE agent and evaluate its greedy policy.",
        discussion: """
        Defaults are CleanRL's for classic control.
          ppo: ppo.py — 4 envs × 128 steps, 4 minibatches, 4 epochs, lr 2.5e-4 annealed to 0, \
        γ 0.99, GAE λ 0.95, clip 0.2 (surrogate and value), entropy 0.01, value 0.5, max grad \
        norm 0.5, Adam eps 1e-5, 64-64 tanh actor and critic with orthogonal init; truncated \
        episodes bootstrap from V(final observation) (CleanRL treats them as terminal).
          dqn: dqn.py — replay 10 000, lr 2.5e-4, γ 0.99, batch 128, target copied every 500 \
        steps (τ 1), ε 1 → 0.05 over 50% of the run, learning starts at 10 000, a gradient step \
        every 10 env steps, 120-84 ReLU Q-network, MSE loss.
          reinforce: 4 envs, 8 episodes per update, lr 1e-3, γ 0.99, entropy 0.01, learned \
        baseline (64-64 tanh critic), normalised advantages.
        Environments: \(EnvironmentRegistry.ids.joined(separator: ", ")).
        """
    )

    @Option(help: "Environment id.")
    var env = "CartPole-v1"

    @Option(help: "Algorithm: ppo, dqn or reinforce.")
    var algo = "ppo"

    @Option(name: .customLong("total-steps"), help: "Environment steps to train for (CleanRL: 500000).")
    var totalSteps = 500_000

    @Option(help: "Seed for network init, sampling and environments.")
    var seed: UInt64 = 1

    @OptionGroup var threads: ThreadsOption

    @Option(help: "Output directory (default runs/<env>-<algo>-s<seed>).")
    var out: String?

    @Option(name: .customLong("eval-episodes"), help: "Greedy-policy evaluation episodes after training.")
    var evalEpisodes = 100

    @Option(name: .customLong("learning-rate"), help: "Override the algorithm's learning rate.")
    var learningRate: Float?

    @Option(name: .customLong("num-envs"), help: "PPO/REINFORCE: override the number of parallel envs.")
    var numEnvs: Int?

    @Flag(name: .customLong("no-bootstrap-truncation"),
          help: "PPO/REINFORCE: treat truncation as termination, as CleanRL's ppo.py does.")
    var noBootstrapTruncation = false

    @Option(help: "DQN: TD loss, mse (CleanRL) or huber (diverges on CartPole with CleanRL's other settings, in PyTorch too).")
    var loss = "mse"

    @Flag(name: .customLong("double-dqn"), help: "DQN: Double-DQN targets.")
    var doubleDQN = false

    @Option(help: "DQN: target update coefficient (1 = hard copy, < 1 = soft update).")
    var tau: Float = 1

    @Option(name: .customLong("learning-starts"), help: "DQN: steps before learning begins (default 10000).")
    var learningStarts: Int?

    @Flag(help: "No progress line.")
    var quiet = false

    func validate() throws {
        guard Algorithm(rawValue: algo) != nil else {
            throw ValidationError("unknown --algo '\(algo)'; use one of \(Algorithm.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard EnvironmentRegistry.ids.contains(env) else {
            throw ValidationError("unknown --env '\(env)'; valid ids: \(EnvironmentRegistry.ids.joined(separator: ", "))")
        }
        guard totalSteps > 0 else { throw ValidationError("--total-steps must be positive, got \(totalSteps)") }
        guard evalEpisodes >= 1 else { throw ValidationError("--eval-episodes must be at least 1, got \(evalEpisodes)") }
        guard TDLossKind(rawValue: loss) != nil else { throw ValidationError("--loss must be mse or huber, got \(loss)") }
        if let learningRate { guard learningRate > 0 else { throw ValidationError("--learning-rate must be positive") } }
        if let numEnvs { guard numEnvs >= 1 else { throw ValidationError("--num-envs must be at least 1") } }
    }

    /// The trainer for the chosen algorithm with CleanRL's defaults and the given overrides.
    func makeTrainer() throws -> Trainer {
        let settings = RunSettings(environmentID: env, totalSteps: totalSteps, seed: seed)
        switch Algorithm(rawValue: algo)! {
        case .ppo:
            var c = PPOConfig()
            if let learningRate { c.learningRate = learningRate }
            if let numEnvs { c.numEnvs = numEnvs }
            c.bootstrapTruncation = !noBootstrapTruncation
            return try PPOTrainer(settings: settings, config: c)
        case .dqn:
            var c = DQNConfig()
            if let learningRate { c.learningRate = learningRate }
            if let learningStarts { c.learningStarts = learningStarts }
            c.loss = TDLossKind(rawValue: loss)!
            c.doubleDQN = doubleDQN
            c.tau = tau
            return try DQNTrainer(settings: settings, config: c)
        case .reinforce:
            var c = ReinforceConfig()
            if let learningRate { c.learningRate = learningRate }
            if let numEnvs { c.numEnvs = numEnvs }
            c.bootstrapTruncation = !noBootstrapTruncation
            return try ReinforceTrainer(settings: settings, config: c)
        }
    }

    func run() throws {
        threads.apply()
        let trainer = try makeTrainer()
        let outDir = URL(fileURLWithPath: out ?? "runs/\(env)-\(algo)-s\(seed)")
        try FileManager.default.createDirectory(at: outDir, withIntermediateDirectories: true)
        var config = trainer.configurationSummary
        config += [("threads", "\(Threads.count)"), ("eval_episodes", "\(evalEpisodes)"), ("out", outDir.path)]
        print("slate rl train — resolved configuration:")
        for (key, value) in config { print("  \(key) = \(value)") }
        try writeJSON(Dictionary(uniqueKeysWithValues: config.map { ($0.0, $0.1 as Any) }), to: outDir.appendingPathComponent("config.json"))

        let log = TrainingLog(columns: MetricName.columns, totalSteps: totalSteps,
                              target: ReturnTracker.solvedThreshold(environmentID: env),
                              progress: quiet ? nil : ProgressLine(total: totalSteps, label: "train"),
                              csvURL: outDir.appendingPathComponent("metrics.csv"))
        let stepsTaken = trainer.train(onEvent: log.handle)
        try log.finish()
        let wall = log.elapsed

        let policy = trainer.greedyPolicy
        let policyURL = outDir.appendingPathComponent("policy.safetensors")
        try PolicyCheckpoint.write(module: trainer.checkpointModule, policy: policy, to: policyURL,
                                   extraMetadata: ["seed": "\(seed)", "total_steps": "\(stepsTaken)"])
        let evaluation = try evaluate(policy: policy, environmentID: env, episodes: evalEpisodes,
                                      seed: seed &+ 1_000_000)
        let stats = returnStatistics(evaluation)
        try log.writeReturnsPlot(to: outDir.appendingPathComponent("returns.svg"), title: "\(algo) on \(env), seed \(seed)")
        var summary: [String: Any] = [
            "env_id": env, "algo": algo, "seed": seed,
            "eval_mean_return": stats.mean, "eval_std_return": stats.std, "eval_episodes": evalEpisodes,
            "total_steps": stepsTaken, "wall_seconds": wall, "steps_per_sec": Double(stepsTaken) / max(wall, 1e-9),
            "training_episodes": log.tracker.episodes,
        ]
        if let target = log.tracker.target {
            summary["target_return"] = target
            summary["steps_to_target"] = log.tracker.targetStep.map { $0 as Any } ?? NSNull()
            summary["seconds_to_target"] = log.tracker.targetSeconds.map { $0 as Any } ?? NSNull()
        }
        try writeJSON(summary, to: outDir.appendingPathComponent("summary.json"))
        print(String(format: "evaluation: mean return %.2f ± %.2f over %d greedy episodes", stats.mean, stats.std, evalEpisodes))
        print(String(format: "trained %d steps in %.1f s (%.0f steps/s)", stepsTaken, wall, Double(stepsTaken) / max(wall, 1e-9)))
        if let step = log.tracker.targetStep, let seconds = log.tracker.targetSeconds, let target = log.tracker.target {
            print(String(format: "rolling mean of 100 training episodes first reached %.0f at step %d (%.1f s)", target, step, seconds))
        }
        print("wrote \(policyURL.path), metrics.csv, returns.svg, config.json, summary.json")
    }
}
