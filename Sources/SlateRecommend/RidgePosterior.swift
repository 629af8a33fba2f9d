import Slate
import SlateRL

/// The Bayesian linear model shared by every arm of a graph bandit: ridge regression of the
/// rewards on the contexts.
///
/// With observations `(xₜ, rₜ)`, `A = λI + Σ xₜxₜᵀ`, `b = Σ rₜxₜ` and `θ̂ = A⁻¹b` (the ridge
/// estimate). `A = LLᵀ` is factored once per round (Cholesky, `O(d³)`), after which
///
/// - LinUCB's score is `θ̂·x + α √(xᵀA⁻¹x)`, with `xᵀA⁻¹x = ‖L⁻¹x‖²`;
/// - linear Thompson sampling draws `θ̃ = θ̂ + ν L⁻ᵀz`, `z ~ N(0, I)`, so `θ̃ ~ N(θ̂, ν²A⁻¹)`.
///
/// `refit` rebuilds `A` and `b` from a new set of contexts (the GNN's embeddings change whenever
/// the encoder is trained).
public struct RidgePosterior: Sendable {
    /// Context dimension `d`.
    public let dimension: Int
    /// Ridge `λ > 0` (the prior precision).
    public let ridge: Double
    /// `A`, `(d, d)` row-major.
    public private(set) var a: [Double]
    /// `b`, `(d)`.
    public private(set) var b: [Double]
    /// Cholesky factor `L` of `A` (lower, `(d, d)`), valid after `factor()`.
    private var lower: [Double]
    /// `θ̂`, valid after `factor()`.
    public private(set) var mean: [Double]

    /// The prior: `A = λI`, `b = 0`.
    public init(dimension d: Int, ridge: Double = 1) {
        precondition(d >= 1 && ridge > 0, "RidgePosterior needs d ≥ 1 and λ > 0")
        dimension = d
        self.ridge = ridge
        a = [Double](repeating: 0, count: d * d)
        for i in 0..<d { a[i * d + i] = ridge }
        b = [Double](repeating: 0, count: d)
        lower = a
        mean = b
        factor()
    }

    /// Adds one observation: `A += xxᵀ`, `b += r x`. Call `factor()` before scoring again.
    public mutating func add(_ x: [Double], reward r: Double) {
        let d = dimension
        for i in 0..<d {
            for j in 0..<d { a[i * d + j] += x[i] * x[j] }
            b[i] += r * x[i]
        }
    }

    /// Back to the prior, then adds every `(contexts[t], rewards[t])`.
    public mutating func refit(contexts: [[Double]], rewards: [Double]) {
        self = RidgePosterior(dimension: dimension, ridge: ridge)
        for (x, r) in zip(contexts, rewards) { add(x, reward: r) }
        factor()
    }

    /// Factors `A = LLᵀ` and solves `θ̂ = A⁻¹b`. `A` is positive definite (λ > 0), so the
    /// factorisation cannot fail short of overflow.
    public mutating func factor() {
        let d = dimension
        lower = [Double](repeating: 0, count: d * d)
        for j in 0..<d {
            var diagonal = a[j * d + j]
            for k in 0..<j { diagonal -= lower[j * d + k] * lower[j * d + k] }
            let pivot = max(diagonal, 1e-300).squareRoot()
            lower[j * d + j] = pivot
            for i in (j + 1)..<max(d, j + 1) {
                var s = a[i * d + j]
                for k in 0..<j { s -= lower[i * d + k] * lower[j * d + k] }
                lower[i * d + j] = s / pivot
            }
        }
        mean = backSubstitute(forwardSubstitute(b))
    }

    /// `L⁻¹x` (forward substitution).
    func forwardSubstitute(_ x: [Double]) -> [Double] {
        let d = dimension
        var y = x
        for i in 0..<d {
            var s = y[i]
            for k in 0..<i { s -= lower[i * d + k] * y[k] }
            y[i] = s / lower[i * d + i]
        }
        return y
    }

    /// `L⁻ᵀy` (back substitution).
    func backSubstitute(_ y: [Double]) -> [Double] {
        let d = dimension
        var x = y
        for i in stride(from: d - 1, through: 0, by: -1) {
            var s = x[i]
            for k in (i + 1)..<max(d, i + 1) { s -= lower[k * d + i] * x[k] }
            x[i] = s / lower[i * d + i]
        }
        return x
    }

    /// `θ̂·x`.
    public func predict(_ x: [Double]) -> Double { zip(mean, x).reduce(0) { $0 + $1.0 * $1.1 } }

    /// `xᵀA⁻¹x`, the posterior variance of `θ·x` in units of the noise variance.
    public func variance(_ x: [Double]) -> Double { forwardSubstitute(x).reduce(0) { $0 + $1 * $1 } }

    /// LinUCB's upper confidence bound `θ̂·x + α √(xᵀA⁻¹x)`.
    public func upperBound(_ x: [Double], alpha: Double) -> Double {
        predict(x) + alpha * variance(x).squareRoot()
    }

    /// A draw `θ̃ ~ N(θ̂, ν²A⁻¹)`.
    public func sample(scale nu: Double, using rng: inout RandomGenerator) -> [Double] {
        let z = (0..<dimension).map { _ in rng.nextNormal() }
        return zip(mean, backSubstitute(z)).map { $0 + nu * $1 }
    }
}
