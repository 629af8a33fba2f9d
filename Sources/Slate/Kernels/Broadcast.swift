/// Broadcasting as NumPy and PyTorch define it: shapes are aligned at their last axis; an axis
/// of extent 1 (or a missing leading axis) stretches to match the other.

/// The shape two broadcast operands produce, or nil when they are incompatible.
func broadcastShape(_ a: [Int], _ b: [Int]) -> [Int]? {
    let rank = max(a.count, b.count)
    var out = [Int](repeating: 1, count: rank)
    for i in 0..<rank {
        let da = i < rank - a.count ? 1 : a[i - (rank - a.count)]
        let db = i < rank - b.count ? 1 : b[i - (rank - b.count)]
        guard da == db || da == 1 || db == 1 else { return nil }
        out[i] = da == 1 ? db : da
    }
    return out
}

/// Element strides of `shape` read as `outShape` under broadcasting (0 on stretched axes).
func broadcastStrides(_ shape: [Int], to outShape: [Int]) -> [Int] {
    var strides = [Int](repeating: 0, count: outShape.count)
    var step = 1
    for i in stride(from: shape.count - 1, through: 0, by: -1) {
        let o = i + outShape.count - shape.count
        strides[o] = shape[i] == 1 ? 0 : step
        step *= shape[i]
    }
    return strides
}

/// Walks `outShape` one innermost row at a time, calling
/// `body(row, offsetA, offsetB)` with the flat offsets of each operand at the row's start.
/// The inner extent is `outShape.last`; the inner strides are `stridesA.last`/`stridesB.last`.
@inline(__always)
func forEachBroadcastRow(_ outShape: [Int], _ stridesA: [Int], _ stridesB: [Int],
                         _ body: (_ row: Int, _ offA: Int, _ offB: Int) -> Void) {
    let rank = outShape.count
    if rank == 0 { body(0, 0, 0); return }
    let rows = outShape.dropLast().reduce(1, *)
    var index = [Int](repeating: 0, count: rank)
    var offA = 0, offB = 0
    for row in 0..<rows {
        body(row, offA, offB)
        // Advance the multi-index over the outer axes (odometer style).
        var axis = rank - 2
        while axis >= 0 {
            index[axis] += 1
            offA += stridesA[axis]
            offB += stridesB[axis]
            if index[axis] < outShape[axis] { break }
            offA -= stridesA[axis] * outShape[axis]
            offB -= stridesB[axis] * outShape[axis]
            index[axis] = 0
            axis -= 1
        }
    }
}

/// Sums `source` (of `sourceShape`) down to `targetShape`, which must broadcast to it:
/// the gradient of a broadcast. Adds into `target` (it is not cleared first).
func accumulateSumToShape(_ source: UnsafePointer<Float>, _ sourceShape: [Int],
                                 into target: UnsafeMutablePointer<Float>, _ targetShape: [Int]) {
    if sourceShape == targetShape {
        let n = sourceShape.reduce(1, *)
        for i in 0..<n { target[i] += source[i] }
        return
    }
    let ts = broadcastStrides(targetShape, to: sourceShape)
    let ss = broadcastStrides(sourceShape, to: sourceShape)
    let inner = sourceShape.last ?? 1
    let innerStride = ts.last ?? 0
    forEachBroadcastRow(sourceShape, ss, ts) { _, offS, offT in
        let s = source + offS, t = target + offT
        if innerStride == 0 {
            var acc: Float = 0
            for j in 0..<inner { acc += s[j] }
            t[0] += acc
        } else {
            for j in 0..<inner { t[j] += s[j] }
        }
    }
}
