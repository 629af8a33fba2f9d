import Slate

/// One finished episode's statistics, as Gymnasium's `RecordEpisodeStatistics` puts in
/// `info["episode"]`: the undiscounted return `r` and the length `l`.
public struct EpisodeRecord: Equatable, Sendable {
    /// Sum of the episode's rewards.
    public var episodicReturn: Double
    /// Number of steps in the episode.
    public var length: Int

    public init(episodicReturn: Double, length: Int) {
        self.episodicReturn = episodicReturn
        self.length = length
    }
}

/// Extra information returned beside an observation, like Gymnasium's `info` dict, but typed.
public struct StepInfo: Sendable {
    /// Set when a wrapper or vector env auto-reset this env in the same step: the last
    /// observation of the finished episode (the returned observation is already the new episode's
    /// first one). Bootstrap a *truncated* episode from the value of this observation.
    public var finalObservation: [Float]?
    /// Set on the step that ends an episode by `RecordEpisodeStatistics` or a vector env.
    public var episode: EpisodeRecord?
    /// Environment-specific scalars (e.g. GridWorld's "position"); empty for classic control.
    public var values: [String: Double]

    public init(finalObservation: [Float]? = nil, episode: EpisodeRecord? = nil,
                values: [String: Double] = [:]) {
        self.finalObservation = finalObservation
        self.episode = episode
        self.values = values
    }
}

/// What one `step` returns, with `terminated` and `truncated` kept apart as in Gymnasium:
///
/// - `terminated`: the MDP reached a terminal state (the pole fell, the car reached the flag).
///   The value of what follows is 0 — do not bootstrap.
/// - `truncated`: the episode was cut for an outside reason (the time limit). The state is not
///   terminal; a value-based target should bootstrap from the value of `observation`.
///
/// Both can be true at once (a terminal state reached on the last allowed step).
public struct StepResult: Sendable {
    /// The next observation (float32, like Gymnasium's classic-control observations).
    public var observation: [Float]
    public var reward: Double
    public var terminated: Bool
    public var truncated: Bool
    public var info: StepInfo

    public init(observation: [Float], reward: Double, terminated: Bool, truncated: Bool,
                info: StepInfo = StepInfo()) {
        self.observation = observation
        self.reward = reward
        self.terminated = terminated
        self.truncated = truncated
        self.info = info
    }

    /// The episode is over (either way); call `reset` before stepping again.
    public var done: Bool { terminated || truncated }
}

/// The scalar part of a step, for the allocation-free `step(_:into:)`.
public struct Transition: Equatable, Sendable {
    public var reward: Double
    public var terminated: Bool
    public var truncated: Bool

    public init(reward: Double, terminated: Bool, truncated: Bool) {
        self.reward = reward
        self.terminated = terminated
        self.truncated = truncated
    }

    public var done: Bool { terminated || truncated }
}

/// A reinforcement-learning environment in Gymnasium's shape.
///
/// Environments are classes (reference semantics): a vector env holds many of them, a wrapper
/// holds one, and stepping mutates the one instance everybody sees. Actions are discrete
/// (`actionSpace: DiscreteSpace`); observations are float32 vectors in `observationSpace`.
///
/// The time limit is built in: `maxEpisodeSteps` (500 for CartPole-v1, 200 for MountainCar-v0,
/// 500 for Acrobot-v1) sets `truncated` on the step that reaches it, like Gymnasium's `TimeLimit`.
///
/// Conformers implement the two buffer-writing primitives; the array-returning `reset(seed:)` and
/// `step(_:)` come for free from an extension.
public protocol Environment: AnyObject {
    /// Registry id, e.g. `"CartPole-v1"`.
    var id: String { get }
    /// Shape and bounds of observations; `observationSpace.flatDimension` values per observation.
    var observationSpace: BoxSpace { get }
    /// The actions `0..<actionSpace.n`.
    var actionSpace: DiscreteSpace { get }
    /// Time limit: the step at which `truncated` becomes true (`nil` = no limit).
    var maxEpisodeSteps: Int? { get }
    /// Steps taken since the last reset.
    var elapsedSteps: Int { get }

    /// Starts a new episode and writes its first observation into `observation`
    /// (`observationSpace.flatDimension` floats). A non-nil `seed` reseeds the env's generator,
    /// as Gymnasium's `reset(seed=)`; `nil` continues the current stream.
    func reset(seed: UInt64?, into observation: UnsafeMutableBufferPointer<Float>) -> StepInfo

