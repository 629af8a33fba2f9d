import Foundation
import Slate

/// Adam (Kingma & Ba) with coupled L2 weight decay per parameter group, as the GCN reference
/// setups use it: the decay term λ·w is added to the gradient before the moment updates
/// (PyTorch's `Adam(weight_decay=λ)`, equivalent to adding λ/2·‖w‖² to the loss).
public final class GraphAdam {
    /// Parameters and their L2 coefficient λ.
    public let groups: [(parameters: [Tensor], weightDecay: Float)]
    public var learningRate: Float
    public let beta1: Float, beta2: Float, epsilon: Float
    private var m: [[Float]], v: [[Float]]
    private var stepCount = 0

    public init(groups: [(parameters: [Tensor], weightDecay: Float)], learningRate: Float,
                beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8) {
        self.groups = groups
        self.learningRate = learningRate
        self.beta1 = beta1; self.beta2 = beta2; self.epsilon = epsilon
        let all = groups.flatMap { $0.parameters }
        m = all.map { [Float](repeating: 0, count: $0.count) }
        v = m
    }

    /// One update from the parameters' accumulated gradients (parameters without a gradient are skipped).
    public func step() {
        stepCount += 1
        let c1 = 1 - Float(Foundation.pow(Double(beta1), Double(stepCount)))
        let c2 = 1 - Float(Foundation.pow(Double(beta2), Double(stepCount)))
        var index = 0
        for group in groups {
            for p in group.parameters {
                defer { index += 1 }
                guard let g = p.grad else { continue }
                let w = p.pointer, pg = g.pointer, lambda = group.weightDecay
                m[index].withUnsafeMutableBufferPointer { mb in
                    v[index].withUnsafeMutableBufferPointer { vb in
                        for i in 0..<p.count {
                            let grad = pg[i] + lambda * w[i]
                            mb[i] = beta1 * mb[i] + (1 - beta1) * grad
                            vb[i] = beta2 * vb[i] + (1 - beta2) * grad * grad
                            w[i] -= learningRate * (mb[i] / c1) / ((vb[i] / c2).squareRoot() + epsilon)
                        }
                    }
                }
            }
        }
    }

    /// Clears every parameter's gradient.
    public func zeroGrad() {
        for group in groups { for p in group.parameters { p.zeroGrad() } }
    }
}
