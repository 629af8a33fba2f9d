/// Thrown when a saved environment state cannot be put back.
public struct EnvironmentSnapshotError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// Everything that decides an environment's future steps, saved in a training checkpoint so a
/// resumed run steps exactly as an uninterrupted one would: the env's own numbers (physics state,
/// agent cell, ...), its step counter and its reset generator.
public struct EnvironmentSnapshot: Equatable {
    /// The registry id of the environment it came from.
    public var id: String
    /// The environment's own state, in the order its ``ResumableEnvironment`` conformance defines.
    public var values: [Double]
    /// Steps since the last reset (the time limit's counter).
    public var elapsedSteps: Int
    /// Whether the environment had been reset.
    public var hasReset: Bool
    /// The reset generator's state words.
    public var generator: [UInt64]

    public init(id: String, values: [Double], elapsedSteps: Int, hasReset: Bool, generator: [UInt64]) {
        self.id = id
        self.values = values
        self.elapsedSteps = elapsedSteps
        self.hasReset = hasReset
        self.generator = generator
    }

    /// Checks that the snapshot belongs to `id` and holds `count` values.
    func check(id expected: String, count: Int) throws {
        guard id == expected, values.count == count, values.allSatisfy(\.isFinite) else {
            throw EnvironmentSnapshotError("a saved \(id) state (\(values.count) values) cannot be restored into \(expected), which has \(count)")
        }
    }
}

/// An environment whose complete state can be saved and restored (``EnvironmentSnapshot``), so
/// training on it can stop and resume bit for bit. The built-in environments conform; a trainer
/// whose environments do not can still train, but not save a resumable checkpoint.
public protocol ResumableEnvironment: Environment {
    /// The state now.
    func snapshot() -> EnvironmentSnapshot
    /// Puts back a state from ``snapshot()``; throws for a snapshot of another environment.
    func restore(_ snapshot: EnvironmentSnapshot) throws
}

extension EpisodeClock {
    /// A snapshot of an environment `id` with `values` and this clock.
    func snapshot(id: String, values: [Double]) -> EnvironmentSnapshot {
        let s = snapshot
        return EnvironmentSnapshot(id: id, values: values, elapsedSteps: s.elapsedSteps, hasReset: s.hasReset,
                                   generator: s.generator)
    }

    /// Restores the clock part of `snapshot`.
    mutating func restore(_ snapshot: EnvironmentSnapshot) throws {
        try restore(elapsedSteps: snapshot.elapsedSteps, hasReset: snapshot.hasReset, generator: snapshot.generator)
    }
}
