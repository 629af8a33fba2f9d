import Slate

/// The sparse (N, N) matrices message passing runs over. Row i lists the nodes i receives from
/// (its stored neighbours; the TU and Planetoid graphs are undirected, so this is also PyG's
/// source → target flow), and `spmm(A, X)` is then each node's aggregated message.
public enum AdjacencyKind: Hashable, Sendable {
    /// Â of Kipf & Welling (GCN), with self loops, normalised as given.
    case normalized(AdjacencyNormalization)
    /// A with ones: Σ_{j∈N(i)} x_j (GIN's sum aggregation).
    case sum
    /// D⁻¹A: the mean over N(i) (GraphSAGE); the row of a node without neighbours is empty (mean 0).
    case mean
    /// The structure of A + I with ones (each node once among its own neighbours): the support
    /// of GAT's attention softmax.
    case selfLoops
}

extension SparseMatrix {
    /// The matrix of `kind` for an unweighted adjacency in CSR form (`rowStart`, `columns`, N nodes).
    public static func adjacency(_ kind: AdjacencyKind, nodes n: Int, rowStart: [Int32], columns: [Int32]) -> SparseMatrix {
        switch kind {
        case .normalized(let normalization):
            return normalizedAdjacency(nodes: n, rowStart: rowStart, columns: columns, normalization: normalization)
        case .sum, .mean:
            var values = [Float](repeating: 1, count: columns.count)
            if kind == .mean {
                for r in 0..<n {
                    let (s, e) = (Int(rowStart[r]), Int(rowStart[r + 1]))
                    for k in s..<e { values[k] = 1 / Float(e - s) }
                }
            }
            let symmetric = kind == .sum && isStructurallySymmetric(rowStart: rowStart, columns: columns)
            return SparseMatrix(rows: n, cols: n, rowStart: rowStart, columns: columns, values: values, isSymmetric: symmetric)
        case .selfLoops:
            let (start, cols) = withSelfLoops(nodes: n, rowStart: rowStart, columns: columns)
            return SparseMatrix(rows: n, cols: n, rowStart: start, columns: cols,
                                values: [Float](repeating: 1, count: cols.count),
                                isSymmetric: isStructurallySymmetric(rowStart: start, columns: cols))
        }
    }
}
