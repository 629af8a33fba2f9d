import Slate
import SlateGraph
import SlateRL

/// A strategy for the graph contextual bandit: each round, pick a node, then learn its reward.
public protocol GraphBanditAlgorithm: AnyObject {
    /// Name in logs, CSV columns and plots.
    var name: String { get }
    /// The node to deploy to this round.
    func select(using rng: inout RandomGenerator) -> Int
    /// Learns that deploying to `node` paid `reward`.
    func update(node: Int, reward: Double)
}

/// How a linear posterior turns into a choice.
public enum Exploration: Sendable {
    /// LinUCB: `argmax θ̂·x + α √(xᵀA⁻¹x)`.
    case upperConfidence(alpha: Double)
    /// Linear Thompson sampling: `argmax θ̃·x`, `θ̃ ~ N(θ̂, ν²A⁻¹)`.
    case thompson(scale: Double)

    /// The best context's index under this rule (ties to the lowest index).
    func choose(_ contexts: [[Double]], _ posterior: RidgePosterior, using rng: inout RandomGenerator) -> Int {
        let score: ([Double]) -> Double
        switch self {
        case .upperConfidence(let alpha): score = { posterior.upperBound($0, alpha: alpha) }
        case .thompson(let nu):
            let theta = posterior.sample(scale: nu, using: &rng)
            score = { x in zip(theta, x).reduce(0) { $0 + $1.0 * $1.1 } }
        }
        var best = 0, bestScore = -Double.infinity
        for (i, x) in contexts.enumerated() {
            let s = score(x)
            if s > bestScore { (best, bestScore) = (i, s) }
        }
        return best
    }
}

/// Deploys uniformly at random: the floor every learner must beat.
public final class RandomDeployment: GraphBanditAlgorithm {
    private let nodes: Int
    public var name: String { "random" }
    /// A uniform choice among `nodes`.
    public init(nodes: Int) { self.nodes = nodes }
    public func select(using rng: inout RandomGenerator) -> Int { rng.nextInt(nodes) }
    public func update(node: Int, reward: Double) {}
}

/// One shared linear model over fixed node contexts (LinUCB or linear Thompson sampling);
/// with the raw features as contexts this is the `linucb` baseline.
public final class LinearDeployment: GraphBanditAlgorithm {
    /// Each node's context, with a constant 1 appended (the intercept).
    public let contexts: [[Double]]
    public let exploration: Exploration
    public private(set) var posterior: RidgePosterior
    public let name: String

    /// - Parameter contexts: one row per node, all of one width.
    public init(name: String, contexts: [[Double]], exploration: Exploration, ridge: Double = 1) {
        self.name = name
        self.contexts = contexts.map { $0 + [1] }
        self.exploration = exploration
        posterior = RidgePosterior(dimension: self.contexts[0].count, ridge: ridge)
    }

    public func select(using rng: inout RandomGenerator) -> Int { exploration.choose(contexts, posterior, using: &rng) }

    public func update(node: Int, reward: Double) {
        posterior.add(contexts[node], reward: reward)
        posterior.factor()
    }
}
