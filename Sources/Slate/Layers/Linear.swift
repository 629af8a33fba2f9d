/// A fully connected layer, `y = x·Wᵀ + b`, with PyTorch's weight layout `[out, in]`.

extension Tensor {
    /// `self · weightᵀ + bias` in one op: the bias is written into the output first and the GEMM
    /// accumulates onto it (beta = 1), so no separate broadcast-add pass or temporary.
    ///
    /// Shapes: self `(..., in)`, weight `(out, in)`, bias `(out)` -> `(..., out)`. Every leading
    /// axis is folded into the GEMM's M, so the whole batch is one `sgemm` call.
    public func linear(weight: Tensor, bias: Tensor?) -> Tensor {
        checkLinearShapes(weight: weight, bias: bias)
        let out = Tensor(uninitialized: Array(shape.dropLast()) + [weight.shape[0]])   // (..., in) -> (..., out)
        linearForward(weight: weight, bias: bias, into: out.pointer)
        let inputs = bias.map { [self, weight, $0] } ?? [self, weight]
        return out.recordOp("linear", inputs: inputs) { g in
            self.linearBackward(g.pointer, weight: weight, bias: bias)
        }
    }

    /// `residual + dropout(self · weightᵀ + bias)` as one op: a transformer block's output
    /// projection, its dropout and the residual add (nanoGPT's `x = x + resid_dropout(c_proj(y))`).
    ///
    /// Unfused, the graph keeps the projection's output (held by the dropout) and the dropout's
    /// output (held by the add) until backward, though no backward reads them: two (B, T, C)
    /// tensors per use. Here the projection lives in a scratch buffer during the forward only and
    /// the dropout mask is regenerated from its seeds, so only the input and the result stay. The
    /// values, gradients and random draws are those of `residual + (self.linear(…)).dropout(…)`,
    /// bit for bit. `p` 0 draws nothing from `generator` and applies no dropout.
    ///
    /// Shapes: self `(..., in)`, weight `(out, in)`, bias `(out)`, residual `(..., out)` -> `(..., out)`.
    public func linear(weight: Tensor, bias: Tensor?, dropout p: Float, generator: inout RandomGenerator,
                       addingTo residual: Tensor) -> Tensor {
        checkLinearShapes(weight: weight, bias: bias)
        precondition(p >= 0 && p <= 1, "dropout probability \(p) is outside [0, 1]")
        let nOut = weight.shape[0]
        precondition(residual.shape == Array(shape.dropLast()) + [nOut],
                     "linear: residual \(residual.shape) does not match the output \(Array(shape.dropLast()) + [nOut])")
        let mask = p > 0 ? DropoutMask(count: residual.count, p: p, generator: &generator) : nil
        let projection = Storage(count: residual.count, zeroed: false)           // (..., out), forward only
        linearForward(weight: weight, bias: bias, into: projection.pointer)
        let out = Tensor(uninitialized: residual.shape)
        let (po, pr, pz) = (out.pointer, residual.pointer, projection.pointer)
        if let mask {                                                            // out = residual + z · mask
            po.update(from: pr, count: out.count)
            mask.apply(pz, to: po, accumulate: true)
        } else {                                                                 // out = residual + z, one pass
            parallelRanges(out.count) { s, e in for i in s..<e { po[i] = pr[i] + pz[i] } }
        }
        let inputs = [residual, self, weight] + (bias.map { [$0] } ?? [])
        return out.recordOp("linearDropoutResidual", inputs: inputs) { g in
            if residual.requiresGrad { residual.accumulateGrad(g) }              // d residual += g
            guard let mask else { self.linearBackward(g.pointer, weight: weight, bias: bias); return }
            let gz = Storage(count: g.count, zeroed: false)                       // dz = g · mask
            mask.apply(g.pointer, to: gz.pointer, accumulate: false)
            self.linearBackward(gz.pointer, weight: weight, bias: bias)
        }
    }

