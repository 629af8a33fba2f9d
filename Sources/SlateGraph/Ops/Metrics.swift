import Slate

/// Fraction of `rows` whose arg-max logit equals the label (lowest index on ties).
package func accuracy(_ logits: Tensor, labels: [Int], rows: [Int]? = nil) -> Double {
    let selected = rows ?? Array(0..<logits.shape[0])
    guard !selected.isEmpty else { return 0 }
    let predicted = argmaxRows(logits)
    return Double(selected.filter { predicted[$0] == labels[$0] }.count) / Double(selected.count)
}

/// Arg-max of each row of a (N, C) matrix (lowest index on ties).
func argmaxRows(_ logits: Tensor) -> [Int] {
    let (n, c) = (logits.shape[0], logits.shape[1])
    let p = logits.pointer
    return (0..<n).map { r in
        var best = 0
        for j in 1..<c where p[r * c + j] > p[r * c + best] { best = j }
        return best
    }
}

/// Test accuracies over folds or seeds, with their statistics.
public protocol AccuracySummary {
    /// One test accuracy per fold (graph classification) or seed (node classification).
    var accuracies: [Double] { get }
    /// Wall time of every recorded epoch (training step plus evaluation), seconds.
    var epochSeconds: [Double] { get }
}

extension AccuracySummary {
    /// Mean test accuracy (0 when there is none).
    public var mean: Double { Statistics.mean(accuracies) }
    /// Sample standard deviation (n − 1), as `torch.std`; 0 for fewer than two values.
    public var std: Double { Statistics.standardDeviation(accuracies) }
    /// Mean wall time of one epoch, seconds.
    public var secondsPerEpoch: Double { Statistics.mean(epochSeconds) }
}
