import Foundation
import Slate

/// REINFORCE's hyper-parameters (no CleanRL reference; common CartPole settings).
public struct ReinforceConfig: Sendable {
    /// Parallel environments collecting episodes.
    public var numEnvs = 4
    /// Complete episodes per policy update.
    public var episodesPerUpdate = 8
    /// Adam learning rate for actor and critic.
    public var learningRate: Float = 1e-3
    public var gamma: Float = 0.99
    /// Normalise `G - V(s)` over each update's batch.
    public var normalizeAdvantages = true
    public var entropyCoef: Float = 0.01
    public var valueCoef: Float = 0.5
    public var maxGradNorm: Float = 0.5
    /// Hidden widths of the actor and critic MLPs (tanh).
    public var hiddenSizes = [64, 64]
    /// Start a truncated episode's returns from V(final observation) instead of 0.
    public var bootstrapTruncation = true

    public init() {}

    /// Checks every value (finite, in range) and the memory of the networks and environments for
    /// an environment with `observationSize` values and `actionCount` actions, before anything is
    /// allocated. Throws ``TrainingConfigurationError`` naming the flag.
    public func validate(totalSteps: Int, observationSize: Int, actionCount: Int) throws {
        try ConfigCheck.atLeast(numEnvs, 1, "num-envs")
        try ConfigCheck.atLeast(episodesPerUpdate, 1, "episodes-per-update")
        try ConfigCheck.positive(learningRate, "learning-rate")
        try ConfigCheck.value(gamma, "gamma", in: 0...1)
        try ConfigCheck.nonNegative(entropyCoef, "ent-coef")
        try ConfigCheck.nonNegative(valueCoef, "vf-coef")
        try ConfigCheck.positive(maxGradNorm, "max-grad-norm")
        try ConfigCheck.hiddenSizes(hiddenSizes)
        // Environments with their running episodes (≈ 1000 steps each), both networks on a batch
        // of `episodesPerUpdate` such episodes.
        let envs = try ConfigCheck.product([numEnvs, 1000, observationSize + 3, 4], "the environments (--num-envs \(numEnvs))")
        let batch = try ConfigCheck.product([episodesPerUpdate, 1000], "the update batch")
        let actor = try ConfigCheck.networkBytes([observationSize] + hiddenSizes + [actionCount], batch: batch)
        let critic = try ConfigCheck.networkBytes([observationSize] + hiddenSizes + [1], batch: batch)
        try ConfigCheck.memory(try ConfigCheck.sum([envs, actor, critic], "the run"),
                               "the environments and networks (--num-envs \(numEnvs), --episodes-per-update \(episodesPerUpdate), --hidden-sizes \(hiddenSizes.map(String.init).joined(separator: ",")))")
    }
}

/// REINFORCE (Williams 1992) with a learned state-value baseline: the policy gradient
/// `-(G_t - V(s_t)) ∇ log π(a_t|s_t)` over complete episodes, the critic regressed on `G_t`.
///
/// Episodes come from a vector env; when `episodesPerUpdate` have finished, the policy and the
/// baseline take one gradient step on all their steps. Episodes still running at an update
/// finish under the new policy (a small off-policy lag, as in most vectorised REINFORCE code).
public final class ReinforceTrainer: Trainer {
    public let config: ReinforceConfig
    public let settings: RunSettings
    /// The policy (actor) and the baseline (critic).
    public let agent: ActorCritic
    private let envs: SyncVectorEnv
    private let optimizer: Adam
    private var rng: RandomGenerator
    private let obsDim: Int
    private let actionCount: Int
    /// Where the run stands: environment steps and updates done, the observations the agent acts
    /// on next (`nil` before the first reset) and each env's unfinished episode.
    public private(set) var globalStep = 0
    public private(set) var updates = 0
    private var observations: [Float]?
    private var running: [RunningEpisode]

    /// The steps of an episode still being played in one env.
    private struct RunningEpisode {
        var obs: [Float] = []
        var actions: [Int] = []
        var rewards: [Float] = []
    }

