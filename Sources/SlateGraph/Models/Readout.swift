import Slate

/// How a graph classifier turns node embeddings (N, H) into one vector per graph (G, H).
public enum PoolingKind: String, CaseIterable, Codable, Sendable {
    case sum, mean, max, attention
}

/// A readout over a batch. For `.attention` it owns PyG's `AttentionalAggregation` networks:
/// a gate `gate(h_i)` scores each node (N, 1), the scores are softmaxed within each graph, and
/// the graph vector is Σ_i α_i · relu(transform(h_i)).
public final class Readout {
    public let kind: PoolingKind
    /// Gate network (H -> 1), attention only.
    public let gate: Dense?
    /// Feature transform (H -> H), attention only.
    public let transform: Dense?

    public init(_ kind: PoolingKind, width: Int, generator: inout RandomGenerator) {
        self.kind = kind
        if kind == .attention {
            gate = Dense(width, 1, generator: &generator)
            transform = Dense(width, width, generator: &generator)
        } else {
            gate = nil; transform = nil
        }
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

    /// Named trainable tensors.
    public var namedParameters: [(String, Tensor)] {
        guard let gate, let transform else { return [] }
        return [("pool.gate.weight", gate.weight), ("pool.gate.bias", gate.bias),
                ("pool.nn.weight", transform.weight), ("pool.nn.bias", transform.bias)]
    }
}
