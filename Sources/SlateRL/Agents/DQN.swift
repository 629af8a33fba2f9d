import Foundation
import Slate

/// DQN's hyper-parameters; the defaults are CleanRL's `dqn.py` for classic control.
public struct DQNConfig: Sendable {
    public var learningRate: Float = 2.5e-4
    /// Replay buffer capacity.
    public var bufferSize = 10_000
    public var gamma: Float = 0.99
    /// Target update coefficient: 1 copies the online network (hard update), < 1 is Polyak
    /// averaging (soft update) every `targetNetworkFrequency` steps.
    public var tau: Float = 1
    /// Steps between target-network updates.
    public var targetNetworkFrequency = 500
    public var batchSize = 128
    /// ε-greedy schedule: linear from `startEpsilon` to `endEpsilon` over
    /// `explorationFraction · totalSteps`, then constant.
    public var startEpsilon: Float = 1
    public var endEpsilon: Float = 0.05
    public var explorationFraction: Float = 0.5
    /// Steps of pure ε-greedy collection before learning begins.
    public var learningStarts = 10_000
    /// Environment steps per gradient step.
    public var trainFrequency = 10
    /// Hidden widths of the ReLU Q-network.
    public var hiddenSizes = [120, 84]
    /// TD regression loss (CleanRL: MSE).
    public var loss: TDLossKind = .mse
    /// Double DQN (van Hasselt et al. 2016): the online network picks the next action, the
    /// target network values it.
    public var doubleDQN = false

    public init() {}

    /// Checks every value (finite, in range) and the memory of the replay buffer and networks
    /// for an environment with `observationSize` values and `actionCount` actions, before anything
    /// is allocated. Throws ``TrainingConfigurationError`` naming the flag.
    public func validate(totalSteps: Int, observationSize: Int, actionCount: Int) throws {
        try ConfigCheck.positive(learningRate, "learning-rate")
        try ConfigCheck.atLeast(bufferSize, 1, "buffer-size")
        try ConfigCheck.atLeast(batchSize, 1, "batch-size")
        try ConfigCheck.atLeast(targetNetworkFrequency, 1, "target-network-frequency")
        try ConfigCheck.atLeast(trainFrequency, 1, "train-frequency")
        try ConfigCheck.atLeast(learningStarts, 0, "learning-starts")
        try ConfigCheck.value(gamma, "gamma", in: 0...1)
        try ConfigCheck.value(tau, "tau", in: 0...1, exclusiveLow: true)
        try ConfigCheck.value(startEpsilon, "start-e", in: 0...1)
        try ConfigCheck.value(endEpsilon, "end-e", in: 0...1)
        try ConfigCheck.value(explorationFraction, "exploration-fraction", in: 0...1)
        try ConfigCheck.hiddenSizes(hiddenSizes)
        // Two observations, action, reward and flag per transition; online and target networks.
        let perTransition = try ConfigCheck.product([2 * observationSize + 3, 8], "a transition")
        let buffer = try ConfigCheck.product([bufferSize, perTransition], "the replay buffer (--buffer-size \(bufferSize))")
        let network = try ConfigCheck.networkBytes([observationSize] + hiddenSizes + [actionCount], batch: batchSize, copies: 6)
        try ConfigCheck.memory(try ConfigCheck.sum([buffer, network], "the run"),
                               "the replay buffer and networks (--buffer-size \(bufferSize), --batch-size \(batchSize), --hidden-sizes \(hiddenSizes.map(String.init).joined(separator: ",")))")
    }

    /// ε at `step` of a run of `totalSteps`.
    public func epsilon(at step: Int, totalSteps: Int) -> Float {
        let duration = explorationFraction * Float(totalSteps)
        guard duration > 0 else { return endEpsilon }
        let slope = (endEpsilon - startEpsilon) / duration
        return Swift.max(slope * Float(step) + startEpsilon, endEpsilon)
    }
}

