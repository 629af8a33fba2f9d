// Finite-difference gradient checking, as `torch.autograd.gradcheck` does it.

/// The outcome of ``gradCheck(_:step:atol:rtol:seed:_:)``: how far the worst element is from
/// its tolerance, and where.
public struct GradCheckResult: CustomStringConvertible, Sendable {
    /// Largest |analytic − numeric| / (atol + rtol·|numeric|) over all elements; ≤ 1 passes.
    public var worstRatio: Double
    /// Where the worst element is: (input index, flat element index, analytic, numeric).
    public var worst: (input: Int, element: Int, analytic: Double, numeric: Double)
    /// True when every element is within tolerance.
    public var passed: Bool { worstRatio <= 1 }

    public var description: String {
        "worst ratio \(worstRatio) at input \(worst.input) element \(worst.element): analytic \(worst.analytic), numeric \(worst.numeric)"
    }
}

/// Checks the gradients of `f` with respect to `inputs` (each must have `requiresGrad`) against
/// finite differences, as `torch.autograd.gradcheck` does.
///
/// The output is projected onto fixed random weights w so that every output element matters:
/// L = Σ w ⊙ f(inputs). The analytic gradient of L from `backward()` is compared with central
/// differences (L(x + h) − L(x − h)) / 2h for every element of every input, each sum accumulated
/// in Double; with Float ops, h around 1e-2…1e-3 balances truncation and rounding.
///
/// ```swift
/// let x = Tensor.randn([3, 4], requiresGrad: true)
/// let result = gradCheck([x]) { $0[0].tanh() }
/// assert(result.passed, result.description)
/// ```
///
/// - Parameters:
///   - inputs: the tensors to differentiate with respect to; their values are perturbed one
///     element at a time and restored.
///   - step: the finite-difference step h.
///   - atol: absolute tolerance: an element passes when |analytic − numeric| ≤ atol + rtol·|numeric|.
///   - rtol: relative tolerance (see `atol`).
///   - seed: seeds the projection weights.
///   - f: the function under test, given `inputs`; any output shape.
/// - Returns: the worst element's ratio to its tolerance, and where it is.
public func gradCheck(_ inputs: [Tensor], step: Float = 1e-2, atol: Double = 1e-3, rtol: Double = 1e-2,
                      seed: UInt64 = 7, _ f: ([Tensor]) -> Tensor) -> GradCheckResult {
    var rng = RandomGenerator(seed: seed)
    let probe = f(inputs)
    let weights = Tensor.uniform(probe.shape, low: -1, high: 1, generator: &rng)
    func loss() -> Double {
        let out = withNoGrad { f(inputs) }
        var acc = 0.0
        for i in 0..<out.count { acc += Double(out.pointer[i]) * Double(weights.pointer[i]) }
        return acc
    }
    for x in inputs { x.zeroGrad() }
    (probe * weights).sumAll().backward()

    var result = GradCheckResult(worstRatio: 0, worst: (0, 0, 0, 0))
    for (index, x) in inputs.enumerated() {
        let analytic = x.grad?.toArray() ?? [Float](repeating: 0, count: x.count)
        for e in 0..<x.count {
            let saved = x.pointer[e]
            x.pointer[e] = saved + step
            let plus = loss()
            x.pointer[e] = saved - step
            let minus = loss()
            x.pointer[e] = saved
            let numeric = (plus - minus) / (2 * Double(step))
            let ratio = abs(Double(analytic[e]) - numeric) / (atol + rtol * abs(numeric))
            if ratio > result.worstRatio {
                result.worstRatio = ratio
                result.worst = (index, e, Double(analytic[e]), numeric)
            }
        }
    }
    return result
}