    public init(settings: RunSettings, config: ReinforceConfig = ReinforceConfig()) throws {
        let environment = try settings.resolvedEnvironment()   // yours, or the built-in id's
        try config.validate(totalSteps: settings.totalSteps, observationSize: environment.observationSpace.flatDimension,
                            actionCount: environment.actionSpace.n)
        guard settings.totalSteps > 0 else { throw TrainingConfigurationError("--total-steps must be positive") }
        self.config = config
        self.settings = settings
        envs = try environment.makeVector(count: config.numEnvs)
        obsDim = envs.singleObservationSpace.flatDimension
        actionCount = envs.singleActionSpace.n
        rng = RandomGenerator(seed: settings.seed)
        agent = ActorCritic(observationSize: obsDim, actionCount: actionCount,
                            hiddenSizes: config.hiddenSizes, generator: &rng)
        optimizer = Adam(agent.parameters(), learningRate: config.learningRate)
        running = Array(repeating: RunningEpisode(), count: config.numEnvs)
    }

    public var configurationSummary: [(String, String)] {
        [("algo", "reinforce"), ("env", settings.environmentID), ("total_steps", "\(settings.totalSteps)"),
         ("seed", "\(settings.seed)"), ("num_envs", "\(config.numEnvs)"),
         ("episodes_per_update", "\(config.episodesPerUpdate)"), ("learning_rate", "\(config.learningRate)"),
         ("gamma", "\(config.gamma)"), ("norm_adv", "\(config.normalizeAdvantages)"),
         ("ent_coef", "\(config.entropyCoef)"), ("vf_coef", "\(config.valueCoef)"),
         ("max_grad_norm", "\(config.maxGradNorm)"),
         ("hidden_sizes", config.hiddenSizes.map(String.init).joined(separator: ",")),
         ("bootstrap_truncation", "\(config.bootstrapTruncation)")]
    }

    public let metricColumns = ["global_step", "update", "policy_loss", "value_loss", "entropy", "grad_norm",
                                "learning_rate", "sps"]

    public var checkpointModule: Module { agent }

    public var greedyPolicy: GreedyNetworkPolicy {
        GreedyNetworkPolicy(network: agent.actor, environmentID: settings.environmentID, algorithm: .reinforce,
                            hiddenSizes: config.hiddenSizes, activation: .tanh)
    }

    /// Settings a resumed run must share with the checkpoint.
    static let architectureKeys = ["algo", "env", "hidden_sizes", "num_envs"]

    public func checkpoint() throws -> TrainingCheckpoint {
        var c = try TrainingCheckpoint(configuration: configurationSummary, optimizer: optimizer, globalStep: globalStep,
                                       update: updates, rng: rng, envs: observations == nil ? nil : envs)
        c.put(module: agent, prefix: "agent")
        for (e, episode) in running.enumerated() {
            c.set("running.\(e).observations", floats: episode.obs)
            c.set("running.\(e).actions", ints: episode.actions)
            c.set("running.\(e).rewards", floats: episode.rewards)
        }
        return c
    }

    public func restore(from c: TrainingCheckpoint) throws {
        (globalStep, updates, rng, observations) = try c.restoreCommon(
            configuration: configurationSummary, keys: ReinforceTrainer.architectureKeys, optimizer: optimizer, envs: envs)
        try c.load(module: agent, prefix: "agent")
        for e in 0..<running.count {
            let episode = RunningEpisode(obs: try c.floats("running.\(e).observations"),
                                         actions: try c.ints("running.\(e).actions"),
                                         rewards: try c.floats("running.\(e).rewards"))
            guard episode.obs.count == episode.actions.count * obsDim, episode.rewards.count == episode.actions.count,
                  episode.actions.allSatisfy({ (0..<actionCount).contains($0) }) else {
                throw TrainingCheckpointError("\(c.source): the saved running episode of env \(e) is inconsistent; start again with --overwrite")
            }
            running[e] = episode
        }
    }

