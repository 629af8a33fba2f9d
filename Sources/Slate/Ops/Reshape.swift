/// Changing how elements are arranged: reshape (free: shares storage), permute and transpose
/// (copies into the new order — simple, and the copy is contiguous for the BLAS calls that follow).

extension Tensor {
    /// The same elements with a new shape; one axis may be -1 (inferred). Shares storage.
    public func reshaped(_ newShape: [Int]) -> Tensor {
        var shape = newShape
        if let unknown = shape.firstIndex(of: -1) {
            let known = shape.enumerated().filter { $0.offset != unknown }.map(\.element).reduce(1, *)
            precondition(known > 0 && count % known == 0, "cannot reshape \(self.shape) to \(newShape)")
            shape[unknown] = count / known
        }
        precondition(shape.reduce(1, *) == count, "cannot reshape \(self.shape) (\(count) elements) to \(newShape)")
        let out = Tensor(storage: storage, shape: shape)
        return out.recordOp("reshape", inputs: [self]) { g in
            let dst = self.gradBuffer().baseAddress!, pg = g.pointer
            for i in 0..<g.count { dst[i] += pg[i] }
        }
    }

    /// Reorders the axes: output axis i is input axis `axes[i]`. Copies.
    public func permuted(_ axes: [Int]) -> Tensor {
        precondition(axes.sorted() == Array(0..<rank), "permutation \(axes) does not fit rank \(rank)")
        let outShape = axes.map { shape[$0] }
        let out = Tensor(uninitialized: outShape)
        permuteCopy(from: pointer, shape: shape, axes: axes, to: out.pointer, accumulate: false)
        // The inverse permutation carries the gradient back.
        var inverse = [Int](repeating: 0, count: rank)
        for (i, a) in axes.enumerated() { inverse[a] = i }
        return out.recordOp("permute", inputs: [self]) { g in
            permuteCopy(from: g.pointer, shape: outShape, axes: inverse,
                        to: self.gradBuffer().baseAddress!, accumulate: true)
        }
    }

    /// Swaps two axes (negative axes count from the end). Copies.
    public func transposed(_ axis0: Int = -2, _ axis1: Int = -1) -> Tensor {
        var axes = Array(0..<rank)
        axes.swapAt(normalizeAxis(axis0, rank: rank), normalizeAxis(axis1, rank: rank))
        return permuted(axes)
    }
}

/// Writes (or adds) `src` of `shape`, permuted by `axes`, into the contiguous `dst`.
func permuteCopy(from src: UnsafePointer<Float>, shape: [Int], axes: [Int],
                 to dst: UnsafeMutablePointer<Float>, accumulate: Bool) {
    let rank = shape.count
    var inStrides = [Int](repeating: 1, count: rank)
    for i in stride(from: rank - 2, through: 0, by: -1) { inStrides[i] = inStrides[i + 1] * shape[i + 1] }
    let outShape = axes.map { shape[$0] }
    let strides = axes.map { inStrides[$0] }  // input stride of each output axis
    // Walk the output in order; the innermost output axis reads the input with stride `strides.last`.
    forEachBroadcastRow(outShape, strides, strides) { row, off, _ in
        let inner = outShape.last ?? 1, s = strides.last ?? 1
        let o = dst + row * inner, i = src + off
        if accumulate { for j in 0..<inner { o[j] += i[j * s] } } else { for j in 0..<inner { o[j] = i[j * s] } }
    }
}
