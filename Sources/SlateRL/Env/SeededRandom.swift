import Slate

/// SlateRL's former generator: resets, random policies and bandits now draw from the engine's
/// `RandomGenerator` (xoshiro256**), which also carries the distributions they use (`uniform`,
/// `bernoulli`, `nextNormal`, `gamma`, `beta`). Same seed, same stream as before.
///
/// Gymnasium draws its resets from numpy's PCG64; we draw from the same *distributions*
/// (the same uniform ranges) but not the same bits — replays start from a recorded state instead.
@available(*, deprecated, renamed: "RandomGenerator")
public typealias SeededRandom = RandomGenerator

extension RandomGenerator {
    /// The former name of `nextDouble()`.
    @available(*, deprecated, renamed: "nextDouble()")
    public mutating func unit() -> Double { nextDouble() }

    /// The former name of `nextInt(_:)`.
    @available(*, deprecated, renamed: "nextInt(_:)")
    public mutating func int(below bound: Int) -> Int { nextInt(bound) }

    /// The former name of `nextNormal()`.
    @available(*, deprecated, renamed: "nextNormal()")
    public mutating func normal() -> Double { nextNormal() }

    /// The former name of `nextNormal(mean:std:)`.
    @available(*, deprecated, renamed: "nextNormal(mean:std:)")
    public mutating func normal(mean: Double, std: Double) -> Double { nextNormal(mean: mean, std: std) }
}
