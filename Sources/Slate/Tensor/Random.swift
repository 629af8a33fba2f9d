/// A small, fast, seedable generator (xoshiro256**, seeded through SplitMix64).
///
/// Every random thing in Slate — initialisation, dropout masks, batches, sampling — draws from a
/// generator like this, so a `--seed` makes a run repeatable.
public struct RandomGenerator: RandomNumberGenerator, Sendable {
    private var s0, s1, s2, s3: UInt64

    /// A generator whose whole stream is fixed by `seed`.
    public init(seed: UInt64) {
        var x = seed
        func splitmix() -> UInt64 {
            x &+= 0x9E37_79B9_7F4A_7C15
            var z = x
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        s0 = splitmix(); s1 = splitmix(); s2 = splitmix(); s3 = splitmix()
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

    /// Uniform integer in `0..<upperBound`.
    @inline(__always)
    public mutating func nextInt(_ upperBound: Int) -> Int {
        Int(next(upperBound: UInt64(upperBound)))
    }
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