/// Deep Q-learning (Mnih et al. 2015) as CleanRL's `dqn.py`: one environment, ε-greedy
/// collection into a replay buffer, TD targets from a periodically updated target network.
/// Truncated transitions bootstrap from the real final observation; only `terminated` zeroes
/// the target's future term.
public final class DQNTrainer: Trainer {
    public let config: DQNConfig
    public let settings: RunSettings
    /// The online Q-network.
    public let qNetwork: QNetwork
    /// The target Q-network.
    public let targetNetwork: QNetwork
    private let envs: SyncVectorEnv
    private let optimizer: Adam
    private var rng: RandomGenerator
    private let obsDim: Int
    private let actionCount: Int
    /// Where the run stands: environment steps and gradient steps taken, the transitions kept,
    /// and the observation the agent acts on next (`nil` before the first reset).
    public private(set) var globalStep = 0
    public private(set) var gradientSteps = 0
    private var buffer: ReplayBuffer
    private var observation: [Float]?

    public init(settings: RunSettings, config: DQNConfig = DQNConfig()) throws {
        let environment = try settings.resolvedEnvironment()   // yours, or the built-in id's
        try config.validate(totalSteps: settings.totalSteps, observationSize: environment.observationSpace.flatDimension,
                            actionCount: environment.actionSpace.n)
        guard settings.totalSteps > 0 else { throw TrainingConfigurationError("--total-steps must be positive") }
        self.config = config
        self.settings = settings
        envs = try environment.makeVector(count: 1)
        obsDim = envs.singleObservationSpace.flatDimension
        actionCount = envs.singleActionSpace.n
        rng = RandomGenerator(seed: settings.seed)
        qNetwork = QNetwork(observationSize: obsDim, actionCount: actionCount,
                            hiddenSizes: config.hiddenSizes, generator: &rng)
        targetNetwork = QNetwork(observationSize: obsDim, actionCount: actionCount,
                                 hiddenSizes: config.hiddenSizes, generator: &rng)
        targetNetwork.update(from: qNetwork)
        optimizer = Adam(qNetwork.parameters(), learningRate: config.learningRate)
        buffer = ReplayBuffer(capacity: config.bufferSize, observationSize: obsDim)
    }

    public var configurationSummary: [(String, String)] {
        [("algo", "dqn"), ("env", settings.environmentID), ("total_steps", "\(settings.totalSteps)"),
         ("seed", "\(settings.seed)"), ("learning_rate", "\(config.learningRate)"),
         ("buffer_size", "\(config.bufferSize)"), ("gamma", "\(config.gamma)"), ("tau", "\(config.tau)"),
         ("target_network_frequency", "\(config.targetNetworkFrequency)"), ("batch_size", "\(config.batchSize)"),
         ("start_e", "\(config.startEpsilon)"), ("end_e", "\(config.endEpsilon)"),
         ("exploration_fraction", "\(config.explorationFraction)"), ("learning_starts", "\(config.learningStarts)"),
         ("train_frequency", "\(config.trainFrequency)"),
         ("hidden_sizes", config.hiddenSizes.map(String.init).joined(separator: ",")),
         ("loss", config.loss.rawValue), ("double_dqn", "\(config.doubleDQN)")]
    }

    public let metricColumns = ["global_step", "update", "td_loss", "q_values", "epsilon", "learning_rate", "sps"]

    public var checkpointModule: Module { qNetwork }

    public var greedyPolicy: GreedyNetworkPolicy {
        GreedyNetworkPolicy(network: qNetwork.network, environmentID: settings.environmentID, algorithm: .dqn,
                            hiddenSizes: config.hiddenSizes, activation: .relu)
    }

    /// Settings a resumed run must share with the checkpoint.
    static let architectureKeys = ["algo", "env", "hidden_sizes", "buffer_size"]

    public func checkpoint() throws -> TrainingCheckpoint {
        var c = try TrainingCheckpoint(configuration: configurationSummary, optimizer: optimizer, globalStep: globalStep,
                                       update: gradientSteps, rng: rng, envs: observation == nil ? nil : envs)
        c.put(module: qNetwork, prefix: "q_network")
        c.put(module: targetNetwork, prefix: "target_network")
        buffer.save(into: &c, prefix: "replay")
        return c
    }

