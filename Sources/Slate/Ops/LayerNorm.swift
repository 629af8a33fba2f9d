// Layer normalisation over the last axis, fused (as llm.c's `layernorm_forward/backward`):
// one task per block of rows, each row visited with vector loops, mean and 1/std saved for the
// backward. PyTorch semantics: biased variance, eps inside the square root.

extension Tensor {
    /// Layer norm of `self` `(..., C)` over its last axis with `weight` `(C)` and optional
    /// `bias` `(C)`. Same shape as `self`. PyTorch semantics: biased variance, `eps` inside
    /// the square root.
    ///
    /// Per row: μ = mean(x), σ² = mean((x − μ)²), r = 1/√(σ² + eps), x̂ = (x − μ)·r,
    /// y = x̂ ⊙ w + b. Backward, with d = g ⊙ w: dx = r · (d − mean(d) − x̂ · mean(d ⊙ x̂)),
    /// dw = Σ_rows g ⊙ x̂, db = Σ_rows g.
    public func layerNorm(weight: Tensor, bias: Tensor?, eps: Float = 1e-5) -> Tensor {
        let c = shape.last ?? 1
        precondition(rank >= 1 && weight.shape == [c],
                     "layerNorm: weight \(weight.shape) does not match the last axis of \(shape)")
        precondition(bias == nil || bias!.shape == [c],
                     "layerNorm: bias \(bias!.shape) does not match the last axis of \(shape)")
        let rows = c == 0 ? 0 : count / c
        let out = Tensor(uninitialized: shape)
        let mean = Tensor(uninitialized: [rows]), rstd = Tensor(uninitialized: [rows])  // (N,) saved
        let px = pointer, py = out.pointer, pw = weight.pointer, pb = bias?.pointer
        let pm = mean.pointer, pr = rstd.pointer
        parallelRanges(rows, grain: rowGrain(c)) { s, e in
            for r in s..<e {
                let (m, rs) = layerNormRow(px + r * c, py + r * c, pw, pb, c, eps)
                pm[r] = m
                pr[r] = rs
            }
        }

        let inputs = bias.map { [self, weight, $0] } ?? [self, weight]
        return out.recordOp("layerNorm", inputs: inputs) { g in
            let pg = g.pointer, pm = mean.pointer, pr = rstd.pointer
            let wantW = weight.requiresGrad, wantB = bias?.requiresGrad ?? false
            let dx = self.requiresGrad ? self.gradBuffer().baseAddress : nil
            // Each chunk of rows sums its dw and db into its own slots; the slots are added at the end.
            let grain = rowGrain(c)
            let chunks = chunkCount(rows, grain: grain)
            let partial = Storage(count: 2 * chunks * c, zeroed: true)  // [chunk][dw | db]
            let pp = partial.pointer
            parallelChunks(rows, grain: grain) { chunk, s, e in
                let dw = pp + 2 * chunk * c, db = dw + c
                for r in s..<e {
                    layerNormBackwardRow(x: px + r * c, g: pg + r * c, w: pw, mean: pm[r], rstd: pr[r],
                                         dx: dx.map { $0 + r * c }, dw: dw, db: db, c)
                }
            }
            if wantW {
                let gw = weight.gradBuffer().baseAddress!
                for k in 0..<chunks { for j in 0..<c { gw[j] += pp[2 * k * c + j] } }
            }
            if wantB, let bias {
                let gb = bias.gradBuffer().baseAddress!
                for k in 0..<chunks { for j in 0..<c { gb[j] += pp[2 * k * c + c + j] } }
            }
        }
    }
}

/// Normalises one row of `c` into `y`; returns (mean, 1/std).
@inline(__always)
func layerNormRow(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>,
                  _ w: UnsafePointer<Float>, _ b: UnsafePointer<Float>?, _ c: Int, _ eps: Float) -> (Float, Float) {
    let lanes = FloatVector.scalarCount
    let m = rowSum(x, c) / Float(c)

    var acc = FloatVector(repeating: 0)
    var i = 0
    while i + lanes <= c { let d = loadVector(x + i) - m; acc += d * d; i += lanes }
    var sq = acc.sum()
    while i < c { let d = x[i] - m; sq += d * d; i += 1 }
    let rs = 1 / (sq / Float(c) + eps).squareRoot()

    i = 0
    if let b {
        while i + lanes <= c {
            storeVector((loadVector(x + i) - m) * (rs * loadVector(w + i)) + loadVector(b + i), y + i)
            i += lanes
        }
        while i < c { y[i] = (x[i] - m) * rs * w[i] + b[i]; i += 1 }
    } else {
        while i + lanes <= c { storeVector((loadVector(x + i) - m) * (rs * loadVector(w + i)), y + i); i += lanes }
        while i < c { y[i] = (x[i] - m) * rs * w[i]; i += 1 }
    }
    return (m, rs)
}

/// Backward of one row: adds into `dx` (when given) and into the running `dw`, `db` sums.
@inline(__always)
func layerNormBackwardRow(x: UnsafePointer<Float>, g: UnsafePointer<Float>, w: UnsafePointer<Float>,
                          mean m: Float, rstd rs: Float, dx: UnsafeMutablePointer<Float>?,
                          dw: UnsafeMutablePointer<Float>, db: UnsafeMutablePointer<Float>, _ c: Int) {
    let lanes = FloatVector.scalarCount
    // mean(d) and mean(d ⊙ x̂), with d = g ⊙ w; accumulate dw, db on the way.
    var accD = FloatVector(repeating: 0), accDX = FloatVector(repeating: 0)
    var i = 0
    while i + lanes <= c {
        let gi = loadVector(g + i), xhat = (loadVector(x + i) - m) * rs
        let d = gi * loadVector(w + i)
        accD += d
        accDX += d * xhat
        storeVector(loadVector(dw + i) + gi * xhat, dw + i)
        storeVector(loadVector(db + i) + gi, db + i)
        i += lanes
    }
    var sumD = accD.sum(), sumDX = accDX.sum()
    while i < c {
        let xhat = (x[i] - m) * rs, d = g[i] * w[i]
        sumD += d
        sumDX += d * xhat
        dw[i] += g[i] * xhat
        db[i] += g[i]
        i += 1
    }
    guard let dx else { return }
    let meanD = sumD / Float(c), meanDX = sumDX / Float(c)
    i = 0
    while i + lanes <= c {
        let xhat = (loadVector(x + i) - m) * rs
        let d = loadVector(g + i) * loadVector(w + i)
        storeVector(loadVector(dx + i) + (d - meanD - xhat * meanDX) * rs, dx + i)
        i += lanes
    }
    while i < c {
        let xhat = (x[i] - m) * rs
        dx[i] += (g[i] * w[i] - meanD - xhat * meanDX) * rs
        i += 1
    }
}
