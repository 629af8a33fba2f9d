import Foundation
import Slate

/// PPO's hyper-parameters; the defaults are CleanRL's `ppo.py` for classic control.
public struct PPOConfig: Sendable {
    /// Parallel environments (`--num-envs`).
    public var numEnvs = 4
    /// Steps per environment per rollout (`--num-steps`).
    public var numSteps = 128
    /// Adam learning rate, linearly annealed to 0 when `annealLearningRate`.
    public var learningRate: Float = 2.5e-4
    public var annealLearningRate = true
    /// Adam epsilon (CleanRL: 1e-5, not PyTorch's 1e-8).
    public var adamEpsilon: Float = 1e-5
    public var gamma: Float = 0.99
    public var gaeLambda: Float = 0.95
    /// Minibatches per epoch; minibatch size = numEnvs·numSteps / numMinibatches.
    public var numMinibatches = 4
    public var updateEpochs = 4
    public var normalizeAdvantages = true
    /// Surrogate clipping ε.
    public var clipCoef: Float = 0.2
    /// Clip the value loss around the rollout's values with the same ε.
    public var clipValueLoss = true
    public var entropyCoef: Float = 0.01
    public var valueCoef: Float = 0.5
    /// Global gradient-norm clip over actor and critic.
    public var maxGradNorm: Float = 0.5
    /// Stop an update's epochs early once the approximate KL exceeds this (CleanRL: off).
    public var targetKL: Float?
    /// Hidden layer sizes of both MLPs (tanh).
    public var hiddenSizes = [64, 64]
    /// Bootstrap truncated episodes from V(final observation) (CleanRL does not).
    public var bootstrapTruncation = true

    public init() {}

    /// Samples per rollout, `numEnvs · numSteps`.
    public var batchSize: Int { numEnvs * numSteps }
    /// Samples per minibatch.
    public var minibatchSize: Int { batchSize / numMinibatches }

    /// Checks every value (finite, in range), the size products (no overflow) and the memory
    /// the run needs on an environment with `observationSize` values and `actionCount` actions,
    /// before anything is allocated. Throws ``TrainingConfigurationError`` naming the flag.
    public func validate(totalSteps: Int, observationSize: Int, actionCount: Int) throws {
        try ConfigCheck.atLeast(numEnvs, 1, "num-envs")
        try ConfigCheck.atLeast(numSteps, 1, "num-steps")
        try ConfigCheck.atLeast(numMinibatches, 1, "num-minibatches")
        try ConfigCheck.atLeast(updateEpochs, 1, "update-epochs")
        try ConfigCheck.positive(learningRate, "learning-rate")
        try ConfigCheck.positive(adamEpsilon, "adam-eps")
        try ConfigCheck.value(gamma, "gamma", in: 0...1)
        try ConfigCheck.value(gaeLambda, "gae-lambda", in: 0...1)
        try ConfigCheck.positive(clipCoef, "clip-coef")
        try ConfigCheck.nonNegative(entropyCoef, "ent-coef")
        try ConfigCheck.nonNegative(valueCoef, "vf-coef")
        try ConfigCheck.positive(maxGradNorm, "max-grad-norm")
        if let targetKL { try ConfigCheck.positive(targetKL, "target-kl") }
        try ConfigCheck.hiddenSizes(hiddenSizes)
        let batch = try ConfigCheck.product([numEnvs, numSteps], "the rollout (--num-envs × --num-steps)")
        guard batch % numMinibatches == 0, numMinibatches <= batch else {
            throw TrainingConfigurationError("--num-minibatches (\(numMinibatches)) must divide the rollout of --num-envs × --num-steps = \(batch) samples")
        }
        guard totalSteps >= batch else {
            throw TrainingConfigurationError("--total-steps \(totalSteps) is less than one PPO rollout (--num-envs × --num-steps = \(batch) steps); use at least \(batch)")
        }
        // The rollout (observations and six per-sample arrays), the environments, two networks.
        let rollout = try ConfigCheck.product([batch, observationSize + 8, 4], "the rollout")
        let envs = try ConfigCheck.product([numEnvs, 512 + 8 * observationSize], "the environments")
        let actor = try ConfigCheck.networkBytes([observationSize] + hiddenSizes + [actionCount], batch: batch / numMinibatches)
        let critic = try ConfigCheck.networkBytes([observationSize] + hiddenSizes + [1], batch: batch / numMinibatches)
        try ConfigCheck.memory(try ConfigCheck.sum([rollout, envs, actor, critic], "the run"),
                               "the rollout, environments and networks (--num-envs \(numEnvs), --num-steps \(numSteps), --hidden-sizes \(hiddenSizes.map(String.init).joined(separator: ",")))")
    }
}

