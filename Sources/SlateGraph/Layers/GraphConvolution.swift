import Slate

/// A message-passing layer: (N, in) node features and a sparse matrix over the N nodes -> (N, out).
///
/// Each layer names the matrix it runs over (`adjacencyKind`), so a model asks a `GraphBatch` for
/// it once per batch (cached there) and hands every layer the matrix it needs.
public protocol GraphConvolution: Module {
    /// The matrix `forward` expects (see `AdjacencyKind`).
    var adjacencyKind: AdjacencyKind { get }
    /// Width of the output rows.
    var outputFeatures: Int { get }
    /// (N, in) -> (N, out). `generator` drives any dropout inside the layer in training mode.
    func forward(_ h: Tensor, adjacency: SparseMatrix, generator: inout RandomGenerator) -> Tensor
}

/// The convolutions a model can be built from (`--conv`).
public enum ConvKind: String, CaseIterable, Codable, Sendable {
    /// Kipf & Welling's GCN (`GCNLayer`).
    case gcn
    /// Graph isomorphism network (`GINConv` with an MLP Linear-BatchNorm-ReLU-Linear).
    case gin
    /// GraphSAGE with the mean aggregator and a root weight (`SAGEConv`).
    case sage
    /// Graph attention (`GATConv`).
    case gat
}

/// Options for building one convolution of a given kind.
public struct ConvOptions: Sendable {
    /// Bias in GCN layers.
    public var bias = true
    /// GCN's adjacency normalisation.
    public var normalization: AdjacencyNormalization = .symmetric
    /// GIN: learn ε (else fixed at 0).
    public var trainEps = false
    /// GIN: the MLP's hidden width (nil: the output width).
    public var mlpWidth: Int?
    /// GAT: attention heads.
    public var heads = 1
    /// GAT: heads concatenated (else averaged).
    public var concatHeads = true
    /// GAT: dropout on the attention coefficients.
    public var attentionDropout: Float = 0
    public init() {}
}

extension ConvKind {
    /// A freshly initialised layer `inputs -> outputs` (for GAT with concatenated heads, `outputs`
    /// is per head and the layer emits heads · outputs).
    public func make(_ inputs: Int, _ outputs: Int, options: ConvOptions = ConvOptions(),
                     generator: inout RandomGenerator) -> GraphConvolution {
        switch self {
        case .gcn:
            let layer = GCNLayer(inputs, outputs, bias: options.bias, generator: &generator)
            layer.normalization = options.normalization
            return layer
        case .gin:
            return GINConv(inputs, outputs, hidden: options.mlpWidth, trainEps: options.trainEps, generator: &generator)
        case .sage:
            return SAGEConv(inputs, outputs, generator: &generator)
        case .gat:
            return GATConv(inputs, outputs, heads: options.heads, concat: options.concatHeads,
                           dropout: options.attentionDropout, generator: &generator)
        }
    }
}

extension ConvKind {
    /// The matrix layers of this kind run over (GCN: Â with the given normalisation).
    public func adjacencyKind(normalization: AdjacencyNormalization) -> AdjacencyKind {
        switch self {
        case .gcn: return .normalized(normalization)
        case .gin: return .sum
        case .sage: return .mean
        case .gat: return .selfLoops
        }
    }
}

extension GCNLayer: GraphConvolution {
    public var adjacencyKind: AdjacencyKind { ConvKind.gcn.adjacencyKind(normalization: normalization) }
    public var outputFeatures: Int { weight.shape[1] }
    public func forward(_ h: Tensor, adjacency: SparseMatrix, generator: inout RandomGenerator) -> Tensor {
        self(h, adjacency: adjacency)
    }
}
