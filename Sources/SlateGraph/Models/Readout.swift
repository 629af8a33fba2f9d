import Slate

/// How a graph classifier turns node embeddings (N, H) into one vector per graph (G, H).
public enum PoolingKind: String, CaseIterable, Codable, Sendable {
    case sum, mean, max, attention
}

/// A readout over a batch. For `.attention` it owns PyG's `AttentionalAggregation` networks:
/// a gate `gate(h_i)` scores each node (N, 1), the scores are softmaxed within each graph, and
/// the graph vector is Σ_i α_i · relu(nn(h_i)).
public final class Readout: Module {
    public let kind: PoolingKind
    /// Gate network (H -> 1), attention only.
    public let gate: Linear?
    /// Feature transform (H -> H), attention only.
    public let transform: Linear?
    public var training = true

    public init(_ kind: PoolingKind, width: Int, generator: inout RandomGenerator) {
        self.kind = kind
        if kind == .attention {
            gate = Linear(inFeatures: width, outFeatures: 1, generator: &generator)
            transform = Linear(inFeatures: width, outFeatures: width, generator: &generator)
        } else {
            gate = nil; transform = nil
        }
    }

    public var children: [(String, Module)] {
        guard let gate, let transform else { return [] }
        return [("gate", gate), ("nn", transform)]
    }

    /// (N, H) -> (G, H)
    public func callAsFunction(_ h: Tensor, graphStart: [Int32]) -> Tensor {
        switch kind {
        case .sum: return GraphPooling.sum(h, graphStart: graphStart)
        case .mean: return GraphPooling.mean(h, graphStart: graphStart)
        case .max: return GraphPooling.max(h, graphStart: graphStart)
        case .attention:
            let alpha = GraphPooling.segmentSoftmax(gate!(h), graphStart: graphStart)   // (N, 1)
            return GraphPooling.weightedSum(alpha, transform!(h).relu(), graphStart: graphStart)
        }
    }
}
