import ArgumentParser
import Foundation
import Slate
import SlateDistributed
import SlateRL

/// `slate rl train`: train PPO, DQN or REINFORCE on a registered environment with CleanRL's
/// flags, checkpoint it so it can resume bit for bit, evaluate the greedy policy, and write
/// config.toml, metrics.csv, episodes.csv, eval.csv, returns.svg, policy.safetensors,
/// checkpoint.safetensors and summary.json.
struct RLTrainCommand: ParsableCommand, Exemplified {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train a PPO, DQN or REINFORCE agent and evaluate its greedy policy.",
        discussion: """
        Flags and defaults are CleanRL's for classic control (ppo.py, dqn.py); flags of another \
        algorithm are ignored. PPO bootstraps truncated episodes from V(final observation) unless \
        --no-bootstrap-truncation (CleanRL treats them as terminal). REINFORCE (4 envs, 8 episodes \
        per update, lr 1e-3, learned baseline) has no CleanRL reference. Environments: \
        \(EnvironmentRegistry.ids.joined(separator: ", ")).

        Outputs in --out: config.toml (replays the run), metrics.csv (one row per update), \
        episodes.csv (one row per training episode), eval.csv (the greedy evaluation), returns.svg, \
        policy.safetensors (for `slate rl play`), checkpoint.safetensors (every --save-interval \
        steps and at the end; --resume continues from it) and summary.json; with --capture-every N, \
        videos/step-<step>.cast, a greedy episode every N steps (`asciinema play` replays it).
        """
    )

    static let examples = ["slate rl train --config configs/cartpole-ppo.toml --out runs/cartpole",
                           "slate rl train --algo dqn --env Acrobot-v1 --total-steps 100000",
                           "slate rl train --resume --out runs/cartpole",
                           "mpirun -np 2 --bind-to none slate rl train --distributed --num-envs 2 --out runs/cartpole-2x2",
                           "slate rl train --total-steps 50000 --capture-every 10000 --out runs/cartpole-videos"]

    @OptionGroup var common: RunOptions

    @Option(help: "Environment id.") var env = "CartPole-v1"
    @Option(help: "Algorithm: ppo, dqn or reinforce.") var algo: Algorithm = .ppo
    @Option(help: "Environment steps to train for (CleanRL: 500000).") var totalSteps = 500_000
    @Option(help: "Seed for network init, sampling and environments.") var seed: UInt64 = 1
    @Option(help: "Greedy-policy evaluation episodes after training.") var evalEpisodes = 100
    @Option(help: "Save checkpoint.safetensors every this many environment steps (at the next update).")
    var saveInterval = 50_000
    @Option(help: "Record a greedy evaluation episode every this many environment steps into --out/videos/step-<step>.cast (asciicast v2; default: off).")
    var captureEvery: Int?

    @Option(name: [.customLong("learning-rate"), .customLong("lr")],
            help: "Adam learning rate (default: 2.5e-4 for ppo and dqn, 1e-3 for reinforce).")
    var learningRate: Float?
    @Option(help: "Discount factor γ.") var gamma: Float = 0.99
    @Option(help: ArgumentHelp("Hidden layer widths, comma-separated (default: 64,64 for ppo and reinforce, 120,84 for dqn).",
                               valueName: "sizes"), transform: parseSizes)
    var hiddenSizes: [Int]?

    @Option(help: "PPO, REINFORCE: parallel environments.") var numEnvs = 4
    @Option(help: "PPO, REINFORCE: entropy bonus coefficient.") var entCoef: Float = 0.01
    @Option(help: "PPO, REINFORCE: value-loss coefficient.") var vfCoef: Float = 0.5
    @Option(help: "PPO, REINFORCE: clip the global gradient norm to this.") var maxGradNorm: Float = 0.5
    @Flag(inversion: .prefixedNo, help: "PPO, REINFORCE: normalise advantages per minibatch.") var normAdv = true
    @Flag(inversion: .prefixedNo, help: "PPO, REINFORCE: bootstrap truncated episodes from V(final observation).")
    var bootstrapTruncation = true

    @Option(help: "PPO: steps per environment per rollout.") var numSteps = 128
    @Option(help: "PPO: GAE λ.") var gaeLambda: Float = 0.95
    @Option(help: "PPO: minibatches per epoch.") var numMinibatches = 4
    @Option(help: "PPO: epochs over each rollout.") var updateEpochs = 4
    @Option(help: "PPO: surrogate clipping coefficient ε.") var clipCoef: Float = 0.2
    @Flag(inversion: .prefixedNo, help: "PPO: clip the value loss around the rollout's values.") var clipVloss = true
    @Flag(inversion: .prefixedNo, help: "PPO: anneal the learning rate linearly to 0.") var annealLr = true
    @Option(help: "PPO: stop an update's epochs once the approximate KL exceeds this (default: off).")
    var targetKl: Float?

    @Flag(help: "PPO: data-parallel training under mpirun: each rank steps its own --num-envs environments (seed + rank), gradients are averaged every minibatch, rank 0 alone prints and writes (without mpirun: a plain run).")
    var distributed = false

    @Option(help: "REINFORCE: finished episodes per update.") var episodesPerUpdate = 8

    @Option(help: "DQN: replay buffer capacity.") var bufferSize = 10_000
    @Option(help: "DQN: transitions per gradient step.") var batchSize = 128
    @Option(help: "DQN: steps between target-network updates.") var targetNetworkFrequency = 500
    @Option(help: "DQN: target update coefficient (1: hard copy, < 1: soft update).") var tau: Float = 1
    @Option(help: "DQN: exploration ε at the start.") var startE: Float = 1
    @Option(help: "DQN: exploration ε at the end of the schedule.") var endE: Float = 0.05
    @Option(help: "DQN: fraction of --total-steps over which ε falls from start-e to end-e.")
    var explorationFraction: Float = 0.5
    @Option(help: "DQN: steps of collection before learning starts.") var learningStarts = 10_000
    @Option(help: "DQN: environment steps per gradient step.") var trainFrequency = 10
    @Option(help: "DQN: TD loss, mse (CleanRL) or huber.") var loss: TDLossKind = .mse
    @Flag(help: "DQN: Double-DQN targets.") var doubleDqn = false

    func validate() throws {
        guard totalSteps >= 1 else { throw ValidationError("--total-steps must be at least 1, got \(totalSteps)") }
        guard evalEpisodes >= 1, evalEpisodes <= 10_000_000 else {
            throw ValidationError("--eval-episodes must be in 1...10000000, got \(evalEpisodes)")
        }
        guard saveInterval >= 1 else { throw ValidationError("--save-interval must be at least 1, got \(saveInterval)") }
        guard !distributed || algo == .ppo else {
            throw ValidationError("--distributed trains PPO only, not --algo \(algo.rawValue); use --algo ppo or drop --distributed.")
        }
        if let captureEvery, captureEvery < 1 {
            throw ValidationError("--capture-every must be at least 1 environment step, got \(captureEvery)")
        }
        do { try makeTrainer(validateOnly: true) } catch let error as TrainingConfigurationError {
            throw ValidationError(error.message)
        } catch let error as UnknownEnvironmentError {
            throw ValidationError("unknown --env '\(error.id)'; valid ids: \(error.validIDs.joined(separator: ", "))")
        }
    }

    /// The trainer for the chosen algorithm with these flags; with `validateOnly`, only checks
    /// the configuration (nothing is allocated) and returns nil.
    @discardableResult
    func makeTrainer(validateOnly: Bool = false, dataParallel: DataParallel = .single) throws -> Trainer? {
        let settings = RunSettings(environmentID: env, totalSteps: totalSteps, seed: seed)
        let probe = try makeEnvironment(id: env)
        let (obs, actions) = (probe.observationSpace.flatDimension, probe.actionSpace.n)
        switch algo {
        case .ppo:
            var c = PPOConfig()
            c.learningRate = learningRate ?? c.learningRate
            c.hiddenSizes = hiddenSizes ?? c.hiddenSizes
            (c.numEnvs, c.numSteps, c.gamma, c.gaeLambda) = (numEnvs, numSteps, gamma, gaeLambda)
            (c.numMinibatches, c.updateEpochs, c.clipCoef, c.clipValueLoss) = (numMinibatches, updateEpochs, clipCoef, clipVloss)
            (c.entropyCoef, c.valueCoef, c.maxGradNorm, c.targetKL) = (entCoef, vfCoef, maxGradNorm, targetKl)
            (c.annealLearningRate, c.normalizeAdvantages, c.bootstrapTruncation) = (annealLr, normAdv, bootstrapTruncation)
            if validateOnly { try c.validate(totalSteps: totalSteps, observationSize: obs, actionCount: actions); return nil }
            return try PPOTrainer(settings: settings, config: c, dataParallel: dataParallel)
        case .dqn:
            var c = DQNConfig()
            c.learningRate = learningRate ?? c.learningRate
            c.hiddenSizes = hiddenSizes ?? c.hiddenSizes
            (c.bufferSize, c.batchSize, c.gamma, c.tau, c.targetNetworkFrequency) = (bufferSize, batchSize, gamma, tau, targetNetworkFrequency)
            (c.startEpsilon, c.endEpsilon, c.explorationFraction) = (startE, endE, explorationFraction)
            (c.learningStarts, c.trainFrequency, c.loss, c.doubleDQN) = (learningStarts, trainFrequency, loss, doubleDqn)
            if validateOnly { try c.validate(totalSteps: totalSteps, observationSize: obs, actionCount: actions); return nil }
            return try DQNTrainer(settings: settings, config: c)
        case .reinforce:
            var c = ReinforceConfig()
            c.learningRate = learningRate ?? c.learningRate
            c.hiddenSizes = hiddenSizes ?? c.hiddenSizes
            (c.numEnvs, c.episodesPerUpdate, c.gamma, c.normalizeAdvantages) = (numEnvs, episodesPerUpdate, gamma, normAdv)
            (c.entropyCoef, c.valueCoef, c.maxGradNorm, c.bootstrapTruncation) = (entCoef, vfCoef, maxGradNorm, bootstrapTruncation)
            if validateOnly { try c.validate(totalSteps: totalSteps, observationSize: obs, actionCount: actions); return nil }
            return try ReinforceTrainer(settings: settings, config: c)
        }
    }

    /// This command with the per-algorithm defaults filled in, for config.toml.
    private func resolved(from trainer: Trainer) -> RLTrainCommand {
        var copy = self
        let summary = Dictionary(uniqueKeysWithValues: trainer.configurationSummary)
        copy.learningRate = summary["learning_rate"].flatMap(Float.init)
        copy.hiddenSizes = summary["hidden_sizes"].flatMap { try? parseSizes($0) }
        return copy
    }

    func run() throws {
        let comm = try DistributedRun.start(distributed, common)
        try DistributedRun.run(comm) { try train(comm) }
    }

    /// The run; with `comm`, one rank of a data-parallel PPO run (every rank reads the checkpoint
    /// it resumes from; rank 0 alone prints and writes).
    func train(_ comm: Communicator?) throws {
        let writer = (comm?.rank ?? 0) == 0
        let say: (String) -> Void = common.quiet || common.json || !writer ? { _ in } : { print($0) }
        let out = common.outputDirectory(tool: "rl", name: "\(algo.rawValue)-\(env)")
        if writer { try RunDirectory.prepare(out, resume: common.resume, overwrite: common.overwrite, checkpoint: "checkpoint.safetensors") }
        let dir = URL(fileURLWithPath: out, isDirectory: true)
        let checkpointURL = dir.appendingPathComponent("checkpoint.safetensors")
        let dataParallel = comm.map { DataParallel($0, averager: GradientAverager($0)) } ?? .single
        guard let trainer = try makeTrainer(dataParallel: dataParallel) else { return }
        var saved: TrainingCheckpoint?
        if common.resume {
            let checkpoint = try TrainingCheckpoint(contentsOf: checkpointURL)
            try trainer.restore(from: checkpoint)
            saved = checkpoint
        }
        if let comm {
            let configuration = trainer.configurationSummary.map { "\($0)=\($1)" }.joined(separator: " ")
            try DistributedRun.join(comm, configuration: "\(configuration) resume=\(common.resume) step=\(trainer.globalStep)",
                                    parameters: trainer.checkpointModule.parameters())
        }
        if let comm, !writer { return try trainOtherRank(trainer, comm) }
        let resolvedCommand = resolved(from: trainer)
        try ResolvedConfig.write(resolvedCommand, name: "slate rl train", to: out)
        say("slate rl train — resolved configuration:")
        for (key, value) in trainer.configurationSummary { say("  \(key) = \(value)") }
        say("  threads = \(Threads.count), out = \(out)" + (saved != nil ? ", resuming at step \(trainer.globalStep)" : ""))
        if let comm { say("  distributed: \(comm.size) ranks (\(comm.localSize) on this machine) × num_envs \(numEnvs) = \(comm.size * numEnvs) environments") }

        let showProgress = !common.quiet && !common.json
        let log = try TrainingLog(directory: dir, metrics: trainer.metricColumns.filter { $0 != "global_step" }, totalSteps: totalSteps,
                                  target: ReturnTracker.solvedThreshold(environmentID: env),
                                  progress: showProgress ? ProgressLine(total: totalSteps, label: "train") : nil,
                                  resumingAt: saved != nil ? trainer.globalStep : nil,
                                  previousSeconds: Double(saved?.metadata["cli.elapsed_seconds"] ?? "") ?? 0,
                                  secondsToTarget: Double(saved?.metadata["cli.seconds_to_target"] ?? ""))
        var lastSaved = trainer.globalStep
        let startStep = trainer.globalStep
        try log.logConfig(ResolvedConfig.toml(for: resolvedCommand, name: "slate rl train"))
        var capture = try captureEvery.map {
            try EpisodeCapture(every: $0, out: dir, environmentID: env, seed: seed &+ 1_000_000, title: "\(algo.rawValue) on \(env)",
                               resumingAt: saved != nil ? trainer.globalStep : nil)
        }
        func save() throws {
            var checkpoint = try trainer.checkpoint()
            checkpoint.set("cli.elapsed_seconds", "\(log.elapsed)")
            if let s = log.tracker.targetSeconds { checkpoint.set("cli.seconds_to_target", "\(s)") }
            try checkpoint.write(to: checkpointURL)
            lastSaved = trainer.globalStep
        }
        let stepsTaken: Int
        do {
            stepsTaken = try trainer.train { event in
                try log.handle(event)
                guard case .boundary(let step, _) = event else { return }
                try capture?.boundary(step: step, policy: trainer.greedyPolicy)   // before the save: see EpisodeCapture
                if step - lastSaved >= saveInterval { try save() }
            }
        } catch let error as TrainingDivergedError {
            log.finish()
            let kept = FileManager.default.fileExists(atPath: checkpointURL.path)
                ? "\(checkpointURL.path) holds step \(lastSaved)" : "no checkpoint was saved yet"
            throw CLIError("\(error.description); \(kept).", status: .failure)
        }
        log.finish()
        if let comm { try Replicas.verify(trainer.checkpointModule.parameters(), comm, when: "after training") }
        try save()

        let policy = trainer.greedyPolicy
        let policyURL = dir.appendingPathComponent("policy.safetensors")
        try PolicyCheckpoint.write(module: trainer.checkpointModule, policy: policy, to: policyURL,
                                   extraMetadata: ["seed": "\(seed)", "total_steps": "\(stepsTaken)"])
        let evaluation = try evaluate(policy: policy, environmentID: env, episodes: evalEpisodes, seed: seed &+ 1_000_000)
        var evalCSV = "global_step,episode,episodic_return,episodic_length\n"
        for (i, record) in evaluation.enumerated() {
            evalCSV += "\(stepsTaken),\(i + 1),\(String(format: "%.6g", record.episodicReturn)),\(record.length)\n"
        }
        try writeAtomically(evalCSV, to: dir.appendingPathComponent("eval.csv"))
        let stats = returnStatistics(evaluation)
        try log.writeReturnsPlot(to: dir.appendingPathComponent("returns.svg"), title: "\(algo.rawValue) on \(env), seed \(seed)",
                                 evaluation: (stepsTaken, stats.mean, evalEpisodes))
        let wall = log.sessionSeconds
        let sessionSteps = stepsTaken - startStep
        let target = log.tracker.target
        let metrics = RLTrainMetrics(
            envID: env, algo: algo.rawValue, seed: seed, evalMeanReturn: finite(stats.mean), evalStdReturn: finite(stats.std),
            evalEpisodes: evalEpisodes, totalSteps: stepsTaken, stepsPerSec: finite(Double(sessionSteps) / max(wall, 1e-9)),
            trainingEpisodes: log.tracker.episodes, trainingSeconds: finite(log.elapsed), targetReturn: target,
            stepsToTarget: log.tracker.targetStep, secondsToTarget: log.tracker.targetSeconds.flatMap(finite))
        try RunSummary(tool: "rl", command: "train", out: out, wallSeconds: wall, metrics: metrics).write(printJSON: common.json)
        say(String(format: "evaluation: mean return %.2f ± %.2f over %d greedy episodes", stats.mean, stats.std, evalEpisodes))
        say(String(format: "trained %d steps in %.1f s (%.0f steps/s this session)", stepsTaken, log.elapsed,
                   Double(sessionSteps) / max(wall, 1e-9)))
        if let step = log.tracker.targetStep, let target {
            let when = log.tracker.targetSeconds.map { String(format: " (%.1f s)", $0) } ?? ""
            say(String(format: "rolling mean of 100 training episodes first reached %.0f at step %d", target, step) + when)
        }
        say("wrote \(out)/: policy.safetensors, checkpoint.safetensors, metrics.csv, episodes.csv, eval.csv, returns.svg, config.toml, summary.json"
            + (captureEvery != nil ? ", videos/" : ""))
    }
}

