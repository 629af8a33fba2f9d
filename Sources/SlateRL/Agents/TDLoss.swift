import Slate

/// The regression loss of a Q-learning update.
public enum TDLossKind: String, CaseIterable, Sendable {
    /// Mean squared error (CleanRL's `dqn.py`: `F.mse_loss`).
    case mse
    /// Huber / smooth-L1 with δ = 1 (the DQN paper's error clipping).
    case huber
}

extension Tensor {
    /// `mean_i ℓ(Q[i, a_i] - y_i)` for Q-values `self` `(B, A)`, taken actions `a` `(B)` and
    /// targets `y` `(B)`; only the taken actions' Q-values receive gradient.
    public func temporalDifferenceLoss(actions: [Int], targets: [Float], kind: TDLossKind) -> Tensor {
        precondition(rank == 2, "Q-values must be (B, A), got \(shape)")
        let b = shape[0], a = shape[1]
        precondition(actions.count == b && targets.count == b, "need one action and target per row")
        var dq = [Float](repeating: 0, count: b)            // dℓ/dQ[i, a_i]
        var total: Double = 0
        let q = pointer
        for i in 0..<b {
            precondition(actions[i] >= 0 && actions[i] < a, "action \(actions[i]) out of range 0..<\(a)")
            let err = q[i * a + actions[i]] - targets[i]
            switch kind {
            case .mse:
                total += Double(err * err); dq[i] = 2 * err
            case .huber:
                if Swift.abs(err) < 1 { total += Double(0.5 * err * err); dq[i] = err }
                else { total += Double(Swift.abs(err) - 0.5); dq[i] = err > 0 ? 1 : -1 }
            }
        }
        let loss = Tensor(scalar: Float(total / Double(b)))
        let qValues = self
        return loss.recordOp("temporalDifferenceLoss", inputs: [self]) { g in
            guard qValues.requiresGrad else { return }
            let dst = qValues.gradBuffer().baseAddress!
            let scale = g.item() / Float(b)
            for i in 0..<b { dst[i * a + actions[i]] += scale * dq[i] }
        }
    }
}
