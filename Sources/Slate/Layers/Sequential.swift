/// Chains of layers: `Sequential`, elementwise activation layers, and `MLP`.

/// Layers applied one after another. Children are named "0", "1", ... as in `nn.Sequential`.
public final class Sequential: Layer {
    /// The layers, in order.
    public private(set) var layers: [Layer]
    public var training = true

    public init(_ layers: [Layer]) { self.layers = layers }

    public var children: [(String, Module)] {
        layers.enumerated().map { (String($0.offset), $0.element as Module) }
    }

    /// Appends a layer at the end.
    public func append(_ layer: Layer) { layers.append(layer) }

    public func forward(_ x: Tensor) -> Tensor {
        var h = x
        for layer in layers { h = layer(h) }
        return h
    }
}

/// An elementwise nonlinearity, usable as a layer (no parameters).
public enum ActivationKind: String, CaseIterable, Sendable {
    case identity, relu, tanh, sigmoid, gelu, elu
}

/// A parameter-free layer applying one activation function.
public final class Activation: Layer {
    public let kind: ActivationKind
    public var training = true

    public init(_ kind: ActivationKind) { self.kind = kind }

    public func forward(_ x: Tensor) -> Tensor {
        switch kind {
        case .identity: return x
        case .relu: return x.relu()
        case .tanh: return x.tanh()
        case .sigmoid: return x.sigmoid()
        case .gelu: return x.gelu()
        case .elu: return x.elu()
        }
    }
}

/// A multilayer perceptron: Linear → activation → ... → Linear (no activation after the last
/// Linear unless `activateLast`). Parameter names match an equivalent `nn.Sequential`:
/// `"0.weight"`, `"0.bias"`, `"2.weight"`, ...
public final class MLP: Layer {
    /// The Linear layers, input side first (handy for custom init such as orthogonal).
    public let linears: [Linear]
    private let body: Sequential
    public var training = true

    /// An MLP initialised as PyTorch's `nn.Linear` layers are.
    ///
    /// - Parameters:
    ///   - sizes: feature counts, input first: `[2, 16, 16, 1]` is 2-16-16-1.
    ///   - activation: the nonlinearity between two Linear layers.
    ///   - activateLast: also apply it after the last Linear.
    ///   - bias: give every Linear a bias.
    ///   - generator: draws the initial weights.
    public init(sizes: [Int], activation: ActivationKind = .relu, activateLast: Bool = false,
                bias: Bool = true, generator: inout RandomGenerator) {
        precondition(sizes.count >= 2, "MLP needs at least input and output sizes, got \(sizes)")
        var linears: [Linear] = [], layers: [Layer] = []
        for i in 0..<(sizes.count - 1) {
            let linear = Linear(inFeatures: sizes[i], outFeatures: sizes[i + 1], bias: bias, generator: &generator)
            linears.append(linear)
            layers.append(linear)
            if i < sizes.count - 2 || activateLast { layers.append(Activation(activation)) }
        }
        self.linears = linears
        self.body = Sequential(layers)
    }

    public var children: [(String, Module)] { body.children }

    /// `(..., sizes.first) -> (..., sizes.last)`.
    public func forward(_ x: Tensor) -> Tensor { body(x) }
}
