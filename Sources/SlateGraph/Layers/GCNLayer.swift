import Slate

/// A graph convolution (Kipf & Welling 2017): H' = Â H W + b, the activation applied by the caller.
///
/// Â is the normalised adjacency with self loops (see `AdjacencyNormalization`), passed in
/// precomputed so a batch computes it once. The product is ordered to keep the sparse step
/// narrow: Â (H W) when the layer shrinks the width, (Â H) W when it widens it — the same value.
public final class GCNLayer {
    /// (in, out), Glorot-uniform.
    public let weight: Tensor
    /// (out), zeros.
    public let bias: Tensor

    public init(_ inputs: Int, _ outputs: Int, generator: inout RandomGenerator) {
        weight = glorotUniform(inputs, outputs, generator: &generator)
        bias = Tensor.zeros([outputs], requiresGrad: true)
    }

    /// (N, in) -> (N, out)
    public func callAsFunction(_ h: Tensor, adjacency: SparseMatrix) -> Tensor {
        let (fin, fout) = (weight.shape[0], weight.shape[1])
        if fout <= fin {
            return spmm(adjacency, h.matmul(weight)) + bias                  // (N, in)·(in, out) -> Â· -> (N, out)
        }
        return spmm(adjacency, h).matmul(weight) + bias                      // Â·(N, in) -> ·(in, out) -> (N, out)
    }

    public var parameters: [Tensor] { [weight, bias] }
}
