import Slate

/// A fixed-size circular store of transitions `(s, a, r, s', terminated)` for off-policy
/// learning (SB3's `ReplayBuffer` as CleanRL's `dqn.py` uses it). When full, the oldest
/// transition is overwritten.
///
/// `s'` must be the *real* next observation: for an episode that ended, the vector env's
/// `finalObservations[i]`, not the next episode's first observation. Only `terminated` is
/// stored as "done", so truncated transitions bootstrap from `s'`.
public struct ReplayBuffer {
    /// Maximum number of transitions kept.
    public let capacity: Int
    /// Width of one observation.
    public let observationSize: Int
    /// Transitions currently stored (≤ capacity).
    public private(set) var count = 0
    private var next = 0
    private var observations: [Float]        // (capacity, obs)
    private var nextObservations: [Float]    // (capacity, obs)
    private var actions: [Int]               // (capacity)
    private var rewards: [Float]             // (capacity)
    private var terminated: [Bool]           // (capacity)

    public init(capacity: Int, observationSize: Int) {
        precondition(capacity > 0 && observationSize > 0, "replay buffer needs positive sizes")
        self.capacity = capacity
        self.observationSize = observationSize
        observations = Array(repeating: 0, count: capacity * observationSize)
        nextObservations = observations
        actions = Array(repeating: 0, count: capacity)
        rewards = Array(repeating: 0, count: capacity)
        terminated = Array(repeating: false, count: capacity)
    }

    /// Stores one transition, overwriting the oldest when full.
    public mutating func add<S: Collection, T: Collection>(observation: S, nextObservation: T, action: Int,
                                                           reward: Float, terminated done: Bool)
        where S.Element == Float, T.Element == Float {
        precondition(observation.count == observationSize && nextObservation.count == observationSize,
                     "observations must have \(observationSize) values")
        let base = next * observationSize
        observations.replaceSubrange(base..<(base + observationSize), with: observation)
        nextObservations.replaceSubrange(base..<(base + observationSize), with: nextObservation)
        actions[next] = action
        rewards[next] = reward
        terminated[next] = done
        next = (next + 1) % capacity
        count = Swift.min(count + 1, capacity)
    }

    /// A uniformly sampled batch (with replacement): observations and next observations as
    /// `(B, obs)` tensors, actions, rewards and terminated flags `(B)`.
    public func sample(_ batchSize: Int, generator: inout RandomGenerator)
        -> (observations: Tensor, nextObservations: Tensor, actions: [Int], rewards: [Float], terminated: [Bool]) {
        precondition(count > 0, "sampling from an empty replay buffer")
        let indices = (0..<batchSize).map { _ in generator.nextInt(count) }
        return (gatherRows(observations, width: observationSize, indices: indices[...]),
                gatherRows(nextObservations, width: observationSize, indices: indices[...]),
                indices.map { actions[$0] }, indices.map { rewards[$0] }, indices.map { terminated[$0] })
    }
}

extension ReplayBuffer {
    /// Saves the stored transitions and the write position under `prefix.` in a checkpoint
    /// (actions and flags as exact small floats).
    func save(into checkpoint: inout TrainingCheckpoint, prefix: String) {
        let n = count, width = observationSize
        checkpoint.set("\(prefix).count", int: count)
        checkpoint.set("\(prefix).next", int: next)
        checkpoint.put("\(prefix).observations", floats: Array(observations[0..<(n * width)]))
        checkpoint.put("\(prefix).next_observations", floats: Array(nextObservations[0..<(n * width)]))
        checkpoint.put("\(prefix).actions", floats: actions[0..<n].map(Float.init))
        checkpoint.put("\(prefix).rewards", floats: Array(rewards[0..<n]))
        checkpoint.put("\(prefix).terminated", floats: terminated[0..<n].map { $0 ? 1 : 0 })
    }

    /// Restores what ``save(into:prefix:)`` wrote; the capacity and width must be the same.
    mutating func load(from checkpoint: TrainingCheckpoint, prefix: String) throws {
        let n = try checkpoint.int("\(prefix).count"), position = try checkpoint.int("\(prefix).next")
        guard (0...capacity).contains(n), (0..<capacity).contains(position), n == capacity || position == n else {
            throw TrainingCheckpointError("the saved replay buffer (\(n) transitions, position \(position)) does not fit --buffer-size \(capacity)")
        }
        let width = observationSize
        let obs = try checkpoint.floats("\(prefix).observations", count: n * width)
        let nextObs = try checkpoint.floats("\(prefix).next_observations", count: n * width)
        let savedActions = try checkpoint.floats("\(prefix).actions", count: n)
        guard savedActions.allSatisfy({ $0 >= 0 && $0 < 16_777_216 && $0 == $0.rounded() }) else {
            throw TrainingCheckpointError("the saved replay buffer holds invalid actions")
        }
        let savedRewards = try checkpoint.floats("\(prefix).rewards", count: n)
        let savedTerminated = try checkpoint.floats("\(prefix).terminated", count: n)
        observations.replaceSubrange(0..<(n * width), with: obs)
        nextObservations.replaceSubrange(0..<(n * width), with: nextObs)
        actions.replaceSubrange(0..<n, with: savedActions.map { Int($0) })
        rewards.replaceSubrange(0..<n, with: savedRewards)
        terminated.replaceSubrange(0..<n, with: savedTerminated.map { $0 != 0 })
        (count, next) = (n, position)
    }
}
