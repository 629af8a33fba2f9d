/// Elementwise arithmetic with broadcasting: `+ - * /` between tensors and with scalars.
/// Each backward sits under its forward; a broadcast operand's gradient is summed back to its shape.

/// The four binary functions, as types so the row kernel specialises for each one.
protocol BinaryFunction { static func apply(_ a: Float, _ b: Float) -> Float }
enum AddFn: BinaryFunction { @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { a + b } }
enum SubFn: BinaryFunction { @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { a - b } }
enum MulFn: BinaryFunction { @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { a * b } }
enum DivFn: BinaryFunction { @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { a / b } }

/// `out[i] = F(a[i*sa], b[i*sb])` for one row; the strides are 0 (broadcast) or 1.
@inline(__always)
func binaryRow<F: BinaryFunction>(_: F.Type, _ a: UnsafePointer<Float>, _ sa: Int,
                                  _ b: UnsafePointer<Float>, _ sb: Int,
                                  _ out: UnsafeMutablePointer<Float>, _ n: Int) {
    if sa == 1 && sb == 1 {
        for i in 0..<n { out[i] = F.apply(a[i], b[i]) }
    } else if sa == 1 {
        let bv = b[0]
        for i in 0..<n { out[i] = F.apply(a[i], bv) }
    } else if sb == 1 {
        let av = a[0]
        for i in 0..<n { out[i] = F.apply(av, b[i]) }
    } else {
        let v = F.apply(a[0], b[0])
        for i in 0..<n { out[i] = v }
    }
}

/// Forward of a broadcasting binary op (no autograd).
func broadcastBinary<F: BinaryFunction>(_ f: F.Type, _ a: Tensor, _ b: Tensor) -> Tensor {
    if a.shape == b.shape {  // The common case: one flat loop, split over cores when large.
        let out = Tensor(uninitialized: a.shape)
        let pa = a.pointer, pb = b.pointer, po = out.pointer
        parallelRanges(a.count) { s, e in binaryRow(f, pa + s, 1, pb + s, 1, po + s, e - s) }
        return out
    }
    guard let shape = broadcastShape(a.shape, b.shape) else {
        preconditionFailure("shapes \(a.shape) and \(b.shape) do not broadcast")
    }
    let out = Tensor(uninitialized: shape)
    let sa = broadcastStrides(a.shape, to: shape), sb = broadcastStrides(b.shape, to: shape)
    let inner = shape.last ?? 1, ia = sa.last ?? 0, ib = sb.last ?? 0
    let pa = a.pointer, pb = b.pointer, po = out.pointer
    forEachBroadcastRow(shape, sa, sb) { row, offA, offB in
        binaryRow(f, pa + offA, ia, pb + offB, ib, po + row * inner, inner)
    }
    return out
}

/// Adds `g` (of the output's shape) into `t`'s gradient, summing over broadcast axes.
func accumulateBroadcastGrad(_ t: Tensor, _ g: Tensor) {
    guard t.requiresGrad else { return }
    _ = t.gradBuffer()
    accumulateSumToShape(g.pointer, g.shape, into: t.grad!.pointer, t.shape)
}

/// Elementwise sum with broadcasting.
public func + (a: Tensor, b: Tensor) -> Tensor {
    let out = broadcastBinary(AddFn.self, a, b)
    return out.recordOp("add", inputs: [a, b]) { g in
        accumulateBroadcastGrad(a, g)  // d(a+b)/da = 1
        accumulateBroadcastGrad(b, g)  // d(a+b)/db = 1
    }
}

/// Elementwise difference with broadcasting.
public func - (a: Tensor, b: Tensor) -> Tensor {
    let out = broadcastBinary(SubFn.self, a, b)
    return out.recordOp("sub", inputs: [a, b]) { g in
        accumulateBroadcastGrad(a, g)
        if b.requiresGrad { accumulateBroadcastGrad(b, -g) }  // d(a-b)/db = -1
    }
}

/// Elementwise product with broadcasting.
public func * (a: Tensor, b: Tensor) -> Tensor {
    let out = broadcastBinary(MulFn.self, a, b)
    return out.recordOp("mul", inputs: [a, b]) { g in
        if a.requiresGrad { accumulateBroadcastGrad(a, broadcastBinary(MulFn.self, g, b)) }  // g·b
        if b.requiresGrad { accumulateBroadcastGrad(b, broadcastBinary(MulFn.self, g, a)) }  // g·a
    }
}

/// Elementwise quotient with broadcasting.
public func / (a: Tensor, b: Tensor) -> Tensor {
    let out = broadcastBinary(DivFn.self, a, b)
    let quotient = Tensor(storage: out.storage, shape: out.shape)  // not `out`: no retain cycle
    return out.recordOp("div", inputs: [a, b]) { g in
        if a.requiresGrad { accumulateBroadcastGrad(a, broadcastBinary(DivFn.self, g, b)) }  // g/b
        if b.requiresGrad {  // d(a/b)/db = -a/b² = -out/b
            let gb = broadcastBinary(DivFn.self, broadcastBinary(MulFn.self, g, quotient), b)
            accumulateBroadcastGrad(b, -gb)
        }
    }
}

/// Negation.
public prefix func - (a: Tensor) -> Tensor {
    let out = Tensor(uninitialized: a.shape)
    let pa = a.pointer, po = out.pointer
    for i in 0..<a.count { po[i] = -pa[i] }
    return out.recordOp("neg", inputs: [a]) { g in
        let dst = a.gradBuffer().baseAddress!, pg = g.pointer
        for i in 0..<g.count { dst[i] -= pg[i] }
    }
}

// MARK: - Scalar forms

extension Tensor {
    /// `self * scale + shift`, elementwise: the one kernel behind every tensor–scalar op.
    public func affine(scale: Float, shift: Float) -> Tensor {
        let out = Tensor(uninitialized: shape)
        let pa = pointer, po = out.pointer
        parallelRanges(count) { s, e in for i in s..<e { po[i] = pa[i] * scale + shift } }
        return out.recordOp("affine", inputs: [self]) { g in
            let dst = self.gradBuffer().baseAddress!, pg = g.pointer
            for i in 0..<g.count { dst[i] += pg[i] * scale }  // d/dx = scale
        }
    }
}

public func + (a: Tensor, s: Float) -> Tensor { a.affine(scale: 1, shift: s) }
public func + (s: Float, a: Tensor) -> Tensor { a.affine(scale: 1, shift: s) }
public func - (a: Tensor, s: Float) -> Tensor { a.affine(scale: 1, shift: -s) }
public func - (s: Float, a: Tensor) -> Tensor { a.affine(scale: -1, shift: s) }
public func * (a: Tensor, s: Float) -> Tensor { a.affine(scale: s, shift: 0) }
public func * (s: Float, a: Tensor) -> Tensor { a.affine(scale: s, shift: 0) }
public func / (a: Tensor, s: Float) -> Tensor { a.affine(scale: 1 / s, shift: 0) }
/// `s / a`, elementwise.
public func / (s: Float, a: Tensor) -> Tensor { a.pow(-1) * s }
