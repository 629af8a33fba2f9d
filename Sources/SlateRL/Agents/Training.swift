import Foundation
import Slate

/// What every trainer is told regardless of algorithm.
public struct RunSettings: Sendable {
    /// Id of the environment, e.g. `"CartPole-v1"`: a built-in one, or `environment.id`.
    public var environmentID: String
    /// Your own environment; `nil` trains on the built-in `environmentID`.
    public var environment: EnvironmentSpec?
    /// Environment steps to train for (summed over vector envs, CleanRL's `global_step`).
    public var totalSteps: Int
    /// Seeds network init, action sampling and the environments.
    public var seed: UInt64

    /// Settings for a built-in environment, by id (`EnvironmentRegistry.ids`).
    public init(environmentID: String, totalSteps: Int, seed: UInt64) {
        self.environmentID = environmentID
        self.totalSteps = totalSteps
        self.seed = seed
    }

    /// Settings for any environment, yours included.
    public init(environment: EnvironmentSpec, totalSteps: Int, seed: UInt64) {
        self.init(environmentID: environment.id, totalSteps: totalSteps, seed: seed)
        self.environment = environment
    }

    /// The environment to train on: `environment`, or the built-in spec of `environmentID`
    /// (throws `UnknownEnvironmentError` for an unknown id).
    public func resolvedEnvironment() throws -> EnvironmentSpec {
        try environment ?? EnvironmentSpec.builtIn(environmentID)
    }
}

/// Something a trainer reports while it runs; the caller decides how to show or store it.
public enum TrainingEvent: Sendable {
    /// An episode finished at `globalStep`.
    case episode(globalStep: Int, record: EpisodeRecord)
    /// An optimisation step or iteration finished: named metrics (the trainer's ``Trainer/metricColumns``).
    case update(globalStep: Int, metrics: [String: Double])
    /// A point where ``Trainer/checkpoint()`` captures a state that resumes bit for bit:
    /// `globalStep` environment steps and `update` updates are done, every event up to here has
    /// been reported, and none after it.
    case boundary(globalStep: Int, update: Int)
}

/// Errors in a training configuration, with what to change.
public struct TrainingConfigurationError: Error, CustomStringConvertible, LocalizedError {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
    public var errorDescription: String? { message }
}

/// A trainer the CLI can drive without knowing the algorithm.
public protocol Trainer: AnyObject {
    /// The resolved configuration as `key = value` lines, to print and save.
    var configurationSummary: [(String, String)] { get }
    /// The columns of this trainer's per-update rows (`global_step` first, all always filled).
    var metricColumns: [String] { get }
    /// Environment steps taken so far (summed over vector envs, CleanRL's `global_step`).
    var globalStep: Int { get }
    /// Runs the training from where it stands (the start, or a restored checkpoint) to the end,
    /// reporting through `onEvent`; returns the environment steps taken in all (PPO rounds
    /// `totalSteps` down to whole rollouts, as CleanRL). Throws Slate's `TrainingDivergedError` when a
    /// loss or gradient norm becomes non-finite, and rethrows `onEvent`'s errors.
    @discardableResult
    func train(onEvent: (TrainingEvent) throws -> Void) throws -> Int
    /// The whole training state, valid at a ``TrainingEvent/boundary(globalStep:update:)`` (or
    /// before or after `train`).
    func checkpoint() throws -> TrainingCheckpoint
    /// Continues from `checkpoint`; throws when it was written by another algorithm, environment
    /// or network shape (naming the setting) or is damaged.
    func restore(from checkpoint: TrainingCheckpoint) throws
    /// The trained greedy (deterministic) policy.
    var greedyPolicy: GreedyNetworkPolicy { get }
    /// Everything trained (e.g. actor and critic), saved with the policy by `PolicyCheckpoint`.
    var checkpointModule: Module { get }
}

