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
