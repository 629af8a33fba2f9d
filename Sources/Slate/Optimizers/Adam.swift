import Foundation

/// Adam (`torch.optim.Adam`) and, with decoupled weight decay, AdamW (`torch.optim.AdamW`):
///
///     AdamW: p ← p·(1 − lr·λ)           Adam: g ← ∇ + λ·p
///     m ← β₁·m + (1 − β₁)·g
///     v ← β₂·v + (1 − β₂)·g²
///     p ← p − (lr / (1 − β₁ᵗ)) · m / (√v / √(1 − β₂ᵗ) + ε)
///
/// Note ε is added after the bias correction of √v, exactly as PyTorch does. The update is one
/// fused pass per parameter over raw pointers, split across cores for large tensors.
public class Adam: Optimizer {
    public var learningRate: Float
    public let groups: [ParameterGroup]
    public private(set) var stepCount = 0
    public let beta1: Float, beta2: Float, eps: Float
    /// True for AdamW: weight decay shrinks the parameter directly instead of entering the gradient.
    public let decoupledWeightDecay: Bool
    private let m: [[Tensor]], v: [[Tensor]]

    public init(_ groups: [ParameterGroup], learningRate: Float = 1e-3, beta1: Float = 0.9,
                beta2: Float = 0.999, eps: Float = 1e-8, decoupledWeightDecay: Bool = false) {
        self.groups = groups
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.eps = eps
        self.decoupledWeightDecay = decoupledWeightDecay
        m = zeroBuffers(like: groups)
        v = zeroBuffers(like: groups)
    }

    /// One group holding `parameters` (Adam's default: no weight decay).
    public convenience init(_ parameters: [Tensor], learningRate: Float = 1e-3, beta1: Float = 0.9,
                            beta2: Float = 0.999, eps: Float = 1e-8, weightDecay: Float = 0) {
        self.init([ParameterGroup(parameters: parameters, weightDecay: weightDecay)], learningRate: learningRate,
                  beta1: beta1, beta2: beta2, eps: eps)
    }

    public func step() {
        stepCount += 1
        let t = Double(stepCount)
        let stepSize = Float(Double(learningRate) / (1 - Foundation.pow(Double(beta1), t)))
        let invRootBC2 = Float(1 / (1 - Foundation.pow(Double(beta2), t)).squareRoot())
        let (b1, b2, eps, lr) = (beta1, beta2, eps, learningRate)
        // Every (parameter, gradient, moments) with its decay settings, updated in one parallel pass.
        typealias Slot = (p: UnsafeMutablePointer<Float>, g: UnsafeMutablePointer<Float>, m: UnsafeMutablePointer<Float>,
                          v: UnsafeMutablePointer<Float>, count: Int, l2: Float, shrink: Float)
        var slots: [Slot] = []
        for (gi, group) in groups.enumerated() {
            let wd = group.weightDecay
            let l2 = decoupledWeightDecay ? 0 : wd           // Adam: decay enters the gradient
            let shrink = decoupledWeightDecay ? 1 - lr * wd : 1  // AdamW: decay shrinks p
            for (pi, p) in group.parameters.enumerated() {
                guard let grad = p.grad else { continue }
                slots.append((p.pointer, grad.pointer, m[gi][pi].pointer, v[gi][pi].pointer, p.count, l2, shrink))
            }
        }
        parallelSegments(slots.map(\.count)) { i, s, e in
            let t = slots[i]
            adamKernel(p: t.p, g: t.g, m: t.m, v: t.v, start: s, end: e, beta1: b1, beta2: b2, eps: eps,
                       l2: t.l2, shrink: t.shrink, stepSize: stepSize, invRootBC2: invRootBC2)
        }
    }

    /// `"step"`, `"exp_avg.<name>"` and `"exp_avg_sq.<name>"` (PyTorch's state names).
    public func stateDict() -> [(String, Tensor)] {
        var out = [("step", Tensor(scalar: Float(stepCount)))]
        let names = namedSlots()
        for (i, t) in m.flatMap({ $0 }).enumerated() { out.append(("exp_avg." + names[i].0, t)) }
        for (i, t) in v.flatMap({ $0 }).enumerated() { out.append(("exp_avg_sq." + names[i].0, t)) }
        return out
    }

    public func loadStateDict(_ state: [String: Tensor]) throws {
        let step = try loadStep(from: state)
        let names = namedSlots()
        try loadBuffers(m, prefix: "exp_avg.", names: names, from: state)
        try loadBuffers(v, prefix: "exp_avg_sq.", names: names, from: state)
        stepCount = step
    }
}

/// Adam with decoupled weight decay (`torch.optim.AdamW`; defaults as PyTorch: λ = 0.01).
public final class AdamW: Adam {
    public init(_ groups: [ParameterGroup], learningRate: Float = 1e-3, beta1: Float = 0.9,
                beta2: Float = 0.999, eps: Float = 1e-8) {
        super.init(groups, learningRate: learningRate, beta1: beta1, beta2: beta2, eps: eps,
                   decoupledWeightDecay: true)
    }

    /// One group holding `parameters`, all decayed by `weightDecay`.
    public convenience init(_ parameters: [Tensor], learningRate: Float = 1e-3, beta1: Float = 0.9,
                            beta2: Float = 0.999, eps: Float = 1e-8, weightDecay: Float = 0.01) {
        self.init([ParameterGroup(parameters: parameters, weightDecay: weightDecay)], learningRate: learningRate,
                  beta1: beta1, beta2: beta2, eps: eps)
    }
}
