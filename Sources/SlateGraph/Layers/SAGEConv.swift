import Slate

/// GraphSAGE convolution with the mean aggregator and a root weight (Hamilton et al., 2017;
/// PyG `SAGEConv` defaults: `aggr="mean"`, `root_weight=True`, `normalize=False`, no projection):
///
///     h'_i = W_l · mean_{j∈N(i)} h_j + b_l + W_r · h_i
///
/// The mean runs over `AdjacencyKind.mean` (a node without neighbours aggregates 0).
/// Names match PyG: `lin_l.weight`, `lin_l.bias`, `lin_r.weight` (PyTorch `Linear` initialisation).
public final class SAGEConv: GraphConvolution {
    /// W_l, b_l: applied to the neighbour mean.
    public let linL: Linear
    /// W_r (no bias): applied to the node itself.
    public let linR: Linear
    public var training = true

    public init(_ inputs: Int, _ outputs: Int, generator: inout RandomGenerator) {
        precondition(inputs > 0 && outputs > 0, "SAGEConv needs positive sizes, got \(inputs)→\(outputs)")
        linL = Linear(inFeatures: inputs, outFeatures: outputs, generator: &generator)
        linR = Linear(inFeatures: inputs, outFeatures: outputs, bias: false, generator: &generator)
    }

    public var adjacencyKind: AdjacencyKind { .mean }
    public var outputFeatures: Int { linL.outFeatures }
    public var children: [(String, Module)] { [("lin_l", linL), ("lin_r", linR)] }

    /// (N, in) -> (N, out), over D⁻¹A. The mean is linear, so it runs on the narrower side:
    /// D⁻¹A (h W_lᵀ) when the layer shrinks the width, (D⁻¹A h) W_lᵀ otherwise.
    public func forward(_ h: Tensor, adjacency: SparseMatrix, generator: inout RandomGenerator) -> Tensor {
        let neighbours: Tensor
        if linL.outFeatures <= linL.inFeatures {
            neighbours = spmm(adjacency, h.linear(weight: linL.weight, bias: nil)) + linL.bias!  // (N, out)
        } else {
            neighbours = linL(spmm(adjacency, h))                                                 // (N, in) -> (N, out)
        }
        return neighbours + linR(h)                                                               // (N, out)
    }
}