extension RLTrainCommand {
    /// A rank other than 0: trains in step with rank 0, joining its collective checkpoints (rank
    /// 0 writes them), and prints and writes nothing.
    func trainOtherRank(_ trainer: Trainer, _ comm: Communicator) throws {
        var lastSaved = trainer.globalStep
        try trainer.train { event in
            if case .boundary(let step, _) = event, step - lastSaved >= saveInterval {
                _ = try trainer.checkpoint()
                lastSaved = step
            }
        }
        try Replicas.verify(trainer.checkpointModule.parameters(), comm, when: "after training")
        _ = try trainer.checkpoint()
    }
}

/// `rl train`'s headline figures in summary.json (snake_case keys; non-finite values are null).
struct RLTrainMetrics: Codable, SummaryMetrics {
    static let nonNumericKeys: [CodingKeys] = [.envID, .algo]

    var envID: String
    var algo: String
    var seed: UInt64
    var evalMeanReturn: Double?
    var evalStdReturn: Double?
    var evalEpisodes: Int
    var totalSteps: Int
    var stepsPerSec: Double?
    var trainingEpisodes: Int
    var trainingSeconds: Double?
    var targetReturn: Double?
    var stepsToTarget: Int?
    var secondsToTarget: Double?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case envID = "env_id", algo, evalMeanReturn = "eval_mean_return", evalStdReturn = "eval_std_return"
        case evalEpisodes = "eval_episodes", totalSteps = "total_steps", stepsPerSec = "steps_per_sec"
        case trainingEpisodes = "training_episodes", trainingSeconds = "training_seconds", targetReturn = "target_return"
        case stepsToTarget = "steps_to_target", secondsToTarget = "seconds_to_target", seed
    }
}

/// `64,64` -> [64, 64]; an empty string is no hidden layer.
func parseSizes(_ text: String) throws -> [Int] {
    if text.trimmingCharacters(in: .whitespaces).isEmpty { return [] }
    let parts = text.split(separator: ",", omittingEmptySubsequences: false)
    let sizes = parts.compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
    guard sizes.count == parts.count, sizes.allSatisfy({ $0 >= 1 && $0 <= 1 << 20 }) else {
        throw ValidationError("expected comma-separated positive widths up to 1048576, such as 64,64")
    }
    return sizes
}

extension Algorithm: ExpressibleByArgument {}
extension TDLossKind: ExpressibleByArgument {}
