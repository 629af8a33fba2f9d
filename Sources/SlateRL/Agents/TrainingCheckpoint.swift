import Foundation
import Slate

/// Thrown when a training checkpoint cannot be read or does not fit the run resuming it.
public struct TrainingCheckpointError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// A training run's whole state at an update boundary, as one safetensors file written
/// atomically: networks and optimizer moments as tensors; step counters, every generator's state
/// words, environment states and episode statistics in `__metadata__` (numbers as their shortest
/// round-tripping decimal text, so nothing is rounded). A run resumed from it continues bit for
/// bit as if it had never stopped.
///
/// Trainers fill it through ``put(_:_:)`` and the typed `set` methods and read it back with the
/// matching getters, which throw ``TrainingCheckpointError`` naming the missing or malformed key.
public struct TrainingCheckpoint {
    /// `format` in the metadata, so a policy or another tool's file is told apart.
    public static let format = "slate-rl-training"
    public static let formatVersion = "1"

    /// Tensors by name, in write order.
    public private(set) var tensors: [(String, Tensor)] = []
    /// Everything else, as text.
    public var metadata: [String: String] = [:]
    /// Where the checkpoint was read from (for messages).
    public private(set) var source = "checkpoint"

    public init() {
        metadata["format"] = TrainingCheckpoint.format
        metadata["format_version"] = TrainingCheckpoint.formatVersion
    }

    /// Reads `url`, checking that it is a training checkpoint of this version.
    public init(contentsOf url: URL) throws {
        let file = try SafeTensors.read(from: url)
        guard file.metadata["format"] == TrainingCheckpoint.format else {
            throw TrainingCheckpointError("\(url.path) is not a `slate rl train` training checkpoint (format '\(file.metadata["format"] ?? "none")'); pass the checkpoint.safetensors of an RL run")
        }
        guard file.metadata["format_version"] == TrainingCheckpoint.formatVersion else {
            throw TrainingCheckpointError("\(url.path) has training-checkpoint version \(file.metadata["format_version"] ?? "?"); this build reads version \(TrainingCheckpoint.formatVersion), so start the run again with --overwrite")
        }
        tensors = file.ordered
        metadata = file.metadata
        source = url.path
    }

    /// Writes the checkpoint to `url` atomically (a temporary file renamed over the old one).
    public func write(to url: URL) throws {
        try SafeTensors.write(tensors, metadata: metadata, to: url)
    }

    // MARK: tensors

    /// Adds a copy of `tensor` under `name`.
    public mutating func put(_ name: String, _ tensor: Tensor) {
        tensors.append((name, Tensor(Array(UnsafeBufferPointer(start: tensor.pointer, count: tensor.count)), shape: tensor.shape)))
    }

    /// Adds `values` as a 1-D tensor.
    mutating func put(_ name: String, floats values: [Float]) {
        tensors.append((name, Tensor(values, shape: [values.count])))
    }

    /// The tensors whose names start with `prefix.`, without the prefix.
    func tensors(prefixed prefix: String) -> [String: Tensor] {
        var out: [String: Tensor] = [:]
        for (name, t) in tensors where name.hasPrefix(prefix + ".") { out[String(name.dropFirst(prefix.count + 1))] = t }
        return out
    }

    /// The 1-D tensor `name` as floats, which must hold `count` values.
    func floats(_ name: String, count: Int) throws -> [Float] {
        guard let t = tensors.first(where: { $0.0 == name })?.1, t.count == count else {
            throw TrainingCheckpointError("\(source) lacks tensor '\(name)' of \(count) values; it is damaged or from another configuration")
        }
        return Array(UnsafeBufferPointer(start: t.pointer, count: t.count))
    }

    /// Saves a module's parameters under `prefix.` and loads them back.
    public mutating func put(module: Module, prefix: String) {
        for (name, t) in module.stateDict() { put(prefix + "." + name, t) }
    }

    public func load(module: Module, prefix: String) throws {
        do { try module.loadStateDict(tensors(prefixed: prefix)) } catch {
            throw TrainingCheckpointError("\(source): the saved \(prefix) does not fit this run's network (\(error)); resume with the same --hidden-sizes and --env")
        }
    }

    /// Saves Adam's step and moments under `prefix.` and loads them back.
    public mutating func put(optimizer: Adam, prefix: String) {
        for (name, t) in optimizer.stateDict() { put(prefix + "." + name, t) }
    }

    public func load(optimizer: Adam, prefix: String) throws {
        do { try optimizer.loadStateDict(tensors(prefixed: prefix)) } catch {
            throw TrainingCheckpointError("\(source): the saved optimizer state does not fit this run (\(error))")
        }
    }

    // MARK: metadata