    private func checkLinearShapes(weight: Tensor, bias: Tensor?) {
        precondition(rank >= 1 && weight.rank == 2 && shape[rank - 1] == weight.shape[1],
                     "linear: input \(shape) does not match weight \(weight.shape) (expected (..., \(weight.shape.last ?? 0)))")
        if let bias { precondition(bias.shape == [weight.shape[0]], "linear: bias \(bias.shape) for \(weight.shape[0]) outputs") }
    }

    /// y = self · weightᵀ + bias into `y` (rows × out): the bias is written first and the GEMM
    /// accumulates onto it (beta = 1), so no separate broadcast-add pass.
    private func linearForward(weight: Tensor, bias: Tensor?, into py: UnsafeMutablePointer<Float>) {
        let (nOut, nIn) = (weight.shape[0], weight.shape[1])
        let rows = count / Swift.max(nIn, 1)
        if let bias {
            let pb = bias.pointer
            for r in 0..<rows { (py + r * nOut).update(from: pb, count: nOut) }
        }
        sgemm(transA: false, transB: true, m: rows, n: nOut, k: nIn,
              a: pointer, lda: nIn, b: weight.pointer, ldb: nIn, beta: bias == nil ? 0 : 1, c: py, ldc: nOut)
    }

    /// Given dL/dy in `pg` (rows × out), adds dL/dself, dL/dweight and dL/dbias into their grads.
    private func linearBackward(_ pg: UnsafePointer<Float>, weight: Tensor, bias: Tensor?) {
        let (nOut, nIn) = (weight.shape[0], weight.shape[1])
        let rows = count / Swift.max(nIn, 1)
        if requiresGrad {                   // dX (rows, in) += dY · W
            let dx = gradTarget()
            sgemm(transA: false, transB: false, m: rows, n: nIn, k: nOut,
                  a: pg, lda: nOut, b: weight.pointer, ldb: nIn, beta: dx.beta, c: dx.pointer, ldc: nIn)
        }
        if weight.requiresGrad {            // dW (out, in) += dYᵀ · X
            let dw = weight.gradTarget()
            sgemm(transA: true, transB: false, m: nOut, n: nIn, k: rows,
                  a: pg, lda: nOut, b: pointer, ldb: nIn, beta: dw.beta, c: dw.pointer, ldc: nIn)
        }
        if let bias, bias.requiresGrad {    // db (out) += Σ_rows dY
            let db = bias.gradBuffer().baseAddress!
            for r in 0..<rows {
                let row = pg + r * nOut
                for j in 0..<nOut { db[j] += row[j] }
            }
        }
    }
}

/// `y = x·Wᵀ + b` (PyTorch `nn.Linear`). Parameters: `weight` `[out, in]`, `bias` `[out]`.
public final class Linear: Layer {
    /// `[outFeatures, inFeatures]`.
    public let weight: Tensor
    /// `[outFeatures]`, or nil without bias.
    public let bias: Tensor?
    public var training = true

    /// A layer initialised as PyTorch does by default: weight and bias ~ U(−1/√in, 1/√in).
    public init(inFeatures: Int, outFeatures: Int, bias: Bool = true,
                generator: inout RandomGenerator) {
        precondition(inFeatures > 0 && outFeatures > 0, "Linear needs positive sizes, got \(inFeatures)→\(outFeatures)")
        weight = Tensor.zeros([outFeatures, inFeatures], requiresGrad: true)
        self.bias = bias ? Tensor.zeros([outFeatures], requiresGrad: true) : nil
        Init.linearDefault(weight: weight, bias: self.bias, generator: &generator)
    }

    /// A layer drawing from a child of the global generator (`Random.seed`, `Random.child()`).
    public convenience init(inFeatures: Int, outFeatures: Int, bias: Bool = true) {
        var generator = Random.child()
        self.init(inFeatures: inFeatures, outFeatures: outFeatures, bias: bias, generator: &generator)
    }

    public var inFeatures: Int { weight.shape[1] }
    public var outFeatures: Int { weight.shape[0] }

    public var localParameters: [(String, Tensor)] {
        bias.map { [("weight", weight), ("bias", $0)] } ?? [("weight", weight)]
    }

    /// `(..., in) -> (..., out)`.
    public func forward(_ x: Tensor) -> Tensor { x.linear(weight: weight, bias: bias) }
}