/// Proximal Policy Optimization (Schulman et al. 2017) for discrete actions, following CleanRL's
/// `ppo.py`: a synchronous vector env, GAE, clipped surrogate and value losses, entropy bonus,
/// minibatch epochs, global gradient clipping, linear LR annealing, orthogonal init — plus
/// bootstrapping truncated episodes from the critic's value of their final observation.
///
/// Data-parallel over N replicas (as CleanRL's `ppo_atari_multigpu.py`): replica r steps its own
/// `numEnvs` environments, samples actions and shuffles its rollout with seed + r, and seeds its
/// environments seed + r·numEnvs + i (so the N·numEnvs environments get the seeds one process
/// with N·numEnvs environments would). Each minibatch's advantages are normalised over all
/// replicas' minibatches, the gradients are averaged before clipping, and every replica takes the
/// same step, so a minibatch of N·b samples over N replicas updates the weights as one process
/// would. Episodes are gathered at the end of each rollout and reported on every replica; the
/// caller makes the replicas' parameters identical before training (broadcast replica 0's).
public final class PPOTrainer: Trainer {
    public let config: PPOConfig
    public let settings: RunSettings
    /// How this trainer cooperates with its replicas (`.single`: one process).
    public let dataParallel: DataParallel
    /// The actor and critic being trained.
    public let agent: ActorCritic
    private let envs: SyncVectorEnv
    private let optimizer: Adam
    private var rng: RandomGenerator
    private let obsDim: Int
    private let actionCount: Int
    /// Where the run stands: environment steps, finished iterations, the observations the agent
    /// acts on next (`nil` before the first reset).
    public private(set) var globalStep = 0
    public private(set) var iteration = 0
    private var observations: [Float]?

    /// A trainer for `settings` and `config`, one replica of `dataParallel` (`settings.totalSteps`
    /// counts every replica's steps).
    public init(settings: RunSettings, config: PPOConfig = PPOConfig(), dataParallel: DataParallel = .single) throws {
        let environment = try settings.resolvedEnvironment()   // yours, or the built-in id's
        try config.validate(totalSteps: settings.totalSteps, observationSize: environment.observationSpace.flatDimension,
                            actionCount: environment.actionSpace.n)
        let global = config.batchSize * dataParallel.count
        guard settings.totalSteps >= global else {
            throw TrainingConfigurationError("--total-steps \(settings.totalSteps) is less than one rollout of \(dataParallel.count) ranks × --num-envs × --num-steps = \(global) steps; use at least \(global)")
        }
        self.config = config
        self.settings = settings
        self.dataParallel = dataParallel
        envs = try environment.makeVector(count: config.numEnvs)
        obsDim = envs.singleObservationSpace.flatDimension
        actionCount = envs.singleActionSpace.n
        rng = RandomGenerator(seed: settings.seed &+ UInt64(dataParallel.rank))
        agent = ActorCritic(observationSize: obsDim, actionCount: actionCount,
                            hiddenSizes: config.hiddenSizes, generator: &rng)
        optimizer = Adam(agent.parameters(), learningRate: config.learningRate,
                         eps: config.adamEpsilon)
    }