    public func restore(from c: TrainingCheckpoint) throws {
        (globalStep, gradientSteps, rng, observation) = try c.restoreCommon(
            configuration: configurationSummary, keys: DQNTrainer.architectureKeys, optimizer: optimizer, envs: envs)
        try c.load(module: qNetwork, prefix: "q_network")
        try c.load(module: targetNetwork, prefix: "target_network")
        try buffer.load(from: c, prefix: "replay")
    }

    @discardableResult
    public func train(onEvent: (TrainingEvent) throws -> Void) throws -> Int {
        var observation = self.observation ?? envs.reset(seed: settings.seed)   // (1, obs)
        self.observation = observation
        let start = Date(), startStep = globalStep
        while globalStep < settings.totalSteps {
            let step = globalStep                                        // CleanRL's 0-based step
            let epsilon = config.epsilon(at: step, totalSteps: settings.totalSteps)
            let action: Int
            if rng.nextFloat() < epsilon {
                action = rng.nextInt(actionCount)
            } else {
                let q = withNoGrad { qNetwork.network(Tensor(observation, shape: [1, obsDim])) }  // (1, A)
                action = argmax(q.pointer, count: actionCount)
            }
            let result = envs.step([action])
            let realNext = result.finalObservations[0] ?? result.observations
            buffer.add(observation: observation, nextObservation: realNext, action: action,
                       reward: Float(result.rewards[0]), terminated: result.terminated[0])
            observation = result.observations
            globalStep += 1
            if let record = result.episodes[0] { try onEvent(.episode(globalStep: globalStep, record: record)) }

            if step > config.learningStarts {
                if step % config.trainFrequency == 0 {
                    let (loss, meanQ) = trainStep(buffer: buffer)
                    gradientSteps += 1
                    try requireFinite(loss, "TD loss", at: "update \(gradientSteps) (global step \(globalStep))")
                    if step % 100 == 0 {
                        try onEvent(.update(globalStep: globalStep, metrics: [
                            "update": Double(gradientSteps), "td_loss": Double(loss), "q_values": Double(meanQ),
                            "epsilon": Double(epsilon), "learning_rate": Double(optimizer.learningRate),
                            "sps": Double(globalStep - startStep) / max(Date().timeIntervalSince(start), 1e-9)]))
                    }
                }
                if step % config.targetNetworkFrequency == 0 {
                    targetNetwork.update(from: qNetwork, tau: config.tau)
                }
            }
            self.observation = observation
            try onEvent(.boundary(globalStep: globalStep, update: gradientSteps))
        }
        return globalStep
    }

    /// One gradient step on a sampled batch; returns the TD loss and the mean Q of the taken actions.
    func trainStep(buffer: ReplayBuffer) -> (loss: Float, meanQ: Float) {
        let batch = buffer.sample(config.batchSize, generator: &rng)
        let b = config.batchSize
        let targets: [Float] = withNoGrad {
            let nextTarget = targetNetwork.network(batch.nextObservations)          // (B, A)
            let chooser = config.doubleDQN ? qNetwork.network(batch.nextObservations) : nextTarget
            return (0..<b).map { i in
                let row = i * actionCount
                let next = argmax(chooser.pointer + row, count: actionCount)
                let future = batch.terminated[i] ? 0 : nextTarget.pointer[row + next]
                return batch.rewards[i] + config.gamma * future
            }
        }
        let q = qNetwork.network(batch.observations)                                // (B, A)
        let loss = q.temporalDifferenceLoss(actions: batch.actions, targets: targets, kind: config.loss)
        var meanQ: Float = 0
        for i in 0..<b { meanQ += q.pointer[i * actionCount + batch.actions[i]] }
        optimizer.zeroGrad()
        loss.backward()
        optimizer.step()
        return (loss.item(), meanQ / Float(b))
    }
}
