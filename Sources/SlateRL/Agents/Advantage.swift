import Slate

/// Generalised advantage estimation (Schulman et al. 2016) over a rollout of `T` steps from `N`
/// environments, with terminated and truncated episodes told apart.
///
/// Layout: every per-step array is `(T, N)` row-major, index `t * N + e`.
///
/// The value that follows step `(t, e)`:
/// - `terminated`: 0 — the MDP ended, nothing follows.
/// - `truncated` (and not terminated): `truncationValues[t * N + e]`, the critic's value of the
///   episode's *final* observation (the vector env already reset the env, so it is not
///   `values[t + 1]`). CleanRL's `ppo.py` treats this case as terminal; bootstrapping is the
///   correct target for a time limit that is not part of the task.
/// - otherwise: `values[(t + 1) * N + e]`, or `lastValues[e]` for the rollout's last step.
///
/// The advantage recursion `A_t = δ_t + γλ A_{t+1}` is cut at every episode end (either kind).
public struct AdvantageEstimate: Sendable {
    /// `(T, N)` GAE(γ, λ) advantages.
    public var advantages: [Float]
    /// `(T, N)` value targets: `advantages + values` (TD(λ) returns).
    public var returns: [Float]
}

/// Computes GAE advantages and returns; see `AdvantageEstimate` for the bootstrapping rules.
///
/// - Parameters:
///   - rewards: `(T, N)` rewards.
///   - values: `(T, N)` critic values of the observations the steps were taken from.
///   - terminated: `(T, N)`, true where the step ended its episode in a terminal state.
///   - truncated: `(T, N)`, true where the time limit cut the episode.
///   - truncationValues: `(T, N)` critic values of the final observations of truncated episodes
///     (read only where `truncated` and not `terminated`).
///   - lastValues: `(N)`, the value of the observation after the rollout's last step.
///   - numEnvs: N.
///   - gamma: the discount γ.
///   - lambda: the GAE λ (1: Monte-Carlo returns, 0: one-step TD).
public func generalizedAdvantages(rewards: [Float], values: [Float], terminated: [Bool],
                                  truncated: [Bool], truncationValues: [Float],
                                  lastValues: [Float], numEnvs: Int,
                                  gamma: Float, lambda: Float) -> AdvantageEstimate {
    let n = numEnvs
    precondition(n > 0 && rewards.count % n == 0, "rewards must be (T, \(n))")
    precondition(values.count == rewards.count && terminated.count == rewards.count
                 && truncated.count == rewards.count && truncationValues.count == rewards.count,
                 "rewards, values, flags and truncation values must all be (T, N)")
    precondition(lastValues.count == n, "lastValues must hold one value per env")
    let steps = rewards.count / n
    var advantages = [Float](repeating: 0, count: rewards.count)
    var returns = [Float](repeating: 0, count: rewards.count)
    for e in 0..<n {
        var nextAdvantage: Float = 0
        for t in stride(from: steps - 1, through: 0, by: -1) {
            let i = t * n + e
            let nextValue: Float
            let continues: Float
            if terminated[i] {
                nextValue = 0; continues = 0
            } else if truncated[i] {
                nextValue = truncationValues[i]; continues = 0
            } else {
                nextValue = t == steps - 1 ? lastValues[e] : values[i + n]; continues = 1
            }
            let delta = rewards[i] + gamma * nextValue - values[i]
            nextAdvantage = delta + gamma * lambda * continues * nextAdvantage
            advantages[i] = nextAdvantage
            returns[i] = nextAdvantage + values[i]
        }
    }
    return AdvantageEstimate(advantages: advantages, returns: returns)
}

/// Discounted returns-to-go of one episode, `G_t = r_t + γ G_{t+1}`, started from
/// `bootstrapValue` after the last step (0 for a terminated episode, `V(final obs)` for a
/// truncated one). Used by REINFORCE.
public func discountedReturns(rewards: [Float], gamma: Float, bootstrapValue: Float = 0) -> [Float] {
    var out = [Float](repeating: 0, count: rewards.count)
    var running = bootstrapValue
    for t in stride(from: rewards.count - 1, through: 0, by: -1) {
        running = rewards[t] + gamma * running
        out[t] = running
    }
    return out
}

/// `(x - mean) / (std + eps)` with the unbiased standard deviation, as CleanRL normalises
/// advantages per minibatch (`torch.std` is unbiased).
func normalized(_ x: [Float], eps: Float = 1e-8) -> [Float] {
    guard x.count > 1 else { return x.map { _ in 0 } }
    var mean: Double = 0
    for v in x { mean += Double(v) }
    mean /= Double(x.count)
    var variance: Double = 0
    for v in x { variance += (Double(v) - mean) * (Double(v) - mean) }
    let std = Float((variance / Double(x.count - 1)).squareRoot())
    let m = Float(mean)
    return x.map { ($0 - m) / (std + eps) }
}

/// The mean and unbiased standard deviation of the advantages of each minibatch over every
/// replica's minibatch of the same index (all of one size b), as `normalized` uses them on the
/// N·b values together; one allreduce of 2 values per minibatch, in double precision:
/// mean = E[x], std = √((E[x²] − E[x]²) · Nb / (Nb − 1)).
package func advantageMoments(_ advantages: [Float], minibatches: [ArraySlice<Int>],
                              dataParallel: DataParallel) -> [(mean: Float, std: Float)] {
    var local: [Double] = []
    for idx in minibatches {
        let n = Double(idx.count)
        local += [idx.reduce(0) { $0 + Double(advantages[$1]) } / n,
                  idx.reduce(0) { $0 + Double(advantages[$1]) * Double(advantages[$1]) } / n]
    }
    let global = dataParallel.averageValues(local)
    return minibatches.indices.map { k in
        let n = Double(minibatches[k].count * dataParallel.count)
        let mean = global[2 * k], variance = max(global[2 * k + 1] - mean * mean, 0) * n / max(n - 1, 1)
        return (Float(mean), Float(variance.squareRoot()))
    }
}
