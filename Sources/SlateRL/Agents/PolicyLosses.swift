import Foundation
import Slate

/// The policy-gradient objectives of the agents as fused autograd ops over categorical logits:
/// one node each instead of a dozen small ones (log-softmax, gather, ratio, clamp, max, mean,
/// entropy), because with 64-unit networks the per-op overhead, not arithmetic, is the cost.
/// Each op's backward sits under its forward; tests check them against finite differences.

/// How the policy-gradient term is formed.
public enum PolicyGradientObjective: Sendable {
    /// PPO's clipped surrogate: `max(-A·ρ, -A·clamp(ρ, 1-ε, 1+ε))` with `ρ = π(a|s) / π_old(a|s)`.
    case clipped(epsilon: Float)
    /// REINFORCE: `-A · log π(a|s)`.
    case vanilla
}

/// Diagnostics of one policy-loss evaluation (CleanRL's logged names in the comments).
public struct PolicyLossStats: Sendable {
    /// Mean policy-gradient term (`losses/policy_loss`).
    public var policyLoss: Float = 0
    /// Mean entropy of the action distributions (`losses/entropy`).
    public var entropy: Float = 0
    /// Mean `(ρ - 1) - log ρ`, Schulman's low-variance KL estimate (`losses/approx_kl`).
    public var approxKL: Float = 0
    /// Fraction of samples whose ratio left `[1-ε, 1+ε]` (`losses/clipfrac`).
    public var clipFraction: Float = 0
}

extension Tensor {
    /// Policy loss `mean_i(pg_i) - entropyCoef · mean_i(H_i)` over a batch of categorical
    /// distributions given by `self` = logits `(B, A)`.
    ///
    /// - Parameters:
    ///   - actions: `(B)` taken actions.
    ///   - oldLogProbs: `(B)` log-probabilities of `actions` under the behaviour policy
    ///     (ignored for `.vanilla`).
    ///   - advantages: `(B)`, already normalised if wanted.
    ///   - objective: vanilla policy gradient or PPO's clipped surrogate.
    ///   - entropyCoef: weight of the entropy bonus.
    /// - Returns: the scalar loss (recorded for autograd) and its diagnostics.
    public func policyGradientLoss(actions: [Int], oldLogProbs: [Float], advantages: [Float],
                                   objective: PolicyGradientObjective,
                                   entropyCoef: Float) -> (loss: Tensor, stats: PolicyLossStats) {
        precondition(rank == 2, "logits must be (B, A), got \(shape)")
        let b = shape[0], a = shape[1]
        precondition(actions.count == b && advantages.count == b, "need one action and advantage per row")
        if case .clipped = objective { precondition(oldLogProbs.count == b, "need one old log-prob per row") }
        // Saved for backward: per-row d(loss)/d(log π(a)) and the softmax probabilities.
        let probs = Tensor(uninitialized: [b, a])           // (B, A)
        let logProbs = Tensor(uninitialized: [b, a])        // (B, A)
        var dLogPa = [Float](repeating: 0, count: b)        // (B)
        var entropies = [Float](repeating: 0, count: b)     // (B)
        var stats = PolicyLossStats()
        var pgSum: Double = 0, entSum: Double = 0, klSum: Double = 0, clipped = 0
        let p = probs.pointer, lp = logProbs.pointer
        logSoftmaxRows(pointer, rows: b, cols: a, into: lp)
        for i in 0..<b {
            let row = i * a
            var h: Float = 0
            for j in 0..<a {
                p[row + j] = Foundation.exp(lp[row + j])
                h -= p[row + j] * lp[row + j]
            }
            entropies[i] = h
            entSum += Double(h)
            let act = actions[i]
            precondition(act >= 0 && act < a, "action \(act) out of range 0..<\(a)")
            let logPa = lp[row + act], adv = advantages[i]
            switch objective {
            case .vanilla:
                pgSum += Double(-adv * logPa)
                dLogPa[i] = -adv
            case .clipped(let eps):
                let logRatio = logPa - oldLogProbs[i]
                let ratio = Foundation.exp(logRatio)
                klSum += Double((ratio - 1) - logRatio)
                if Swift.abs(ratio - 1) > eps { clipped += 1 }
                let unclipped = -adv * ratio
                let clampedRatio = Swift.min(Swift.max(ratio, 1 - eps), 1 + eps)
                let clippedTerm = -adv * clampedRatio
                if unclipped >= clippedTerm {
                    pgSum += Double(unclipped)
                    dLogPa[i] = -adv * ratio                  // dρ/dlog π = ρ
                } else {
                    pgSum += Double(clippedTerm)
                    // clamp passes the gradient only inside the interval
                    dLogPa[i] = (ratio > 1 - eps && ratio < 1 + eps) ? -adv * ratio : 0
                }
            }
        }
        stats.policyLoss = Float(pgSum / Double(b))
        stats.entropy = Float(entSum / Double(b))
        stats.approxKL = Float(klSum / Double(b))
        stats.clipFraction = Float(clipped) / Float(b)
        let loss = Tensor(scalar: stats.policyLoss - entropyCoef * stats.entropy)
        let logits = self
        return (loss.recordOp("policyGradientLoss", inputs: [self]) { g in
            guard logits.requiresGrad else { return }
            let dz = logits.gradBuffer().baseAddress!
            let scale = g.item() / Float(b)
            let p = probs.pointer, lp = logProbs.pointer
            for i in 0..<b {
                let row = i * a, act = actions[i], h = entropies[i]
                for j in 0..<a {
                    // d log π(a) / dz_j = 1[j == a] - p_j ;  dH/dz_j = -p_j (log p_j + H)
                    let dLogPi = (j == act ? 1 : 0) - p[row + j]
                    let dEntropy = -p[row + j] * (lp[row + j] + h)
                    dz[row + j] += scale * (dLogPa[i] * dLogPi - entropyCoef * dEntropy)
                }
            }
        }, stats)
    }

