/// Ops that zero or hide entries: dropout (random, training only) and the causal mask of
/// autoregressive attention.

extension Tensor {
    /// Inverted dropout: in training, each element is zeroed with probability `p` and the
    /// survivors are scaled by 1/(1 − p), so the expected value is unchanged and evaluation needs
    /// no rescaling. Returns `self` unchanged when `!training` or `p == 0`; all zeros when p == 1.
    /// The mask is drawn from `generator` (serially, so it does not depend on the thread count);
    /// backward multiplies the gradient by the same mask·scale.
    public func dropout(p: Float, training: Bool, generator: inout RandomGenerator) -> Tensor {
        precondition(p >= 0 && p <= 1, "dropout probability \(p) is outside [0, 1]")
        if !training || p == 0 { return self }
        let mask = Tensor(uninitialized: shape)  // 0 or 1/(1−p) per element
        let pm = mask.pointer
        if p == 1 {
            pm.update(repeating: 0, count: count)
        } else {
            // Keep when a uniform 32-bit draw is ≥ p·2³²; each 64-bit draw serves two elements.
            let threshold = UInt32(min(Double(p) * 4_294_967_296.0, 4_294_967_295.0))
            let scale = 1 / (1 - p)
            var i = 0
            while i + 1 < count {
                let bits = generator.next()
                pm[i] = UInt32(truncatingIfNeeded: bits) >= threshold ? scale : 0
                pm[i + 1] = UInt32(truncatingIfNeeded: bits >> 32) >= threshold ? scale : 0
                i += 2
            }
            if i < count { pm[i] = UInt32(truncatingIfNeeded: generator.next()) >= threshold ? scale : 0 }
        }
        let out = Tensor(uninitialized: shape)
        let px = pointer, po = out.pointer
        parallelRanges(count) { s, e in for i in s..<e { po[i] = px[i] * pm[i] } }
        return out.recordOp("dropout", inputs: [self]) { g in
            let dx = self.gradBuffer().baseAddress!, pg = g.pointer, pm = mask.pointer
            parallelRanges(g.count) { s, e in for i in s..<e { dx[i] += pg[i] * pm[i] } }
        }
    }

    /// Causal mask for attention scores `(..., T, T)`: entries above the diagonal (column > row,
    /// i.e. a query looking at a later key) become −∞, so softmax gives them weight 0.
    /// Backward passes the gradient through the kept entries only.
    public func causalMasked() -> Tensor {
        precondition(rank >= 2 && shape[rank - 1] == shape[rank - 2],
                     "causalMasked needs scores of shape (..., T, T), got \(shape)")
        let t = shape[rank - 1]
        let blocks = t == 0 ? 0 : count / (t * t)
        let out = Tensor(uninitialized: shape)
        let px = pointer, po = out.pointer
        parallelRanges(blocks * t, grain: rowGrain(t)) { s, e in
            for r in s..<e {  // r = block·T + row
                let row = r % t, src = px + r * t, dst = po + r * t
                dst.update(from: src, count: row + 1)
                (dst + row + 1).update(repeating: -.infinity, count: t - row - 1)
            }
        }
        return out.recordOp("causalMasked", inputs: [self]) { g in
            let dx = self.gradBuffer().baseAddress!, pg = g.pointer
            parallelRanges(blocks * t, grain: rowGrain(t)) { s, e in
                for r in s..<e {
                    let row = r % t, from = pg + r * t, to = dx + r * t
                    for j in 0...row { to[j] += from[j] }
                }
            }
        }
    }
}
