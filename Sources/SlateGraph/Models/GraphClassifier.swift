import Foundation
import Slate

/// Hyperparameters of `GraphClassifier` (saved in checkpoints).
public struct GraphClassifierConfig: Codable, Equatable, Sendable {
    public var inputFeatures: Int
    public var classes: Int
    /// Number of GCN layers L; 0 (with `inputReadout`) leaves the structure-agnostic model
    /// logits = head(W₀ BN(pool(X)) + b₀), which reads no edge.
    public var layers: Int = 3
    /// Width H of every GCN layer and of the head's hidden layer.
    public var hidden: Int = 64
    public var pool: PoolingKind = .sum
    /// Dropout before the last head layer (as the GIN paper's readout MLP).
    public var dropout: Float = 0.5
    /// Dropout on the inputs of GCN layers 2..L.
    public var convolutionDropout: Float = 0.5
    public var normalization: String = AdjacencyNormalization.symmetric.rawValue
    /// The convolution of every layer (checkpoints written before it existed are GCNs).
    public var conv: ConvKind = .gcn
    /// Read out every layer and sum the poolings (GIN's readout), instead of the last layer only.
    public var jumpingKnowledge = false
    /// GAT: attention heads per layer, concatenated (each layer is then heads · hidden wide).
    public var heads = 1
    /// GIN: learn ε instead of fixing it at 0.
    public var trainEps = false
    /// Standardise the continuous input features with the training graphs' statistics
    /// (`FeatureStandardizer`, fitted by the trainer on each fold's training part).
    public var standardizeFeatures = false
    /// Also read out the input features, layer 0 of the GIN paper's readout: the readout gains
    /// W₀ BN(pool(X)) + b₀, a structure-agnostic view of the graph (pooled as `pool`; sum for
    /// attention). The BatchNorm puts summed counts of any size on one scale.
    public var inputReadout = false
    /// BatchNorm1d on the graph readout r before the head (per-feature scale of summed readouts).
    public var readoutNorm = false
    /// Append log(1 + dᵢ) to every node's features (dᵢ: node i's stored neighbours, after the
    /// standardisation), so the convolutions and the input readout see F + 1 columns; the summed
    /// column is then a graph's total log-degree, a size-and-density view the counts lack.
    public var degreeFeature = false
    /// Also read out the graph's Weisfeiler–Lehman subtree histogram (`WLReadout`): the readout
    /// gains φ(G) W + b. With no convolution and no input readout it is the `wl` family's model,
    /// an MLP on the WL subtree features.
    public var wlReadout = false
    /// WL refinement rounds h of the WL readout.
    public var wlIterations = WLSubtreeFeatures.defaultIterations
    /// Buckets D the WL readout hashes colours into (the width of its weight's first dimension).
    public var wlBuckets = WLSubtreeFeatures.defaultBuckets
    /// The WL readout's first colours are the node labels (`Graph.nodeLabels`), else the feature
    /// rows; the trainer sets it from its graphs, and a model predicts only on graphs alike.
    public var wlNodeLabels = false

    public init(inputFeatures: Int, classes: Int, layers: Int = 3, hidden: Int = 64,
                pool: PoolingKind = .sum, dropout: Float = 0.5, convolutionDropout: Float = 0.5,
                normalization: AdjacencyNormalization = .symmetric, conv: ConvKind = .gcn,
                jumpingKnowledge: Bool = false, heads: Int = 1, trainEps: Bool = false,
                standardizeFeatures: Bool = false, inputReadout: Bool = false, readoutNorm: Bool = false,
                degreeFeature: Bool = false, wlReadout: Bool = false, wlIterations: Int = WLSubtreeFeatures.defaultIterations, wlBuckets: Int = WLSubtreeFeatures.defaultBuckets,
                wlNodeLabels: Bool = false) {
        self.convolutionDropout = convolutionDropout
        self.inputFeatures = inputFeatures; self.classes = classes; self.layers = layers
        self.hidden = hidden; self.pool = pool; self.dropout = dropout
        self.normalization = normalization.rawValue
        self.conv = conv; self.jumpingKnowledge = jumpingKnowledge; self.heads = heads; self.trainEps = trainEps
        self.standardizeFeatures = standardizeFeatures; self.inputReadout = inputReadout; self.readoutNorm = readoutNorm
        self.degreeFeature = degreeFeature
        self.wlReadout = wlReadout; self.wlIterations = wlIterations; self.wlBuckets = wlBuckets
        self.wlNodeLabels = wlNodeLabels
    }

