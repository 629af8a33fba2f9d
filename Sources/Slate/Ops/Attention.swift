import Foundation
#if canImport(CBLAS)
import CBLAS
#endif

/// Fused causal multi-head self-attention, as in nanoGPT's `CausalSelfAttention` after `c_attn`:
///
///     q, k, v = qkv.split(C)                       // each (B, T, C) -> (B, nh, T, hs)
///     att = softmax(mask(q·kᵀ / √hs))              // (B, nh, T, T), causal
///     y = att · v                                  // (B, nh, T, hs) -> (B, T, C)
///
/// One task per (batch, head), split over cores. Q, K and V are read in place from the
/// (B, T, 3C) layout through BLAS leading dimensions (no permute copies). The forward keeps
/// only the log-sum-exp of each score row, (B, nh, T); the backward recomputes the T×T
/// probabilities of one head at a time in a per-thread scratch buffer (as FlashAttention does),
/// so no T×T tensor outlives the op. Both passes go over query rows in blocks and skip the
/// score blocks above the causal diagonal. Dropout on the probabilities (nanoGPT's `attn_dropout`)
/// draws its mask from a per-head seed, so the backward regenerates the same mask instead of
/// storing it.
extension Tensor {
    /// Causal self-attention over a fused projection. Shapes: qkv (B, T, 3C) -> (B, T, C),
    /// with `heads` heads of size C / heads and scale 1/√(C / heads). With `dropout` > 0, each
    /// probability is zeroed with that chance and the rest scaled by 1/(1 − dropout); the mask
    /// is drawn from `generator` (advanced by one draw).
    public func causalSelfAttention(heads: Int, dropout: Float = 0,
                                    generator: inout RandomGenerator) -> Tensor {
        causalSelfAttention(heads: heads, dropout: dropout, seed: dropout > 0 ? generator.next() : 0)
    }

    /// Causal self-attention without dropout (see the generator form).
    public func causalSelfAttention(heads: Int) -> Tensor {
        causalSelfAttention(heads: heads, dropout: 0, seed: 0)
    }

    func causalSelfAttention(heads: Int, dropout: Float, seed: UInt64) -> Tensor {
        precondition(rank == 3 && shape[2] % 3 == 0, "causalSelfAttention expects (B, T, 3C), got \(shape)")
        let (b, t, c) = (shape[0], shape[1], shape[2] / 3)
        precondition(heads > 0 && c % heads == 0, "n_embd \(c) is not divisible by \(heads) heads")
        precondition(dropout >= 0 && dropout < 1, "attention dropout must be in [0, 1), got \(dropout)")
        let dims = AttentionDims(batch: b, time: t, channels: c, heads: heads, dropout: dropout, seed: seed)
        let out = Tensor(uninitialized: [b, t, c])
        let lse = Tensor(uninitialized: [b, heads, t])                  // (B, nh, T)
        attentionForward(dims, qkv: pointer, y: out.pointer, lse: lse.pointer)
        let ys = out.storage, qkv = self
        return out.recordOp("causalSelfAttention", inputs: [self]) { g in
            guard qkv.requiresGrad else { return }
            let dqkv = qkv.gradBuffer().baseAddress!
            attentionBackward(dims, qkv: qkv.pointer, y: ys.pointer, lse: lse.pointer,
                              dy: g.pointer, dqkv: dqkv)
        }
    }
}

/// Sizes of one attention call. `hs` is the head size, `ld` the row stride of qkv (3C).
struct AttentionDims {
    let batch, time, channels, heads: Int
    /// Dropout probability on the attention weights and the seed its masks derive from.
    var dropout: Float = 0, seed: UInt64 = 0
    var hs: Int { channels / heads }
    var ld: Int { 3 * channels }
    var scale: Float { 1 / Float(hs).squareRoot() }

    /// The dropout mask generator of one (batch, head) task: the same stream in both passes.
    func maskGenerator(_ task: Int) -> RandomGenerator {
        RandomGenerator(seed: seed &+ UInt64(task) &* 0x9E37_79B9_7F4A_7C15)
    }
}

/// Multiplies row[0..<valid] by the dropout mask (0 or 1/(1 − p)), drawing one number per element.
@inline(__always)
func dropoutRow(_ row: UnsafeMutablePointer<Float>, valid: Int, p: Float, _ rng: inout RandomGenerator) {
    let keep = 1 / (1 - p)
    for s in 0..<valid { row[s] *= rng.nextFloat() < p ? 0 : keep }
}