extension TrainingCheckpoint {
    /// What every trainer saves: its configuration, Adam's state, the step and update counters,
    /// its generator and (once started, `envs` non-nil) the vector env.
    init(configuration: [(String, String)], optimizer: Adam, globalStep: Int, update: Int,
         rng: RandomGenerator, envs: SyncVectorEnv?) throws {
        self.init()
        set(configuration: configuration)
        put(optimizer: optimizer, prefix: "optimizer")
        set("global_step", int: globalStep)
        set("update", int: update)
        set("rng", generator: rng)
        set("started", envs == nil ? "false" : "true")
        if let envs { try put(vectorEnv: envs, prefix: "envs") }
    }

    /// Restores what ``init(configuration:optimizer:globalStep:update:rng:envs:)`` saved after
    /// checking the `keys` settings; returns the counters, the generator and the observations the
    /// agent acts on next (nil when the run had not started).
    func restoreCommon(configuration: [(String, String)], keys: [String], optimizer: Adam, envs: SyncVectorEnv) throws
        -> (globalStep: Int, update: Int, rng: RandomGenerator, observations: [Float]?) {
        try checkConfiguration(configuration, keys: keys)
        try load(optimizer: optimizer, prefix: "optimizer")
        var observations: [Float]?
        if try string("started") == "true" {
            try load(vectorEnv: envs, prefix: "envs")
            observations = try envs.snapshot().observations
        }
        return (try int("global_step"), try int("update"), try generator("rng"), observations)
    }

    /// Whether `key` is state of one replica alone: its generator and its environments.
    static func isReplicaState(_ key: String) -> Bool { key == "rng" || key.hasPrefix("envs.") }

    /// Adds every other replica's generator and environments (under `rank<r>.`) and the replica
    /// count to this replica's checkpoint: a collective call, on every replica at the same boundary.
    mutating func gatherReplicaState(_ dataParallel: DataParallel) throws {
        let mine = metadata.filter { Self.isReplicaState($0.key) }
        let parts = dataParallel.gatherBytes(Array(try JSONEncoder().encode(mine)))
        for (rank, part) in parts.enumerated() where rank > 0 {
            guard let state = try? JSONDecoder().decode([String: String].self, from: Data(part)) else {
                throw TrainingCheckpointError("rank \(rank) sent a malformed training state; the ranks run different builds of slate")
            }
            for (key, value) in state { metadata["rank\(rank).\(key)"] = value }
        }
        metadata["data_parallel.ranks"] = "\(dataParallel.count)"
    }

    /// This replica's view of a checkpoint written by ``gatherReplicaState(_:)`` (or by one
    /// process): its own generator and environments in place of replica 0's. Throws when the
    /// checkpoint was written by another number of replicas.
    func replicaState(_ dataParallel: DataParallel) throws -> TrainingCheckpoint {
        let saved = metadata["data_parallel.ranks"] ?? "1"
        guard saved == "\(dataParallel.count)" else {
            throw TrainingCheckpointError("the run being resumed was trained by \(saved) rank(s), not \(dataParallel.count); resume it with mpirun -np \(saved) (or without mpirun for 1)")
        }
        guard dataParallel.rank > 0 else { return self }
        var mine = self
        let prefix = "rank\(dataParallel.rank)."
        mine.metadata = metadata.filter { !Self.isReplicaState($0.key) }
        for (key, value) in metadata where key.hasPrefix(prefix) { mine.metadata[String(key.dropFirst(prefix.count))] = value }
        return mine
    }

    /// Records the trainer's resolved configuration (`config.<key>`).
    mutating func set(configuration: [(String, String)]) {
        for (key, value) in configuration { set("config." + key, value) }
    }

    /// Refuses a checkpoint whose `keys` settings (the ones that shape networks, buffers and
    /// environments) differ from `configuration`, naming the flag.
    func checkConfiguration(_ configuration: [(String, String)], keys: [String]) throws {
        for (key, value) in configuration where keys.contains(key) {
            let saved = try string("config." + key)
            guard saved == value else {
                let flag = "--" + key.replacingOccurrences(of: "_", with: "-")
                throw TrainingCheckpointError("the run being resumed was trained with \(flag) \(saved), not \(value); resume with the same \(flag) or start again with --overwrite")
            }
        }
    }
}