    /// Value loss `0.5 · mean_i(max((v_i - R_i)², (v_clip,i - R_i)²))` with
    /// `v_clip = v_old + clamp(v - v_old, -ε, ε)` (CleanRL's `clip_vloss`); with `clip == nil`
    /// plain `0.5 · mean((v - R)²)`. `self` holds the `B` new values (shape `(B)` or `(B, 1)`).
    public func valueLoss(returns: [Float], oldValues: [Float] = [], clip: Float? = nil) -> Tensor {
        let b = count
        precondition(returns.count == b, "need one return per value: \(b) values, \(returns.count) returns")
        if clip != nil { precondition(oldValues.count == b, "clipped value loss needs the old values") }
        var dv = [Float](repeating: 0, count: b)            // d(sum of squares)/dv, before 0.5/B
        var total: Double = 0
        let v = pointer
        for i in 0..<b {
            let err = v[i] - returns[i]
            var sq = err * err
            var grad = 2 * err
            if let c = clip {
                let delta = v[i] - oldValues[i]
                let vClipped = oldValues[i] + Swift.min(Swift.max(delta, -c), c)
                let errClipped = vClipped - returns[i]
                if errClipped * errClipped > sq {
                    sq = errClipped * errClipped
                    grad = (delta > -c && delta < c) ? 2 * errClipped : 0
                }
            }
            total += Double(sq)
            dv[i] = grad
        }
        let loss = Tensor(scalar: Float(0.5 * total / Double(b)))
        let values = self
        return loss.recordOp("valueLoss", inputs: [self]) { g in
            guard values.requiresGrad else { return }
            let dst = values.gradBuffer().baseAddress!
            let scale = 0.5 * g.item() / Float(b)
            for i in 0..<b { dst[i] += scale * dv[i] }
        }
    }
}

/// Log-probabilities `(B, A)` of a batch of logits `(B, A)` (no autograd; for acting).
func logSoftmaxRows(_ logits: UnsafePointer<Float>, rows: Int, cols: Int,
                           into out: UnsafeMutablePointer<Float>) {
    for i in 0..<rows {
        let row = i * cols
        var m = -Float.infinity
        for j in 0..<cols { m = Swift.max(m, logits[row + j]) }
        var s: Float = 0
        for j in 0..<cols { s += Foundation.exp(logits[row + j] - m) }
        let lse = m + Foundation.log(s)
        for j in 0..<cols { out[row + j] = logits[row + j] - lse }
    }
}