    private enum CodingKeys: String, CodingKey {
        case inputFeatures, classes, layers, hidden, pool, dropout, convolutionDropout, normalization
        case conv, jumpingKnowledge, heads, trainEps, standardizeFeatures, inputReadout, readoutNorm, degreeFeature
        case wlReadout, wlIterations, wlBuckets, wlNodeLabels
    }

    /// Decodes a saved configuration; keys added after format version 1 (conv, jumpingKnowledge,
    /// heads, trainEps, standardizeFeatures, inputReadout, readoutNorm, degreeFeature, wlReadout, wlIterations,
    /// wlBuckets, wlNodeLabels) default to the GCN they describe when missing.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        inputFeatures = try c.decode(Int.self, forKey: .inputFeatures)
        classes = try c.decode(Int.self, forKey: .classes)
        layers = try c.decode(Int.self, forKey: .layers)
        hidden = try c.decode(Int.self, forKey: .hidden)
        pool = try c.decode(PoolingKind.self, forKey: .pool)
        dropout = try c.decode(Float.self, forKey: .dropout)
        convolutionDropout = try c.decode(Float.self, forKey: .convolutionDropout)
        normalization = try c.decode(String.self, forKey: .normalization)
        conv = try c.decodeIfPresent(ConvKind.self, forKey: .conv) ?? .gcn
        jumpingKnowledge = try c.decodeIfPresent(Bool.self, forKey: .jumpingKnowledge) ?? false
        heads = try c.decodeIfPresent(Int.self, forKey: .heads) ?? 1
        trainEps = try c.decodeIfPresent(Bool.self, forKey: .trainEps) ?? false
        standardizeFeatures = try c.decodeIfPresent(Bool.self, forKey: .standardizeFeatures) ?? false
        inputReadout = try c.decodeIfPresent(Bool.self, forKey: .inputReadout) ?? false
        readoutNorm = try c.decodeIfPresent(Bool.self, forKey: .readoutNorm) ?? false
        degreeFeature = try c.decodeIfPresent(Bool.self, forKey: .degreeFeature) ?? false
        wlReadout = try c.decodeIfPresent(Bool.self, forKey: .wlReadout) ?? false
        wlIterations = try c.decodeIfPresent(Int.self, forKey: .wlIterations) ?? WLSubtreeFeatures.defaultIterations
        wlBuckets = try c.decodeIfPresent(Int.self, forKey: .wlBuckets) ?? WLSubtreeFeatures.defaultBuckets
        wlNodeLabels = try c.decodeIfPresent(Bool.self, forKey: .wlNodeLabels) ?? false
    }

    /// Columns the first layer and the input readout see: F, plus one with `degreeFeature`.
    public var modelInputFeatures: Int { inputFeatures + (degreeFeature ? 1 : 0) }

    /// Whether the model reads the graph without any convolution: through the input readout or
    /// the WL readout (then `layers` may be 0).
    public var hasReadoutBesideConvolutions: Bool { inputReadout || wlReadout }

    /// Throws unless `graphs` carry what the WL readout colours by: node labels on every graph when
    /// `wlNodeLabels`, none otherwise (their colours would differ from training's silently).
    public func requireWLColourSource(_ graphs: [Graph]) throws {
        guard wlReadout else { return }
        guard graphs.allHaveNodeLabels == wlNodeLabels else {
            throw GraphDataError.invalidArgument(wlNodeLabels
                ? "this model's WL readout colours nodes by their node labels, and these graphs have none; predict on graphs with node labels, like the training graphs"
                : "this model's WL readout colours nodes by their feature rows, and these graphs have node labels; predict on graphs without node labels, like the training graphs")
        }
    }
}

