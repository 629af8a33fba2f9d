/// A small, fast, seedable generator (xoshiro256**, seeded through ``SplitMix64``).
///
/// Every random thing in Slate — initialisation, dropout masks, batches, sampling, environment
/// resets, bandits — draws from a generator like this, so a `--seed` makes a run repeatable.
/// Each purpose of a run gets its own generator, seeded by a named ``SeedPurpose``.
public struct RandomGenerator: RandomNumberGenerator, Sendable {
    private var s0, s1, s2, s3: UInt64

    /// A generator whose whole stream is fixed by `seed`: its state is the next four outputs of
    /// `SplitMix64(seed: seed)` (as xoshiro's authors recommend).
    public init(seed: UInt64) {
        var seeder = SplitMix64(seed: seed)
        s0 = seeder.next(); s1 = seeder.next(); s2 = seeder.next(); s3 = seeder.next()
    }

    /// The generator of `purpose` for unit `index` (fold, seed, run, worker) of a run seeded `seed`.
    public init(seed: UInt64, for purpose: SeedPurpose, index: Int = 0) {
        self.init(seed: purpose.seed(from: seed, index: index))
    }

    /// A generator seeded from the system's entropy (for runs without `--seed`).
    public static func fromEntropy() -> RandomGenerator {
        var system = SystemRandomNumberGenerator()
        return RandomGenerator(seed: system.next())
    }

    /// The generator's whole state (four words), for checkpoints: `RandomGenerator(state:)`
    /// continues the stream exactly where this one stands.
    public var state: [UInt64] { [s0, s1, s2, s3] }

    /// A generator that continues the stream whose ``state`` was saved; nil unless `state` holds
    /// four words, not all zero (xoshiro's one forbidden state).
    public init?(state: [UInt64]) {
        guard state.count == 4, state.contains(where: { $0 != 0 }) else { return nil }
        (s0, s1, s2, s3) = (state[0], state[1], state[2], state[3])
    }

    /// ``state`` as text (four hex words joined by `-`), for checkpoint metadata.
    public var text: String { state.map { String($0, radix: 16) }.joined(separator: "-") }

    /// The generator whose ``text`` this is; nil for any other string.
    public init?(text: String) {
        let words = text.split(separator: "-").compactMap { UInt64($0, radix: 16) }
        guard words.count == 4 else { return nil }
        self.init(state: words)
    }

    @inline(__always)
    public mutating func next() -> UInt64 {
        let result = ((s1 &* 5) << 7 | (s1 &* 5) >> 57) &* 9
        let t = s1 << 17
        s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3
        s2 ^= t
        s3 = (s3 << 45) | (s3 >> 19)
        return result
    }

    /// Uniform in [0, 1) with 24 random bits.
    @inline(__always)
    public mutating func nextFloat() -> Float {
        Float(next() >> 40) * (1.0 / 16_777_216.0)
    }

    /// Uniform in [0, 1) with 53 random bits.
    @inline(__always)
    public mutating func nextDouble() -> Double {
        Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0)
    }

    /// Standard normal draw (Box–Muller).
    public mutating func nextNormal() -> Double {
        var u = nextDouble()
        while u <= .leastNonzeroMagnitude { u = nextDouble() }
        let v = nextDouble()
        return (-2 * _log(u)).squareRoot() * _cos(2 * .pi * v)
    }

    /// Uniform integer in `0..<upperBound` (unbiased).
    @inline(__always)
    public mutating func nextInt(_ upperBound: Int) -> Int {
        Int(next(upperBound: UInt64(upperBound)))
    }

    /// Normal with mean `mean` and standard deviation `std`: `mean + std · z`, z from ``nextNormal()``.
    public mutating func nextNormal(mean: Double, std: Double) -> Double { mean + std * nextNormal() }

    /// Uniform in `[low, high)`, as numpy's `uniform(low, high)`: `low + (high − low) · u`.
    public mutating func uniform(_ low: Double, _ high: Double) -> Double { low + (high - low) * nextDouble() }

    /// `true` with probability `p`: `u < p` for u uniform in [0, 1).
    public mutating func bernoulli(_ p: Double) -> Bool { nextDouble() < p }

    /// Gamma(shape, 1) by Marsaglia & Tsang (2000): with d = shape − 1/3, c = 1/√(9d), draw
    /// z ~ N(0, 1), v = (1 + cz)³ and accept d·v when u < 1 − 0.0331 z⁴ or
    /// log u < z²/2 + d(1 − v + log v). Shapes below 1 use the boost G(shape + 1) · u^(1/shape).
    public mutating func gamma(shape: Double) -> Double {
        precondition(shape > 0, "gamma shape must be positive")
        if shape < 1 {
            var u = nextDouble()
            while u <= 0 { u = nextDouble() }
            return gamma(shape: shape + 1) * Foundation.pow(u, 1 / shape)
        }
        let d = shape - 1.0 / 3.0, c = 1 / (9 * d).squareRoot()
        while true {
            var x = 0.0, v = 0.0
            repeat { x = nextNormal(); v = 1 + c * x } while v <= 0
            v = v * v * v
            let u = nextDouble()
            if u < 1 - 0.0331 * x * x * x * x { return d * v }
            if u > 0, _log(u) < 0.5 * x * x + d * (1 - v + _log(v)) { return d * v }
        }
    }

    /// Beta(a, b) as X / (X + Y) with X ~ Gamma(a), Y ~ Gamma(b).
    public mutating func beta(_ a: Double, _ b: Double) -> Double {
        let x = gamma(shape: a), y = gamma(shape: b)
        return x / (x + y)
    }
}

