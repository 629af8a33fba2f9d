import Foundation

/// Elementwise functions of one tensor. Each is a type with its value `f` and its derivative
/// `df` (given both input x and output y, whichever is cheaper), so one generic kernel serves all
/// of them and the compiler inlines the math into the loop.
protocol UnaryFunction {
    static var name: String { get }
    static func f(_ x: Float) -> Float
    /// dy/dx at input `x` with output `y = f(x)`.
    static func df(_ x: Float, _ y: Float) -> Float
}

extension Tensor {
    /// Applies `F` elementwise; its backward multiplies the incoming gradient by `F.df`.
    @inline(__always)
    func map<F: UnaryFunction>(_: F.Type) -> Tensor {
        let out = Tensor(uninitialized: shape)
        let px = pointer, py = out.pointer
        parallelRanges(count, grain: 16_384) { s, e in for i in s..<e { py[i] = F.f(px[i]) } }
        return out.recordOp(F.name, inputs: [self]) { g in
            let dx = self.gradBuffer().baseAddress!, pg = g.pointer
            parallelRanges(g.count, grain: 16_384) { s, e in
                for i in s..<e { dx[i] += pg[i] * F.df(px[i], py[i]) }
            }
        }
    }

    /// eˣ
    public func exp() -> Tensor { map(ExpFn.self) }
    /// Natural logarithm.
    public func log() -> Tensor { map(LogFn.self) }
    /// Square root.
    public func sqrt() -> Tensor { map(SqrtFn.self) }
    /// Hyperbolic tangent.
    public func tanh() -> Tensor { map(TanhFn.self) }
    /// Logistic sigmoid 1 / (1 + e⁻ˣ).
    public func sigmoid() -> Tensor { map(SigmoidFn.self) }
    /// max(x, 0); the gradient at 0 is 0, as in PyTorch.
    public func relu() -> Tensor { map(ReLUFn.self) }
    /// ELU with α = 1: x for x > 0, eˣ − 1 otherwise (GAT's activation).
    public func elu() -> Tensor { map(ELUFn.self) }
    /// GELU in its exact form x·Φ(x) = ½x(1 + erf(x/√2)), as PyTorch's `nn.GELU()`.
    /// Vectorised (see `geluForward`); `map(GELUFn.self)` is its scalar reference twin.
    public func gelu() -> Tensor {
        let out = Tensor(uninitialized: shape)
        let px = pointer, py = out.pointer
        parallelRanges(count, grain: 16_384) { s, e in geluForward(px + s, py + s, e - s) }
        let ys = out.storage    // the backward reads Φ(x) back as y/x
        return out.recordOp("gelu", inputs: [self]) { g in
            let (dx, beta) = self.gradTarget(), pg = g.pointer, py = UnsafePointer(ys.pointer)
            parallelRanges(g.count, grain: 16_384) { s, e in geluBackward(px + s, py + s, pg + s, dx + s, beta: beta, e - s) }
        }
    }

    /// xᵖ for a constant exponent.
    public func pow(_ p: Float) -> Tensor {
        let out = Tensor(uninitialized: shape)
        let px = pointer, py = out.pointer
        for i in 0..<count { py[i] = Foundation.pow(px[i], p) }
        return out.recordOp("pow", inputs: [self]) { g in
            let dx = self.gradBuffer().baseAddress!, pg = g.pointer
            for i in 0..<g.count { dx[i] += pg[i] * p * Foundation.pow(px[i], p - 1) }  // p·xᵖ⁻¹
        }
    }
}

enum ExpFn: UnaryFunction {
    static let name = "exp"
    @inline(__always) static func f(_ x: Float) -> Float { Foundation.exp(x) }
    @inline(__always) static func df(_ x: Float, _ y: Float) -> Float { y }
}

enum LogFn: UnaryFunction {
    static let name = "log"
    @inline(__always) static func f(_ x: Float) -> Float { Foundation.log(x) }
    @inline(__always) static func df(_ x: Float, _ y: Float) -> Float { 1 / x }
}

enum SqrtFn: UnaryFunction {
    static let name = "sqrt"
    @inline(__always) static func f(_ x: Float) -> Float { x.squareRoot() }
    @inline(__always) static func df(_ x: Float, _ y: Float) -> Float { 0.5 / y }
}

enum TanhFn: UnaryFunction {
    static let name = "tanh"
    @inline(__always) static func f(_ x: Float) -> Float { Foundation.tanh(x) }
    @inline(__always) static func df(_ x: Float, _ y: Float) -> Float { 1 - y * y }
}

enum SigmoidFn: UnaryFunction {
    static let name = "sigmoid"
    @inline(__always) static func f(_ x: Float) -> Float { 1 / (1 + Foundation.exp(-x)) }
    @inline(__always) static func df(_ x: Float, _ y: Float) -> Float { y * (1 - y) }
}

enum ReLUFn: UnaryFunction {
    static let name = "relu"
    @inline(__always) static func f(_ x: Float) -> Float { x > 0 ? x : 0 }
    @inline(__always) static func df(_ x: Float, _ y: Float) -> Float { x > 0 ? 1 : 0 }
}

enum ELUFn: UnaryFunction {
    static let name = "elu"
    @inline(__always) static func f(_ x: Float) -> Float { x > 0 ? x : expm1f(x) }
    /// dy/dx = 1 for x > 0, eˣ = y + 1 otherwise.
    @inline(__always) static func df(_ x: Float, _ y: Float) -> Float { x > 0 ? 1 : y + 1 }
}

enum GELUFn: UnaryFunction {
    static let name = "gelu"
    static let invSqrt2: Float = 0.707_106_781_186_547_6
    static let invSqrt2Pi: Float = 0.398_942_280_401_432_7
    @inline(__always) static func f(_ x: Float) -> Float {
        0.5 * x * (1 + Foundation.erf(x * invSqrt2))
    }
    /// Φ(x) + x·φ(x)
    @inline(__always) static func df(_ x: Float, _ y: Float) -> Float {
        0.5 * (1 + Foundation.erf(x * invSqrt2)) + x * invSqrt2Pi * Foundation.exp(-0.5 * x * x)
    }
}