    /// Applies `action` (must be in `actionSpace`), writes the next observation into `observation`
    /// and returns reward and flags. Allocation-free for classic control: the vector env's path.
    func step(_ action: Int, into observation: UnsafeMutableBufferPointer<Float>) -> Transition

    /// The current frame as text, a few terminal lines; the caller decides how to print it.
    func render() -> String
}

extension Environment {
    /// Starts a new episode; returns its first observation and info.
    public func reset(seed: UInt64? = nil) -> (observation: [Float], info: StepInfo) {
        var obs = [Float](repeating: 0, count: observationSpace.flatDimension)
        let info = obs.withUnsafeMutableBufferPointer { reset(seed: seed, into: $0) }
        return (obs, info)
    }

    /// Applies `action`; returns the next observation, reward, `terminated`, `truncated` and info.
    public func step(_ action: Int) -> StepResult {
        var obs = [Float](repeating: 0, count: observationSpace.flatDimension)
        let t = obs.withUnsafeMutableBufferPointer { step(action, into: $0) }
        return StepResult(observation: obs, reward: t.reward, terminated: t.terminated,
                          truncated: t.truncated)
    }
}

/// An environment whose internal physical state can be read and overwritten, so a recorded
/// trajectory can be replayed from its exact `initial_state` (numpy's PCG64 draws are not
/// reproduced). Setting the state leaves the step counter alone: `reset` first, then set.
public protocol StatefulEnvironment: Environment {
    /// Names of the state variables, in the order of `state` (Gymnasium's `env.unwrapped.state`).
    var stateFields: [String] { get }
    /// The internal state in Double precision.
    var state: [Double] { get set }
    /// Writes the observation of the current state (float32) into `observation`.
    func observe(into observation: UnsafeMutableBufferPointer<Float>)
}

extension StatefulEnvironment {
    /// The observation of the current state.
    public func currentObservation() -> [Float] {
        var obs = [Float](repeating: 0, count: observationSpace.flatDimension)
        obs.withUnsafeMutableBufferPointer { observe(into: $0) }
        return obs
    }
}

/// Step counter and seeded generator every built-in environment carries: the built-in time
/// limit (Gymnasium's `TimeLimit`) and `reset(seed:)` semantics in one place.
public struct EpisodeClock: Sendable {
    /// Time limit (`nil` = none).
    public let maxEpisodeSteps: Int?
    /// Steps since the last reset.
    public private(set) var elapsedSteps = 0
    /// Whether `reset` has been called at least once.
    public private(set) var hasReset = false
    /// The generator resets draw from.
    public var rng: RandomGenerator

    public init(maxEpisodeSteps: Int?) {
        self.maxEpisodeSteps = maxEpisodeSteps
        self.rng = RandomGenerator.fromEntropy()
    }

    /// Zeroes the counter; reseeds the generator when `seed` is given.
    public mutating func reset(seed: UInt64?) {
        if let seed { rng = RandomGenerator(seed: seed) }
        elapsedSteps = 0
        hasReset = true
    }

    /// The counter, whether the clock was ever reset, and the generator, for ``EnvironmentSnapshot``.
    public var snapshot: (elapsedSteps: Int, hasReset: Bool, generator: [UInt64]) {
        (elapsedSteps, hasReset, rng.state)
    }

    /// Puts back what ``snapshot`` saved; throws for a counter past the time limit or an invalid
    /// generator state.
    public mutating func restore(elapsedSteps: Int, hasReset: Bool, generator: [UInt64]) throws {
        guard elapsedSteps >= 0, elapsedSteps <= (maxEpisodeSteps ?? Int.max),
              let restored = RandomGenerator(state: generator) else {
            throw EnvironmentSnapshotError("an environment's saved step counter (\(elapsedSteps)) or generator state is invalid")
        }
        (self.elapsedSteps, self.hasReset, rng) = (elapsedSteps, hasReset, restored)
    }

    /// Counts one step; returns `truncated` (the limit is reached).
    public mutating func tick() -> Bool {
        precondition(hasReset, "call reset() before step()")
        elapsedSteps += 1
        if let limit = maxEpisodeSteps { return elapsedSteps >= limit }
        return false
    }
}
