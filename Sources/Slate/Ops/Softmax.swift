// Softmax and log-softmax over one axis, fused and numerically stable (the row maximum is
// subtracted before exponentiating). The last axis has a vectorised, multi-core fast path;
// other axes use a strided loop.

import Foundation

/// How a tensor splits around one axis: `outer` blocks of `n` entries, each `inner` apart.
struct AxisLayout {
    let outer: Int, n: Int, inner: Int
    init(_ shape: [Int], axis: Int) {
        outer = shape[..<axis].reduce(1, *)
        n = shape[axis]
        inner = shape[(axis + 1)...].reduce(1, *)
    }
    /// Number of (outer, inner) lines along the axis.
    var lines: Int { outer * inner }
    /// Offset of the first entry of line `l`.
    @inline(__always) func start(_ l: Int) -> Int { (l / inner) * n * inner + l % inner }
}

/// Rows per parallel task so each task has about `elements` elements of work.
@inline(__always)
func rowGrain(_ rowLength: Int, elements: Int = 16_384) -> Int { max(1, elements / max(rowLength, 1)) }

extension Tensor {
    /// Softmax over `axis` (default: the last). Same shape as `self`.
    ///
    /// y = exp(x − max) / Σ exp(x − max) (the maximum subtracted for stability);
    /// dx = y ⊙ (g − Σ g ⊙ y).
    public func softmax(axis: Int = -1) -> Tensor { softmaxFamily(axis: axis, log: false) }

    /// Log-softmax over `axis` (default: the last). Same shape as `self`.
    ///
    /// y = x − max − log Σ exp(x − max); dx = g − softmax(x) · Σ g.
    public func logSoftmax(axis: Int = -1) -> Tensor { softmaxFamily(axis: axis, log: true) }

    /// The shared body: one task per block of lines along the axis; contiguous rows (last axis)
    /// take the vector kernels, other axes the strided ones.
    private func softmaxFamily(axis: Int, log: Bool) -> Tensor {
        let L = AxisLayout(shape, axis: normalizeAxis(axis, rank: rank))
        let contiguous = L.inner == 1
        let out = Tensor(uninitialized: shape)
        let px = pointer, py = out.pointer
        parallelRanges(L.lines, grain: rowGrain(L.n)) { s, e in
            for l in s..<e {
                let o = L.start(l)
                switch (log, contiguous) {
                case (false, true): softmaxRow(px + o, py + o, L.n)
                case (true, true): logSoftmaxRow(px + o, py + o, L.n)
                case (false, false): softmaxLine(px + o, py + o, L.n, L.inner)
                case (true, false): logSoftmaxLine(px + o, py + o, L.n, L.inner)
                }
            }
        }
        let y = Tensor(storage: out.storage, shape: shape)  // saved output, not `out` itself
        return out.recordOp(log ? "logSoftmax" : "softmax", inputs: [self]) { g in
            let dx = self.gradBuffer().baseAddress!, pg = g.pointer, py = y.pointer
            parallelRanges(L.lines, grain: rowGrain(L.n)) { s, e in
                for l in s..<e {
                    let o = L.start(l)
                    switch (log, contiguous) {
                    case (false, true): softmaxBackwardRow(pg + o, py + o, dx + o, L.n)
                    case (true, true): logSoftmaxBackwardRow(pg + o, py + o, dx + o, L.n)
                    case (false, false): softmaxBackwardLine(pg + o, py + o, dx + o, L.n, L.inner)
                    case (true, false): logSoftmaxBackwardLine(pg + o, py + o, dx + o, L.n, L.inner)
                    }
                }
            }
        }
    }
}

// MARK: - Row kernels (contiguous rows)

/// y = softmax(x) over one contiguous row of `n`.
@inline(__always)
func softmaxRow(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int) {
    let m = rowMax(x, n)
    let total = expShiftedRow(x, shift: m, y, n)
    let inv = 1 / total
    let w = FloatVector.scalarCount
    var i = 0
    while i + w <= n { storeVector(loadVector(y + i) * inv, y + i); i += w }
    while i < n { y[i] *= inv; i += 1 }
}

