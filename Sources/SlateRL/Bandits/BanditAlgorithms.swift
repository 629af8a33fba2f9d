import Foundation
import Slate

/// A strategy for a k-armed bandit: choose an arm, then learn from its reward.
public protocol BanditAlgorithm: AnyObject {
    /// Short name for logs and plots.
    var name: String { get }
    /// The arm to pull next.
    func selectArm(using rng: inout RandomGenerator) -> Int
    /// Learns from `reward` paid by `arm`.
    func update(arm: Int, reward: Double)
}

/// Index of the largest value; ties broken uniformly at random (so untried arms are not
/// always taken in index order).
func argmaxRandomTie(_ values: [Double], _ rng: inout RandomGenerator) -> Int {
    var best = -Double.infinity, chosen = 0, ties = 0
    for (i, v) in values.enumerated() {
        if v > best { best = v; chosen = i; ties = 1 }
        else if v == best {
            ties += 1
            if rng.nextInt(ties) == 0 { chosen = i }  // reservoir sampling over the ties
        }
    }
    return chosen
}

/// Sample-average action values with ε-greedy exploration (Sutton & Barto 2.2–2.4).
public final class EpsilonGreedy: BanditAlgorithm {
    public let epsilon: Double
    public private(set) var values: [Double]
    public private(set) var counts: [Int]
    public var name: String { "eps-greedy(\(epsilon))" }

    public init(k: Int, epsilon: Double = 0.1, initialValue: Double = 0) {
        precondition((0...1).contains(epsilon), "epsilon must be in [0, 1]")
        self.epsilon = epsilon
        values = Array(repeating: initialValue, count: k)
        counts = Array(repeating: 0, count: k)
    }

    public func selectArm(using rng: inout RandomGenerator) -> Int {
        rng.bernoulli(epsilon) ? rng.nextInt(values.count) : argmaxRandomTie(values, &rng)
    }

    public func update(arm: Int, reward: Double) {
        counts[arm] += 1
        values[arm] += (reward - values[arm]) / Double(counts[arm])
    }
}

/// UCB1 (Auer, Cesa-Bianchi & Fischer 2002): try every arm once, then pick
/// `argmax Q(a) + c √(ln t / N(a))`; `c = √2` is UCB1's constant.
public final class UCB1: BanditAlgorithm {
    public let c: Double
    public private(set) var values: [Double]
    public private(set) var counts: [Int]
    private var t = 0
    public var name: String { "ucb1" }

    public init(k: Int, c: Double = 2.0.squareRoot()) {
        self.c = c
        values = Array(repeating: 0, count: k)
        counts = Array(repeating: 0, count: k)
    }

    public func selectArm(using rng: inout RandomGenerator) -> Int {
        if let untried = counts.firstIndex(of: 0) { return untried }
        let logT = log(Double(t))
        let scores = values.indices.map { values[$0] + c * (logT / Double(counts[$0])).squareRoot() }
        return argmaxRandomTie(scores, &rng)
    }

    public func update(arm: Int, reward: Double) {
        t += 1
        counts[arm] += 1
        values[arm] += (reward - values[arm]) / Double(counts[arm])
    }
}

/// Thompson sampling for Bernoulli arms with a Beta(1, 1) prior: sample `p(a) ~ Beta(α, β)` and
/// pull the argmax. Rewards in `[0, 1]` that are not 0/1 count as a Bernoulli trial of that
/// probability (Agrawal & Goyal 2012), drawn when `update` is called.
public final class BernoulliThompson: BanditAlgorithm {
    public private(set) var alpha: [Double]
    public private(set) var beta: [Double]
    private var trialRNG: RandomGenerator
    public var name: String { "thompson-beta" }

    public init(k: Int, seed: UInt64 = 0) {
        alpha = Array(repeating: 1, count: k)
        beta = Array(repeating: 1, count: k)
        trialRNG = RandomGenerator(seed: seed)
    }

    public func selectArm(using rng: inout RandomGenerator) -> Int {
        argmaxRandomTie(alpha.indices.map { rng.beta(alpha[$0], beta[$0]) }, &rng)
    }

    public func update(arm: Int, reward: Double) {
        let r = min(max(reward, 0), 1)
        let success = r == 1 || (r > 0 && trialRNG.bernoulli(r))
        if success { alpha[arm] += 1 } else { beta[arm] += 1 }
    }
}

/// Thompson sampling for Gaussian arms with known reward variance `σ²` and a `N(μ0, σ0²)` prior
/// on each mean: the posterior is `N(m, v)` with `1/v = 1/σ0² + n/σ²` and
/// `m = v (μ0/σ0² + Σr/σ²)`; sample each mean from its posterior and pull the argmax.
public final class GaussianThompson: BanditAlgorithm {
    public let rewardVariance: Double, priorMean: Double, priorVariance: Double
    private var sums: [Double]
    private var counts: [Int]
    public var name: String { "thompson-gaussian" }

    public init(k: Int, rewardVariance: Double = 1, priorMean: Double = 0, priorVariance: Double = 1) {
        self.rewardVariance = rewardVariance
        self.priorMean = priorMean
        self.priorVariance = priorVariance
        sums = Array(repeating: 0, count: k)
        counts = Array(repeating: 0, count: k)
    }

    /// Posterior mean and variance of arm `a`'s mean reward.
    public func posterior(_ a: Int) -> (mean: Double, variance: Double) {
        let variance = 1 / (1 / priorVariance + Double(counts[a]) / rewardVariance)
        return (variance * (priorMean / priorVariance + sums[a] / rewardVariance), variance)
    }

    public func selectArm(using rng: inout RandomGenerator) -> Int {
        let samples = sums.indices.map { a -> Double in
            let p = posterior(a)
            return rng.nextNormal(mean: p.mean, std: p.variance.squareRoot())
        }
        return argmaxRandomTie(samples, &rng)
    }

    public func update(arm: Int, reward: Double) {
        sums[arm] += reward
        counts[arm] += 1
    }
}
