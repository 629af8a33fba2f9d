import Slate

/// A trained network acting greedily: the action with the largest output (the actor's most
/// likely action for PPO and REINFORCE, the largest Q-value for DQN). This is what `slate rl
/// train` evaluates and saves, and what `slate rl play --checkpoint` loads.
public final class GreedyNetworkPolicy: Policy {
    /// Observation → logits or Q-values `(B, obs) -> (B, A)`.
    public let network: MLP
    /// The environment the network was trained on.
    public let environmentID: String
    /// The algorithm that trained it.
    public let algorithm: Algorithm
    /// Hidden layer widths of `network`.
    public let hiddenSizes: [Int]
    /// The hidden activation of `network`.
    public let activation: ActivationKind

    public init(network: MLP, environmentID: String, algorithm: Algorithm, hiddenSizes: [Int],
                activation: ActivationKind) {
        self.network = network
        self.environmentID = environmentID
        self.algorithm = algorithm
        self.hiddenSizes = hiddenSizes
        self.activation = activation
    }

    /// Observation width the network expects.
    public var observationSize: Int { network.linears.first!.inFeatures }
    /// Number of actions it chooses among.
    public var actionCount: Int { network.linears.last!.outFeatures }

    public func act(observation: [Float]) -> Int {
        precondition(observation.count == observationSize,
                     "observation has \(observation.count) values, the policy expects \(observationSize)")
        let out = withNoGrad { network(Tensor(observation, shape: [1, observation.count])) }  // (1, A)
        return argmax(out.pointer, count: actionCount)
    }

    /// Greedy actions for a batch of observations `(B, obs)` row-major, one forward pass.
    public func act(observations: [Float], count: Int) -> [Int] {
        let out = withNoGrad { network(Tensor(observations, shape: [count, observationSize])) }  // (B, A)
        return (0..<count).map { argmax(out.pointer + $0 * actionCount, count: actionCount) }
    }
}
