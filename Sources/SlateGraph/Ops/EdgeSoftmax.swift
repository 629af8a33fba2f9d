import Foundation
import Slate

/// GAT's attention over the stored entries of a CSR support (one entry per edge j → i, self loops
/// included), as two fused sparse ops. Nothing is ever N × N: every tensor is (N, ·) or (E, ·).
///
/// `edgeSoftmax` — logits and softmax in one pass per target row i, for every head h:
///
///   s_ijh = src_jh + dst_ih     e_ijh = LeakyReLU(s_ijh)     α_ijh = exp(e_ijh) / Σ_{k∈N(i)} exp(e_ikh)
///   backward: dE_ijh = α_ijh (g_ijh − Σ_k α_ikh g_ikh)    dS = dE · (s > 0 ? 1 : slope)
///             dDst_ih = Σ_j dS_ijh (row i)                dSrc_jh = Σ_i dS_ijh (column j, via the transpose)
///
/// `edgeAggregate` — out_i,h = Σ_j α_ijh · v_j,h over the same entries (a per-head weighted SpMM):
///
///   backward: dα_ijh = ⟨g_ih, v_jh⟩ (row i)    dv_jh = Σ_i α_ijh g_ih (column j, via the transpose)
///
/// Both backward passes are row-parallel with no scatter: per-source sums walk the cached
/// `transposeIndex` of the support, so no two threads write one row.

/// Attention coefficients α (E, H) for the entries of `support`, from per-node source scores
/// `source` (N, H) and target scores `target` (N, H). Entry order is the support's CSR order.
public func edgeSoftmax(source: Tensor, target: Tensor, support: SparseMatrix, negativeSlope: Float = 0.2) -> Tensor {
    precondition(source.rank == 2 && source.shape == target.shape && source.shape[0] == support.cols
                 && support.rows == support.cols,
                 "edgeSoftmax: scores \(source.shape) and \(target.shape) do not fit a \(support.rows)×\(support.cols) support")
    let (n, h, e) = (support.rows, source.shape[1], support.nonZeros)
    let out = Tensor(uninitialized: [e, h])                                        // (E, H)
    let ps = source.pointer, pt = target.pointer, pa = out.pointer
    let slope = negativeSlope
    support.rowStart.withUnsafeBufferPointer { start in
        support.columns.withUnsafeBufferPointer { cols in
            parallelRanges(n, grain: rowsPerTask(support, width: h)) { lo, hi in
                for i in lo..<hi {
                    let (s0, s1) = (Int(start[i]), Int(start[i + 1]))
                    guard s1 > s0 else { continue }
                    for hd in 0..<h {
                        var m = -Float.infinity
                        for k in s0..<s1 {
                            let s = ps[Int(cols[k]) * h + hd] + pt[i * h + hd]
                            let logit = s > 0 ? s : slope * s
                            pa[k * h + hd] = logit
                            m = max(m, logit)
                        }
                        var sum: Float = 0
                        for k in s0..<s1 { let z = expf(pa[k * h + hd] - m); pa[k * h + hd] = z; sum += z }
                        for k in s0..<s1 { pa[k * h + hd] /= sum }
                    }
                }
            }
        }
    }
    // The backward reads α through `pa`, never through `out`: a closure that captured `out` would
    // be owned by `out`'s own GradFn, a cycle that keeps every epoch's graph alive.
    return out.recordOp("edgeSoftmax", inputs: [source, target]) { g in
        let pg = g.pointer
        let dS = Tensor(uninitialized: [e, h]), pd = dS.pointer                     // (E, H) d/ds per entry
        let dDst = target.requiresGrad ? target.gradBuffer().baseAddress : nil
        support.rowStart.withUnsafeBufferPointer { start in
            support.columns.withUnsafeBufferPointer { cols in
                parallelRanges(n, grain: rowsPerTask(support, width: h)) { lo, hi in
                    for i in lo..<hi {
                        let (s0, s1) = (Int(start[i]), Int(start[i + 1]))
                        for hd in 0..<h {
                            var dot: Float = 0
                            for k in s0..<s1 { dot += pa[k * h + hd] * pg[k * h + hd] }
                            var rowSum: Float = 0
                            for k in s0..<s1 {
                                let s = ps[Int(cols[k]) * h + hd] + pt[i * h + hd]
                                let d = pa[k * h + hd] * (pg[k * h + hd] - dot) * (s > 0 ? 1 : slope)
                                pd[k * h + hd] = d
                                rowSum += d
                            }
                            dDst?[i * h + hd] += rowSum
                        }
                    }
                }
            }
        }
        guard source.requiresGrad else { return }
        let dSrc = source.gradBuffer().baseAddress!
        let index = support.transposeIndex
        index.rowStart.withUnsafeBufferPointer { tStart in
            index.entry.withUnsafeBufferPointer { entry in
                parallelRanges(n, grain: rowsPerTask(support, width: h)) { lo, hi in
                    for j in lo..<hi {                                              // Σ over the edges leaving j
                        for t in Int(tStart[j])..<Int(tStart[j + 1]) {
                            let k = Int(entry[t])
                            for hd in 0..<h { dSrc[j * h + hd] += pd[k * h + hd] }
                        }
                    }
                }
            }
        }
    }
}

