/// Thrown when the environments of a vector env do not share their spaces.
public struct VectorEnvError: Error, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}

/// What one step of a vector env returns: one row per sub-environment.
public struct VectorStepResult: Sendable {
    /// `(numEnvs, obsDim)` row-major. For an env whose episode just ended this is already the
    /// first observation of its *next* episode (same-step auto-reset).
    public var observations: [Float]
    public var rewards: [Double]
    public var terminated: [Bool]
    public var truncated: [Bool]
    /// For env `i` whose episode ended in this step: that episode's last observation
    /// (Gymnasium's `info["final_obs"]`). Bootstrap truncated episodes from its value.
    public var finalObservations: [[Float]?]
    /// For env `i` whose episode ended in this step: its return and length.
    public var episodes: [EpisodeRecord?]

    /// Whether env `i`'s episode ended in this step.
    public func done(_ i: Int) -> Bool { terminated[i] || truncated[i] }
}

/// Steps `numEnvs` copies of an environment one after the other, as Gymnasium's `SyncVectorEnv`.
///
/// **Auto-reset mode: same-step** (Gymnasium's `AutoresetMode.SAME_STEP`, CleanRL's setup with
/// gym < 1.0). When env `i` terminates or truncates, it is reset inside the same `step` call:
/// `observations` row `i` is the new episode's first observation, `rewards[i]`, `terminated[i]`
/// and `truncated[i]` describe the finished episode's last transition, and the finished
/// episode's last observation is in `finalObservations[i]`. So every action an agent sends is a
/// real action (unlike Gymnasium 1.x's default next-step mode, which ignores the action after a
/// done), and a truncated episode can bootstrap from `value(finalObservations[i])`.
///
/// Episode statistics (Gymnasium's `RecordEpisodeStatistics`) are built in: `episodes[i]` on the
/// step an episode ends, and `statistics` keeps the recent window.
public final class SyncVectorEnv {
    /// The sub-environments, in row order.
    public let envs: [any Environment]
    /// Observation space of one sub-environment.
    public let singleObservationSpace: BoxSpace
    /// Action space of one sub-environment.
    public let singleActionSpace: DiscreteSpace
    /// Returns and lengths of the episodes so far.
    public private(set) var statistics: EpisodeStatistics

    private var observations: [Float]
    private let obsDim: Int

    /// A vector env over `envs`, which must all have the same spaces.
    public init(_ envs: [any Environment], statisticsWindow: Int = 100) throws {
        guard let first = envs.first else { throw VectorEnvError(message: "a vector env needs at least one environment") }
        for env in envs where env.observationSpace != first.observationSpace || env.actionSpace != first.actionSpace {
            throw VectorEnvError(message: "all environments of a vector env need the same spaces; \(env.id) differs from \(first.id)")
        }
        self.envs = envs
        singleObservationSpace = first.observationSpace
        singleActionSpace = first.actionSpace
        obsDim = first.observationSpace.flatDimension
        observations = Array(repeating: 0, count: envs.count * obsDim)
        statistics = EpisodeStatistics(numEnvs: envs.count, windowSize: statisticsWindow)
    }

    /// `count` fresh copies of the registered environment `id`.
    public convenience init(id: String, count: Int, statisticsWindow: Int = 100) throws {
        guard count > 0 else { throw VectorEnvError(message: "--num-envs must be at least 1, got \(count)") }
        try self.init((0..<count).map { _ in try EnvironmentRegistry.make(id: id) }, statisticsWindow: statisticsWindow)
    }

    /// Number of sub-environments.
    public var numEnvs: Int { envs.count }

    /// Resets every env; env `i` gets seed `seed + i` (as Gymnasium), or continues its own stream
    /// when `seed` is nil. Returns `(numEnvs, obsDim)` observations.
    public func reset(seed: UInt64? = nil) -> [Float] {
        observations.withUnsafeMutableBufferPointer { all in
            for (i, env) in envs.enumerated() {
                let row = UnsafeMutableBufferPointer(rebasing: all[(i * obsDim)..<((i + 1) * obsDim)])
                _ = env.reset(seed: seed.map { $0 &+ UInt64(i) }, into: row)
                statistics.resetEpisode(i)
            }
        }
        return observations
    }

