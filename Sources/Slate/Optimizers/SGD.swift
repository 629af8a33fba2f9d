/// Stochastic gradient descent with momentum, as `torch.optim.SGD` defines it:
///
///     g ← ∇ + λ·p                       (weight decay as an L2 term)
///     b ← g (first step), else μ·b + (1 − dampening)·g
///     g ← g + μ·b (Nesterov) or b
///     p ← p − lr·g
public final class SGD: Optimizer {
    public var learningRate: Float
    public let groups: [ParameterGroup]
    public private(set) var stepCount = 0
    /// μ; 0 disables the momentum buffer.
    public let momentum: Float
    public let dampening: Float
    public let nesterov: Bool
    private let buffers: [[Tensor]]

    public init(_ groups: [ParameterGroup], learningRate: Float, momentum: Float = 0,
                dampening: Float = 0, nesterov: Bool = false) {
        precondition(!nesterov || (momentum > 0 && dampening == 0), "Nesterov needs momentum > 0 and no dampening")
        self.groups = groups
        self.learningRate = learningRate
        self.momentum = momentum
        self.dampening = dampening
        self.nesterov = nesterov
        self.buffers = momentum == 0 ? [] : zeroBuffers(like: groups)
    }

    /// One group holding `parameters`, all with weight decay `weightDecay`.
    public convenience init(_ parameters: [Tensor], learningRate: Float, momentum: Float = 0,
                            weightDecay: Float = 0, nesterov: Bool = false) {
        self.init([ParameterGroup(parameters: parameters, weightDecay: weightDecay)],
                  learningRate: learningRate, momentum: momentum, nesterov: nesterov)
    }

    public func step() {
        let first = stepCount == 0
        stepCount += 1
        let lr = learningRate, mu = momentum, damp = 1 - dampening, nesterov = self.nesterov
        // Every parameter with a gradient, updated in one balanced parallel pass (as Adam).
        typealias Slot = (p: UnsafeMutablePointer<Float>, g: UnsafeMutablePointer<Float>,
                          b: UnsafeMutablePointer<Float>?, count: Int, wd: Float)
        var slots: [Slot] = []
        for (gi, group) in groups.enumerated() {
            for (pi, p) in group.parameters.enumerated() {
                guard let grad = p.grad else { continue }
                slots.append((p.pointer, grad.pointer, mu == 0 ? nil : buffers[gi][pi].pointer, p.count, group.weightDecay))
            }
        }
        parallelSegments(slots.map(\.count)) { i, s, e in
            let t = slots[i]
            guard let pb = t.b else {
                for j in s..<e { t.p[j] -= lr * (t.g[j] + t.wd * t.p[j]) }
                return
            }
            sgdMomentumKernel(p: t.p, g: t.g, b: pb, start: s, end: e, lr: lr, mu: mu, damp: damp,
                              wd: t.wd, first: first, nesterov: nesterov)
        }
    }

    /// `"step"` and, with momentum, `"momentum_buffer.<name>"` per parameter.
    public func stateDict() -> [(String, Tensor)] {
        var out = [("step", Tensor(scalar: Float(stepCount)))]
        let names = namedSlots()
        for (i, b) in buffers.flatMap({ $0 }).enumerated() { out.append(("momentum_buffer." + names[i].0, b)) }
        return out
    }

    public func loadStateDict(_ state: [String: Tensor]) throws {
        let step = try loadStep(from: state)
        try loadBuffers(buffers, prefix: "momentum_buffer.", names: namedSlots(), from: state)
        stepCount = step
    }
}
