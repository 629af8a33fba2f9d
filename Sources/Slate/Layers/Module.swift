/// Modules: objects that own parameters (and child modules), in the spirit of `torch.nn.Module`.
///
/// A module lists its own parameters in `localParameters` and its sub-modules in `children`;
/// `namedParameters()` walks the tree and joins names with dots, so the keys match a PyTorch
/// `state_dict()` of the same architecture (`"0.weight"`, `"h.3.attn.c_attn.bias"`, ...).

/// Something with trainable parameters and a train/eval mode.
public protocol Module: AnyObject {
    /// Parameters held directly by this module, e.g. `[("weight", w), ("bias", b)]`.
    var localParameters: [(String, Tensor)] { get }
    /// Direct sub-modules with their names, in registration order.
    var children: [(String, Module)] { get }
    /// State that is saved with the module but not trained, e.g. BatchNorm's running statistics
    /// (PyTorch's buffers). Not in `namedParameters()`, so optimizers never see it.
    var localBuffers: [(String, Tensor)] { get }
    /// True in training mode (dropout active); false after `eval()`.
    var training: Bool { get set }
    /// Every parameter of the module tree, with dotted names (PyTorch `state_dict` keys).
    func namedParameters() -> [(String, Tensor)]
}

extension Module {
    public var localParameters: [(String, Tensor)] { [] }
    public var children: [(String, Module)] { [] }
    public var localBuffers: [(String, Tensor)] { [] }

    public func namedParameters() -> [(String, Tensor)] {
        var result = localParameters
        for (name, child) in children {
            for (sub, p) in child.namedParameters() { result.append((name + "." + sub, p)) }
        }
        return result
    }

    /// Every buffer of the module tree, with dotted names (e.g. `"mlp.1.running_mean"`).
    public func namedBuffers() -> [(String, Tensor)] {
        var result = localBuffers
        for (name, child) in children {
            for (sub, b) in child.namedBuffers() { result.append((name + "." + sub, b)) }
        }
        return result
    }

    /// Parameters then buffers: everything a checkpoint must hold to rebuild the module.
    public func namedState() -> [(String, Tensor)] { namedParameters() + namedBuffers() }

    /// Every parameter tensor, in `namedParameters()` order.
    public func parameters() -> [Tensor] { namedParameters().map { $0.1 } }

    /// Total number of parameter elements.
    public var parameterCount: Int { parameters().reduce(0) { $0 + $1.count } }

    /// Sets training mode on this module and every descendant.
    public func train(_ on: Bool = true) {
        var stack: [Module] = [self]
        while let m = stack.popLast() {
            m.training = on
            stack.append(contentsOf: m.children.map { $0.1 })
        }
    }

    /// Evaluation mode (dropout off) on this module and every descendant.
    public func eval() { train(false) }

    /// Clears the gradient of every parameter.
    public func zeroGrad() { for p in parameters() { p.zeroGrad() } }
}

/// A module that maps one tensor to another; `layer(x)` calls `forward(x)`.
public protocol Layer: Module {
    /// Applies the layer.
    func forward(_ x: Tensor) -> Tensor
}

extension Layer {
    /// Same as `forward(x)`.
    public func callAsFunction(_ x: Tensor) -> Tensor { forward(x) }
}
