/// Joining and cutting tensors along an axis: concat, stack, split, slice, sliceRows. Each
/// copies contiguous blocks; each backward adds the matching blocks of the gradient back.

extension Tensor {
    /// Joins `tensors` along `axis`; every other extent must agree.
    /// Shapes: `(..., a_i, ...)` → `(..., Σ a_i, ...)`.
    public static func concat(_ tensors: [Tensor], axis: Int) -> Tensor {
        precondition(!tensors.isEmpty, "concat needs at least one tensor")
        let first = tensors[0]
        let ax = normalizeAxis(axis, rank: first.rank)
        for t in tensors {
            precondition(t.rank == first.rank && t.shape.enumerated().allSatisfy { $0.offset == ax || $0.element == first.shape[$0.offset] },
                         "concat along axis \(axis): shape \(t.shape) does not match \(first.shape)")
        }
        let outer = first.shape[..<ax].reduce(1, *), inner = first.shape[(ax + 1)...].reduce(1, *)
        var outShape = first.shape
        outShape[ax] = tensors.reduce(0) { $0 + $1.shape[ax] }
        let rowOut = outShape[ax] * inner        // elements per outer index in the output
        let blocks = tensors.map { $0.shape[ax] * inner }
        var offsets = [Int](repeating: 0, count: tensors.count)  // where each input starts in a row
        for i in 1..<tensors.count { offsets[i] = offsets[i - 1] + blocks[i - 1] }

        let out = Tensor(uninitialized: outShape)
        let po = out.pointer
        for (i, t) in tensors.enumerated() {
            let pt = t.pointer, b = blocks[i], off = offsets[i]
            for o in 0..<outer { (po + o * rowOut + off).update(from: pt + o * b, count: b) }
        }
        return out.recordOp("concat", inputs: tensors) { g in
            let pg = g.pointer
            for (i, t) in tensors.enumerated() where t.requiresGrad {
                let dt = t.gradBuffer().baseAddress!, b = blocks[i], off = offsets[i]
                for o in 0..<outer {
                    let src = pg + o * rowOut + off, dst = dt + o * b
                    for j in 0..<b { dst[j] += src[j] }
                }
            }
        }
    }

    /// Stacks equally shaped tensors along a new axis at position `axis` (0...rank).
    public static func stack(_ tensors: [Tensor], axis: Int = 0) -> Tensor {
        precondition(!tensors.isEmpty, "stack needs at least one tensor")
        let shape = tensors[0].shape
        let ax = axis < 0 ? axis + shape.count + 1 : axis
        precondition(ax >= 0 && ax <= shape.count, "stack axis \(axis) out of range for rank \(shape.count)")
        for t in tensors { precondition(t.shape == shape, "stack: shape \(t.shape) differs from \(shape)") }
        var expanded = shape
        expanded.insert(1, at: ax)
        return concat(tensors.map { $0.reshaped(expanded) }, axis: ax)
    }

    /// Entries `range` along `axis` (a copy). Shape: axis extent becomes `range.count`.
    public func slice(axis: Int, range: Range<Int>) -> Tensor {
        let ax = normalizeAxis(axis, rank: rank)
        precondition(range.lowerBound >= 0 && range.upperBound <= shape[ax],
                     "slice \(range) is outside 0..<\(shape[ax]) on axis \(axis) of \(shape)")
        let L = AxisLayout(shape, axis: ax)
        var outShape = shape
        outShape[ax] = range.count
        let block = range.count * L.inner, skip = range.lowerBound * L.inner, row = L.n * L.inner
        let out = Tensor(uninitialized: outShape)
        let px = pointer, po = out.pointer
        for o in 0..<L.outer { (po + o * block).update(from: px + o * row + skip, count: block) }
        return out.recordOp("slice", inputs: [self]) { g in
            let dx = self.gradBuffer().baseAddress!, pg = g.pointer
            for o in 0..<L.outer {
                let src = pg + o * block, dst = dx + o * row + skip
                for j in 0..<block { dst[j] += src[j] }
            }
        }
    }

    /// Rows `range` of axis 0: one contiguous copy (e.g. a mini-batch of a dataset tensor).
    public func sliceRows(_ range: Range<Int>) -> Tensor {
        precondition(rank >= 1, "sliceRows needs rank ≥ 1")
        return slice(axis: 0, range: range)
    }

    /// Cuts `self` along `axis` into pieces of the given `sizes` (which must add up to the
    /// axis extent), e.g. a fused (B, T, 3C) projection into q, k, v.
    public func split(_ sizes: [Int], axis: Int) -> [Tensor] {
        let ax = normalizeAxis(axis, rank: rank)
        precondition(sizes.allSatisfy { $0 >= 0 } && sizes.reduce(0, +) == shape[ax],
                     "split sizes \(sizes) do not add up to extent \(shape[ax]) of axis \(axis) in \(shape)")
        var start = 0
        return sizes.map { size in
            defer { start += size }
            return slice(axis: ax, range: start..<(start + size))
        }
    }
}
