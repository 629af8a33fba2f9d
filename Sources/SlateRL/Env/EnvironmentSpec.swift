import Foundation

/// Everything a trainer needs to know about an environment, and how to make fresh copies of it.
///
/// This is how your own ``Environment`` reaches PPO, DQN and REINFORCE: describe it once with a
/// factory, and the trainers build their networks from its spaces, make as many copies as they
/// run in parallel, and judge "solved" by its threshold. No registry is involved.
///
/// ```swift
/// let spec = EnvironmentSpec(solvedThreshold: 0.9) { Corridor(length: 6) }
/// let trainer = try PPOTrainer(settings: RunSettings(environment: spec, totalSteps: 20_000, seed: 1))
/// try trainer.train { _ in }
/// ```
///
/// The built-in environments have specs too: ``builtIn(_:)`` (`"CartPole-v1"`, ...).
public struct EnvironmentSpec: Sendable {
    /// The environment's id, e.g. `"CartPole-v1"`; saved with trained policies.
    public let id: String
    /// Shape and bounds of one observation.
    public let observationSpace: BoxSpace
    /// The actions `0..<actionSpace.n`.
    public let actionSpace: DiscreteSpace
    /// The time limit of one episode (`nil` = none).
    public let maxEpisodeSteps: Int?
    /// The mean return over 100 training episodes that counts as solved (Gymnasium's
    /// `reward_threshold`), or `nil` when there is none.
    public let solvedThreshold: Double?
    /// Makes a fresh copy of the environment, not yet reset. Every call must return a new
    /// instance: a vector env steps its copies independently.
    public let make: @Sendable () -> any Environment

    /// A spec for the environment `make` builds; its id, spaces and time limit are read off one
    /// instance made here.
    public init(solvedThreshold: Double? = nil, make: @escaping @Sendable () -> any Environment) {
        let probe = make()
        id = probe.id
        observationSpace = probe.observationSpace
        actionSpace = probe.actionSpace
        maxEpisodeSteps = probe.maxEpisodeSteps
        self.solvedThreshold = solvedThreshold
        self.make = make
    }

    /// The spec of a built-in environment (`EnvironmentRegistry.ids`), with Gymnasium's solved
    /// threshold. Throws `UnknownEnvironmentError` for any other id.
    public static func builtIn(_ id: String) throws -> EnvironmentSpec {
        let entry = try EnvironmentRegistry.entry(id: id)
        return EnvironmentSpec(solvedThreshold: entry.solvedThreshold, make: entry.make)
    }

    /// `count` fresh copies in a vector env.
    func makeVector(count: Int, statisticsWindow: Int = 100) throws -> SyncVectorEnv {
        guard count > 0 else { throw VectorEnvError(message: "--num-envs must be at least 1, got \(count)") }
        return try SyncVectorEnv((0..<count).map { _ in make() }, statisticsWindow: statisticsWindow)
    }
}
