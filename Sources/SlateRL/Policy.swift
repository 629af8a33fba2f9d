import Slate

/// Anything that picks a discrete action from an observation: a random policy, or a trained
/// network loaded from a checkpoint (the agents implement this for their greedy policies).
public protocol Policy: AnyObject {
    /// The action to take for `observation` (a float32 vector of the env's observation space).
    func act(observation: [Float]) -> Int
}

/// Uniformly random actions, from a seeded generator.
public final class RandomPolicy: Policy {
    public let actionSpace: DiscreteSpace
    private var rng: RandomGenerator

    public init(actionSpace: DiscreteSpace, seed: UInt64? = nil) {
        self.actionSpace = actionSpace
        rng = seed.map(RandomGenerator.init(seed:)) ?? .fromEntropy()
    }

    public func act(observation: [Float]) -> Int { actionSpace.sample(using: &rng) }
}

/// Runs one episode of `policy` in `env` from `reset(seed:)` until terminated or truncated,
/// calling `onStep` after the reset (with `nil`) and after every step, so a caller can draw
/// frames. Returns the episode's return and length.
@discardableResult
public func runEpisode(_ env: any Environment, policy: any Policy, seed: UInt64? = nil,
                       onStep: (StepResult?) -> Void = { _ in }) -> EpisodeRecord {
    var observation = env.reset(seed: seed).observation
    onStep(nil)
    var record = EpisodeRecord(episodicReturn: 0, length: 0)
    while true {
        let result = env.step(policy.act(observation: observation))
        record.episodicReturn += result.reward
        record.length += 1
        onStep(result)
        if result.done { return record }
        observation = result.observation
    }
}