    public var configurationSummary: [(String, String)] {
        [("algo", "ppo"), ("env", settings.environmentID), ("total_steps", "\(settings.totalSteps)"),
         ("seed", "\(settings.seed)"), ("num_envs", "\(config.numEnvs)"), ("num_steps", "\(config.numSteps)"),
         ("learning_rate", "\(config.learningRate)"), ("anneal_lr", "\(config.annealLearningRate)"),
         ("adam_eps", "\(config.adamEpsilon)"), ("gamma", "\(config.gamma)"), ("gae_lambda", "\(config.gaeLambda)"),
         ("num_minibatches", "\(config.numMinibatches)"), ("update_epochs", "\(config.updateEpochs)"),
         ("norm_adv", "\(config.normalizeAdvantages)"), ("clip_coef", "\(config.clipCoef)"),
         ("clip_vloss", "\(config.clipValueLoss)"), ("ent_coef", "\(config.entropyCoef)"),
         ("vf_coef", "\(config.valueCoef)"), ("max_grad_norm", "\(config.maxGradNorm)"),
         ("target_kl", config.targetKL.map { "\($0)" } ?? "none"),
         ("hidden_sizes", config.hiddenSizes.map(String.init).joined(separator: ",")),
         ("bootstrap_truncation", "\(config.bootstrapTruncation)")]
    }

    public let metricColumns = ["global_step", "update", "policy_loss", "value_loss", "entropy", "approx_kl",
                                "clipfrac", "explained_variance", "grad_norm", "learning_rate", "sps"]

    public var checkpointModule: Module { agent }

    public var greedyPolicy: GreedyNetworkPolicy {
        GreedyNetworkPolicy(network: agent.actor, environmentID: settings.environmentID, algorithm: .ppo,
                            hiddenSizes: config.hiddenSizes, activation: .tanh)
    }

    /// Settings a resumed run must share with the checkpoint.
    static let architectureKeys = ["algo", "env", "hidden_sizes", "num_envs"]

    /// The training state; with several replicas, a collective call (every replica calls it at
    /// the same boundary) whose result on replica 0 also holds every other replica's generator and
    /// environments, under `rank<r>.`.
    public func checkpoint() throws -> TrainingCheckpoint {
        var c = try TrainingCheckpoint(configuration: configurationSummary, optimizer: optimizer, globalStep: globalStep,
                                       update: iteration, rng: rng, envs: observations == nil ? nil : envs)
        c.put(module: agent, prefix: "agent")
        if dataParallel.count > 1 { try c.gatherReplicaState(dataParallel) }
        return c
    }

    public func restore(from c: TrainingCheckpoint) throws {
        let mine = try c.replicaState(dataParallel)
        (globalStep, iteration, rng, observations) = try mine.restoreCommon(
            configuration: configurationSummary, keys: PPOTrainer.architectureKeys, optimizer: optimizer, envs: envs)
        try mine.load(module: agent, prefix: "agent")
    }

    /// Critic values of `observations` `(rows, obs)` -> `(rows)`, no autograd.
    private func values(_ observations: [Float], rows: Int) -> [Float] {
        withNoGrad { agent.critic(Tensor(observations, shape: [rows, obsDim])).toArray() }
    }

