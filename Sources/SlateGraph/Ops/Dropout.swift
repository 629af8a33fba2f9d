import Slate

/// Inverted dropout: each element is zeroed with probability p and the survivors scaled by
/// 1/(1−p), so the expected value is unchanged; the identity when p = 0 or not training.
/// (N, F) -> (N, F). Backward: the same mask and scale.
public func dropout(_ x: Tensor, p: Float, training: Bool, generator: inout RandomGenerator) -> Tensor {
    precondition(p >= 0 && p < 1, "dropout probability must be in [0, 1), got \(p)")
    guard training && p > 0 else { return x }
    let scale = 1 / (1 - p)
    var mask = [Float](repeating: 0, count: x.count)
    for i in 0..<x.count where generator.nextFloat() >= p { mask[i] = scale }
    let out = Tensor(uninitialized: x.shape)
    let px = x.pointer, po = out.pointer
    for i in 0..<x.count { po[i] = px[i] * mask[i] }
    return out.recordOp("dropout", inputs: [x]) { g in
        guard x.requiresGrad else { return }
        let dx = x.gradBuffer().baseAddress!, pg = g.pointer
        for i in 0..<mask.count { dx[i] += pg[i] * mask[i] }
    }
}
