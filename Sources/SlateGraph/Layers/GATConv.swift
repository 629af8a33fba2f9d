import Slate

/// Graph attention convolution (Veličković et al., ICLR 2018; PyG `GATConv` defaults), H heads of C:
///
///     x_j = W h_j                          (N, H·C), W without bias
///     e_ijh = LeakyReLU_0.2(⟨a_src,h, x_j,h⟩ + ⟨a_dst,h, x_i,h⟩)   over j ∈ N(i) ∪ {i}
///     α_ijh = softmax_j(e_ijh)             then dropout(α) in training
///     h'_i = ‖_h Σ_j α_ijh x_j,h + b       (heads concatenated: H·C), or mean_h (…) + b (C)
///
/// The softmax is the fused sparse `edgeSoftmax` over `AdjacencyKind.selfLoops`, the weighted sum
/// `edgeAggregate`: nothing is N × N. Names match PyG: `lin.weight` (H·C, in), `att_src`,
/// `att_dst` (1, H, C), `bias`; Glorot initialisation, bias zeros.
public final class GATConv: GraphConvolution {
    /// W, (H·C, in).
    public let lin: Linear
    /// a_src and a_dst, (1, H, C).
    public let attSource: Tensor, attTarget: Tensor
    /// (H·C) when concatenating, (C) when averaging; nil without bias.
    public let bias: Tensor?
    /// Attention heads H.
    public let heads: Int
    /// Features per head C.
    public let perHead: Int
    /// Heads concatenated (H·C outputs) or averaged (C outputs).
    public let concat: Bool
    /// Dropout on the attention coefficients α (training only).
    public let dropout: Float
    /// Slope of the LeakyReLU on the attention logits (0.2).
    public let negativeSlope: Float
    public var training = true

    public init(_ inputs: Int, _ outputs: Int, heads: Int = 1, concat: Bool = true, dropout: Float = 0,
                negativeSlope: Float = 0.2, bias: Bool = true, generator: inout RandomGenerator) {
        precondition(inputs > 0 && outputs > 0 && heads > 0, "GATConv needs positive sizes and heads, got \(inputs)→\(heads)×\(outputs)")
        precondition((0..<1).contains(dropout), "GATConv: attention dropout \(dropout) is outside [0, 1)")
        lin = Linear(inFeatures: inputs, outFeatures: heads * outputs, bias: false, generator: &generator)
        Init.xavierUniform(lin.weight, generator: &generator)                  // U(±√(6/(in + H·C)))
        attSource = Tensor.zeros([1, heads, outputs], requiresGrad: true)
        attTarget = Tensor.zeros([1, heads, outputs], requiresGrad: true)
        let bound = (6 / Float(heads + outputs)).squareRoot()                   // PyG's glorot on (1, H, C)
        Init.uniform(attSource, low: -bound, high: bound, generator: &generator)
        Init.uniform(attTarget, low: -bound, high: bound, generator: &generator)
        self.bias = bias ? Tensor.zeros([concat ? heads * outputs : outputs], requiresGrad: true) : nil
        self.heads = heads; perHead = outputs; self.concat = concat
        self.dropout = dropout; self.negativeSlope = negativeSlope
    }

    public var adjacencyKind: AdjacencyKind { .selfLoops }
    public var outputFeatures: Int { concat ? heads * perHead : perHead }
    public var children: [(String, Module)] { [("lin", lin)] }
    public var localParameters: [(String, Tensor)] {
        [("att_src", attSource), ("att_dst", attTarget)] + (bias.map { [("bias", $0)] } ?? [])
    }

    /// (N, in) -> (N, H·C) or (N, C), over the structure of A + I.
    public func forward(_ h: Tensor, adjacency: SparseMatrix, generator: inout RandomGenerator) -> Tensor {
        forward(projected: lin(h), adjacency: adjacency, generator: &generator)  // (N, in) -> (N, H·C) -> ...
    }

    /// Sparse input features X (N, in), a constant (Cora's bag of words): W X as an SpMM, never dense.
    public func forward(sparseInput x: SparseMatrix, adjacency: SparseMatrix, generator: inout RandomGenerator) -> Tensor {
        forward(projected: spmm(x, lin.weight.transposed()), adjacency: adjacency, generator: &generator)  // (N, H·C)
    }

    /// The layer after its linear map: x = W h, (N, H·C) -> (N, H·C) or (N, C).
    func forward(projected x: Tensor, adjacency: SparseMatrix, generator: inout RandomGenerator) -> Tensor {
        let n = x.shape[0]
        let perHeadView = x.reshaped([n, heads, perHead])                         // (N, H, C)
        let source = (perHeadView * attSource).sum(axes: [2])                     // (N, H)
        let target = (perHeadView * attTarget).sum(axes: [2])                     // (N, H)
        let alpha = edgeSoftmax(source: source, target: target, support: adjacency, negativeSlope: negativeSlope)
            .dropout(p: dropout, training: training, generator: &generator)      // (E, H)
        var out = edgeAggregate(weights: alpha, values: x, support: adjacency)    // (N, H·C)
        if !concat { out = out.reshaped([n, heads, perHead]).mean(axes: [1]) }    // (N, H, C) -> (N, C)
        return bias.map { out + $0 } ?? out
    }
}