    @discardableResult
    public func train(onEvent: (TrainingEvent) throws -> Void) throws -> Int {
        let n = config.numEnvs, steps = config.numSteps
        let iterations = settings.totalSteps / (config.batchSize * dataParallel.count)
        var rollout = Rollout(steps: steps, envs: n, obsDim: obsDim)
        var observations = self.observations ?? envs.reset(seed: settings.seed &+ UInt64(dataParallel.rank * n))   // (N, obs)
        self.observations = observations
        var logProbs = [Float](repeating: 0, count: n * actionCount)     // (N, A)
        var actions = [Int](repeating: 0, count: n)
        var episodes: [Double] = []          // (step, return, length) per episode, with several replicas
        let start = Date(), startStep = globalStep
        while iteration < iterations {
            iteration += 1
            if config.annealLearningRate {
                optimizer.learningRate = config.learningRate * (1 - Float(iteration - 1) / Float(iterations))
            }
            for t in 0..<steps {
                globalStep += n * dataParallel.count
                let (logits, stepValues): ([Float], [Float]) = withNoGrad {
                    let x = Tensor(observations, shape: [n, obsDim])       // (N, obs)
                    return (agent.actor(x).toArray(), agent.critic(x).toArray())  // (N, A), (N, 1)
                }
                logits.withUnsafeBufferPointer { z in
                    sampleActions(logits: z.baseAddress!, rows: n, actionCount: actionCount,
                                  logProbs: &logProbs, actions: &actions, generator: &rng)
                }
                let result = envs.step(actions)
                for e in 0..<n {
                    let i = t * n + e
                    rollout.store(i, observation: observations[(e * obsDim)..<((e + 1) * obsDim)],
                                  action: actions[e], logProb: logProbs[e * actionCount + actions[e]],
                                  value: stepValues[e], reward: Float(result.rewards[e]),
                                  terminated: result.terminated[e], truncated: result.truncated[e])
                    if result.truncated[e] && !result.terminated[e] && config.bootstrapTruncation,
                       let final = result.finalObservations[e] {
                        rollout.truncationValues[i] = values(final, rows: 1)[0]
                    } else if result.truncated[e] && !result.terminated[e] {
                        rollout.terminated[i] = true                     // CleanRL's behaviour
                    }
                    if let record = result.episodes[e] {
                        if dataParallel.count == 1 { try onEvent(.episode(globalStep: globalStep, record: record)) }
                        else { episodes += [Double(globalStep), record.episodicReturn, Double(record.length)] }
                    }
                }
                observations = result.observations
            }
            if dataParallel.count > 1 {
                for event in allEpisodes(episodes) { try onEvent(event) }
                episodes.removeAll()
            }
            let estimate = generalizedAdvantages(
                rewards: rollout.rewards, values: rollout.values, terminated: rollout.terminated,
                truncated: rollout.truncated, truncationValues: rollout.truncationValues,
                lastValues: values(observations, rows: n), numEnvs: n,
                gamma: config.gamma, lambda: config.gaeLambda)
            var metrics = try optimize(rollout: rollout, estimate: estimate)
            self.observations = observations
            metrics["update"] = Double(iteration)
            metrics["learning_rate"] = Double(optimizer.learningRate)
            metrics["sps"] = Double(globalStep - startStep) / max(Date().timeIntervalSince(start), 1e-9)
            try onEvent(.update(globalStep: globalStep, metrics: metrics))
            try onEvent(.boundary(globalStep: globalStep, update: iteration))
        }
        return globalStep
    }

    /// `updateEpochs` passes of shuffled minibatches over the rollout (fewer when the approximate
    /// KL passes `targetKL`); returns the last minibatch's losses (as CleanRL logs them), its
    /// gradient norm before clipping and the rollout's explained variance.
    private func optimize(rollout: Rollout, estimate: AdvantageEstimate) throws -> [String: Double] {
        let batch = config.batchSize, mb = config.minibatchSize
        let samples = PPOSamples(observations: rollout.observations, obsDim: obsDim, actions: rollout.actions,
                                 logProbs: rollout.logProbs, values: rollout.values,
                                 advantages: estimate.advantages, returns: estimate.returns)
        var last = PPOStepResult()
        for _ in 0..<config.updateEpochs {
            let order = shuffledIndices(batch, generator: &rng)
            let minibatches = stride(from: 0, to: batch, by: mb).map { order[$0..<($0 + mb)] }
            let moments = dataParallel.count > 1 && config.normalizeAdvantages   // the epoch's, over all ranks
                ? advantageMoments(estimate.advantages, minibatches: minibatches, dataParallel: dataParallel) : nil
            for (k, idx) in minibatches.enumerated() {
                last = try ppoMinibatchStep(agent: agent, optimizer: optimizer, config: config, samples: samples, indices: idx,
                                            advantageMoments: moments?[k], dataParallel: dataParallel, check: checkFinite)
            }
            last = last.averaged(over: dataParallel)                 // the same figures on every replica
            if let targetKL = config.targetKL, last.stats.approxKL > targetKL { break }
        }
        return ["policy_loss": Double(last.stats.policyLoss), "value_loss": Double(last.valueLoss),
                "entropy": Double(last.stats.entropy), "approx_kl": Double(last.stats.approxKL),
                "clipfrac": Double(last.stats.clipFraction), "grad_norm": Double(last.gradNorm),
                "explained_variance": explainedVariance(predicted: rollout.values, target: estimate.returns, over: dataParallel)]
    }

