/// Picking elements by integer index: whole rows of a table (embedding lookup) and one entry per
/// row (log-probabilities of taken actions, Q-values). Backward scatters the gradient back,
/// adding where an index repeats.

extension Tensor {
    /// Rows `indices` of a 2-D table: `(V, C) -> (n, C)` with `n = indices.count`.
    /// Backward scatter-adds each output row into row `indices[i]` of the table's gradient, so a
    /// repeated index accumulates. Every index must be in `0..<V`.
    public func rows(_ indices: [Int]) -> Tensor {
        precondition(rank == 2, "rows(_:) needs a 2-D (V, C) tensor, got \(shape)")
        let (v, c) = (shape[0], shape[1])
        for (i, index) in indices.enumerated() {
            precondition(index >= 0 && index < v, "rows: index \(index) at position \(i) is outside 0..<\(v)")
        }
        let out = Tensor(uninitialized: [indices.count, c])  // (n, C)
        let src = pointer, dst = out.pointer
        indices.withUnsafeBufferPointer { ip in
            parallelRanges(indices.count, grain: rowGrain(c)) { s, e in
                for i in s..<e { (dst + i * c).update(from: src + ip[i] * c, count: c) }
            }
        }
        return out.recordOp("rows", inputs: [self]) { g in
            // Serial: two output rows may land on the same table row.
            let dw = self.gradBuffer().baseAddress!, pg = g.pointer
            for (i, index) in indices.enumerated() {
                let to = dw + index * c, from = pg + i * c
                for j in 0..<c { to[j] += from[j] }
            }
        }
    }

    /// Entries along axis 0 picked by `indices`: `(V, ...) -> (n, ...)`. Only `axis: 0` is
    /// supported (it is `rows` on the tensor viewed as `(V, rest)`).
    public func indexSelect(axis: Int, _ indices: [Int]) -> Tensor {
        precondition(normalizeAxis(axis, rank: rank) == 0, "indexSelect supports axis 0 only, got \(axis)")
        let rest = Array(shape.dropFirst())
        let table = reshaped([shape[0], rest.reduce(1, *)])
        return table.rows(indices).reshaped([indices.count] + rest)
    }

    /// One entry per row along the last axis: `(..., A) -> (...)`, output i = row i's column
    /// `indices[i]` (e.g. the log-probability or Q-value of the action taken).
    /// `indices.count` must equal the number of rows; each index must be in `0..<A`.
    public func gatherAlongLastAxis(_ indices: [Int]) -> Tensor {
        precondition(rank >= 1, "gatherAlongLastAxis needs rank ≥ 1, got \(shape)")
        let a = shape[rank - 1]
        let n = a == 0 ? 0 : count / a
        precondition(indices.count == n, "gatherAlongLastAxis: \(indices.count) indices for \(n) rows of \(shape)")
        for (i, index) in indices.enumerated() {
            precondition(index >= 0 && index < a, "gatherAlongLastAxis: index \(index) at row \(i) is outside 0..<\(a)")
        }
        let out = Tensor(uninitialized: Array(shape.dropLast()))  // (...)
        let src = pointer, dst = out.pointer
        for i in 0..<n { dst[i] = src[i * a + indices[i]] }
        return out.recordOp("gatherAlongLastAxis", inputs: [self]) { g in
            let dx = self.gradBuffer().baseAddress!, pg = g.pointer
            for i in 0..<n { dx[i * a + indices[i]] += pg[i] }
        }
    }
}
