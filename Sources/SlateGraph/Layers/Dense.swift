import Foundation
import Slate

/// A fully connected layer y = x W + b with W stored (in, out), Glorot-uniform initialised
/// (limit √(6 / (in + out)), as Kipf & Welling's `glorot`) and b zero.
public final class Dense {
    /// (in, out)
    public let weight: Tensor
    /// (out)
    public let bias: Tensor

    public init(_ inputs: Int, _ outputs: Int, generator: inout RandomGenerator) {
        weight = glorotUniform(inputs, outputs, generator: &generator)
        bias = Tensor.zeros([outputs], requiresGrad: true)
    }

    /// (N, in) -> (N, out)
    public func callAsFunction(_ x: Tensor) -> Tensor {
        x.matmul(weight) + bias
    }

    /// Trainable tensors in a fixed order (for optimizers and checkpoints).
    public var parameters: [Tensor] { [weight, bias] }
}

/// A (fanIn, fanOut) tensor with U(−a, a) entries, a = √(6 / (fanIn + fanOut)), requiring grad.
public func glorotUniform(_ fanIn: Int, _ fanOut: Int, generator: inout RandomGenerator) -> Tensor {
    let limit = Float((6.0 / Double(fanIn + fanOut)).squareRoot())
    let t = Tensor.uniform([fanIn, fanOut], low: -limit, high: limit, generator: &generator)
    t.requiresGrad = true
    return t
}