    /// Every replica's episodes of this rollout as events, ordered by global step, then replica;
    /// `mine` holds (global step, return, length) triples.
    private func allEpisodes(_ mine: [Double]) -> [TrainingEvent] {
        var events: [(step: Int, rank: Int, index: Int, record: EpisodeRecord)] = []
        for (rank, part) in dataParallel.gather(mine).enumerated() {
            for i in stride(from: 0, to: part.count - 2, by: 3) {
                events.append((Int(part[i]), rank, i, EpisodeRecord(episodicReturn: part[i + 1], length: Int(part[i + 2]))))
            }
        }
        events.sort { ($0.step, $0.rank, $0.index) < ($1.step, $1.rank, $1.index) }
        return events.map { .episode(globalStep: $0.step, record: $0.record) }
    }

    private func checkFinite(_ value: Float, _ quantity: String) throws {
        try requireFinite(value, quantity, at: "update \(iteration) (global step \(globalStep))")
    }
}

/// `1 - Var(target - predicted) / Var(target)` (CleanRL's `explained_variance`); NaN if the
/// targets are constant. Over several replicas (each with as many samples), the variances are
/// those of all replicas' samples, from averaged first and second moments.
func explainedVariance(predicted: [Float], target: [Float], over dataParallel: DataParallel = .single) -> Double {
    let y = target.map(Double.init), d = zip(y, predicted).map { $0 - Double($1) }
    guard dataParallel.count > 1 else {
        let varY = Statistics.variance(y, correction: 0)
        guard varY > 0 else { return .nan }
        return 1 - Statistics.variance(d, correction: 0) / varY
    }
    let n = Double(y.count)
    let m = dataParallel.averageValues([y.reduce(0, +) / n, y.reduce(0) { $0 + $1 * $1 } / n,
                                        d.reduce(0, +) / n, d.reduce(0) { $0 + $1 * $1 } / n])
    let varY = m[1] - m[0] * m[0], varD = m[3] - m[2] * m[2]     // E[x²] − E[x]²
    guard varY > 0 else { return .nan }
    return 1 - varD / varY
}

/// A rollout flattened for the update: every array `(T·N)`, observations `(T·N, obs)`.
package struct PPOSamples {
    package var observations: [Float]
    package var obsDim: Int
    package var actions: [Int]
    package var logProbs, values, advantages, returns: [Float]

    package init(observations: [Float], obsDim: Int, actions: [Int], logProbs: [Float], values: [Float],
                 advantages: [Float], returns: [Float]) {
        (self.observations, self.obsDim, self.actions, self.logProbs) = (observations, obsDim, actions, logProbs)
        (self.values, self.advantages, self.returns) = (values, advantages, returns)
    }
}

/// What one PPO minibatch step reports.
package struct PPOStepResult {
    package var stats = PolicyLossStats()
    package var valueLoss: Float = 0
    /// The global gradient norm before clipping (after averaging over the replicas).
    package var gradNorm: Float = 0

    /// The losses and statistics averaged over the replicas (the gradient norm is already equal).
    func averaged(over dataParallel: DataParallel) -> PPOStepResult {
        guard dataParallel.count > 1 else { return self }
        let s = stats
        let m = dataParallel.averageValues([s.policyLoss, s.entropy, s.approxKL, s.clipFraction, valueLoss].map(Double.init)).map(Float.init)
        var out = self
        (out.stats.policyLoss, out.stats.entropy, out.stats.approxKL, out.stats.clipFraction, out.valueLoss) = (m[0], m[1], m[2], m[3], m[4])
        return out
    }
}