/// Graph convolutions (`config.conv`) → graph readout → MLP head: logits for each graph of a batch.
///
///     h⁰ = X (standardised: (X − μ)/σ; then [X, log(1 + d)]
///          with the degree feature);  hˡ = relu(convˡ(dropout'(hˡ⁻¹)))   (N, W)   dropout' = convolutionDropout, l ≥ 2
///     r  = readout(hᴸ), or Σ_l readout(hˡ) with jumping knowledge   (G, W)
///          (+ W₀ BN(pool(h⁰)) + b₀ with the input readout; + φ(G) W_wl + b_wl with the WL
///          readout; then BN(r) with the readout norm)
///     logits = W₂ dropout(relu(W₁ r + b₁)) + b₂            (G, C)
///
/// W is `hidden`, or heads · hidden for GAT (heads concatenated).
public final class GraphClassifier: Module {
    public let config: GraphClassifierConfig
    public let convolutions: [GraphConvolution]
    public let readout: Readout
    public let head1: Linear
    public let head2: Linear
    /// The training graphs' feature statistics (`standardizeFeatures`), else nil.
    public let standardizer: FeatureStandardizer?
    /// The input readout: BatchNorm1d(F) then W₀, b₀ (F -> W), else nil.
    public let inputHead: Sequential?
    /// BatchNorm1d(W) on the readout (`readoutNorm`), else nil.
    public let readoutNorm: BatchNorm1d?
    /// The WL-subtree readout (`wlReadout`): φ(G) (G, D) -> (G, W), else nil.
    public let wlReadout: WLReadout?
    public var training = true

    public init(_ config: GraphClassifierConfig, seed: UInt64) {
        precondition(config.layers >= (config.hasReadoutBesideConvolutions ? 0 : 1) && config.hidden >= 1 && config.heads >= 1,
                     "need at least one convolution (or none with the input or WL readout) of width ≥ 1 with at least one head")
        self.config = config
        var rng = RandomGenerator(seed: seed)
        var options = ConvOptions()
        options.normalization = AdjacencyNormalization(rawValue: config.normalization) ?? .symmetric
        options.trainEps = config.trainEps
        options.heads = config.heads
        var layers: [GraphConvolution] = [], width = config.modelInputFeatures
        for _ in 0..<config.layers {
            let layer = config.conv.make(width, config.hidden, options: options, generator: &rng)
            layers.append(layer)
            width = layer.outputFeatures
        }
        if layers.isEmpty { width = config.hidden }                                 // the input or WL readout's width
        convolutions = layers
        readout = Readout(config.pool, width: width, generator: &rng)
        head1 = Linear(inFeatures: width, outFeatures: config.hidden, generator: &rng)
        head2 = Linear(inFeatures: config.hidden, outFeatures: config.classes, generator: &rng)
        standardizer = config.standardizeFeatures ? FeatureStandardizer(features: config.inputFeatures) : nil
        inputHead = config.inputReadout
            ? Sequential([BatchNorm1d(config.modelInputFeatures),
                          Linear(inFeatures: config.modelInputFeatures, outFeatures: width, generator: &rng)])
            : nil
        readoutNorm = config.readoutNorm ? BatchNorm1d(width) : nil
        wlReadout = config.wlReadout
            ? WLReadout(WLSubtreeFeatures(iterations: config.wlIterations, buckets: config.wlBuckets, nodeLabels: config.wlNodeLabels),
                        outputs: width, generator: &rng)
            : nil
    }

