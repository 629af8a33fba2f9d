/// Elementwise selections and simple functions: clamp, minimum/maximum of two tensors (with
/// broadcasting), abs, square. Gradients follow PyTorch: clamp passes the gradient where the
/// input lies inside [min, max] (bounds included); minimum/maximum send it to the chosen side,
/// the first operand on ties; |x|' = sign(x) with sign(0) = 0.

enum MinFn: BinaryFunction { @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { a <= b ? a : b } }
enum MaxFn: BinaryFunction { @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { a >= b ? a : b } }
/// 1 where `a` is chosen by minimum (a ≤ b), else 0.
enum FirstIsMinFn: BinaryFunction { @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { a <= b ? 1 : 0 } }
/// 1 where `a` is chosen by maximum (a ≥ b), else 0.
enum FirstIsMaxFn: BinaryFunction { @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { a >= b ? 1 : 0 } }

/// Elementwise minimum with broadcasting; the gradient goes to the smaller operand (to `a` on ties).
public func minimum(_ a: Tensor, _ b: Tensor) -> Tensor {
    chooseElementwise(a, b, MinFn.self, FirstIsMinFn.self, name: "minimum")
}

/// Elementwise maximum with broadcasting; the gradient goes to the larger operand (to `a` on ties).
public func maximum(_ a: Tensor, _ b: Tensor) -> Tensor {
    chooseElementwise(a, b, MaxFn.self, FirstIsMaxFn.self, name: "maximum")
}

/// out = Choose(a, b); backward: g·mask to a, g·(1 − mask) to b, with mask = FirstChosen(a, b).
private func chooseElementwise<Choose: BinaryFunction, FirstChosen: BinaryFunction>(
    _ a: Tensor, _ b: Tensor, _: Choose.Type, _: FirstChosen.Type, name: String) -> Tensor {
    let out = broadcastBinary(Choose.self, a, b)
    return out.recordOp(name, inputs: [a, b]) { g in
        let mask = broadcastBinary(FirstChosen.self, a, b)           // output shape
        let ga = broadcastBinary(MulFn.self, g, mask)
        accumulateBroadcastGrad(a, ga)
        if b.requiresGrad { accumulateBroadcastGrad(b, broadcastBinary(SubFn.self, g, ga)) }
    }
}

extension Tensor {
    /// Limits every element to `[min, max]` (either bound may be nil).
    public func clamp(min low: Float? = nil, max high: Float? = nil) -> Tensor {
        let lo = low ?? -.infinity, hi = high ?? .infinity
        precondition(lo <= hi, "clamp: min \(lo) is above max \(hi)")
        let out = Tensor(uninitialized: shape)
        let px = pointer, po = out.pointer
        parallelRanges(count) { s, e in for i in s..<e { po[i] = Swift.min(Swift.max(px[i], lo), hi) } }
        return out.recordOp("clamp", inputs: [self]) { g in
            let dx = self.gradBuffer().baseAddress!, pg = g.pointer
            parallelRanges(g.count) { s, e in
                for i in s..<e where px[i] >= lo && px[i] <= hi { dx[i] += pg[i] }
            }
        }
    }

    /// |x| elementwise.
    public func abs() -> Tensor { map(AbsFn.self) }

    /// x² elementwise.
    public func square() -> Tensor { map(SquareFn.self) }
}

enum AbsFn: UnaryFunction {
    static let name = "abs"
    @inline(__always) static func f(_ x: Float) -> Float { Swift.abs(x) }
    @inline(__always) static func df(_ x: Float, _ y: Float) -> Float { x > 0 ? 1 : (x < 0 ? -1 : 0) }
}

enum SquareFn: UnaryFunction {
    static let name = "square"
    @inline(__always) static func f(_ x: Float) -> Float { x * x }
    @inline(__always) static func df(_ x: Float, _ y: Float) -> Float { 2 * x }
}
