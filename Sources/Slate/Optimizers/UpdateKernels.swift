/// The fused per-element update loops of the optimizers, eight lanes at a time (SIMD8) with a
/// scalar tail. Each reads and writes every buffer exactly once per step.

/// Loads 8 floats at `p + i`.
@inline(__always) private func load8(_ p: UnsafeMutablePointer<Float>, _ i: Int) -> SIMD8<Float> {
    UnsafeRawPointer(p + i).loadUnaligned(as: SIMD8<Float>.self)
}

/// Stores 8 floats at `p + i`.
@inline(__always) private func store8(_ v: SIMD8<Float>, _ p: UnsafeMutablePointer<Float>, _ i: Int) {
    UnsafeMutableRawPointer(p + i).storeBytes(of: v, as: SIMD8<Float>.self)
}

/// Adam/AdamW for elements `start..<end`:
/// g' = g + l2·p;  m = β₁m + (1−β₁)g';  v = β₂v + (1−β₂)g'²;  p = p·shrink − stepSize·m / (√v·invRootBC2 + ε).
@inline(__always)
func adamKernel(p: UnsafeMutablePointer<Float>, g: UnsafeMutablePointer<Float>,
                m: UnsafeMutablePointer<Float>, v: UnsafeMutablePointer<Float>, start: Int, end: Int,
                beta1: Float, beta2: Float, eps: Float, l2: Float, shrink: Float,
                stepSize: Float, invRootBC2: Float) {
    var i = start
    while i + 8 <= end {
        let pi = load8(p, i)
        let gi = load8(g, i) + l2 * pi
        let mi = beta1 * load8(m, i) + (1 - beta1) * gi
        let vi = beta2 * load8(v, i) + (1 - beta2) * gi * gi
        store8(mi, m, i)
        store8(vi, v, i)
        store8(pi * shrink - stepSize * mi / (vi.squareRoot() * invRootBC2 + eps), p, i)
        i += 8
    }
    while i < end {
        let gi = g[i] + l2 * p[i]
        let mi = beta1 * m[i] + (1 - beta1) * gi
        let vi = beta2 * v[i] + (1 - beta2) * gi * gi
        m[i] = mi
        v[i] = vi
        p[i] = p[i] * shrink - stepSize * mi / (vi.squareRoot() * invRootBC2 + eps)
        i += 1
    }
}

/// SGD with momentum for `start..<end`: g' = g + λp; b = first ? g' : μb + damp·g';
/// p −= lr·(nesterov ? g' + μb : b).
@inline(__always)
func sgdMomentumKernel(p: UnsafeMutablePointer<Float>, g: UnsafeMutablePointer<Float>,
                       b: UnsafeMutablePointer<Float>, start: Int, end: Int, lr: Float, mu: Float,
                       damp: Float, wd: Float, first: Bool, nesterov: Bool) {
    // On the first step the buffer is the gradient itself: b = 0·b + 1·g'.
    let keep: Float = first ? 0 : mu, take: Float = first ? 1 : damp
    let look: Float = nesterov ? mu : 0, direct: Float = nesterov ? 1 : 0
    var i = start
    while i + 8 <= end {
        let pi = load8(p, i)
        let gi = load8(g, i) + wd * pi
        let bi = keep * load8(b, i) + take * gi
        store8(bi, b, i)
        // nesterov: g' + μb; plain: b
        store8(pi - lr * (direct * gi + (nesterov ? look : 1) * bi), p, i)
        i += 8
    }
    while i < end {
        let gi = g[i] + wd * p[i]
        let bi = keep * b[i] + take * gi
        b[i] = bi
        p[i] -= lr * (direct * gi + (nesterov ? look : 1) * bi)
        i += 1
    }
}

/// The block length of `sumOfSquares`' Float partials.
let sumOfSquaresBlock = 4096

/// Σ x² over `count` elements: SIMD8 Float partials over blocks of `sumOfSquaresBlock`, blocks
/// summed in Double.
func sumOfSquares(_ x: UnsafeMutablePointer<Float>, _ count: Int) -> Double {
    var total = 0.0, blockStart = 0
    while blockStart < count {
        let blockEnd = min(blockStart + sumOfSquaresBlock, count)
        var acc = SIMD8<Float>(repeating: 0)
        var i = blockStart
        while i + 8 <= blockEnd { let v = load8(x, i); acc += v * v; i += 8 }
        var partial = acc.sum()
        while i < blockEnd { partial += x[i] * x[i]; i += 1 }
        total += Double(partial)
        blockStart = blockEnd
    }
    return total
}