/// One PPO step on the minibatch `indices` of `samples`: clipped surrogate, entropy bonus and
/// (clipped) value loss, L = L_clip − c_e·H + c_v·L_V; backward; gradients averaged over the
/// replicas, then clipped to a global norm of `maxGradNorm`; one optimizer step. With several
/// replicas, advantages are normalised with `advantageMoments`, those of the union of the
/// replicas' minibatches (``advantageMoments(_:minibatches:dataParallel:)``), so N replicas with
/// b samples each step as one process with those N·b samples; without, with this minibatch's own.
/// `check` vets the loss and the gradient norm.
package func ppoMinibatchStep(agent: ActorCritic, optimizer: Optimizer, config: PPOConfig, samples: PPOSamples,
                              indices idx: ArraySlice<Int>, advantageMoments moments: (mean: Float, std: Float)? = nil,
                              dataParallel: DataParallel, check: (Float, String) throws -> Void) throws -> PPOStepResult {
    let params = agent.parameters()
    let x = gatherRows(samples.observations, width: samples.obsDim, indices: idx)   // (mb, obs)
    var advantages = idx.map { samples.advantages[$0] }
    if config.normalizeAdvantages {
        advantages = moments.map { m in advantages.map { ($0 - m.mean) / (m.std + 1e-8) } } ?? normalized(advantages)
    }
    let (policyLoss, stats) = agent.actor(x).policyGradientLoss(         // (mb, A) -> ()
        actions: idx.map { samples.actions[$0] }, oldLogProbs: idx.map { samples.logProbs[$0] },
        advantages: advantages, objective: .clipped(epsilon: config.clipCoef),
        entropyCoef: config.entropyCoef)
    let valueLoss = agent.critic(x).valueLoss(                            // (mb, 1) -> ()
        returns: idx.map { samples.returns[$0] }, oldValues: idx.map { samples.values[$0] },
        clip: config.clipValueLoss ? config.clipCoef : nil)
    let loss = policyLoss + valueLoss * config.valueCoef
    try check(loss.item(), "loss")
    for p in params { p.zeroGrad() }
    loss.backward()
    dataParallel.averageGradients(params)
    let norm = clipGradNorm(params, maxNorm: config.maxGradNorm)
    try check(norm, "gradient norm")
    optimizer.step()
    return PPOStepResult(stats: stats, valueLoss: valueLoss.item(), gradNorm: norm)
}

/// One PPO rollout, every array `(T, N)` row-major (observations `(T, N, obs)`).
struct Rollout {
    var observations: [Float]
    var actions: [Int]
    var logProbs: [Float]
    var values: [Float]
    var rewards: [Float]
    var terminated: [Bool]
    var truncated: [Bool]
    var truncationValues: [Float]
    let obsDim: Int

    init(steps: Int, envs: Int, obsDim: Int) {
        let count = steps * envs
        observations = Array(repeating: 0, count: count * obsDim)
        actions = Array(repeating: 0, count: count)
        logProbs = Array(repeating: 0, count: count)
        values = Array(repeating: 0, count: count)
        rewards = Array(repeating: 0, count: count)
        terminated = Array(repeating: false, count: count)
        truncated = Array(repeating: false, count: count)
        truncationValues = Array(repeating: 0, count: count)
        self.obsDim = obsDim
    }

    mutating func store(_ i: Int, observation: ArraySlice<Float>, action: Int, logProb: Float,
                        value: Float, reward: Float, terminated: Bool, truncated: Bool) {
        observations.replaceSubrange((i * obsDim)..<((i + 1) * obsDim), with: observation)
        actions[i] = action
        logProbs[i] = logProb
        values[i] = value
        rewards[i] = reward
        self.terminated[i] = terminated
        self.truncated[i] = truncated
        truncationValues[i] = 0
    }
}