    /// Steps of complete episodes waiting for the next update, flattened.
    private struct Batch {
        var observations: [Float] = []
        var actions: [Int] = []
        var returns: [Float] = []
        var episodes = 0
    }

    @discardableResult
    public func train(onEvent: (TrainingEvent) throws -> Void) throws -> Int {
        let n = config.numEnvs
        var observations = self.observations ?? envs.reset(seed: settings.seed)   // (N, obs)
        self.observations = observations
        var batch = Batch()
        var logProbs = [Float](repeating: 0, count: n * actionCount)      // (N, A)
        var actions = [Int](repeating: 0, count: n)
        let start = Date(), startStep = globalStep
        while globalStep < settings.totalSteps {
            globalStep += n
            let logits = withNoGrad { agent.actor(Tensor(observations, shape: [n, obsDim])) }  // (N, A)
            sampleActions(logits: logits.pointer, rows: n, actionCount: actionCount,
                          logProbs: &logProbs, actions: &actions, generator: &rng)
            let result = envs.step(actions)
            for e in 0..<n {
                running[e].obs.append(contentsOf: observations[(e * obsDim)..<((e + 1) * obsDim)])
                running[e].actions.append(actions[e])
                running[e].rewards.append(Float(result.rewards[e]))
                guard result.done(e) else { continue }
                var bootstrap: Float = 0
                if result.truncated[e] && !result.terminated[e] && config.bootstrapTruncation,
                   let final = result.finalObservations[e] {
                    bootstrap = withNoGrad { agent.critic(Tensor(final, shape: [1, obsDim])).item() }
                }
                batch.observations += running[e].obs
                batch.actions += running[e].actions
                batch.returns += discountedReturns(rewards: running[e].rewards, gamma: config.gamma,
                                                   bootstrapValue: bootstrap)
                batch.episodes += 1
                running[e] = RunningEpisode()
                if let record = result.episodes[e] { try onEvent(.episode(globalStep: globalStep, record: record)) }
            }
            observations = result.observations
            if batch.episodes >= config.episodesPerUpdate {
                updates += 1
                var metrics = try update(batch)
                metrics["update"] = Double(updates)
                metrics["learning_rate"] = Double(optimizer.learningRate)
                metrics["sps"] = Double(globalStep - startStep) / max(Date().timeIntervalSince(start), 1e-9)
                self.observations = observations
                try onEvent(.update(globalStep: globalStep, metrics: metrics))
                try onEvent(.boundary(globalStep: globalStep, update: updates))
                batch = Batch()
            }
        }
        self.observations = observations
        return globalStep
    }

    /// One gradient step of actor and critic on the batch's steps.
    private func update(_ batch: Batch) throws -> [String: Double] {
        let rows = batch.actions.count
        let x = Tensor(batch.observations, shape: [rows, obsDim])          // (S, obs)
        let values = agent.critic(x)                                        // (S, 1)
        var advantages = zip(batch.returns, values.toArray()).map { $0 - $1 }
        if config.normalizeAdvantages { advantages = normalized(advantages) }
        let (policyLoss, stats) = agent.actor(x).policyGradientLoss(         // (S, A) -> ()
            actions: batch.actions, oldLogProbs: [], advantages: advantages, objective: .vanilla,
            entropyCoef: config.entropyCoef)
        let valueLoss = values.valueLoss(returns: batch.returns)
        let loss = policyLoss + valueLoss * config.valueCoef
        let lossValue = loss.item()
        try requireFinite(lossValue, "loss", at: "update \(updates) (global step \(globalStep))")
        optimizer.zeroGrad()
        loss.backward()
        let norm = clipGradNorm(agent.parameters(), maxNorm: config.maxGradNorm)
        try requireFinite(norm, "gradient norm", at: "update \(updates) (global step \(globalStep))")
        optimizer.step()
        return ["policy_loss": Double(stats.policyLoss), "value_loss": Double(valueLoss.item()),
                "entropy": Double(stats.entropy), "grad_norm": Double(norm)]
    }
}
