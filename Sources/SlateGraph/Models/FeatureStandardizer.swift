import Slate

/// Standardises the continuous node features of a graph classifier with statistics of its
/// training graphs only (under cross-validation: the fold's training part, never its validation
/// or test graphs):
///
///     x'_f = (x_f − μ_f) / σ_f     for every continuous column f
///     x'_f = x_f                   for every binary column (all training values 0 or 1: one-hot
///                                  node labels or degrees)
///
/// μ_f is the mean and σ_f the population standard deviation of column f over every node of the
/// training graphs (σ_f = 1 when the column is constant). Binary columns keep μ = 0, σ = 1.
/// Both are buffers (`mean`, `std`, shape (F)), saved with the weights, so a checkpoint predicts
/// from raw features. PROTEINS' one attribute (ranging over −538…798 with mean 7.9) is the case in
/// point: summed over a neighbourhood it dwarfs the one-hot labels unless it is standardised.
public final class FeatureStandardizer: Module {
    /// μ, (F).
    public let mean: Tensor
    /// σ, (F).
    public let std: Tensor
    public var training = true

    /// An identity standardiser (μ = 0, σ = 1) for F features; `fit(_:)` sets the statistics.
    public init(features: Int) {
        precondition(features > 0, "FeatureStandardizer needs at least one feature")
        mean = Tensor.zeros([features])
        std = Tensor.ones([features])
    }

    public var localBuffers: [(String, Tensor)] { [("mean", mean), ("std", std)] }

    /// Number of features F.
    public var features: Int { mean.count }

    /// Sets μ and σ from every node of `graphs` (the training graphs), in Double.
    public func fit(_ graphs: [Graph]) {
        let f = features
        var count = 0.0
        var sum = [Double](repeating: 0, count: f), squares = sum
        var binary = [Bool](repeating: true, count: f)
        for g in graphs {
            precondition(g.featureCount == f, "FeatureStandardizer: graph has \(g.featureCount) features, expected \(f)")
            for i in 0..<g.nodeCount {
                for c in 0..<f {
                    let v = Double(g.features[i * f + c])
                    sum[c] += v; squares[c] += v * v
                    if v != 0 && v != 1 { binary[c] = false }
                }
            }
            count += Double(g.nodeCount)
        }
        let m = mean.pointer, s = std.pointer
        for c in 0..<f {
            guard !binary[c], count > 0 else { (m[c], s[c]) = (0, 1); continue }
            let mu = sum[c] / count
            let variance = max(squares[c] / count - mu * mu, 0)
            (m[c], s[c]) = (Float(mu), variance > 1e-12 ? Float(variance.squareRoot()) : 1)
        }
    }

    /// Row-major (N, F) features with every column standardised.
    public func callAsFunction(_ x: [Float]) -> [Float] {
        let f = features
        precondition(x.count % f == 0, "FeatureStandardizer: \(x.count) values are not rows of \(f) features")
        let m = mean.pointer, s = std.pointer
        var out = x
        out.withUnsafeMutableBufferPointer { o in
            for r in 0..<(x.count / f) {
                for c in 0..<f { o[r * f + c] = (o[r * f + c] - m[c]) / s[c] }
            }
        }
        return out
    }
}
