import Slate

/// Sparse × dense matrix product, the message-passing step of a GCN: out = A · X.
///
/// Forward: out[r, :] = Σ_k A[r, c_k] · X[c_k, :] over the stored entries of row r, rows split
/// over cores (each thread writes only its own rows: no races, no atomics).
/// Backward: dX += Aᵀ · dOut, using the cached CSR transpose of A (A itself when symmetric),
/// so it is again a race-free row-parallel SpMM. A is a constant (the normalised adjacency).
public func spmm(_ a: SparseMatrix, _ x: Tensor) -> Tensor {
    precondition(x.rank == 2 && x.shape[0] == a.cols, "spmm: A is \(a.rows)×\(a.cols), X is \(x.shape)")
    let f = x.shape[1]
    let out = Tensor(uninitialized: [a.rows, f])                      // (N, F)
    spmmKernel(a, x.pointer, f, out.pointer, accumulate: false)
    return out.recordOp("spmm", inputs: [x]) { g in                    // g: (N, F)
        guard x.requiresGrad else { return }
        spmmKernel(a.transposed, g.pointer, f, x.gradBuffer().baseAddress!, accumulate: true)
    }
}

/// out (rows, f) = (accumulate ? out : 0) + A · x, with x of shape (A.cols, f). Row-parallel.
func spmmKernel(_ a: SparseMatrix, _ x: UnsafePointer<Float>, _ f: Int,
                       _ out: UnsafeMutablePointer<Float>, accumulate: Bool) {
    let rows = a.rows
    let workPerRow = max(1, a.nonZeros / max(rows, 1)) * max(f, 1)
    a.rowStart.withUnsafeBufferPointer { start in
        a.columns.withUnsafeBufferPointer { cols in
            a.values.withUnsafeBufferPointer { vals in
                let start = start.baseAddress!, cols = cols.baseAddress!, vals = vals.baseAddress!
                parallelRanges(rows, grain: max(1, 16_384 / workPerRow)) { lo, hi in
                    for r in lo..<hi {
                        let o = out + r * f
                        if !accumulate { o.update(repeating: 0, count: f) }
                        for k in Int(start[r])..<Int(start[r + 1]) {
                            let v = vals[k]
                            let xr = x + Int(cols[k]) * f
                            for j in 0..<f { o[j] += v * xr[j] }
                        }
                    }
                }
            }
        }
    }
}

/// Reference twin of `spmm`'s forward: dense A (rows × cols) times X, in Double.
func naiveSpMM(_ a: SparseMatrix, _ x: [Float], featureCount f: Int) -> [Float] {
    let dense = a.dense()
    var out = [Float](repeating: 0, count: a.rows * f)
    for r in 0..<a.rows {
        for j in 0..<f {
            var acc = 0.0
            for c in 0..<a.cols { acc += Double(dense[r * a.cols + c]) * Double(x[c * f + j]) }
            out[r * f + j] = Float(acc)
        }
    }
    return out
}
