import Slate

/// Hyperparameters of `GraphClassifier` (saved in checkpoints).
public struct GraphClassifierConfig: Codable, Equatable, Sendable {
    public var inputFeatures: Int
    public var classes: Int
    /// Number of GCN layers L.
    public var layers: Int = 3
    /// Width H of every GCN layer and of the head's hidden layer.
    public var hidden: Int = 64
    public var pool: PoolingKind = .sum
    /// Dropout before the last head layer (as the GIN paper's readout MLP).
    public var dropout: Float = 0.5
    /// Dropout on the inputs of GCN layers 2..L.
    public var convolutionDropout: Float = 0.5
    public var normalization: String = AdjacencyNormalization.symmetric.rawValue

    public init(inputFeatures: Int, classes: Int, layers: Int = 3, hidden: Int = 64,
                pool: PoolingKind = .sum, dropout: Float = 0.5, convolutionDropout: Float = 0.5,
                normalization: AdjacencyNormalization = .symmetric) {
        self.convolutionDropout = convolutionDropout
        self.inputFeatures = inputFeatures; self.classes = classes; self.layers = layers
        self.hidden = hidden; self.pool = pool; self.dropout = dropout
        self.normalization = normalization.rawValue
    }
}

/// GCN layers → graph readout → MLP head: logits for each graph of a batch.
///
///     h⁰ = X;  hˡ = relu(Â dropout'(hˡ⁻¹) Wˡ + bˡ)  (N, H)   dropout' = convolutionDropout, l ≥ 2
///     r  = readout(hᴸ)                              (G, H)
///     logits = W₂ dropout(relu(W₁ r + b₁)) + b₂     (G, C)
public final class GraphClassifier: Module {
    public let config: GraphClassifierConfig
    public let convolutions: [GCNLayer]
    public let readout: Readout
    public let head1: Linear
    public let head2: Linear
    public var training = true

    public init(_ config: GraphClassifierConfig, seed: UInt64) {
        precondition(config.layers >= 1 && config.hidden >= 1, "need at least one GCN layer of width ≥ 1")
        self.config = config
        var rng = RandomGenerator(seed: seed)
        var layers: [GCNLayer] = []
        for l in 0..<config.layers {
            layers.append(GCNLayer(l == 0 ? config.inputFeatures : config.hidden, config.hidden, generator: &rng))
        }
        convolutions = layers
        readout = Readout(config.pool, width: config.hidden, generator: &rng)
        head1 = Linear(inFeatures: config.hidden, outFeatures: config.hidden, generator: &rng)
        head2 = Linear(inFeatures: config.hidden, outFeatures: config.classes, generator: &rng)
    }

    /// Checkpoint names: gcn.0.weight ..., pool.gate.weight (attention), head.0.weight, head.1.bias.
    public var children: [(String, Module)] {
        convolutions.enumerated().map { ("gcn.\($0.offset)", $0.element as Module) }
            + [("pool", readout), ("head.0", head1), ("head.1", head2)]
    }

    public var normalization: AdjacencyNormalization {
        AdjacencyNormalization(rawValue: config.normalization) ?? .symmetric
    }

    /// Logits (G, C) for a batch. `generator` drives dropout in training mode (`train()`/`eval()`).
    public func callAsFunction(_ batch: GraphBatch, generator: inout RandomGenerator) -> Tensor {
        precondition(batch.featureCount == config.inputFeatures,
                     "model expects \(config.inputFeatures) node features, batch has \(batch.featureCount)")
        let a = batch.normalizedAdjacency(normalization)
        var h = Tensor(batch.features, shape: [batch.nodeCount, batch.featureCount])      // (N, F)
        for (l, conv) in convolutions.enumerated() {
            if l > 0 { h = h.dropout(p: config.convolutionDropout, training: training, generator: &generator) }
            h = conv(h, adjacency: a).relu()                                              // (N, H)
        }
        let r = readout(h, graphStart: batch.graphStart)                                 // (G, H)
        let hidden = head1(r).relu().dropout(p: config.dropout, training: training, generator: &generator)
        return head2(hidden)                                                             // (G, C)
    }
}

/// Kipf & Welling's two-layer GCN for node classification:
/// logits = Â dropout(relu(Â dropout(X) W⁰ + b⁰)) W¹ + b¹.   (N, F) -> (N, C)
/// X is sparse (bag-of-words, one-hot ids), so X W⁰ is an SpMM and input dropout acts on its
/// stored entries, as in the reference implementation.
public final class NodeClassifier: Module {
    public let first: GCNLayer
    public let second: GCNLayer
    public let dropoutRate: Float
    public let normalization: AdjacencyNormalization
    public var training = true

    public init(inputFeatures: Int, hidden: Int, classes: Int, dropout: Float, bias: Bool = false,
                normalization: AdjacencyNormalization = .symmetric, seed: UInt64) {
        var rng = RandomGenerator(seed: seed)
        first = GCNLayer(inputFeatures, hidden, bias: bias, generator: &rng)
        second = GCNLayer(hidden, classes, bias: bias, generator: &rng)
        dropoutRate = dropout
        self.normalization = normalization
    }

    /// Logits (N, C) for every node of the graph; dropout in training mode (`train()`/`eval()`).
    public func callAsFunction(_ x: SparseMatrix, adjacency a: SparseMatrix, generator: inout RandomGenerator) -> Tensor {
        let input = training && dropoutRate > 0 ? x.droppingOut(p: dropoutRate, generator: &generator) : x  // (N, F)
        var h = first(sparseInput: input, adjacency: a).relu()                             // (N, H)
        h = h.dropout(p: dropoutRate, training: training, generator: &generator)
        return second(h, adjacency: a)                                                     // (N, C)
    }

    public var children: [(String, Module)] { [("gcn.0", first), ("gcn.1", second)] }
}