    /// Checkpoint names: gcn.0.weight (GCN) or conv.0.… (other kinds), pool.gate.weight (attention),
    /// head.0.weight, head.1.bias, input_head.1.weight (input readout), readout_norm.weight,
    /// wl_readout.weight (WL readout), standardize.mean (buffers).
    public var children: [(String, Module)] {
        // Built in steps: one long `+` chain of these arrays times out Swift 6.0.3's type checker.
        let prefix = config.conv == .gcn ? "gcn" : "conv"
        var list: [(String, Module)] = convolutions.enumerated().map { ("\(prefix).\($0.offset)", $0.element as Module) }
        list += [("pool", readout as Module), ("head.0", head1 as Module), ("head.1", head2 as Module)]
        if let inputHead { list.append(("input_head", inputHead)) }
        if let readoutNorm { list.append(("readout_norm", readoutNorm)) }
        if let wlReadout { list.append(("wl_readout", wlReadout)) }
        if let standardizer { list.append(("standardize", standardizer)) }
        return list
    }

    public var normalization: AdjacencyNormalization {
        AdjacencyNormalization(rawValue: config.normalization) ?? .symmetric
    }

    /// Logits (G, C) for a batch. `generator` drives dropout in training mode (`train()`/`eval()`).
    public func callAsFunction(_ batch: GraphBatch, generator: inout RandomGenerator) -> Tensor {
        precondition(batch.featureCount == config.inputFeatures,
                     "model expects \(config.inputFeatures) node features, batch has \(batch.featureCount)")
        let a = convolutions.first.map { batch.adjacency($0.adjacencyKind) }
        var x = standardizer.map { $0(batch.features) } ?? batch.features
        if config.degreeFeature { x = appendingLogDegree(x, features: batch.featureCount, rowStart: batch.rowStart) }
        var h = Tensor(x, shape: [batch.nodeCount, config.modelInputFeatures])             // (N, F) or (N, F + 1)
        var pooled = inputHead.map { $0(inputPool(h, graphStart: batch.graphStart)) }      // (G, F) -> (G, W)
        if let wlReadout {
            let r = wlReadout(batch)                                                     // (G, D) -> (G, W)
            pooled = pooled.map { $0 + r } ?? r
        }
        for (l, conv) in convolutions.enumerated() {
            if l > 0 { h = h.dropout(p: config.convolutionDropout, training: training, generator: &generator) }
            h = conv.forward(h, adjacency: a!, generator: &generator).relu()              // (N, W)
            if config.jumpingKnowledge || l == convolutions.count - 1 {
                let r = readout(h, graphStart: batch.graphStart)                         // (G, W)
                pooled = pooled.map { $0 + r } ?? r
            }
        }
        if let readoutNorm { pooled = readoutNorm(pooled!) }                            // (G, W)
        let hidden = head1(pooled!).relu().dropout(p: config.dropout, training: training, generator: &generator)
        return head2(hidden)                                                             // (G, C)
    }

    /// The input readout's pooling: `config.pool`, or sum where that is attention (its gate is W wide).
    private func inputPool(_ x: Tensor, graphStart: [Int32]) -> Tensor {
        switch config.pool {
        case .mean: return GraphPooling.mean(x, graphStart: graphStart)
        case .max: return GraphPooling.max(x, graphStart: graphStart)
        case .sum, .attention: return GraphPooling.sum(x, graphStart: graphStart)
        }
    }
}

extension GraphClassifier {
    /// A model of `config` holding `state` (names as from `namedState()`): how saved, copied and
    /// ensembled weights become a model again.
    static func restored(_ config: GraphClassifierConfig, state: [String: Tensor]) throws -> GraphClassifier {
        let model = GraphClassifier(config, seed: 0)                       // every weight is overwritten
        try model.loadState(state)
        return model
    }
}

/// Row-major (N, F) features with a last column log(1 + dᵢ), dᵢ = rowStart[i+1] − rowStart[i]:
/// (N, F) -> (N, F + 1).
func appendingLogDegree(_ x: [Float], features f: Int, rowStart: [Int32]) -> [Float] {
    let n = rowStart.count - 1
    precondition(x.count == n * f, "appendingLogDegree: \(x.count) values are not \(n) rows of \(f) features")
    var out = [Float](); out.reserveCapacity(n * (f + 1))
    for i in 0..<n {
        out.append(contentsOf: x[(i * f)..<((i + 1) * f)])
        out.append(Float(log1p(Double(rowStart[i + 1] - rowStart[i]))))
    }
    return out
}

