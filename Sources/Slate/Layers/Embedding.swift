/// Lookup tables, normalisation and dropout as modules.

/// A table of `count` learned vectors of size `dim` (PyTorch `nn.Embedding`); `weight` `[count, dim]`.
public final class Embedding: Module {
    /// `[count, dim]`, initialised N(0, 1) as PyTorch does.
    public let weight: Tensor
    public var training = true

    public init(count: Int, dim: Int, generator: inout RandomGenerator) {
        precondition(count > 0 && dim > 0, "Embedding needs positive sizes, got \(count)×\(dim)")
        weight = Tensor.randn([count, dim], generator: &generator, requiresGrad: true)
    }

    public var count: Int { weight.shape[0] }
    public var dim: Int { weight.shape[1] }
    public var localParameters: [(String, Tensor)] { [("weight", weight)] }

    /// The rows for `indices`, shaped `shape + [dim]` (default `[indices.count, dim]`),
    /// e.g. token ids `(B, T)` -> `(B, T, C)`. Backward scatter-adds into `weight.grad`.
    public func callAsFunction(_ indices: [Int], shape: [Int]? = nil) -> Tensor {
        let shape = shape ?? [indices.count]
        precondition(shape.reduce(1, *) == indices.count, "\(indices.count) indices do not fill shape \(shape)")
        return weight.rows(indices).reshaped(shape + [dim])   // (n, C) -> (shape..., C)
    }
}

/// Layer normalisation over the last axis (PyTorch `nn.LayerNorm`, eps 1e-5): `weight` ones,
/// optional `bias` zeros.
public final class LayerNorm: Layer {
    public let weight: Tensor
    public let bias: Tensor?
    public let eps: Float
    public var training = true

    public init(dim: Int, bias: Bool = true, eps: Float = 1e-5) {
        precondition(dim > 0, "LayerNorm needs a positive size, got \(dim)")
        weight = Tensor.ones([dim], requiresGrad: true)
        self.bias = bias ? Tensor.zeros([dim], requiresGrad: true) : nil
        self.eps = eps
    }

    public var localParameters: [(String, Tensor)] {
        bias.map { [("weight", weight), ("bias", $0)] } ?? [("weight", weight)]
    }

    /// `(..., dim) -> (..., dim)`.
    public func forward(_ x: Tensor) -> Tensor { x.layerNorm(weight: weight, bias: bias, eps: eps) }
}

/// Inverted dropout with probability `p` while `training`; the identity after `eval()`.
/// Owns its generator, so a seed fixes the masks.
public final class Dropout: Layer {
    public let p: Float
    public var training = true
    public var generator: RandomGenerator

    public init(p: Float, seed: UInt64 = 0xD509) {
        precondition(p >= 0 && p <= 1, "dropout probability \(p) is outside [0, 1]")
        self.p = p
        generator = RandomGenerator(seed: seed)
    }

    public func forward(_ x: Tensor) -> Tensor {
        x.dropout(p: p, training: training, generator: &generator)
    }
}
