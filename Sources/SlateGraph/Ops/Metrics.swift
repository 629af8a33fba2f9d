import Foundation
import Slate

/// Mean softmax cross-entropy over selected rows of a logits matrix, fused with log-softmax.
///
/// For node classification only the labelled (training) nodes count, so `rows` picks them;
/// for graph classification every row (graph) counts. Returns a scalar.
/// loss = −(1/R) Σ_{r ∈ rows} log softmax(z_r)[y_r].   logits (N, C) -> ()
/// Backward: dz_r = (softmax(z_r) − onehot(y_r)) / R on selected rows, 0 elsewhere.
public func crossEntropy(_ logits: Tensor, labels: [Int], rows: [Int]? = nil) -> Tensor {
    precondition(logits.rank == 2, "crossEntropy expects (N, C) logits, got \(logits.shape)")
    let (n, c) = (logits.shape[0], logits.shape[1])
    let selected = rows ?? Array(0..<n)
    precondition(labels.count == n, "crossEntropy: \(labels.count) labels for \(n) rows")
    precondition(!selected.isEmpty, "crossEntropy: no rows selected")
    let pz = logits.pointer
    var probabilities = [Float](repeating: 0, count: selected.count * c)   // (R, C) saved for backward
    var total = 0.0
    for (k, r) in selected.enumerated() {
        let z = pz + r * c
        var top = z[0]
        for j in 1..<c { top = max(top, z[j]) }
        var sum: Float = 0
        for j in 0..<c { let e = Foundation.exp(z[j] - top); probabilities[k * c + j] = e; sum += e }
        for j in 0..<c { probabilities[k * c + j] /= sum }
        total -= Double(z[labels[r]] - top - Foundation.log(sum))
    }
    let out = Tensor(scalar: Float(total / Double(selected.count)))
    return out.recordOp("cross_entropy", inputs: [logits]) { g in
        guard logits.requiresGrad else { return }
        let scale = g.item() / Float(selected.count)
        let dz = logits.gradBuffer().baseAddress!
        for (k, r) in selected.enumerated() {
            for j in 0..<c {
                dz[r * c + j] += scale * (probabilities[k * c + j] - (j == labels[r] ? 1 : 0))
            }
        }
    }
}

/// Fraction of `rows` whose arg-max logit equals the label (lowest index on ties).
public func accuracy(_ logits: Tensor, labels: [Int], rows: [Int]? = nil) -> Double {
    let selected = rows ?? Array(0..<logits.shape[0])
    guard !selected.isEmpty else { return 0 }
    let predicted = argmaxRows(logits)
    return Double(selected.filter { predicted[$0] == labels[$0] }.count) / Double(selected.count)
}

/// Arg-max of each row of a (N, C) matrix (lowest index on ties).
public func argmaxRows(_ logits: Tensor) -> [Int] {
    let (n, c) = (logits.shape[0], logits.shape[1])
    let p = logits.pointer
    return (0..<n).map { r in
        var best = 0
        for j in 1..<c where p[r * c + j] > p[r * c + best] { best = j }
        return best
    }
}