/// Runs `body(task, scratch)` for every (batch, head) task, split over cores, each thread
/// with its own scratch of `scratchCount` floats. The per-head products inside run on their
/// task's thread (`threads: 1`): the split is over heads, not within a product.
func forEachHead(_ dims: AttentionDims, scratchCount: Int,
                 _ body: (_ task: Int, _ scratch: UnsafeMutablePointer<Float>) -> Void) {
    let tasks = dims.batch * dims.heads
    parallelRanges(tasks, grain: 1) { start, end in
        let scratch = Storage(count: scratchCount, zeroed: false)
        for task in start..<end { body(task, scratch.pointer) }
        withExtendedLifetime(scratch) {}
    }
}

/// Forward: y (B, T, C) and the log-sum-exp of every score row (B, nh, T).
/// Causal: query rows go in blocks of `causalRowBlock`; a block [i0, i1) only meets keys
/// [0, i1), so the score blocks above the diagonal are never computed.
func attentionForward(_ d: AttentionDims, qkv: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>,
                      lse: UnsafeMutablePointer<Float>) {
    let (T, C, hs, ld) = (d.time, d.channels, d.hs, d.ld)
    forEachHead(d, scratchCount: T * T) { task, att in
        let (b, h) = (task / d.heads, task % d.heads)
        let q = qkv + b * T * ld + h * hs, k = q + C, v = q + 2 * C
        let yh = y + b * T * C + h * hs
        let rowLSE = lse + task * T
        var rng = d.maskGenerator(task)
        forEachCausalBlock(T) { i0, i1 in
            let rows = i1 - i0, s = att + i0 * T
            // s = scale · q[i0..<i1] · k[0..<i1]ᵀ   (rows, hs)·(hs, i1) -> (rows, i1)
            sgemm(transA: false, transB: true, m: rows, n: i1, k: hs, alpha: d.scale,
                  a: q + i0 * ld, lda: ld, b: k, ldb: ld, c: s, ldc: T, threads: 1)
            for i in i0..<i1 { rowLSE[i] = causalSoftmaxRow(att + i * T, valid: i + 1, width: i1) }
            if d.dropout > 0 {
                for i in i0..<i1 { dropoutRow(att + i * T, valid: i + 1, p: d.dropout, &rng) }
            }
            // y[i0..<i1] = s · v[0..<i1]   (rows, i1)·(i1, hs) -> (rows, hs), head h's columns of y
            sgemm(transA: false, transB: false, m: rows, n: hs, k: i1,
                  a: s, lda: T, b: v, ldb: ld, c: yh + i0 * C, ldc: C, threads: 1)
        }
    }
}

/// Query rows per block of the causal attention loops: small enough that skipping the blocks
/// above the diagonal pays (T = 256 computes 9/16 of the square), large enough for BLAS.
let causalRowBlock = 32

/// Calls `body(i0, i1)` for consecutive row blocks [i0, i1) of 0..<T, in order.
@inline(__always)
func forEachCausalBlock(_ t: Int, _ body: (_ i0: Int, _ i1: Int) -> Void) {
    var i0 = 0
    while i0 < t {
        let i1 = Swift.min(t, i0 + causalRowBlock)
        body(i0, i1)
        i0 = i1
    }
}

