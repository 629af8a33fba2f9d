// Cross-entropy over integer class targets, fused: log-softmax and the negative log-likelihood
// in one pass per row, as PyTorch's `F.cross_entropy(logits, targets, ignore_index=...)` with
// its default reduction 'mean'.
//
// The forward saves only each row's log-sum-exp; the backward recomputes softmax from it, so
// no (N, V) probability tensor is kept alive between the passes.

import Foundation

extension Tensor {
    /// Mean cross-entropy of `self` (logits, shape `(..., V)`) against `targets`, one class
    /// index per row (count = product of the leading axes). Rows whose target equals
    /// `ignoreIndex` contribute nothing and are not counted in the mean; when every row is
    /// ignored the result is NaN (0/0), as in PyTorch. A target outside `0..<V` (other than
    /// `ignoreIndex`) is a precondition failure.
    ///
    /// loss = (1/n) Σᵢ (logsumexp(xᵢ) − xᵢ[tᵢ]) over the n rows not ignored;
    /// dxᵢ = g/n · (softmax(xᵢ) − onehot(tᵢ)), and 0 for ignored rows.
    public func crossEntropy(targets: [Int], ignoreIndex: Int? = nil) -> Tensor {
        precondition(rank >= 1, "crossEntropy needs logits of shape (..., V), got \(shape)")
        let v = shape[rank - 1]
        let rows = v == 0 ? 0 : count / v
        precondition(targets.count == rows,
                     "crossEntropy: \(targets.count) targets for \(rows) rows of logits \(shape)")
        var counted = 0
        for (i, t) in targets.enumerated() {
            if t == ignoreIndex { continue }
            precondition(t >= 0 && t < v,
                         "crossEntropy: target \(t) at row \(i) is not a class index in 0..<\(v)")
            counted += 1
        }

        let logSumExp = Tensor(uninitialized: [rows])     // (N,) saved for the backward
        let losses = Tensor(uninitialized: [rows])        // (N,) per-row NLL, 0 when ignored
        let px = pointer, plse = logSumExp.pointer, pl = losses.pointer
        targets.withUnsafeBufferPointer { tp in
            parallelRanges(rows, grain: rowGrain(v)) { s, e in
                for r in s..<e {
                    let row = px + r * v
                    let m = rowMax(row, v)
                    let lse = m + Foundation.log(expShiftedRow(row, shift: m, nil, v))
                    plse[r] = lse
                    let t = tp[r]
                    pl[r] = t == ignoreIndex ? 0 : lse - row[t]
                }
            }
        }
        var total = 0.0
        for r in 0..<rows { total += Double(pl[r]) }
        let out = Tensor(scalar: Float(total / Double(counted)))

        return out.recordOp("crossEntropy", inputs: [self]) { g in
            let scale = g.pointer[0] / Float(counted)
            let dx = self.gradBuffer().baseAddress!, plse = logSumExp.pointer
            targets.withUnsafeBufferPointer { tp in
                parallelRanges(rows, grain: rowGrain(v)) { s, e in
                    for r in s..<e where tp[r] != ignoreIndex {
                        // dx = scale · (exp(x − lse) − onehot)
                        crossEntropyBackwardRow(px + r * v, lse: plse[r], scale: scale,
                                                dx + r * v, v)
                        dx[r * v + tp[r]] -= scale
                    }
                }
            }
        }
    }
}

/// dx[j] += scale · exp(x[j] − lse) over one row of `n` logits.
@inline(__always)
func crossEntropyBackwardRow(_ x: UnsafePointer<Float>, lse: Float, scale: Float,
                             _ dx: UnsafeMutablePointer<Float>, _ n: Int) {
    let w = FloatVector.scalarCount
    let shift = FloatVector(repeating: lse)
    var i = 0
    while i + w <= n {
        storeVector(loadVector(dx + i) + fastExp(loadVector(x + i) - shift) * scale, dx + i)
        i += w
    }
    while i < n { dx[i] += fastExp(x[i] - lse) * scale; i += 1 }
}
