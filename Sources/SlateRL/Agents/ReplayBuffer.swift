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