/// Backward: adds dL/dqkv given dL/dy. Recomputes each head's probabilities from the saved
/// log-sum-exp. With P the probabilities, M the dropout mask (all ones without dropout),
/// P' = P ⊙ M (so y = P'·v) and dP = (dy·vᵀ) ⊙ M:
/// dS = P ⊙ (dP − rowsum(dy ⊙ y)),  dq = scale·dS·k,  dk = scale·dSᵀ·q,  dv = P'ᵀ·dy.
/// (rowsum(dy ⊙ y) = Σ_s P_is·dP_is, the softmax Jacobian's correction term.)
func attentionBackward(_ d: AttentionDims, qkv: UnsafePointer<Float>, y: UnsafePointer<Float>,
                       lse: UnsafePointer<Float>, dy: UnsafePointer<Float>, dqkv: UnsafeMutablePointer<Float>) {
    let (T, C, hs, ld) = (d.time, d.channels, d.hs, d.ld)
    let blockRows = Swift.min(T, causalRowBlock)
    forEachHead(d, scratchCount: 2 * blockRows * T) { task, scratch in
        let (b, h) = (task / d.heads, task % d.heads)
        let headOffset = b * T * ld + h * hs
        let q = qkv + headOffset, k = q + C, v = q + 2 * C
        let dq = dqkv + headOffset, dk = dq + C, dv = dq + 2 * C
        let yh = y + b * T * C + h * hs, dyh = dy + b * T * C + h * hs
        let p = scratch, dp = scratch + blockRows * T     // one row block each, (rows, i1) in ld T
        let rowLSE = lse + task * T
        // The forward drew each row's mask in row order; dP and P' take the same stream each.
        var rngDP = d.maskGenerator(task), rngP = d.maskGenerator(task)
        forEachCausalBlock(T) { i0, i1 in
            let rows = i1 - i0
            // P = exp(scale · q·kᵀ − lse), zero above the diagonal   (rows, hs)·(hs, i1) -> (rows, i1)
            sgemm(transA: false, transB: true, m: rows, n: i1, k: hs, alpha: d.scale,
                  a: q + i0 * ld, lda: ld, b: k, ldb: ld, c: p, ldc: T, threads: 1)
            for r in 0..<rows { causalExpRow(p + r * T, shift: rowLSE[i0 + r], valid: i0 + r + 1, width: i1) }
            // dP = dy · vᵀ   (rows, hs)·(hs, i1) -> (rows, i1)
            sgemm(transA: false, transB: true, m: rows, n: i1, k: hs,
                  a: dyh + i0 * C, lda: C, b: v, ldb: ld, c: dp, ldc: T, threads: 1)
            if d.dropout > 0 {  // dP ⊙= M (P itself becomes P' only after dS is formed)
                for r in 0..<rows { dropoutRow(dp + r * T, valid: i0 + r + 1, p: d.dropout, &rngDP) }
            }
            // dS = P ⊙ (dP − D), D_i = Σ_j dy_ij·y_ij  (equals Σ_s P_is·dP_is)
            for r in 0..<rows {
                let i = i0 + r
                var dot: Float = 0
                let dyr = dyh + i * C, yr = yh + i * C
                for j in 0..<hs { dot += dyr[j] * yr[j] }
                let pr = p + r * T, dpr = dp + r * T
                for s in 0...i { dpr[s] = pr[s] * (dpr[s] - dot) }
                for s in (i + 1)..<Swift.max(i + 1, i1) { dpr[s] = 0 }
            }
            if d.dropout > 0 {  // P' = P ⊙ M, the same mask stream as the forward
                for r in 0..<rows { dropoutRow(p + r * T, valid: i0 + r + 1, p: d.dropout, &rngP) }
            }
            // dq[i0..<i1] += scale · dS · k[0..<i1]      (rows, i1)·(i1, hs) -> (rows, hs)
            sgemm(transA: false, transB: false, m: rows, n: hs, k: i1, alpha: d.scale,
                  a: dp, lda: T, b: k, ldb: ld, beta: 1, c: dq + i0 * ld, ldc: ld, threads: 1)
            // dk[0..<i1] += scale · dSᵀ · q[i0..<i1]     (i1, rows)·(rows, hs) -> (i1, hs)
            sgemm(transA: true, transB: false, m: i1, n: hs, k: rows, alpha: d.scale,
                  a: dp, lda: T, b: q + i0 * ld, ldb: ld, beta: 1, c: dk, ldc: ld, threads: 1)
            // dv[0..<i1] += P'ᵀ · dy[i0..<i1]            (i1, rows)·(rows, hs) -> (i1, hs)
            sgemm(transA: true, transB: false, m: i1, n: hs, k: rows,
                  a: p, lda: T, b: dyh + i0 * C, ldb: C, beta: 1, c: dv, ldc: ld, threads: 1)
        }
    }
}

/// In place: row[0..<valid] becomes its softmax, row[valid..<width] becomes 0.
/// Returns the log-sum-exp of the valid scores.
@inline(__always)
func causalSoftmaxRow(_ row: UnsafeMutablePointer<Float>, valid: Int, width: Int) -> Float {
    let m = rowMax(row, valid)
    let sum = expShiftedRow(row, shift: m, row, valid)
    let inv = 1 / sum
    for s in 0..<valid { row[s] *= inv }
    for s in valid..<max(valid, width) { row[s] = 0 }
    return m + Foundation.log(sum)
}

/// In place: row[s] = exp(row[s] − shift) for s < valid, 0 for the rest of the width.
@inline(__always)
func causalExpRow(_ row: UnsafeMutablePointer<Float>, shift: Float, valid: Int, width: Int) {
    _ = expShiftedRow(row, shift: shift, row, valid)
    for s in valid..<max(valid, width) { row[s] = 0 }
}