/// out (N, H·C) with out_i,h = Σ_j α_ijh · v_j,h over the entries of `support`: `weights` α (E, H),
/// `values` v (N, H·C) holding H heads of C features side by side.
public func edgeAggregate(weights: Tensor, values: Tensor, support: SparseMatrix) -> Tensor {
    precondition(weights.rank == 2 && weights.shape[0] == support.nonZeros && values.rank == 2
                 && values.shape[0] == support.cols && values.shape[1] % max(weights.shape[1], 1) == 0,
                 "edgeAggregate: weights \(weights.shape) and values \(values.shape) do not fit the support (\(support.nonZeros) entries)")
    let (n, h, f) = (support.rows, weights.shape[1], values.shape[1])
    let c = f / h
    let out = Tensor(uninitialized: [n, f])                                        // (N, H·C)
    let pw = weights.pointer, pv = values.pointer, po = out.pointer
    support.rowStart.withUnsafeBufferPointer { start in
        support.columns.withUnsafeBufferPointer { cols in
            parallelRanges(n, grain: rowsPerTask(support, width: f)) { lo, hi in
                for i in lo..<hi {
                    let o = po + i * f
                    o.update(repeating: 0, count: f)
                    for k in Int(start[i])..<Int(start[i + 1]) {
                        let v = pv + Int(cols[k]) * f
                        for hd in 0..<h {
                            let a = pw[k * h + hd]
                            for x in (hd * c)..<(hd * c + c) { o[x] += a * v[x] }
                        }
                    }
                }
            }
        }
    }
    return out.recordOp("edgeAggregate", inputs: [weights, values]) { g in
        let pg = g.pointer
        if weights.requiresGrad {
            let dw = weights.gradBuffer().baseAddress!
            support.rowStart.withUnsafeBufferPointer { start in
                support.columns.withUnsafeBufferPointer { cols in
                    parallelRanges(n, grain: rowsPerTask(support, width: f)) { lo, hi in
                        for i in lo..<hi {
                            let gi = pg + i * f
                            for k in Int(start[i])..<Int(start[i + 1]) {
                                let v = pv + Int(cols[k]) * f
                                for hd in 0..<h {
                                    var dot: Float = 0
                                    for x in (hd * c)..<(hd * c + c) { dot += gi[x] * v[x] }
                                    dw[k * h + hd] += dot
                                }
                            }
                        }
                    }
                }
            }
        }
        guard values.requiresGrad else { return }
        let dv = values.gradBuffer().baseAddress!
        let index = support.transposeIndex
        index.rowStart.withUnsafeBufferPointer { tStart in
            index.columns.withUnsafeBufferPointer { tRows in
                index.entry.withUnsafeBufferPointer { entry in
                    parallelRanges(n, grain: rowsPerTask(support, width: f)) { lo, hi in
                        for j in lo..<hi {
                            let d = dv + j * f
                            for t in Int(tStart[j])..<Int(tStart[j + 1]) {   // the edges j → i
                                let k = Int(entry[t]), gi = pg + Int(tRows[t]) * f
                                for hd in 0..<h {
                                    let a = pw[k * h + hd]
                                    for x in (hd * c)..<(hd * c + c) { d[x] += a * gi[x] }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// Rows per parallel task so that a task touches about 16k values.
func rowsPerTask(_ a: SparseMatrix, width: Int) -> Int {
    max(1, 16_384 / max(1, a.nonZeros / max(a.rows, 1) * max(width, 1)))
}

/// Reference twin of `edgeSoftmax` + `edgeAggregate` on a dense N × N logit matrix, in Double:
/// returns α in the support's entry order (E, H) and the aggregated values (N, H·C).
func naiveGATAttention(source: [Float], target: [Float], values: [Float], heads h: Int,
                              support: SparseMatrix, negativeSlope: Double = 0.2) -> (alpha: [Float], out: [Float]) {
    let n = support.rows, f = values.count / max(n, 1), c = f / h
    let mask = support.dense()                                                      // 1 where j → i is an edge
    var alpha = [Float](repeating: 0, count: support.nonZeros * h)
    var out = [Float](repeating: 0, count: n * f)
    for hd in 0..<h {
        var dense = [Double](repeating: 0, count: n * n)                              // α as an N × N matrix
        for i in 0..<n {
            var logits = [Double](repeating: -.infinity, count: n)
            for j in 0..<n where mask[i * n + j] != 0 {
                let s = Double(source[j * h + hd]) + Double(target[i * h + hd])
                logits[j] = s > 0 ? s : negativeSlope * s
            }
            guard let m = logits.max(), m > -.infinity else { continue }
            let z = logits.map { $0 == -.infinity ? 0 : Foundation.exp($0 - m) }
            let total = z.reduce(0, +)
            for j in 0..<n { dense[i * n + j] = z[j] / total }
        }
        for i in 0..<n {
            for k in Int(support.rowStart[i])..<Int(support.rowStart[i + 1]) {
                alpha[k * h + hd] = Float(dense[i * n + Int(support.columns[k])])
            }
            for x in 0..<c {
                var acc = 0.0
                for j in 0..<n { acc += dense[i * n + j] * Double(values[j * f + hd * c + x]) }
                out[i * f + hd * c + x] = Float(acc)
            }
        }
    }
    return (alpha, out)
}
