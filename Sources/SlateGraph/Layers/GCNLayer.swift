import Slate

/// A graph convolution (Kipf & Welling 2017): H' = Â H W + b, the activation applied by the caller.
///
/// Â is the normalised adjacency with self loops (see `AdjacencyNormalization`), passed in
/// precomputed so a batch computes it once. The product is ordered to keep the sparse step
/// narrow: Â (H W) when the layer shrinks the width, (Â H) W when it widens it — the same value.
/// Parameters: `weight` (in, out), Glorot-uniform as in the reference code; `bias` (out), zeros.
public final class GCNLayer: Module {
    /// (in, out)
    public let weight: Tensor
    /// (out), or nil for a layer without bias (Kipf & Welling's node classifier).
    public let bias: Tensor?
    public var training = true
    /// How the model normalises the adjacency this layer is given (see `GraphConvolution`).
    public var normalization: AdjacencyNormalization = .symmetric

    public init(_ inputs: Int, _ outputs: Int, bias: Bool = true, generator: inout RandomGenerator) {
        precondition(inputs > 0 && outputs > 0, "GCNLayer needs positive sizes, got \(inputs)→\(outputs)")
        weight = Tensor.zeros([inputs, outputs], requiresGrad: true)
        Init.xavierUniform(weight, generator: &generator)                       // U(±√(6/(in+out)))
        self.bias = bias ? Tensor.zeros([outputs], requiresGrad: true) : nil
    }

    public var localParameters: [(String, Tensor)] {
        bias.map { [("weight", weight), ("bias", $0)] } ?? [("weight", weight)]
    }

    private func addBias(_ x: Tensor) -> Tensor { bias.map { x + $0 } ?? x }

    /// (N, in) -> (N, out)
    public func callAsFunction(_ h: Tensor, adjacency: SparseMatrix) -> Tensor {
        let (fin, fout) = (weight.shape[0], weight.shape[1])
        if fout <= fin {
            return addBias(spmm(adjacency, h.matmul(weight)))                 // (N, in)·(in, out) -> Â· -> (N, out)
        }
        return addBias(spmm(adjacency, h).matmul(weight))                     // Â·(N, in) -> ·(in, out) -> (N, out)
    }

    /// Sparse input features X (N, in), a constant: Â (X W) + b with X W as a second SpMM,
    /// whose backward gives dW = Xᵀ · dOut. (N, in) -> (N, out)
    public func callAsFunction(sparseInput x: SparseMatrix, adjacency: SparseMatrix) -> Tensor {
        addBias(spmm(adjacency, spmm(x, weight)))                               // X·W (N, out) -> Â· -> (N, out)
    }
}