    /// Steps env `i` with `actions[i]` for every `i`, auto-resetting finished episodes.
    public func step(_ actions: [Int]) -> VectorStepResult {
        precondition(actions.count == numEnvs, "need one action per env: \(numEnvs), got \(actions.count)")
        var rewards = [Double](repeating: 0, count: numEnvs)
        var terminated = [Bool](repeating: false, count: numEnvs)
        var truncated = [Bool](repeating: false, count: numEnvs)
        var finals = [[Float]?](repeating: nil, count: numEnvs)
        var episodes = [EpisodeRecord?](repeating: nil, count: numEnvs)
        observations.withUnsafeMutableBufferPointer { all in
            for (i, env) in envs.enumerated() {
                let row = UnsafeMutableBufferPointer(rebasing: all[(i * obsDim)..<((i + 1) * obsDim)])
                let t = env.step(actions[i], into: row)
                rewards[i] = t.reward
                terminated[i] = t.terminated
                truncated[i] = t.truncated
                episodes[i] = statistics.record(i, reward: t.reward, done: t.done)
                if t.done {
                    finals[i] = Array(row)
                    _ = env.reset(seed: nil, into: row)
                }
            }
        }
        return VectorStepResult(observations: observations, rewards: rewards, terminated: terminated,
                                truncated: truncated, finalObservations: finals, episodes: episodes)
    }

    /// Everything the vector env's future depends on (see ``VectorEnvSnapshot``); throws when a
    /// sub-environment cannot be saved (it is not a ``ResumableEnvironment``).
    public func snapshot() throws -> VectorEnvSnapshot {
        let states = try envs.map { env -> EnvironmentSnapshot in
            guard let resumable = env as? any ResumableEnvironment else {
                throw EnvironmentSnapshotError("\(env.id) cannot save its state (it is not a ResumableEnvironment), so this run cannot be checkpointed")
            }
            return resumable.snapshot()
        }
        return VectorEnvSnapshot(environments: states, observations: observations, statistics: statistics)
    }

    /// Puts back a ``snapshot()``; nothing changes unless it fits (same env count, ids and sizes).
    public func restore(_ snapshot: VectorEnvSnapshot) throws {
        guard snapshot.environments.count == numEnvs, snapshot.observations.count == numEnvs * obsDim,
              snapshot.statistics.runningReturns.count == numEnvs else {
            throw EnvironmentSnapshotError("a saved vector env of \(snapshot.environments.count) environments cannot be restored into one of \(numEnvs); resume with the same --num-envs")
        }
        for (env, state) in zip(envs, snapshot.environments) where env.id != state.id {
            throw EnvironmentSnapshotError("a saved \(state.id) state cannot be restored into \(env.id); resume with the same --env")
        }
        for (env, state) in zip(envs, snapshot.environments) {
            guard let resumable = env as? any ResumableEnvironment else {
                throw EnvironmentSnapshotError("\(env.id) cannot restore a saved state (it is not a ResumableEnvironment)")
            }
            try resumable.restore(state)
        }
        observations = snapshot.observations
        statistics = snapshot.statistics
    }
}

/// A ``SyncVectorEnv`` at a step boundary: each environment's state, the observations the agent
/// acts on next, and the episode statistics (running and recent episodes).
public struct VectorEnvSnapshot {
    public var environments: [EnvironmentSnapshot]
    /// `(numEnvs, obsDim)` row-major.
    public var observations: [Float]
    public var statistics: EpisodeStatistics

    public init(environments: [EnvironmentSnapshot], observations: [Float], statistics: EpisodeStatistics) {
        self.environments = environments
        self.observations = observations
        self.statistics = statistics
    }
}
