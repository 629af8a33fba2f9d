/// Batch normalisation over the rows of a (N, C) matrix, fused (PyTorch `F.batch_norm` on 2-D input).
///
/// Training (statistics of this batch; biased variance normalises, as PyTorch does):
///
///   μ_c = (1/N) Σ_n x_nc     σ²_c = (1/N) Σ_n (x_nc − μ_c)²     r_c = 1/√(σ²_c + eps)
///   x̂_nc = (x_nc − μ_c)·r_c   y_nc = x̂_nc·w_c + b_c
///   running_mean ← (1 − m)·running_mean + m·μ      running_var ← (1 − m)·running_var + m·σ²·N/(N − 1)
///   backward, with d = g ⊙ w:   dx_nc = r_c·(d_nc − mean_n(d_·c) − x̂_nc·mean_n(d_·c ⊙ x̂_·c))
///
/// One row in training (e.g. a batch that is a single one-node graph) normalises to x̂ = 0 with
/// dx = 0, as the formulas give, and leaves running_var unchanged (N − 1 = 0).
///
/// Evaluation (the running statistics are constants):  y = (x − running_mean)·r·w + b,
/// r = 1/√(running_var + eps), and dx = g ⊙ w·r. In both modes dw = Σ_n g ⊙ x̂ and db = Σ_n g.

extension Tensor {
    /// Batch norm of `self` `(N, C)` over its rows, with optional affine `weight`, `bias` `(C)`.
    ///
    /// - Parameters:
    ///   - weight: `(C)` scale w, or nil for 1.
    ///   - bias: `(C)` shift b, or nil for 0.
    ///   - runningMean: `(C)` running mean; updated in place in training (when given), used for
    ///     normalisation in evaluation (required then).
    ///   - runningVar: `(C)` running (unbiased) variance, updated and used as `runningMean`.
    ///   - training: normalise with the batch statistics (true) or the running ones (false).
    ///   - momentum: weight of the new batch in the running estimates (PyTorch's 0.1).
    ///   - eps: added to the variance under the square root.
    public func batchNorm(weight: Tensor?, bias: Tensor?, runningMean: Tensor?, runningVar: Tensor?,
                          training: Bool, momentum: Float = 0.1, eps: Float = 1e-5) -> Tensor {
        precondition(rank == 2, "batchNorm: expected a (N, C) input, got \(shape)")
        let (n, c) = (shape[0], shape[1])
        for (name, t) in [("weight", weight), ("bias", bias), ("runningMean", runningMean), ("runningVar", runningVar)] {
            if let t { precondition(t.shape == [c], "batchNorm: \(name) \(t.shape) does not match \(c) channels") }
        }
        precondition(training || (runningMean != nil && runningVar != nil), "batchNorm: evaluation needs running statistics")

        // Per channel: the shift μ and the scale r the rows are normalised with.
        let mean = Tensor(uninitialized: [c]), rstd = Tensor(uninitialized: [c])   // (C,) saved for backward
        let px = pointer, pm = mean.pointer, pr = rstd.pointer
        if training {
            columnMeans(px, n, c, into: pm)
            let sq = Tensor.zeros([c]), ps = sq.pointer                             // Σ_n (x − μ)²
            for r in 0..<n {
                let row = px + r * c
                for j in 0..<c { let d = row[j] - pm[j]; ps[j] += d * d }
            }
            for j in 0..<c { pr[j] = 1 / (ps[j] / Float(n) + eps).squareRoot() }
            if let runningMean, let runningVar {
                let rm = runningMean.pointer, rv = runningVar.pointer
                for j in 0..<c {
                    rm[j] = (1 - momentum) * rm[j] + momentum * pm[j]
                    // Unbiased variance; undefined for one row (PyTorch refuses it), so then left as it was.
                    if n > 1 { rv[j] = (1 - momentum) * rv[j] + momentum * (ps[j] / Float(n - 1)) }
                }
            }
        } else {
            let rm = runningMean!.pointer, rv = runningVar!.pointer
            for j in 0..<c { pm[j] = rm[j]; pr[j] = 1 / (rv[j] + eps).squareRoot() }
        }

        let out = Tensor(uninitialized: shape)                                      // (N, C)
        let py = out.pointer, pw = weight?.pointer, pb = bias?.pointer
        for r in 0..<n {
            let x = px + r * c, y = py + r * c
            for j in 0..<c { y[j] = (x[j] - pm[j]) * pr[j] * (pw?[j] ?? 1) + (pb?[j] ?? 0) }
        }

        let inputs = [self] + [weight, bias].compactMap { $0 }
        return out.recordOp("batchNorm", inputs: inputs) { g in
            let pg = g.pointer, pm = mean.pointer, pr = rstd.pointer
            // Σ_n g and Σ_n g ⊙ x̂ per channel: db, dw, and (times w) the two means of the training dx.
            let sumG = Tensor.zeros([c]), sumGX = Tensor.zeros([c])
            let sg = sumG.pointer, sgx = sumGX.pointer
            for r in 0..<n {
                let x = px + r * c, gr = pg + r * c
                for j in 0..<c { sg[j] += gr[j]; sgx[j] += gr[j] * (x[j] - pm[j]) * pr[j] }
            }
            if let weight, weight.requiresGrad {
                let gw = weight.gradBuffer().baseAddress!
                for j in 0..<c { gw[j] += sgx[j] }
            }
            if let bias, bias.requiresGrad {
                let gb = bias.gradBuffer().baseAddress!
                for j in 0..<c { gb[j] += sg[j] }
            }
            guard self.requiresGrad else { return }
            let dx = self.gradBuffer().baseAddress!
            for r in 0..<n {
                let x = px + r * c, gr = pg + r * c, d = dx + r * c
                for j in 0..<c {
                    let scale = pr[j] * (pw?[j] ?? 1)
                    if training {
                        let xhat = (x[j] - pm[j]) * pr[j]
                        d[j] += scale * (gr[j] - sg[j] / Float(n) - xhat * (sgx[j] / Float(n)))
                    } else {
                        d[j] += scale * gr[j]
                    }
                }
            }
        }
    }
}

/// out[j] = mean over the n rows of column j of a row-major (n, c) matrix.
func columnMeans(_ x: UnsafePointer<Float>, _ n: Int, _ c: Int, into out: UnsafeMutablePointer<Float>) {
    out.update(repeating: 0, count: c)
    for r in 0..<n {
        let row = x + r * c
        for j in 0..<c { out[j] += row[j] }
    }
    for j in 0..<c { out[j] /= Float(n) }
}

/// Test-only reference twin of `batchNorm`'s training forward, in Double: (output, batch mean, unbiased variance).
func naiveBatchNorm(_ x: [Float], rows n: Int, cols c: Int, weight: [Float], bias: [Float],
                           eps: Double = 1e-5) -> (out: [Float], mean: [Double], unbiasedVar: [Double]) {
    var out = [Float](repeating: 0, count: n * c), means = [Double](), vars = [Double]()
    for j in 0..<c {
        let column = (0..<n).map { Double(x[$0 * c + j]) }
        let m = column.reduce(0, +) / Double(n)
        let v = column.map { ($0 - m) * ($0 - m) }.reduce(0, +)
        for r in 0..<n {
            out[r * c + j] = Float((column[r] - m) / (v / Double(n) + eps).squareRoot() * Double(weight[j]) + Double(bias[j]))
        }
        means.append(m); vars.append(v / Double(n - 1))
    }
    return (out, means, vars)
}
