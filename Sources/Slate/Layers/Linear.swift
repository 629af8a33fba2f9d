/// A fully connected layer, `y = x·Wᵀ + b`, with PyTorch's weight layout `[out, in]`.

extension Tensor {
    /// `self · weightᵀ + bias` in one op: the bias is written into the output first and the GEMM
    /// accumulates onto it (beta = 1), so no separate broadcast-add pass or temporary.
    ///
    /// Shapes: self `(..., in)`, weight `(out, in)`, bias `(out)` -> `(..., out)`. Every leading
    /// axis is folded into the GEMM's M, so the whole batch is one `sgemm` call.
    public func linear(weight: Tensor, bias: Tensor?) -> Tensor {
        precondition(rank >= 1 && weight.rank == 2 && shape[rank - 1] == weight.shape[1],
                     "linear: input \(shape) does not match weight \(weight.shape) (expected (..., \(weight.shape.last ?? 0)))")
        let (nOut, nIn) = (weight.shape[0], weight.shape[1])
        if let bias { precondition(bias.shape == [nOut], "linear: bias \(bias.shape) for \(nOut) outputs") }
        let rows = count / Swift.max(nIn, 1)
        let out = Tensor(uninitialized: Array(shape.dropLast()) + [nOut])   // (..., in) -> (..., out)
        let px = pointer, pw = weight.pointer, py = out.pointer
        if let bias {
            let pb = bias.pointer
            for r in 0..<rows { (py + r * nOut).update(from: pb, count: nOut) }
        }
        sgemm(transA: false, transB: true, m: rows, n: nOut, k: nIn,
              a: px, lda: nIn, b: pw, ldb: nIn, beta: bias == nil ? 0 : 1, c: py, ldc: nOut)

        let inputs = bias.map { [self, weight, $0] } ?? [self, weight]
        return out.recordOp("linear", inputs: inputs) { g in
            let pg = g.pointer                                                  // (rows, out)
            if self.requiresGrad {          // dX (rows, in) += dY · W
                let dx = self.gradTarget()
                sgemm(transA: false, transB: false, m: rows, n: nIn, k: nOut,
                      a: pg, lda: nOut, b: pw, ldb: nIn, beta: dx.beta, c: dx.pointer, ldc: nIn)
            }
            if weight.requiresGrad {        // dW (out, in) += dYᵀ · X
                let dw = weight.gradTarget()
                sgemm(transA: true, transB: false, m: nOut, n: nIn, k: rows,
                      a: pg, lda: nOut, b: px, ldb: nIn, beta: dw.beta, c: dw.pointer, ldc: nIn)
            }
            if let bias, bias.requiresGrad { // db (out) += Σ_rows dY
                let db = bias.gradBuffer().baseAddress!
                for r in 0..<rows {
                    let row = pg + r * nOut
                    for j in 0..<nOut { db[j] += row[j] }
                }
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
