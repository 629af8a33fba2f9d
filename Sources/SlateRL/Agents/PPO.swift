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
public final class PPOTrainer: Trainer {
    public let config: PPOConfig
    public let settings: RunSettings
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

    public init(settings: RunSettings, config: PPOConfig = PPOConfig()) throws {
        let environment = try settings.resolvedEnvironment()   // yours, or the built-in id's
        try config.validate(totalSteps: settings.totalSteps, observationSize: environment.observationSpace.flatDimension,
                            actionCount: environment.actionSpace.n)
        self.config = config
        self.settings = settings
        envs = try environment.makeVector(count: config.numEnvs)
        obsDim = envs.singleObservationSpace.flatDimension
        actionCount = envs.singleActionSpace.n
        rng = RandomGenerator(seed: settings.seed)
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

    public func checkpoint() throws -> TrainingCheckpoint {
        var c = try TrainingCheckpoint(configuration: configurationSummary, optimizer: optimizer, globalStep: globalStep,
                                       update: iteration, rng: rng, envs: observations == nil ? nil : envs)
        c.put(module: agent, prefix: "agent")
        return c
    }

    public func restore(from c: TrainingCheckpoint) throws {
        (globalStep, iteration, rng, observations) = try c.restoreCommon(
            configuration: configurationSummary, keys: PPOTrainer.architectureKeys, optimizer: optimizer, envs: envs)
        try c.load(module: agent, prefix: "agent")
    }

    /// Critic values of `observations` `(rows, obs)` -> `(rows)`, no autograd.
    private func values(_ observations: [Float], rows: Int) -> [Float] {
        withNoGrad { agent.critic(Tensor(observations, shape: [rows, obsDim])).toArray() }
    }

    @discardableResult
    public func train(onEvent: (TrainingEvent) throws -> Void) throws -> Int {
        let n = config.numEnvs, steps = config.numSteps
        let iterations = settings.totalSteps / config.batchSize
        var rollout = Rollout(steps: steps, envs: n, obsDim: obsDim)
        var observations = self.observations ?? envs.reset(seed: settings.seed)   // (N, obs)
        self.observations = observations
        var logProbs = [Float](repeating: 0, count: n * actionCount)     // (N, A)
        var actions = [Int](repeating: 0, count: n)
        let start = Date(), startStep = globalStep
        while iteration < iterations {
            iteration += 1
            if config.annealLearningRate {
                optimizer.learningRate = config.learningRate * (1 - Float(iteration - 1) / Float(iterations))
            }
            for t in 0..<steps {
                globalStep += n
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
                    if let record = result.episodes[e] { try onEvent(.episode(globalStep: globalStep, record: record)) }
                }
                observations = result.observations
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
        let params = agent.parameters()
        var last = PolicyLossStats(), lastValueLoss: Float = 0, lastNorm: Float = 0
        for _ in 0..<config.updateEpochs {
            let order = shuffledIndices(batch, generator: &rng)
            for startIndex in stride(from: 0, to: batch, by: mb) {
                let idx = order[startIndex..<(startIndex + mb)]
                let x = gatherRows(rollout.observations, width: obsDim, indices: idx)   // (mb, obs)
                var advantages = idx.map { estimate.advantages[$0] }
                if config.normalizeAdvantages { advantages = normalized(advantages) }
                let (policyLoss, stats) = agent.actor(x).policyGradientLoss(         // (mb, A) -> ()
                    actions: idx.map { rollout.actions[$0] }, oldLogProbs: idx.map { rollout.logProbs[$0] },
                    advantages: advantages, objective: .clipped(epsilon: config.clipCoef),
                    entropyCoef: config.entropyCoef)
                let valueLoss = agent.critic(x).valueLoss(                            // (mb, 1) -> ()
                    returns: idx.map { estimate.returns[$0] }, oldValues: idx.map { rollout.values[$0] },
                    clip: config.clipValueLoss ? config.clipCoef : nil)
                let loss = policyLoss + valueLoss * config.valueCoef
                try checkFinite(loss.item(), "loss")
                for p in params { p.zeroGrad() }
                loss.backward()
                lastNorm = clipGradNorm(params, maxNorm: config.maxGradNorm)
                try checkFinite(lastNorm, "gradient norm")
                optimizer.step()
                last = stats
                lastValueLoss = valueLoss.item()
            }
            if let targetKL = config.targetKL, last.approxKL > targetKL { break }
        }
        return ["policy_loss": Double(last.policyLoss), "value_loss": Double(lastValueLoss),
                "entropy": Double(last.entropy), "approx_kl": Double(last.approxKL),
                "clipfrac": Double(last.clipFraction), "grad_norm": Double(lastNorm),
                "explained_variance": explainedVariance(predicted: rollout.values, target: estimate.returns)]
    }

    private func checkFinite(_ value: Float, _ quantity: String) throws {
        try requireFinite(value, quantity, at: "update \(iteration) (global step \(globalStep))")
    }
}

/// `1 - Var(target - predicted) / Var(target)` (CleanRL's `explained_variance`); NaN if the
/// targets are constant.
func explainedVariance(predicted: [Float], target: [Float]) -> Double {
    func variance(_ x: [Double]) -> Double {
        let m = x.reduce(0, +) / Double(x.count)
        return x.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(x.count)
    }
    let y = target.map(Double.init)
    let varY = variance(y)
    guard varY > 0 else { return .nan }
    return 1 - variance(zip(y, predicted).map { $0 - Double($1) }) / varY
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