/// A two-layer node classifier. With GCN it is Kipf & Welling's model:
/// logits = Â dropout(relu(Â dropout(X) W⁰ + b⁰)) W¹ + b¹.   (N, F) -> (N, C)
/// X is sparse (bag-of-words, one-hot ids), so X W⁰ is an SpMM and input dropout acts on its
/// stored entries, as in the reference implementation.
///
/// With another convolution: logits = conv¹(dropout(act(conv⁰(dropout(X))))), act = ELU for GAT
/// (heads · hidden wide, the output layer one averaged head, attention dropout = `dropout`: PyG's
/// GAT example) and ReLU otherwise. GAT keeps X sparse (dropout on its stored entries, which is
/// dropout on the dense X: zeros stay zeros); GIN and SAGE densify X once.
public final class NodeClassifier: Module {
    /// The hidden layer (F -> H, or heads · H for GAT).
    public let first: GraphConvolution
    /// The output layer (-> C).
    public let second: GraphConvolution
    /// The kind of both layers.
    public let conv: ConvKind
    public let dropoutRate: Float
    public let normalization: AdjacencyNormalization
    public var training = true
    private var denseInput: (source: SparseMatrix, tensor: Tensor)?

    public init(inputFeatures: Int, hidden: Int, classes: Int, dropout: Float, bias: Bool = false,
                normalization: AdjacencyNormalization = .symmetric, conv: ConvKind = .gcn, heads: Int = 8,
                seed: UInt64) {
        var rng = RandomGenerator(seed: seed)
        var options = ConvOptions()
        options.bias = bias; options.normalization = normalization
        options.heads = heads; options.attentionDropout = dropout
        first = conv.make(inputFeatures, hidden, options: options, generator: &rng)
        options.heads = 1; options.concatHeads = false
        options.mlpWidth = hidden                                   // GIN's output MLP: hidden → classes
        second = conv.make(first.outputFeatures, classes, options: options, generator: &rng)
        self.conv = conv
        dropoutRate = dropout
        self.normalization = normalization
    }

    /// The matrix both layers run over; pass it to `callAsFunction` (compute it once per graph).
    public var adjacencyKind: AdjacencyKind { first.adjacencyKind }

    /// Logits (N, C) for every node of the graph; dropout in training mode (`train()`/`eval()`).
    public func callAsFunction(_ x: SparseMatrix, adjacency a: SparseMatrix, generator: inout RandomGenerator) -> Tensor {
        if let gcn = first as? GCNLayer {
            let input = training && dropoutRate > 0 ? x.droppingOut(p: dropoutRate, generator: &generator) : x  // (N, F)
            var h = gcn(sparseInput: input, adjacency: a).relu()                              // (N, H)
            h = h.dropout(p: dropoutRate, training: training, generator: &generator)
            return second.forward(h, adjacency: a, generator: &generator)                     // (N, C)
        }
        if let gat = first as? GATConv {                                                      // sparse X, as GCN
            let input = training && dropoutRate > 0 ? x.droppingOut(p: dropoutRate, generator: &generator) : x  // (N, F)
            let h = gat.forward(sparseInput: input, adjacency: a, generator: &generator).elu()    // (N, heads·H)
            return second.forward(h.dropout(p: dropoutRate, training: training, generator: &generator),
                                  adjacency: a, generator: &generator)                          // (N, C)
        }
        if denseInput?.source !== x { denseInput = (x, Tensor(x.dense(), shape: [x.rows, x.cols])) }
        var h = denseInput!.tensor.dropout(p: dropoutRate, training: training, generator: &generator)  // (N, F)
        h = first.forward(h, adjacency: a, generator: &generator)                             // (N, W)
        h = conv == .gat ? h.elu() : h.relu()
        h = h.dropout(p: dropoutRate, training: training, generator: &generator)
        return second.forward(h, adjacency: a, generator: &generator)                         // (N, C)
    }

    public var children: [(String, Module)] {
        conv == .gcn ? [("gcn.0", first), ("gcn.1", second)] : [("conv.0", first), ("conv.1", second)]
    }
}
