import Foundation
import Slate

/// The random number generator SlateRL uses for resets, random policies and bandits: the
/// engine's xoshiro256** (seeded through SplitMix64). Same seed, same stream, on every platform.
///
/// Gymnasium draws its resets from numpy's PCG64; we draw from the same *distributions*
/// (the same uniform ranges) but not the same bits — replays start from a recorded state instead.
public struct SeededRandom: RandomNumberGenerator, Sendable {
    /// The engine's xoshiro256** generator supplies the bits; this type adds the distributions
    /// environments and bandits draw from.
    private var bits: RandomGenerator

    /// A generator whose stream is fully determined by `seed`.
    public init(seed: UInt64) { bits = RandomGenerator(seed: seed) }

    /// The generator's state words, for a training checkpoint (see ``init(state:)``).
    public var state: [UInt64] { bits.state }

    /// A generator continuing from saved `state`; nil when it is not a valid xoshiro256** state.
    public init?(state: [UInt64]) {
        guard let bits = RandomGenerator(state: state) else { return nil }
        self.bits = bits
    }

    /// A generator seeded from the system's entropy (for runs without `--seed`).
    public static func fromEntropy() -> SeededRandom {
        var system = SystemRandomNumberGenerator()
        return SeededRandom(seed: system.next())
    }

    /// Next 64 random bits.
    public mutating func next() -> UInt64 { bits.next() }

    /// Uniform in `[0, 1)` with 53 random bits.
    public mutating func unit() -> Double { bits.nextDouble() }

    /// Uniform in `[low, high)`, as numpy's `uniform(low, high)`: `low + (high - low) * u`.
    public mutating func uniform(_ low: Double, _ high: Double) -> Double {
        low + (high - low) * unit()
    }

    /// Uniform integer in `0..<bound` (unbiased).
    public mutating func int(below bound: Int) -> Int {
        precondition(bound > 0, "int(below:) needs a positive bound")
        return Int(next(upperBound: UInt64(bound)))
    }

    /// Bernoulli draw: `true` with probability `p`.
    public mutating func bernoulli(_ p: Double) -> Bool { unit() < p }

    /// Standard normal N(0, 1) by the Box–Muller transform.
    public mutating func normal() -> Double {
        var u1 = unit()
        while u1 <= 0 { u1 = unit() }
        let u2 = unit()
        return (-2 * Foundation.log(u1)).squareRoot() * Foundation.cos(2 * Double.pi * u2)
    }

    /// Normal with the given mean and standard deviation.
    public mutating func normal(mean: Double, std: Double) -> Double { mean + std * normal() }

    /// Gamma(shape, 1) by Marsaglia & Tsang (2000); shapes below 1 use the boost `G(a+1) * U^(1/a)`.
    public mutating func gamma(shape: Double) -> Double {
        precondition(shape > 0, "gamma shape must be positive")
        if shape < 1 {
            var u = unit()
            while u <= 0 { u = unit() }
            return gamma(shape: shape + 1) * Foundation.pow(u, 1 / shape)
        }
        let d = shape - 1.0 / 3.0, c = 1 / (9 * d).squareRoot()
        while true {
            var x = 0.0, v = 0.0
            repeat { x = normal(); v = 1 + c * x } while v <= 0
            v = v * v * v
            let u = unit()
            if u < 1 - 0.0331 * x * x * x * x { return d * v }
            if u > 0, Foundation.log(u) < 0.5 * x * x + d * (1 - v + Foundation.log(v)) { return d * v }
        }
    }

    /// Beta(a, b) as `X / (X + Y)` with `X ~ Gamma(a)`, `Y ~ Gamma(b)`.
    public mutating func beta(_ a: Double, _ b: Double) -> Double {
        let x = gamma(shape: a), y = gamma(shape: b)
        return x / (x + y)
    }
}

