// Regression losses, fused (one pass forward, one pass backward), mean reduction as PyTorch's
// defaults. Both operands must have the same shape (no silent broadcasting of (N, 1) against
// (N,), a classic bug); both may require grad.
//
// (The math of each loss is on its function.)

/// Mean squared error between `prediction` and `target` (same shape), a scalar.
///
/// L = mean((p − t)²), dL/dp = 2(p − t)/n (and −dL/dp for t, when it requires grad).
public func mseLoss(_ prediction: Tensor, _ target: Tensor) -> Tensor {
    regressionLoss(prediction, target, name: "mseLoss",
                   value: { d in d * d }, derivative: { d in 2 * d })
}

/// Huber loss (mean) with threshold `delta`, as `torch.nn.HuberLoss(delta:)`: quadratic for
/// |p − t| < delta, linear beyond.
///
/// With d = p − t: L = mean(½d² if |d| < δ else δ(|d| − ½δ)), dL/dp = clamp(d, −δ, δ)/n.
/// Equals `SmoothL1Loss(beta: δ)` scaled by δ.
public func huberLoss(_ prediction: Tensor, _ target: Tensor, delta: Float = 1.0) -> Tensor {
    precondition(delta > 0, "huberLoss: delta must be positive, got \(delta)")
    return regressionLoss(prediction, target, name: "huberLoss",
                          value: { d in Swift.abs(d) < delta ? 0.5 * d * d : delta * (Swift.abs(d) - 0.5 * delta) },
                          derivative: { d in Swift.min(Swift.max(d, -delta), delta) })
}

/// mean(value(p − t)); the backward adds derivative(p − t)/n · g to p and its negative to t.
@inline(__always)
private func regressionLoss(_ p: Tensor, _ t: Tensor, name: String,
                            value: (Float) -> Float, derivative: @escaping (Float) -> Float) -> Tensor {
    precondition(p.shape == t.shape, "\(name): prediction \(p.shape) and target \(t.shape) must have the same shape")
    let n = p.count
    let pp = p.pointer, pt = t.pointer
    var total = 0.0
    for i in 0..<n { total += Double(value(pp[i] - pt[i])) }
    let out = Tensor(scalar: Float(total / Double(Swift.max(n, 1))))
    return out.recordOp(name, inputs: [p, t]) { g in
        let scale = g.pointer[0] / Float(Swift.max(n, 1))
        let dp = p.requiresGrad ? p.gradBuffer().baseAddress : nil
        let dt = t.requiresGrad ? t.gradBuffer().baseAddress : nil
        for i in 0..<n {
            let d = derivative(pp[i] - pt[i]) * scale
            dp?[i] += d
            dt?[i] -= d
        }
    }
}