    public mutating func set(_ key: String, _ value: String) { metadata[key] = value }
    public mutating func set(_ key: String, int value: Int) { metadata[key] = String(value) }
    mutating func set(_ key: String, words: [UInt64]) { metadata[key] = words.map(String.init).joined(separator: ",") }
    mutating func set(_ key: String, doubles: [Double]) { metadata[key] = doubles.map(\.description).joined(separator: ",") }
    mutating func set(_ key: String, floats: [Float]) { metadata[key] = floats.map(\.description).joined(separator: ",") }
    mutating func set(_ key: String, ints: [Int]) { metadata[key] = ints.map(String.init).joined(separator: ",") }

    /// The text under `key`.
    public func string(_ key: String) throws -> String {
        guard let v = metadata[key] else {
            throw TrainingCheckpointError("\(source) has no '\(key)'; it is damaged or was not written by `slate rl train`")
        }
        return v
    }

    public func int(_ key: String) throws -> Int {
        guard let v = Int(try string(key)) else { throw malformed(key) }
        return v
    }

    private func list<T>(_ key: String, _ parse: (Substring) -> T?) throws -> [T] {
        let text = try string(key)
        if text.isEmpty { return [] }
        let parts = text.split(separator: ",", omittingEmptySubsequences: false)
        let values = parts.compactMap(parse)
        guard values.count == parts.count else { throw malformed(key) }
        return values
    }

    func words(_ key: String) throws -> [UInt64] { try list(key) { UInt64($0) } }
    func doubles(_ key: String) throws -> [Double] { try list(key) { Double($0) } }
    func floats(_ key: String) throws -> [Float] { try list(key) { Float($0) } }
    func ints(_ key: String) throws -> [Int] { try list(key) { Int($0) } }

    private func malformed(_ key: String) -> TrainingCheckpointError {
        TrainingCheckpointError("\(source) has a malformed '\(key)'; it is damaged, so start again with --overwrite")
    }

    // MARK: generators, environments

    mutating func set(_ key: String, generator: RandomGenerator) { set(key, words: generator.state) }

    func generator(_ key: String) throws -> RandomGenerator {
        guard let g = RandomGenerator(state: try words(key)) else { throw malformed(key) }
        return g
    }

    /// Saves the vector env: each env's snapshot, the current observations and the episode statistics.
    mutating func put(vectorEnv: SyncVectorEnv, prefix: String) throws {
        let snapshot = try vectorEnv.snapshot()
        for (i, env) in snapshot.environments.enumerated() {
            set("\(prefix).\(i).id", env.id)
            set("\(prefix).\(i).values", doubles: env.values)
            set("\(prefix).\(i).clock", words: [UInt64(env.elapsedSteps), env.hasReset ? 1 : 0] + env.generator)
        }
        set("\(prefix).observations", floats: snapshot.observations)
        let stats = snapshot.statistics
        set("\(prefix).running_returns", doubles: stats.runningReturns)
        set("\(prefix).running_lengths", ints: stats.runningLengths)
        set("\(prefix).recent_returns", doubles: stats.recent.map(\.episodicReturn))
        set("\(prefix).recent_lengths", ints: stats.recent.map(\.length))
        set("\(prefix).episode_count", int: stats.episodeCount)
    }

    func load(vectorEnv: SyncVectorEnv, prefix: String) throws {
        var envs: [EnvironmentSnapshot] = []
        for i in 0..<vectorEnv.numEnvs {
            let clock = try words("\(prefix).\(i).clock")
            guard clock.count == 6, let elapsed = Int(exactly: clock[0]) else { throw malformed("\(prefix).\(i).clock") }
            envs.append(EnvironmentSnapshot(id: try string("\(prefix).\(i).id"), values: try doubles("\(prefix).\(i).values"),
                                            elapsedSteps: elapsed, hasReset: clock[1] == 1, generator: Array(clock[2...])))
        }
        let returns = try doubles("\(prefix).recent_returns"), lengths = try ints("\(prefix).recent_lengths")
        guard returns.count == lengths.count else { throw malformed("\(prefix).recent_lengths") }
        let statistics = try EpisodeStatistics(
            runningReturns: try doubles("\(prefix).running_returns"), runningLengths: try ints("\(prefix).running_lengths"),
            recent: zip(returns, lengths).map { EpisodeRecord(episodicReturn: $0, length: $1) },
            episodeCount: try int("\(prefix).episode_count"), windowSize: vectorEnv.statistics.windowSize)
        do {
            try vectorEnv.restore(VectorEnvSnapshot(environments: envs, observations: try floats("\(prefix).observations"),
                                                    statistics: statistics))
        } catch let error as EnvironmentSnapshotError {
            throw TrainingCheckpointError("\(source): \(error.description)")
        }
    }
}