/// y = log-softmax(x) over one contiguous row of `n`.
@inline(__always)
func logSoftmaxRow(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int) {
    let m = rowMax(x, n)
    let shift = m + Foundation.log(expShiftedRow(x, shift: m, nil, n))  // log-sum-exp
    let w = FloatVector.scalarCount
    var i = 0
    while i + w <= n { storeVector(loadVector(x + i) - shift, y + i); i += w }
    while i < n { y[i] = x[i] - shift; i += 1 }
}

/// dx += y ⊙ (g − Σ g⊙y) over one contiguous row (softmax backward).
@inline(__always)
func softmaxBackwardRow(_ g: UnsafePointer<Float>, _ y: UnsafePointer<Float>,
                        _ dx: UnsafeMutablePointer<Float>, _ n: Int) {
    let w = FloatVector.scalarCount
    var acc = FloatVector(repeating: 0)
    var i = 0
    while i + w <= n { acc += loadVector(g + i) * loadVector(y + i); i += w }
    var dot = acc.sum()
    while i < n { dot += g[i] * y[i]; i += 1 }
    i = 0
    while i + w <= n {
        storeVector(loadVector(dx + i) + loadVector(y + i) * (loadVector(g + i) - dot), dx + i)
        i += w
    }
    while i < n { dx[i] += y[i] * (g[i] - dot); i += 1 }
}

/// dx += g − exp(y) · Σ g over one contiguous row (log-softmax backward; y is the log-softmax).
@inline(__always)
func logSoftmaxBackwardRow(_ g: UnsafePointer<Float>, _ y: UnsafePointer<Float>,
                           _ dx: UnsafeMutablePointer<Float>, _ n: Int) {
    let w = FloatVector.scalarCount
    let total = rowSum(g, n)
    var i = 0
    while i + w <= n {
        let gi = loadVector(g + i)
        storeVector(loadVector(dx + i) + gi - fastExp(loadVector(y + i)) * total, dx + i)
        i += w
    }
    while i < n { dx[i] += g[i] - fastExp(y[i]) * total; i += 1 }
}

// MARK: - Strided kernels (any axis)

/// Softmax backward over `n` entries `stride` apart.
func softmaxBackwardLine(_ g: UnsafePointer<Float>, _ y: UnsafePointer<Float>,
                         _ dx: UnsafeMutablePointer<Float>, _ n: Int, _ stride: Int) {
    var dot: Float = 0
    for j in 0..<n { dot += g[j * stride] * y[j * stride] }
    for j in 0..<n { dx[j * stride] += y[j * stride] * (g[j * stride] - dot) }
}

/// Log-softmax backward over `n` entries `stride` apart.
func logSoftmaxBackwardLine(_ g: UnsafePointer<Float>, _ y: UnsafePointer<Float>,
                            _ dx: UnsafeMutablePointer<Float>, _ n: Int, _ stride: Int) {
    var total: Float = 0
    for j in 0..<n { total += g[j * stride] }
    for j in 0..<n { dx[j * stride] += g[j * stride] - fastExp(y[j * stride]) * total }
}

/// Softmax of `n` entries `stride` apart.
func softmaxLine(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int, _ stride: Int) {
    var m: Float = -.infinity
    for j in 0..<n { m = Swift.max(m, x[j * stride]) }
    var total: Float = 0
    for j in 0..<n { let e = fastExp(x[j * stride] - m); y[j * stride] = e; total += e }
    let inv = 1 / total
    for j in 0..<n { y[j * stride] *= inv }
}

/// Log-softmax of `n` entries `stride` apart.
func logSoftmaxLine(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int, _ stride: Int) {
    var m: Float = -.infinity
    for j in 0..<n { m = Swift.max(m, x[j * stride]) }
    var total: Float = 0
    for j in 0..<n { total += fastExp(x[j * stride] - m) }
    let shift = m + Foundation.log(total)
    for j in 0..<n { y[j * stride] = x[j * stride] - shift }
}
