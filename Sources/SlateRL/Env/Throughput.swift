import Foundation
import Slate

/// Raw environment speed, no agent: how many `step` calls per second one core does.
public enum EnvironmentThroughput {
    /// One measurement.
    public struct Result: Sendable {
        /// What was timed.
        public var label: String
        public var steps: Int
        public var seconds: Double
        public var stepsPerSecond: Double { Double(steps) / seconds }
    }

    /// Times `steps` steps of `id` in three ways: the allocation-free `step(_:into:)` loop,
    /// the array-returning `step(_:)`, and a `SyncVectorEnv` of `vectorCount` copies. Actions
    /// come from a precomputed random table, episodes are reset when done.
    public static func measure(id: String, steps: Int, vectorCount: Int = 8, seed: UInt64 = 0) throws -> [Result] {
        precondition(steps > 0, "steps must be positive")
        let env = try EnvironmentRegistry.make(id: id)
        var rng = RandomGenerator(seed: seed)
        let actions = (0..<4096).map { _ in env.actionSpace.sample(using: &rng) }
        var results: [Result] = []

        var observation = [Float](repeating: 0, count: env.observationSpace.flatDimension)
        var start = Date()
        observation.withUnsafeMutableBufferPointer { obs in
            _ = env.reset(seed: seed, into: obs)
            for t in 0..<steps where env.step(actions[t & 4095], into: obs).done {
                _ = env.reset(seed: nil, into: obs)
            }
        }
        results.append(Result(label: "step(_:into:)", steps: steps, seconds: Date().timeIntervalSince(start)))

        start = Date()
        _ = env.reset(seed: seed)
        for t in 0..<steps where env.step(actions[t & 4095]).done { _ = env.reset() }
        results.append(Result(label: "step(_:) -> StepResult", steps: steps, seconds: Date().timeIntervalSince(start)))

        let vector = try SyncVectorEnv(id: id, count: vectorCount)
        _ = vector.reset(seed: seed)
        var batch = [Int](repeating: 0, count: vectorCount)
        let rounds = max(1, steps / vectorCount)
        start = Date()
        for r in 0..<rounds {
            for i in 0..<vectorCount { batch[i] = actions[(r * vectorCount + i) & 4095] }
            _ = vector.step(batch)
        }
        results.append(Result(label: "SyncVectorEnv x\(vectorCount)", steps: rounds * vectorCount,
                              seconds: Date().timeIntervalSince(start)))
        return results
    }
}
