import Foundation
import Slate

/// K graph classifiers, trained on the same graphs from different random streams
/// (`GraphTrainingConfig.ensemble`), of one configuration or of several families
/// (`GraphTrainingConfig.ensembleFamilies`), predicting with the mean of their class probabilities:
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

    /// An ensemble of `configuration` models with the given weights (each as from `namedState()`).
    public init(_ configuration: GraphClassifierConfig, weights: [[(String, Tensor)]]) throws {
        try self.init(Array(repeating: configuration, count: weights.count), weights: weights)
    }

    /// An ensemble of models of mixed families: member m is `configurations[m]` with `weights[m]`.
    public init(_ configurations: [GraphClassifierConfig], weights: [[(String, Tensor)]]) throws {
        guard !weights.isEmpty else { throw GraphDataError.invalidArgument("an ensemble needs at least one member's weights") }
        guard configurations.count == weights.count else {
            throw GraphDataError.invalidArgument("an ensemble of \(weights.count) members' weights needs as many configurations, not \(configurations.count)")
        }
        guard Set(configurations.map(\.classes)).count == 1 else {
            throw GraphDataError.invalidArgument("ensemble members must predict the same classes")
        }
        self.init(try zip(configurations, weights).map { try GraphClassifier.restored($0, state: Dictionary($1)) })
    }

    /// The members' weights as one list, member m's (from 0) named `member.<m>.<name>`: how a
    /// saved ensemble holds them.
    public static func namedWeights(_ members: [[(String, Tensor)]]) -> [(String, Tensor)] {
        members.enumerated().flatMap { m, weights in weights.map { ("member.\(m).\($0.0)", $0.1) } }
    }

    /// Splits `namedWeights(_:)`'s list back into members; nil when a name is not `member.<m>.*`
    /// or the members are not numbered 0..<K.
    public static func memberWeights(_ named: [(String, Tensor)]) -> [[(String, Tensor)]]? {
        var members: [Int: [(String, Tensor)]] = [:]
        for (name, tensor) in named {
            let parts = name.split(separator: ".", maxSplits: 2)
            guard parts.count == 3, parts[0] == "member", let m = Int(parts[1]), (0..<named.count).contains(m) else { return nil }
            members[m, default: []].append((String(parts[2]), tensor))
        }
        guard !members.isEmpty, Set(members.keys) == Set(0..<members.count) else { return nil }
        return (0..<members.count).map { members[$0]! }
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
