import Foundation

/// PyTorch's CPU random stream, draw for draw: `torch.manual_seed(s)` followed by the same calls
/// gives the same numbers here. It lets a Slate run start from exactly the weights and batches of
/// the PyTorch program it restates (nanoGPT's `--seed 1337` run, for instance), so the two can be
/// compared line by line instead of only in distribution.
///
/// The engine is MT19937 (32-bit Mersenne Twister, seeded with the low 32 bits of the seed, as
/// `at::mt19937`). On top of it, as ATen's CPU kernels do:
/// - `uniform_(a, b)` on Float: 24 bits of one 32-bit draw, `(u & (2²⁴−1))·2⁻²⁴·(b−a) + a`;
/// - `normal_(mean, std)` on a contiguous Float tensor of ≥ 16 elements: first one uniform per
///   element, then Box–Muller over blocks of 16 (element j pairs with j + 8), the last 16
///   elements redrawn and transformed again when the count is not a multiple of 16;
/// - `randint(high)`: one 32-bit draw modulo `high` (two draws, hi then lo, when high ≥ 2³²).
///
/// Tensors under 16 elements take another path in PyTorch (cached double normals) that is not
/// restated: `fillNormal` gives them normals from one block of 16, which PyTorch would not.
public struct TorchGenerator: Sendable {
    private var state = [UInt32](repeating: 0, count: 624)
    private var next = 0
    private var left = 1
    /// 32-bit draws taken so far: a resumed run re-creates the stream with `init(seed:)` and
    /// `discard(_:)` of this many.
    public private(set) var draws = 0

    /// `torch.manual_seed(seed)`.
    public init(seed: UInt64) {
        state[0] = UInt32(truncatingIfNeeded: seed)
        for j in 1..<624 {
            let prev = state[j - 1]
            state[j] = 1_812_433_253 &* (prev ^ (prev >> 30)) &+ UInt32(j)
        }
    }

    /// The next 32-bit output of MT19937.
    @inline(__always)
    public mutating func nextUInt32() -> UInt32 {
        left -= 1
        if left == 0 { twist() }
        var y = state[next]
        next += 1
        draws += 1
        y ^= y >> 11
        y ^= (y << 7) & 0x9D2C_5680
        y ^= (y << 15) & 0xEFC6_0000
        return y ^ (y >> 18)
    }

    /// Regenerates the 624 words of state (the standard MT19937 recurrence).
    private mutating func twist() {
        func mix(_ u: UInt32, _ v: UInt32) -> UInt32 {
            let y = (u & 0x8000_0000) | (v & 0x7FFF_FFFF)
            return (y >> 1) ^ ((v & 1) != 0 ? 0x9908_B0DF : 0)
        }
        for i in 0..<624 {
            state[i] = state[(i + 397) % 624] ^ mix(state[i], state[(i + 1) % 624])
        }
        left = 624
        next = 0
    }

    /// Skips `count` 32-bit draws.
    public mutating func discard(_ count: Int) {
        for _ in 0..<max(count, 0) { _ = nextUInt32() }
    }

    /// One draw of `uniform_(low, high)` on a Float tensor.
    @inline(__always)
    public mutating func nextUniform(_ low: Float = 0, _ high: Float = 1) -> Float {
        let u = Float(nextUInt32() & 0xFF_FFFF) * (1 / 16_777_216.0)
        return u * (high - low) + low
    }

    /// `torch.randint(high, ...)`, one element: uniform in `0..<high`.
    public mutating func nextInt(_ high: Int) -> Int {
        precondition(high > 0, "randint needs a positive upper bound")
        if high >= 1 << 32 {
            let hi = UInt64(nextUInt32()), lo = UInt64(nextUInt32())
            return Int((hi << 32 | lo) % UInt64(high))
        }
        return Int(nextUInt32() % UInt32(high))
    }

    /// `tensor.normal_(mean, std)` over `count` contiguous floats (PyTorch's stream for
    /// `count` ≥ 16; see the type's note for fewer).
    public mutating func fillNormal(_ p: UnsafeMutablePointer<Float>, count: Int, mean: Float, std: Float) {
        if count < 16 {
            var block = [Float](repeating: 0, count: 16)
            block.withUnsafeMutableBufferPointer { fillNormal($0.baseAddress!, count: 16, mean: mean, std: std) }
            for i in 0..<count { p[i] = block[i] }
            return
        }
        for i in 0..<count { p[i] = nextUniform() }
        var i = 0
        while i + 16 <= count { Self.boxMuller16(p + i, mean: mean, std: std); i += 16 }
        if count % 16 != 0 {
            let tail = p + count - 16
            for j in 0..<16 { tail[j] = nextUniform() }
            Self.boxMuller16(tail, mean: mean, std: std)
        }
    }

    /// Turns 16 uniforms into 16 normals: (u[j], u[j+8]) -> (r·cos θ, r·sin θ), r = √(−2 ln(1 − u[j])),
    /// θ = 2π·u[j+8], in Float as ATen's `normal_fill_16`.
    private static func boxMuller16(_ d: UnsafeMutablePointer<Float>, mean: Float, std: Float) {
        for j in 0..<8 {
            let u1 = 1 - d[j], u2 = d[j + 8]
            let radius = (-2 * Foundation.log(u1)).squareRoot()
            let theta = Float(2 * Double.pi * Double(u2))
            d[j] = radius * Foundation.cos(theta) * std + mean
            d[j + 8] = radius * Foundation.sin(theta) * std + mean
        }
    }

    /// Takes the draws `fillNormal(count:)` would take, keeping no values (for tensors PyTorch
    /// initialises and then overwrites).
    public mutating func skipNormal(count: Int) {
        discard(count < 16 ? 16 : count % 16 == 0 ? count : count + 16)
    }
}
