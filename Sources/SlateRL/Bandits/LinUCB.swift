import Slate

/// A strategy for a contextual bandit: choose an arm given the context, then learn.
public protocol ContextualBanditAlgorithm: AnyObject {
    var name: String { get }
    /// The arm to pull for context `x`.
    func selectArm(context x: [Double], using rng: inout RandomGenerator) -> Int
    /// Learns from `reward` paid by `arm` under context `x`.
    func update(arm: Int, context x: [Double], reward: Double)
}

/// LinUCB with disjoint linear models (Li, Chu, Langford & Schapire 2010, Algorithm 1).
///
/// Per arm: `A = λI + Σ x xᵀ`, `b = Σ r x`, `θ̂ = A⁻¹ b`; pick `argmax θ̂·x + α √(xᵀ A⁻¹ x)`.
/// `A⁻¹` is kept directly and updated by Sherman–Morrison, `O(d²)` per step, no inversion.
public final class LinUCB: ContextualBanditAlgorithm {
    public let alpha: Double
    public let dimension: Int
    /// `A⁻¹` of each arm, `(k, d, d)` row-major.
    private var inverses: [[Double]]
    /// `b` of each arm, `(k, d)`.
    private var bs: [[Double]]
    private var scratch: [Double]
    public var name: String { "linucb" }
    /// Number of arms.
    public var armCount: Int { bs.count }

    public init(k: Int, dimension d: Int, alpha: Double = 1.0, ridge: Double = 1.0) {
        precondition(ridge > 0, "the ridge λ must be positive")
        self.alpha = alpha
        dimension = d
        var identity = [Double](repeating: 0, count: d * d)
        for i in 0..<d { identity[i * d + i] = 1 / ridge }
        inverses = Array(repeating: identity, count: k)
        bs = Array(repeating: Array(repeating: 0, count: d), count: k)
        scratch = Array(repeating: 0, count: d)
    }

    /// `A⁻¹ x` for arm `a` into `scratch`; returns `xᵀ A⁻¹ x`.
    private func applyInverse(_ a: Int, _ x: [Double]) -> Double {
        let d = dimension
        var quadratic = 0.0
        for i in 0..<d {
            var s = 0.0
            for j in 0..<d { s += inverses[a][i * d + j] * x[j] }
            scratch[i] = s
            quadratic += x[i] * s
        }
        return quadratic
    }

    /// Upper confidence bound of arm `a` for context `x`.
    public func score(_ a: Int, context x: [Double]) -> Double {
        let quadratic = applyInverse(a, x)
        // θ̂·x = (A⁻¹ b)·x = b·(A⁻¹ x) since A⁻¹ is symmetric.
        var mean = 0.0
        for i in 0..<dimension { mean += bs[a][i] * scratch[i] }
        return mean + alpha * max(quadratic, 0).squareRoot()
    }

    public func selectArm(context x: [Double], using rng: inout RandomGenerator) -> Int {
        argmaxRandomTie(bs.indices.map { score($0, context: x) }, &rng)
    }

    public func update(arm: Int, context x: [Double], reward: Double) {
        let d = dimension
        let quadratic = applyInverse(arm, x)
        let denominator = 1 + quadratic
        // A⁻¹ ← A⁻¹ − (A⁻¹x)(A⁻¹x)ᵀ / (1 + xᵀA⁻¹x)
        for i in 0..<d {
            for j in 0..<d { inverses[arm][i * d + j] -= scratch[i] * scratch[j] / denominator }
        }
        for i in 0..<d { bs[arm][i] += reward * x[i] }
    }
}

/// Runs a context-free algorithm on a contextual bandit by ignoring the context — the baseline
/// LinUCB is compared with.
public final class ContextFree: ContextualBanditAlgorithm {
    public let inner: any BanditAlgorithm
    public var name: String { inner.name }

    public init(_ inner: any BanditAlgorithm) { self.inner = inner }

    public func selectArm(context x: [Double], using rng: inout RandomGenerator) -> Int {
        inner.selectArm(using: &rng)
    }

    public func update(arm: Int, context x: [Double], reward: Double) {
        inner.update(arm: arm, reward: reward)
    }
}

/// ε-greedy on per-arm ridge-regression estimates `θ̂_a·x`: the contextual baseline with the same
/// linear model as LinUCB but undirected exploration (a random arm with probability ε).
public final class LinearEpsilonGreedy: ContextualBanditAlgorithm {
    public let epsilon: Double
    private let model: LinUCB
    public var name: String { "linear-eps-greedy(\(epsilon))" }

    public init(k: Int, dimension: Int, epsilon: Double = 0.1, ridge: Double = 1.0) {
        precondition((0...1).contains(epsilon), "epsilon must be in [0, 1]")
        self.epsilon = epsilon
        model = LinUCB(k: k, dimension: dimension, alpha: 0, ridge: ridge)  // α = 0: the plain estimate
    }

    public func selectArm(context x: [Double], using rng: inout RandomGenerator) -> Int {
        if rng.bernoulli(epsilon) { return rng.nextInt(model.armCount) }
        return model.selectArm(context: x, using: &rng)
    }

    public func update(arm: Int, context x: [Double], reward: Double) {
        model.update(arm: arm, context: x, reward: reward)
    }
}
