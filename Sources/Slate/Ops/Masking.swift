/// Ops that zero or hide entries: dropout (random, training only) and the causal mask of
/// autoregressive attention.

extension Tensor {
    /// Inverted dropout: in training, each element is zeroed with probability `p` and the
    /// survivors are scaled by 1/(1 − p), so the expected value is unchanged and evaluation needs
    /// no rescaling. Returns `self` unchanged when `!training` or `p == 0`; all zeros when p == 1.
    ///
    /// The mask is never stored: the elements are cut into fixed blocks of `dropoutBlock`, each
    /// block gets its own seed drawn from `generator`, and the forward and backward regenerate
    /// the block's draws from that seed. So blocks run in parallel, the result does not depend on
    /// the thread count, and a (B, T, C) activation costs no extra memory until backward.
    public func dropout(p: Float, training: Bool, generator: inout RandomGenerator) -> Tensor {
        precondition(p >= 0 && p <= 1, "dropout probability \(p) is outside [0, 1]")
        if !training || p == 0 { return self }
        let mask = DropoutMask(count: count, p: p, generator: &generator)
        let out = Tensor(uninitialized: shape)
        mask.apply(pointer, to: out.pointer, accumulate: false)
        return out.recordOp("dropout", inputs: [self]) { g in
            mask.apply(g.pointer, to: self.gradBuffer().baseAddress!, accumulate: true)  // dx += g · mask · scale
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

/// Elements per dropout block (one seed each).
let dropoutBlock = 8192

/// The mask of one inverted dropout over `count` elements, kept as one seed per block of
/// `dropoutBlock` elements rather than as a tensor: each pass regenerates a block's draws from its
/// seed, so the forward and the backward see the same mask and blocks run in parallel.
struct DropoutMask {
    let count: Int
    let seeds: [UInt64]
    /// An element is kept when its uniform 32-bit draw is ≥ p·2³² (p == 1: past every draw).
    let threshold: UInt64
    /// 1/(1 − p) for kept elements (0 when p == 1).
    let scale: Float

    /// Draws one seed per block from `generator`.
    init(count: Int, p: Float, generator: inout RandomGenerator) {
        self.count = count
        seeds = (0..<((count + dropoutBlock - 1) / dropoutBlock)).map { _ in generator.next() }
        threshold = UInt64(Double(p) * 4_294_967_296.0)
        scale = p == 1 ? 0 : 1 / (1 - p)
    }

    /// y (=|+=) x · mask · scale over all `count` elements, blocks split over threads.
    func apply(_ x: UnsafePointer<Float>, to y: UnsafeMutablePointer<Float>, accumulate: Bool) {
        let n = count
        seeds.withUnsafeBufferPointer { sp in
            parallelRanges(sp.count, grain: 4) { s, e in
                for b in s..<e {
                    let start = b * dropoutBlock
                    dropoutBlockApply(seed: sp[b], threshold: threshold, scale: scale, x + start, y + start,
                                      Swift.min(dropoutBlock, n - start), accumulate: accumulate)
                }
            }
        }
    }
}

/// y[i] (=|+=) x[i] · scale where draw i ≥ threshold, else 0, for one block of `n` ≤ `dropoutBlock`;
/// draw i is the low (even i) or high (odd i) half of the block generator's (i/2)-th output.
@inline(__always)
func dropoutBlockApply(seed: UInt64, threshold: UInt64, scale: Float, _ x: UnsafePointer<Float>,
                       _ y: UnsafeMutablePointer<Float>, _ n: Int, accumulate: Bool) {
    var rng = RandomGenerator(seed: seed)
    var i = 0
    while i < n {
        let bits = rng.next()
        let k0: Float = (bits & 0xFFFF_FFFF) >= threshold ? scale : 0
        let k1: Float = (bits >> 32) >= threshold ? scale : 0
        if accumulate {
            y[i] += x[i] * k0
            if i + 1 < n { y[i + 1] += x[i + 1] * k1 }
        } else {
            y[i] = x[i] * k0
            if i + 1 < n { y[i + 1] = x[i + 1] * k1 }
        }
        i += 2
    }
}
