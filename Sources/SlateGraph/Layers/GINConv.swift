import Slate

/// Graph isomorphism convolution (Xu et al., ICLR 2019; PyG `GINConv`):
///
///     h'_i = MLP((1 + ε)·h_i + Σ_{j∈N(i)} h_j)       MLP = Linear → BatchNorm1d → ReLU → Linear
///                                                  (in → hidden → out; hidden = out unless given)
///
/// ε is fixed (0 by default, a buffer) or learned (`trainEps`, a parameter), as PyG's `train_eps`.
/// The sum runs over `AdjacencyKind.sum` (no self loops: the centre enters through 1 + ε).
/// Names match PyG with `nn = Sequential(Linear, BatchNorm1d, ReLU, Linear)`:
/// `eps`, `nn.0.weight`, `nn.1.running_mean`, `nn.3.bias`, ...
public final class GINConv: GraphConvolution {
    /// The MLP h_Θ: children "0" Linear(in, hidden), "1" BatchNorm1d(hidden), "2" ReLU, "3" Linear(hidden, out).
    public let mlp: Sequential
    /// ε, shape (1).
    public let eps: Tensor
    /// Whether ε is trained.
    public let trainEps: Bool
    public var training = true

    public init(_ inputs: Int, _ outputs: Int, hidden: Int? = nil, eps initialEps: Float = 0, trainEps: Bool = false,
                generator: inout RandomGenerator) {
        let width = hidden ?? outputs
        precondition(inputs > 0 && outputs > 0 && width > 0, "GINConv needs positive sizes, got \(inputs)→\(width)→\(outputs)")
        mlp = Sequential([Linear(inFeatures: inputs, outFeatures: width, generator: &generator),
                          BatchNorm1d(width), Activation(.relu),
                          Linear(inFeatures: width, outFeatures: outputs, generator: &generator)])
        eps = Tensor([initialEps], requiresGrad: trainEps)
        self.trainEps = trainEps
    }

    public var adjacencyKind: AdjacencyKind { .sum }
    public var outputFeatures: Int { (mlp.layers[3] as! Linear).outFeatures }
    public var children: [(String, Module)] { [("nn", mlp)] }
    public var localParameters: [(String, Tensor)] { trainEps ? [("eps", eps)] : [] }
    public var localBuffers: [(String, Tensor)] { trainEps ? [] : [("eps", eps)] }

    /// (N, in) -> (N, out), over the sum adjacency A.
    public func forward(_ h: Tensor, adjacency: SparseMatrix, generator: inout RandomGenerator) -> Tensor {
        let neighbours = spmm(adjacency, h)                                    // Σ_j h_j   (N, in)
        let centre: Tensor
        if trainEps {
            centre = h * (eps + 1)                                             // (N, in) · (1)
        } else {
            let e = eps.pointer[0]
            centre = e == 0 ? h : h * (1 + e)
        }
        return mlp(neighbours + centre)                                        // (N, in) -> (N, out)
    }
}
