import Foundation
import Slate

/// REINFORCE's hyper-parameters (no CleanRL reference; common CartPole settings).
public struct ReinforceConfig {
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

    public init(settings: RunSettings, config: ReinforceConfig = ReinforceConfig()) throws {
        guard config.numEnvs > 0, config.episodesPerUpdate > 0 else {
            throw TrainingConfigurationError("REINFORCE needs at least one env and one episode per update")
        }
        guard settings.totalSteps > 0 else { throw TrainingConfigurationError("--total-steps must be positive") }
        self.config = config
        self.settings = settings
        envs = try SyncVectorEnv(id: settings.environmentID, count: config.numEnvs)
        obsDim = envs.singleObservationSpace.flatDimension
        actionCount = envs.singleActionSpace.n
        rng = RandomGenerator(seed: settings.seed)
        agent = ActorCritic(observationSize: obsDim, actionCount: actionCount,
                            hiddenSizes: config.hiddenSizes, generator: &rng)
        optimizer = Adam(agent.parameters(), learningRate: config.learningRate)
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

    public var checkpointModule: Module { agent }

    public var greedyPolicy: GreedyNetworkPolicy {
        GreedyNetworkPolicy(network: agent.actor, environmentID: settings.environmentID, algorithm: .reinforce,
                            hiddenSizes: config.hiddenSizes, activation: .tanh)
    }

    /// Steps of complete episodes waiting for the next update, flattened.
    private struct Batch {
        var observations: [Float] = []
        var actions: [Int] = []
        var returns: [Float] = []
        var episodes = 0
    }

    @discardableResult
    public func train(onEvent: (TrainingEvent) -> Void) -> Int {
        let n = config.numEnvs
        var observations = envs.reset(seed: settings.seed)               // (N, obs)
        var running = Array(repeating: (obs: [Float](), actions: [Int](), rewards: [Float]()), count: n)
        var batch = Batch()
        var logProbs = [Float](repeating: 0, count: n * actionCount)      // (N, A)
        var actions = [Int](repeating: 0, count: n)
        var globalStep = 0
        let start = Date()
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
                running[e] = ([], [], [])
                if let record = result.episodes[e] { onEvent(.episode(globalStep: globalStep, record: record)) }
            }
            observations = result.observations
            if batch.episodes >= config.episodesPerUpdate {
                var metrics = update(batch)
                metrics["learning_rate"] = Double(optimizer.learningRate)
                metrics["sps"] = Double(globalStep) / max(Date().timeIntervalSince(start), 1e-9)
                onEvent(.update(globalStep: globalStep, metrics: metrics))
                batch = Batch()
            }
        }
        return globalStep
    }

    /// One gradient step of actor and critic on the batch's steps.
    private func update(_ batch: Batch) -> [String: Double] {
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
        optimizer.zeroGrad()
        loss.backward()
        clipGradNorm(agent.parameters(), maxNorm: config.maxGradNorm)
        optimizer.step()
        return ["policy_loss": Double(stats.policyLoss), "value_loss": Double(valueLoss.item()),
                "entropy": Double(stats.entropy)]
    }
}
