import Foundation
import Slate

/// K graph classifiers of one configuration, trained on the same graphs from different random
/// streams (`GraphTrainingConfig.ensemble`), predicting with the mean of their class probabilities:
///
///     p̄(c | G) = (1/K) Σ_k softmax(f_k(G))_c        (G, C), summed over k = 1…K in order, then ÷ K
///
/// Averaging probabilities (not logits) is the usual deep-ensemble rule (Lakshminarayanan et al.,
/// 2017); it lowers the variance a single network's initialisation and dropout stream add to its
/// predictions, which on small TU datasets is most of the fold-to-fold noise.
public struct GraphEnsemble {
    /// The members, in order (member 1 first).
    public let members: [GraphClassifier]

    /// An ensemble of `members` (at least one, all with the same number of classes).
    public init(_ members: [GraphClassifier]) {
        precondition(!members.isEmpty, "an ensemble needs at least one member")
        precondition(Set(members.map(\.config.classes)).count == 1, "ensemble members must predict the same classes")
        self.members = members
    }

    /// p̄ for every graph of `batch`: each member in evaluation mode (no dropout, BatchNorm's running
    /// statistics), its softmax added in member order, the sum divided by K.   (G, C)
    public func probabilities(_ batch: GraphBatch) -> Tensor {
        var rng = RandomGenerator(seed: 0)                                   // unused in evaluation mode
        let mean = Tensor.zeros([batch.graphCount, members[0].config.classes])
        let out = mean.pointer
        for member in members {
            member.eval()
            let p = withNoGrad { member(batch, generator: &rng).softmax(axis: -1) }  // (G, C)
            let pp = p.pointer
            for i in 0..<p.count { out[i] += pp[i] }
        }
        let k = Float(members.count)
        for i in 0..<mean.count { out[i] /= k }
        return mean
    }

    /// Mean negative log-likelihood −(1/G) Σ_g log p̄(y_g | g) and accuracy (arg-max of p̄, lowest
    /// class on ties) on a labelled batch.
    public func evaluate(_ batch: GraphBatch) -> (loss: Double, accuracy: Double) {
        let labels = batch.labels!
        let p = probabilities(batch)
        let c = p.shape[1], pp = p.pointer
        var nll = 0.0
        for (g, y) in labels.enumerated() { nll -= log(Double(max(pp[g * c + y], .leastNormalMagnitude))) }
        return (nll / Double(labels.count), SlateGraph.accuracy(p, labels: labels))
    }

    /// The arg-max of p̄ for every graph of `graphs`, evaluated in batches of `batchSize`.
    public func predict(_ graphs: [Graph], batchSize: Int = 256) -> [Int] {
        stride(from: 0, to: graphs.count, by: batchSize).flatMap { start in
            argmaxRows(probabilities(GraphBatch(Array(graphs[start..<min(start + batchSize, graphs.count)]))))
        }
    }
}
