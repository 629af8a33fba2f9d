// Reductions over chosen axes: sum, mean, max (with its arg-max), and argmax.

extension Tensor {
    /// Sum over `axes` (negative axes count from the end; an empty list reduces nothing).
    /// With `keepDims` the reduced axes stay as extent 1, otherwise they are removed.
    ///
    /// y = Σ_axes x; dx = g broadcast back over the reduced axes.
    public func sum(axes: [Int], keepDims: Bool = false) -> Tensor {
        let reduced = Set(axes.map { normalizeAxis($0, rank: rank) })
        let keptShape = shape.enumerated().map { reduced.contains($0.offset) ? 1 : $0.element }
        let outShape = keepDims ? keptShape : shape.enumerated().filter { !reduced.contains($0.offset) }.map(\.element)
        let out = Tensor.zeros(outShape)
        accumulateSumToShape(pointer, shape, into: out.pointer, keptShape)
        let inShape = shape
        return out.recordOp("sum", inputs: [self]) { g in
            accumulateBroadcast(g.pointer, keptShape, into: self.gradBuffer().baseAddress!, inShape, scale: 1)
        }
    }

    /// Mean over `axes` (see `sum(axes:keepDims:)`).
    ///
    /// y = Σ_axes x / n, n the number of elements reduced; dx = broadcast(g) / n.
    public func mean(axes: [Int], keepDims: Bool = false) -> Tensor {
        let reduced = Set(axes.map { normalizeAxis($0, rank: rank) })
        let n = reduced.map { shape[$0] }.reduce(1, *)
        return sum(axes: axes, keepDims: keepDims) * (1 / Float(Swift.max(n, 1)))
    }

    /// Maximum along `axis`. The gradient goes to the first position holding the maximum
    /// (as PyTorch's `max(dim)`).
    public func max(axis: Int, keepDims: Bool = false) -> Tensor {
        let a = normalizeAxis(axis, rank: rank)
        let L = AxisLayout(shape, axis: a)
        precondition(L.n > 0, "max over an empty axis of \(shape)")
        var outShape = shape
        if keepDims { outShape[a] = 1 } else { outShape.remove(at: a) }
        let out = Tensor(uninitialized: outShape)
        let winners = argmaxLines(L)  // index along the axis, per line
        let px = pointer, po = out.pointer
        for l in 0..<L.lines { po[l] = px[L.start(l) + winners[l] * L.inner] }
        return out.recordOp("max", inputs: [self]) { g in
            let dx = self.gradBuffer().baseAddress!, pg = g.pointer
            for l in 0..<L.lines { dx[L.start(l) + winners[l] * L.inner] += pg[l] }
        }
    }

    /// Index of the maximum along `axis` for every other position, in row-major order of the
    /// remaining axes (first index on ties). Not differentiable.
    public func argmax(axis: Int = -1) -> [Int] {
        let L = AxisLayout(shape, axis: normalizeAxis(axis, rank: rank))
        precondition(L.n > 0, "argmax over an empty axis of \(shape)")
        return argmaxLines(L)
    }

    /// First arg-max of every line of `L`.
    private func argmaxLines(_ L: AxisLayout) -> [Int] {
        let px = pointer
        return (0..<L.lines).map { l in
            let base = px + L.start(l)
            var best = 0, bestValue = base[0]
            for j in 1..<Swift.max(L.n, 1) where base[j * L.inner] > bestValue {
                best = j
                bestValue = base[j * L.inner]
            }
            return best
        }
    }
}

/// Adds `scale · source` (of `sourceShape`, which broadcasts to `targetShape`) into every
/// element of `target`: the backward of a reduction.
func accumulateBroadcast(_ source: UnsafePointer<Float>, _ sourceShape: [Int],
                         into target: UnsafeMutablePointer<Float>, _ targetShape: [Int], scale: Float) {
    let ss = broadcastStrides(sourceShape, to: targetShape)
    let ts = broadcastStrides(targetShape, to: targetShape)
    let inner = targetShape.last ?? 1, innerStride = ss.last ?? 0
    forEachBroadcastRow(targetShape, ts, ss) { row, offT, offS in
        let t = target + offT, s = source + offS
        if innerStride == 0 {
            let v = s[0] * scale
            for j in 0..<inner { t[j] += v }
        } else {
            for j in 0..<inner { t[j] += s[j] * scale }
        }
    }
}

// Inside `extension Tensor` bodies, the methods `max(axis:)` and `abs()` shadow Swift's global
// `max` and `abs` (unqualified lookup stops at the first member with that name). These internal
// forwarders keep `max(a, b)` and `abs(x)` meaning the global functions in the engine's own code.
extension Tensor {
    @inline(__always) func max<T: Comparable>(_ a: T, _ b: T) -> T { Swift.max(a, b) }
    @inline(__always) static func max<T: Comparable>(_ a: T, _ b: T) -> T { Swift.max(a, b) }
    @inline(__always) func abs<T: Comparable & SignedNumeric>(_ x: T) -> T { Swift.abs(x) }
    @inline(__always) static func abs<T: Comparable & SignedNumeric>(_ x: T) -> T { Swift.abs(x) }
}
