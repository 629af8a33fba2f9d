import Slate

/// A k-armed bandit: pulling arm `a` pays a random reward with mean `means[a]`.
public protocol KArmedBandit: AnyObject {
    /// Number of arms.
    var k: Int { get }
    /// True mean reward of every arm (hidden from the algorithms; used for regret).
    var means: [Double] { get }
    /// A reward for pulling `arm`.
    func pull(_ arm: Int, using rng: inout RandomGenerator) -> Double
}

extension KArmedBandit {
    /// Mean of the best arm.
    public var optimalMean: Double { means.max()! }
    /// Index of the best arm.
    public var optimalArm: Int { means.indices.max { means[$0] < means[$1] }! }
}

/// Sutton & Barto's 10-armed testbed (section 2.3): arm means `q*(a) ~ N(0, 1)`, rewards
/// `N(q*(a), 1)`.
public final class GaussianBandit: KArmedBandit {
    public let means: [Double]
    /// Standard deviation of every reward around its arm's mean.
    public let rewardStd: Double
    public var k: Int { means.count }

    /// Draws the arm means from `N(0, 1)`.
    public init(k: Int = 10, rewardStd: Double = 1, using rng: inout RandomGenerator) {
        precondition(k > 0, "a bandit needs at least one arm")
        means = (0..<k).map { _ in rng.nextNormal() }
        self.rewardStd = rewardStd
    }

    /// Fixed arm means.
    public init(means: [Double], rewardStd: Double = 1) {
        self.means = means
        self.rewardStd = rewardStd
    }

    public func pull(_ arm: Int, using rng: inout RandomGenerator) -> Double {
        rng.nextNormal(mean: means[arm], std: rewardStd)
    }
}

/// Arms that pay 1 with probability `p(a)` and 0 otherwise.
public final class BernoulliBandit: KArmedBandit {
    public let means: [Double]
    public var k: Int { means.count }

    /// Draws every arm's success probability uniformly from `[0, 1)`.
    public init(k: Int = 10, using rng: inout RandomGenerator) {
        precondition(k > 0, "a bandit needs at least one arm")
        means = (0..<k).map { _ in rng.nextDouble() }
    }

    /// Fixed success probabilities in `[0, 1]`.
    public init(probabilities: [Double]) {
        precondition(probabilities.allSatisfy { (0...1).contains($0) }, "probabilities must lie in [0, 1]")
        means = probabilities
    }

    public func pull(_ arm: Int, using rng: inout RandomGenerator) -> Double {
        rng.bernoulli(means[arm]) ? 1 : 0
    }
}

/// A linear contextual bandit (Li et al. 2010, disjoint model): each step shows a context
/// `x ∈ R^d` (a random unit vector); arm `a` pays `θ_a · x + N(0, noiseStd²)` with hidden unit
/// vectors `θ_a`. Which arm is best depends on the context.
public final class LinearContextualBandit {
    /// Hidden parameter of each arm, `(k, d)`.
    public let thetas: [[Double]]
    public let noiseStd: Double
    public var k: Int { thetas.count }
    public var dimension: Int { thetas[0].count }

    /// `k` arms with parameters drawn uniformly on the unit sphere of `R^dimension`.
    public init(k: Int = 10, dimension: Int = 5, noiseStd: Double = 0.1, using rng: inout RandomGenerator) {
        precondition(k > 0 && dimension > 0, "need at least one arm and one context dimension")
        thetas = (0..<k).map { _ in LinearContextualBandit.unitVector(dimension, &rng) }
        self.noiseStd = noiseStd
    }

    /// A fresh context: a uniformly random unit vector.
    public func context(using rng: inout RandomGenerator) -> [Double] {
        LinearContextualBandit.unitVector(dimension, &rng)
    }

    /// `θ_arm · x`.
    public func expectedReward(_ arm: Int, context x: [Double]) -> Double {
        var sum = 0.0
        for i in 0..<x.count { sum += thetas[arm][i] * x[i] }
        return sum
    }

    /// The best expected reward for context `x`.
    public func optimalReward(context x: [Double]) -> Double {
        (0..<k).map { expectedReward($0, context: x) }.max()!
    }

    public func pull(_ arm: Int, context x: [Double], using rng: inout RandomGenerator) -> Double {
        expectedReward(arm, context: x) + noiseStd * rng.nextNormal()
    }

    static func unitVector(_ d: Int, _ rng: inout RandomGenerator) -> [Double] {
        var v = (0..<d).map { _ in rng.nextNormal() }
        let norm = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
        for i in 0..<d { v[i] /= norm }
        return v
    }
}
