/// Matrix products through `cblas_sgemm`. Transposes are BLAS flags, never copies — in the
/// forward and in the backward, which accumulates straight into the gradients (beta = 1).

extension Tensor {
    /// `op(self) · op(other)` where `op` transposes the last two axes when asked.
    ///
    /// Shapes: `(..., M, K) · (K, N) -> (..., M, N)` (a 2-D right operand is shared by every
    /// batch entry), or batched `(B..., M, K) · (B..., K, N) -> (B..., M, N)` with equal batch axes.
    /// With `transposeA` the left operand is stored `(..., K, M)`; with `transposeB` the right is
    /// stored `(..., N, K)` — e.g. `x.matmul(weight, transposeB: true)` for a PyTorch-layout Linear.
    public func matmul(_ other: Tensor, transposeA: Bool = false, transposeB: Bool = false) -> Tensor {
        let a = self, b = other
        precondition(a.rank >= 2 && b.rank >= 2, "matmul needs rank ≥ 2, got \(a.shape) and \(b.shape)")
        let (ar, ac) = (a.shape[a.rank - 2], a.shape[a.rank - 1])
        let (br, bc) = (b.shape[b.rank - 2], b.shape[b.rank - 1])
        let (m, k) = transposeA ? (ac, ar) : (ar, ac)
        let (kb, n) = transposeB ? (bc, br) : (br, bc)
        precondition(k == kb, "matmul inner sizes differ: \(a.shape)\(transposeA ? "ᵀ" : "") · \(b.shape)\(transposeB ? "ᵀ" : "")")
        let batchA = Array(a.shape.dropLast(2)), batchB = Array(b.shape.dropLast(2))
        let sharedB = b.rank == 2
        precondition(sharedB || batchA == batchB, "matmul batch axes differ: \(a.shape) vs \(b.shape)")
        let batch = batchA.reduce(1, *)
        var outShape = batchA
        outShape += [m, n]
        let out = Tensor(uninitialized: outShape)
        let (pa, pb, pc) = (a.pointer, b.pointer, out.pointer)
        let (sa, sb, sc) = (ar * ac, sharedB ? 0 : br * bc, m * n)

        if sharedB && !transposeA {
            // (B·M, K) · (K, N): one big GEMM over all rows at once.
            sgemm(transA: false, transB: transposeB, m: batch * m, n: n, k: k,
                  a: pa, lda: ac, b: pb, ldb: bc, c: pc, ldc: n)
        } else {
            for i in 0..<batch {
                sgemm(transA: transposeA, transB: transposeB, m: m, n: n, k: k,
                      a: pa + i * sa, lda: ac, b: pb + i * sb, ldb: bc, c: pc + i * sc, ldc: n)
            }
        }

        // Inference calls skip building the backward closure altogether (it costs an allocation).
        guard Autograd.isEnabled && (a.requiresGrad || b.requiresGrad) else { return out }
        return out.recordOp("matmul", inputs: [a, b]) { g in
            let pg = g.pointer
            if a.requiresGrad {
                let (ga, betaA) = a.gradTarget()       // every slice of dA is written once
                if sharedB && !transposeA {
                    // dA = dC · op(B)ᵀ  over all rows at once.
                    sgemm(transA: false, transB: !transposeB, m: batch * m, n: k, k: n,
                          a: pg, lda: n, b: pb, ldb: bc, beta: betaA, c: ga, ldc: ac)
                } else {
                    for i in 0..<batch {
                        if !transposeA {  // dA (M×K) = dC · op(B)ᵀ
                            sgemm(transA: false, transB: !transposeB, m: m, n: k, k: n,
                                  a: pg + i * sc, lda: n, b: pb + i * sb, ldb: bc, beta: betaA, c: ga + i * sa, ldc: ac)
                        } else {          // dA (K×M) = op(B) · dCᵀ
                            sgemm(transA: transposeB, transB: true, m: k, n: m, k: n,
                                  a: pb + i * sb, lda: bc, b: pg + i * sc, ldb: n, beta: betaA, c: ga + i * sa, ldc: ac)
                        }
                    }
                }
            }
            if b.requiresGrad {
                let (gb, betaB) = b.gradTarget()
                // A shared B (sb = 0) receives every batch entry's product: only the first may overwrite.
                func beta(_ i: Int) -> Float { sb == 0 && i > 0 ? 1 : betaB }
                if sharedB && !transposeA {
                    if !transposeB {  // dB (K×N) = Aᵀ · dC, summed over every row of every batch
                        sgemm(transA: true, transB: false, m: k, n: n, k: batch * m,
                              a: pa, lda: ac, b: pg, ldb: n, beta: betaB, c: gb, ldc: bc)
                    } else {          // dB (N×K) = dCᵀ · A
                        sgemm(transA: true, transB: false, m: n, n: k, k: batch * m,
                              a: pg, lda: n, b: pa, ldb: ac, beta: betaB, c: gb, ldc: bc)
                    }
                } else {
                    for i in 0..<batch {
                        if !transposeB {  // dB (K×N) = op(A)ᵀ · dC
                            sgemm(transA: !transposeA, transB: false, m: k, n: n, k: m,
                                  a: pa + i * sa, lda: ac, b: pg + i * sc, ldb: n, beta: beta(i), c: gb + i * sb, ldc: bc)
                        } else {          // dB (N×K) = dCᵀ · op(A)
                            sgemm(transA: true, transB: transposeA, m: n, n: k, k: m,
                                  a: pg + i * sc, lda: n, b: pa + i * sa, ldb: ac, beta: beta(i), c: gb + i * sb, ldc: bc)
                        }
                    }
                }
            }
        }
    }
}
