import Foundation

/// Weight initialisation schemes, as PyTorch's `torch.nn.init` defines them. Each fills a tensor
/// in place (no autograd) from an explicit generator, so a seed fixes the result.
///
/// Fans follow PyTorch: for a weight of shape `[out, in, k...]`, `fanIn = in·Πk`, `fanOut = out·Πk`.
public enum Init {
    /// Which fan Kaiming init scales by.
    public enum FanMode: Sendable { case fanIn, fanOut }

    /// `(fanIn, fanOut)` of a weight shaped `[out, in, ...]` (a 1-D tensor counts as `[n]`: both n).
    public static func fans(_ shape: [Int]) -> (fanIn: Int, fanOut: Int) {
        precondition(!shape.isEmpty, "fans of a scalar are undefined")
        if shape.count == 1 { return (shape[0], shape[0]) }
        let receptive = shape.dropFirst(2).reduce(1, *)
        return (shape[1] * receptive, shape[0] * receptive)
    }

    /// Recommended gain for a nonlinearity (`torch.nn.init.calculate_gain`): tanh 5/3, relu √2,
    /// leaky relu √(2/(1+a²)), linear/sigmoid 1.
    public static func gain(_ nonlinearity: String, negativeSlope a: Double = 0.01) -> Float {
        switch nonlinearity {
        case "tanh": return 5.0 / 3.0
        case "relu": return Float(2.0.squareRoot())
        case "leaky_relu": return Float((2.0 / (1 + a * a)).squareRoot())
        case "selu": return 0.75
        default: return 1
        }
    }

    /// N(mean, std²) in place.
    public static func normal(_ t: Tensor, mean: Float = 0, std: Float, generator: inout RandomGenerator) {
        let p = t.pointer
        for i in 0..<t.count { p[i] = mean + std * Float(generator.nextNormal()) }
    }

    /// U(low, high) in place.
    public static func uniform(_ t: Tensor, low: Float, high: Float, generator: inout RandomGenerator) {
        let p = t.pointer, span = high - low
        for i in 0..<t.count { p[i] = low + span * generator.nextFloat() }
    }

    /// Every element set to `value`.
    public static func constant(_ t: Tensor, _ value: Float) {
        t.pointer.update(repeating: value, count: t.count)
    }

    /// Xavier/Glorot uniform: U(−a, a), a = gain·√(6 / (fanIn + fanOut)).
    public static func xavierUniform(_ t: Tensor, gain: Float = 1, generator: inout RandomGenerator) {
        let (fi, fo) = fans(t.shape)
        let a = gain * Float((6.0 / Double(fi + fo)).squareRoot())
        uniform(t, low: -a, high: a, generator: &generator)
    }

    /// Xavier/Glorot normal: N(0, σ²), σ = gain·√(2 / (fanIn + fanOut)).
    public static func xavierNormal(_ t: Tensor, gain: Float = 1, generator: inout RandomGenerator) {
        let (fi, fo) = fans(t.shape)
        normal(t, std: gain * Float((2.0 / Double(fi + fo)).squareRoot()), generator: &generator)
    }

    /// Kaiming/He uniform: U(−b, b), b = √3 · gain / √fan with gain = √(2/(1+a²)) (leaky-relu slope `a`).
    public static func kaimingUniform(_ t: Tensor, a: Double = 0, mode: FanMode = .fanIn,
                                      generator: inout RandomGenerator) {
        let std = kaimingStd(t.shape, a: a, mode: mode)
        let bound = Float(3.0.squareRoot()) * std
        uniform(t, low: -bound, high: bound, generator: &generator)
    }

    /// Kaiming/He normal: N(0, σ²), σ = gain / √fan with gain = √(2/(1+a²)).
    public static func kaimingNormal(_ t: Tensor, a: Double = 0, mode: FanMode = .fanIn,
                                     generator: inout RandomGenerator) {
        normal(t, std: kaimingStd(t.shape, a: a, mode: mode), generator: &generator)
    }

    private static func kaimingStd(_ shape: [Int], a: Double, mode: FanMode) -> Float {
        let (fi, fo) = fans(shape)
        let fan = Double(mode == .fanIn ? fi : fo)
        return Float((2.0 / (1 + a * a)).squareRoot() / fan.squareRoot())
    }

    /// PyTorch's default `nn.Linear` init: kaiming_uniform with a = √5 on the weight, which is
    /// U(−1/√fanIn, 1/√fanIn); the bias draws from the same interval.
    public static func linearDefault(weight: Tensor, bias: Tensor?, generator: inout RandomGenerator) {
        let bound = 1 / Float(Double(fans(weight.shape).fanIn).squareRoot())
        uniform(weight, low: -bound, high: bound, generator: &generator)
        if let bias { uniform(bias, low: -bound, high: bound, generator: &generator) }
    }

    /// A (semi-)orthogonal matrix times `gain` (`torch.nn.init.orthogonal_`): the tensor viewed as
    /// `[rows, cols]` (rows = shape[0]) has orthonormal rows (rows ≤ cols) or columns (rows ≥ cols).
    ///
    /// Draws a Gaussian matrix and orthonormalises it with modified Gram–Schmidt in Double, which
    /// yields the Q of a QR decomposition whose R has a positive diagonal — the same distribution
    /// (Haar) as PyTorch's QR with its sign correction. RL policies use gain √2 (hidden) and 0.01.
    public static func orthogonal(_ t: Tensor, gain: Float = 1, generator: inout RandomGenerator) {
        precondition(t.rank >= 2, "orthogonal init needs rank ≥ 2, shape is \(t.shape)")
        let rows = t.shape[0], cols = t.count / rows
        // Orthonormalise `k` vectors of length `n` (the shorter side's count of longer-side vectors).
        let (k, n) = (min(rows, cols), max(rows, cols))
        var v = [Double](repeating: 0, count: k * n)       // k vectors, each n long
        for i in 0..<v.count { v[i] = generator.nextNormal() }
        for j in 0..<k {
            for prev in 0..<j {                             // remove components along earlier vectors
                var dot = 0.0
                for e in 0..<n { dot += v[j * n + e] * v[prev * n + e] }
                for e in 0..<n { v[j * n + e] -= dot * v[prev * n + e] }
            }
            var norm = 0.0
            for e in 0..<n { norm += v[j * n + e] * v[j * n + e] }
            norm = norm.squareRoot()
            for e in 0..<n { v[j * n + e] /= norm }
        }
        let p = t.pointer
        for j in 0..<k {
            for e in 0..<n {
                // rows ≤ cols: vector j is row j; otherwise vector j is column j.
                let index = rows <= cols ? j * cols + e : e * cols + j
                p[index] = gain * Float(v[j * n + e])
            }
        }
    }
}
