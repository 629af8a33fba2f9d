import Foundation
import Slate

/// PPO's and REINFORCE's agent: separate actor and critic MLPs, as CleanRL's `Agent` in
/// `ppo.py`. Parameter names match it (`actor.0.weight`, `actor.2.weight`, ..., `critic.4.bias`).
public final class ActorCritic: Module {
    /// Observation → action logits `(B, obs) -> (B, A)`.
    public let actor: MLP
    /// Observation → state value `(B, obs) -> (B, 1)`.
    public let critic: MLP
    public var training = true

    /// Two MLPs `obs → hidden... → A` and `obs → hidden... → 1` with the given activation and
    /// CleanRL's `layer_init`: orthogonal weights (gain √2 on hidden layers, 0.01 on the actor's
    /// output, 1 on the critic's) and zero biases.
    public init(observationSize: Int, actionCount: Int, hiddenSizes: [Int] = [64, 64],
                activation: ActivationKind = .tanh, generator: inout RandomGenerator) {
        actor = MLP(sizes: [observationSize] + hiddenSizes + [actionCount], activation: activation,
                    generator: &generator)
        critic = MLP(sizes: [observationSize] + hiddenSizes + [1], activation: activation,
                     generator: &generator)
        orthogonalInit(critic, outputGain: 1, generator: &generator)
        orthogonalInit(actor, outputGain: 0.01, generator: &generator)
    }

    public var children: [(String, Module)] { [("actor", actor), ("critic", critic)] }
}

/// DQN's Q-network `obs → 120 → 84 → A` with ReLU (CleanRL's `QNetwork` in `dqn.py`), PyTorch's
/// default Linear init. Parameter names: `network.0.weight`, ..., `network.4.bias`.
public final class QNetwork: Module {
    /// Observation → Q-values `(B, obs) -> (B, A)`.
    public let network: MLP
    public var training = true

    public init(observationSize: Int, actionCount: Int, hiddenSizes: [Int] = [120, 84],
                generator: inout RandomGenerator) {
        network = MLP(sizes: [observationSize] + hiddenSizes + [actionCount], activation: .relu,
                      generator: &generator)
    }

    public var children: [(String, Module)] { [("network", network)] }

    /// Copies `source`'s parameters into this network (the hard target update, τ = 1), or
    /// `τ·source + (1-τ)·self` (the soft update).
    public func update(from source: QNetwork, tau: Float = 1) {
        for (dst, src) in zip(parameters(), source.parameters()) {
            let d = dst.pointer, s = src.pointer
            if tau >= 1 { d.update(from: s, count: dst.count); continue }
            for i in 0..<dst.count { d[i] = tau * s[i] + (1 - tau) * d[i] }
        }
    }
}

/// Orthogonal init with gain √2 on every hidden Linear of `mlp` and `outputGain` on the last;
/// zero biases (CleanRL's `layer_init`).
func orthogonalInit(_ mlp: MLP, outputGain: Float, generator: inout RandomGenerator) {
    for (i, linear) in mlp.linears.enumerated() {
        let gain = i == mlp.linears.count - 1 ? outputGain : Float(2.0.squareRoot())
        Init.orthogonal(linear.weight, gain: gain, generator: &generator)
        if let bias = linear.bias { Init.constant(bias, 0) }
    }
}

/// Index of the largest element of `values[0..<count]` (first one on ties).
@inline(__always)
func argmax(_ values: UnsafePointer<Float>, count: Int) -> Int {
    var best = 0
    for j in 1..<max(count, 1) where values[j] > values[best] { best = j }
    return best
}

/// Samples one action per row of `logits` `(N, A)` from its softmax: writes the log-probabilities
/// `(N, A)` into `logProbs` and the actions `(N)` into `actions` (both preallocated).
func sampleActions(logits: UnsafePointer<Float>, rows: Int, actionCount: Int, logProbs: inout [Float],
                   actions: inout [Int], generator: inout RandomGenerator) {
    logProbs.withUnsafeMutableBufferPointer { lp in
        logSoftmaxRows(logits, rows: rows, cols: actionCount, into: lp.baseAddress!)
        for e in 0..<rows {
            actions[e] = sampleCategorical(logProbs: lp.baseAddress! + e * actionCount, count: actionCount,
                                           generator: &generator)
        }
    }
}

/// Draws an index from the categorical distribution with log-probabilities `logProbs[0..<count]`.
@inline(__always)
func sampleCategorical(logProbs: UnsafePointer<Float>, count: Int,
                       generator: inout RandomGenerator) -> Int {
    let u = generator.nextFloat()
    var cumulative: Float = 0
    for j in 0..<count {
        cumulative += Foundation.exp(logProbs[j])
        if u < cumulative { return j }
    }
    return count - 1
}
