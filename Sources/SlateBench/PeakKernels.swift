/// Loops that run the floating-point units flat out, for measuring a core's FP32 peak.
///
/// Each loop keeps several independent accumulator chains in flight, so the units never wait
/// on the latency of the previous result: with latency L cycles and P pipes, at least L·P
/// vector registers must be busy at once. Eight `SIMD8<Float>` chains cover Zen 4 (FMA latency 4,
/// two 256-bit pipes: 8 ymm) and Cortex-A72/A76 (two 128-bit pipes: 16 q registers).
///
/// Two flavours, because a portable build decides which instructions exist:
/// - `fusedPeakLoop` uses `addingProduct` (one fused multiply-add per lane). On AArch64 that is
///   `fmla`, always available. On x86-64 it is `vfmadd` only when the compiler targets a CPU
///   with FMA (e.g. `-Xswiftc -target-cpu -Xswiftc znver4`); the default x86-64 target (SSE2)
///   has no FMA instruction and every lane becomes a call to `fmaf` — hundreds of times slower.
/// - `separatePeakLoop` issues independent multiplies and adds (no fusion needed), which SSE2
///   can run on every x86-64: two FLOP per lane per mul+add pair, but half the FMA peak.
/// `PeakFLOPS` times both and keeps the faster, so each build reports what *it* can reach.

/// Fused multiply-add chains: `acc = acc * one + step`, eight `SIMD8<Float>` accumulators.
/// Returns a checksum (so the loop cannot be removed). FLOPs done: `iterations * fusedFlopsPerIteration`.
@inline(never)
public func fusedPeakLoop(iterations: Int, step: Float = 1e-3) -> Float {
    // `one` is 1 at run time, but the compiler cannot prove it (x/x is not folded for floats).
    let n = Float(iterations | 1)
    let one = SIMD8<Float>(repeating: n / n), inc = SIMD8<Float>(repeating: step)
    var a0 = inc, a1 = inc * 2, a2 = inc * 3, a3 = inc * 4
    var a4 = inc * 5, a5 = inc * 6, a6 = inc * 7, a7 = inc * 8
    for _ in 0..<iterations {
        a0 = inc.addingProduct(a0, one); a1 = inc.addingProduct(a1, one)
        a2 = inc.addingProduct(a2, one); a3 = inc.addingProduct(a3, one)
        a4 = inc.addingProduct(a4, one); a5 = inc.addingProduct(a5, one)
        a6 = inc.addingProduct(a6, one); a7 = inc.addingProduct(a7, one)
    }
    return ((a0 + a1) + (a2 + a3) + (a4 + a5) + (a6 + a7)).sum()
}

/// FLOPs per iteration of `fusedPeakLoop`: 8 chains × 8 lanes × 2 (multiply + add).
public let fusedFlopsPerIteration = 8 * 8 * 2

/// Independent multiply chains and add chains (three `SIMD8<Float>` of each, 12 SSE registers):
/// `m = m * one`, `s = s + step`. Returns a checksum. FLOPs: `iterations * separateFlopsPerIteration`.
@inline(never)
public func separatePeakLoop(iterations: Int, step: Float = 1e-3) -> Float {
    let n = Float(iterations | 1)
    let one = SIMD8<Float>(repeating: n / n), inc = SIMD8<Float>(repeating: step)
    var m0 = inc, m1 = inc * 2, m2 = inc * 3
    var s0 = inc * 4, s1 = inc * 5, s2 = inc * 6
    for _ in 0..<iterations {
        m0 = m0 * one; m1 = m1 * one; m2 = m2 * one
        s0 = s0 + inc; s1 = s1 + inc; s2 = s2 + inc
    }
    return ((m0 + m1) + m2 + (s0 + s1) + s2).sum()
}

/// FLOPs per iteration of `separatePeakLoop`: 6 chains × 8 lanes × 1.
public let separateFlopsPerIteration = 6 * 8

/// A dependent chain of integer add and xor, each one cycle of latency on every x86-64 and
/// ARM core: `steps * 2` cycles long whatever the machine does around it, so timing it reads the
/// clock the core actually runs at (turbo included), where `/proc/cpuinfo` may show a nominal
/// figure (virtual machines do). Returns a checksum. Cycles: `iterations * 8`.
@inline(never)
public func clockChainLoop(iterations: Int, seed: UInt64) -> UInt64 {
    // Odd constants derived from the seed, so the compiler cannot fold the chain into a formula.
    let k = seed &* 0x9E37_79B9_7F4A_7C15 | 1, m = seed &* 0xD1B5_4A32_D192_ED03
    var x = seed
    for _ in 0..<iterations {
        x = (x &+ k) ^ m; x = (x &+ k) ^ m; x = (x &+ k) ^ m; x = (x &+ k) ^ m
    }
    return x
}

/// Cycles per iteration of `clockChainLoop`: 4 steps × (add + xor).
public let clockChainCyclesPerIteration = 8