/// SplitMix64 (Steele, Lea & Flood 2014): a 64-bit counter advanced by the golden-ratio
/// increment γ = 0x9E3779B97F4A7C15, each value scrambled by a fixed mixing function. It seeds
/// ``RandomGenerator`` and, where a stream must be reached in O(1), draws directly (graph
/// splits and shuffles): the n-th draw depends only on `seed + n·γ`.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    /// The counter's increment γ per draw: ⌊2⁶⁴/φ⌋, odd.
    public static let increment: UInt64 = 0x9E37_79B9_7F4A_7C15
    private var state: UInt64

    /// A generator whose stream is fixed by `seed`.
    public init(seed: UInt64) { state = seed }

    /// The next 64 bits: the counter moves by γ and is mixed (two xor-shift-multiply rounds).
    public mutating func next() -> UInt64 {
        state &+= Self.increment
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// This generator after `draws` more draws, in O(1) (the counter moves by `draws · γ`).
    public func advanced(by draws: UInt64) -> SplitMix64 {
        SplitMix64(seed: state &+ draws &* Self.increment)
    }
}

/// One purpose a run draws random numbers for (weights, dropout, shuffling, bandit arms, ...),
/// with its rule for deriving that purpose's seed from the run's `--seed` and a unit index (fold,
/// seed, run). Each purpose thus draws its own stream: drawing more for one never shifts another,
/// and a `--seed` replays them all. Showcases declare theirs as static members, so a generator
/// reads as `RandomGenerator(seed: config.seed, for: .foldDropout, index: k)`; the rules are
/// fixed once results are published, since changing one changes every run made with it.
public struct SeedPurpose: Sendable {
    /// What the stream is for, e.g. `"fold dropout"`.
    public let name: String
    private let rule: @Sendable (_ seed: UInt64, _ index: UInt64) -> UInt64

    /// A purpose called `name` whose seed for unit `index` of a run seeded `seed` is `rule(seed, index)`.
    public init(_ name: String, rule: @escaping @Sendable (_ seed: UInt64, _ index: UInt64) -> UInt64) {
        self.name = name
        self.rule = rule
    }

    /// The seed of this purpose for unit `index` of a run seeded `seed`.
    public func seed(from seed: UInt64, index: Int = 0) -> UInt64 { rule(seed, UInt64(truncatingIfNeeded: index)) }
}

/// The process-wide generator used when no explicit one is passed, shared by every thread under
/// a lock. Pass your own `RandomGenerator` where speed or per-thread repeatability matters.
public enum Random {
    private static let lock = NSLock()
    /// Read and written only while holding `lock` (hence safe to share across threads).
    nonisolated(unsafe) private static var global = RandomGenerator(seed: 0x5EED)

    /// Reseeds the global generator.
    public static func seed(_ seed: UInt64) {
        lock.lock(); defer { lock.unlock() }
        global = RandomGenerator(seed: seed)
    }

    /// Runs `body` with exclusive use of the global generator.
    public static func withGlobal<R>(_ body: (inout RandomGenerator) throws -> R) rethrows -> R {
        lock.lock(); defer { lock.unlock() }
        return try body(&global)
    }

    /// A new generator seeded from the next draw of the global one: repeatable after
    /// `Random.seed(_:)`, and free to use without the lock.
    public static func child() -> RandomGenerator {
        withGlobal { RandomGenerator(seed: $0.next()) }
    }
}

@inline(__always) func _log(_ x: Double) -> Double { Foundation.log(x) }
@inline(__always) func _cos(_ x: Double) -> Double { Foundation.cos(x) }

import Foundation