/// Runs `episodes` fresh episodes of `policy` in new instances of `environmentID`, the first
/// reset seeded with `seed` and later ones continuing its stream (as Gymnasium evaluation loops).
public func evaluate(policy: any Policy, environmentID: String, episodes: Int,
                     seed: UInt64) throws -> [EpisodeRecord] {
    try evaluate(policy: policy, environment: EnvironmentSpec.builtIn(environmentID), episodes: episodes, seed: seed)
}

/// Runs `episodes` fresh episodes of `policy` in a new copy of `environment`, the first reset
/// seeded with `seed` and later ones continuing its stream.
public func evaluate(policy: any Policy, environment: EnvironmentSpec, episodes: Int,
                     seed: UInt64) throws -> [EpisodeRecord] {
    guard episodes > 0 else { throw TrainingConfigurationError("--eval-episodes must be at least 1, got \(episodes)") }
    let env = environment.make()
    var records: [EpisodeRecord] = []
    for episode in 0..<episodes {
        records.append(runEpisode(env, policy: policy, seed: episode == 0 ? seed : nil))
    }
    return records
}

/// Mean and (population) standard deviation of the returns of `records`.
package func returnStatistics(_ records: [EpisodeRecord]) -> (mean: Double, std: Double) {
    let returns = records.map(\.episodicReturn)
    return (Statistics.mean(returns), Statistics.standardDeviation(returns, correction: 0))
}

/// Copies rows `indices` of a row-major `(rows, width)` array into a new `(indices.count, width)`
/// tensor (a minibatch).
func gatherRows(_ source: [Float], width: Int, indices: ArraySlice<Int>) -> Tensor {
    let out = Tensor(uninitialized: [indices.count, width])
    let dst = out.pointer
    source.withUnsafeBufferPointer { src in
        for (r, i) in indices.enumerated() {
            (dst + r * width).update(from: src.baseAddress! + i * width, count: width)
        }
    }
    return out
}

/// Fisher–Yates shuffle of `0..<n` from `generator`.
func shuffledIndices(_ n: Int, generator: inout RandomGenerator) -> [Int] {
    var idx = Array(0..<n)
    if n < 2 { return idx }
    for i in stride(from: n - 1, to: 0, by: -1) {
        idx.swapAt(i, generator.nextInt(i + 1))
    }
    return idx
}

/// The rolling mean of the last `window` training episodes' returns, and the first moment
/// (global step and seconds since `start`) it reached `target` — "steps to solve".
public struct ReturnTracker: Sendable {
    public let window: Int
    /// The return that counts as solved (Gymnasium's `reward_threshold`), if any.
    public let target: Double?
    public private(set) var recent: [Double] = []
    public private(set) var episodes = 0
    /// First global step at which the rolling mean reached `target` (with a full window).
    public private(set) var targetStep: Int?
    /// Seconds from the start of training to `targetStep`.
    public var targetSeconds: Double?

    public init(window: Int = 100, target: Double?) {
        self.window = window
        self.target = target
    }

    /// Gymnasium's `reward_threshold` of the built-in environments.
    public static func solvedThreshold(environmentID: String) -> Double? {
        (try? EnvironmentRegistry.entry(id: environmentID))?.solvedThreshold
    }

    /// Rolling mean of the recent returns (`nil` before the first episode).
    public var mean: Double? { recent.isEmpty ? nil : Statistics.mean(recent) }

    /// Records an episode that finished at `globalStep`, `seconds` into training.
    public mutating func add(_ episodicReturn: Double, globalStep: Int, seconds: Double) {
        episodes += 1
        recent.append(episodicReturn)
        if recent.count > window { recent.removeFirst(recent.count - window) }
        if targetStep == nil, let target, recent.count == window, let m = mean, m >= target {
            targetStep = globalStep
            targetSeconds = seconds
        }
    }
}
