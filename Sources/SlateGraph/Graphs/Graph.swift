/// One graph: N nodes with F features each, edges in CSR form, optional labels.
///
/// Edges are directed entries (i -> j); an undirected edge is stored in both directions,
/// as in the TU files. Node ids are 0-based and local to the graph.
public struct Graph: Sendable {
    /// Number of nodes N.
    public let nodeCount: Int
    /// Number of features F per node.
    public private(set) var featureCount: Int
    /// Node features, row-major (N, F).
    public var features: [Float]
    /// CSR offsets (N + 1) into `neighbours`.
    public let rowStart: [Int32]
    /// Target node of each directed edge, grouped by source node, ascending within a row.
    public let neighbours: [Int32]
    /// Optional label of each directed edge (same order as `neighbours`).
    public let edgeLabels: [Int]?
    /// Optional categorical label of each node (raw category, as in the file).
    public let nodeLabels: [Int]?
    /// Class of the whole graph (graph classification), remapped to 0..C-1.
    public let label: Int?

    /// Builds a graph from a directed edge list; the edges are sorted into CSR order.
    /// - Parameters:
    ///   - nodeCount: N.
    ///   - featureCount: F.
    ///   - features: row-major (N, F); its count must be `nodeCount * featureCount`.
    ///   - edges: (source, target) pairs with ids in 0..<N.
    ///   - edgeLabels: a label for each edge of `edges`, or nil.
    ///   - nodeLabels: a categorical label for each node, or nil.
    ///   - label: the class of the whole graph, or nil.
    public init(nodeCount: Int, featureCount: Int, features: [Float], edges: [(Int, Int)],
                edgeLabels: [Int]? = nil, nodeLabels: [Int]? = nil, label: Int? = nil) {
        precondition(features.count == nodeCount * featureCount, "Graph: features must be N × F")
        precondition(edgeLabels == nil || edgeLabels!.count == edges.count, "Graph: one label per edge")
        precondition(nodeLabels == nil || nodeLabels!.count == nodeCount, "Graph: one label per node")
        precondition(edges.allSatisfy { $0.0 >= 0 && $0.0 < nodeCount && $0.1 >= 0 && $0.1 < nodeCount },
                     "Graph: edge endpoint out of range")
        let order = edges.indices.sorted { edges[$0] < edges[$1] }
        var start = [Int32](repeating: 0, count: nodeCount + 1)
        for (s, _) in edges { start[s + 1] += 1 }
        for i in 0..<nodeCount { start[i + 1] += start[i] }
        self.nodeCount = nodeCount
        self.featureCount = featureCount
        self.features = features
        self.rowStart = start
        self.neighbours = order.map { Int32(edges[$0].1) }
        self.edgeLabels = edgeLabels.map { labels in order.map { labels[$0] } }
        self.nodeLabels = nodeLabels
        self.label = label
    }

    /// Number of directed edge entries.
    public var edgeCount: Int { neighbours.count }

    /// Out-degree of every node (number of stored edges leaving it).
    public var degrees: [Int] { (0..<nodeCount).map { Int(rowStart[$0 + 1] - rowStart[$0]) } }

    /// The directed edges as (source, target) pairs in CSR order.
    public var edgeList: [(Int, Int)] {
        var out: [(Int, Int)] = []; out.reserveCapacity(edgeCount)
        for r in 0..<nodeCount {
            for k in Int(rowStart[r])..<Int(rowStart[r + 1]) { out.append((r, Int(neighbours[k]))) }
        }
        return out
    }

    /// The same graph with other features (e.g. after row normalisation), shape (N, F').
    public func with(features newFeatures: [Float], featureCount f: Int) -> Graph {
        precondition(newFeatures.count == nodeCount * f, "Graph: features must be N × F")
        var g = self
        g.features = newFeatures
        g.featureCount = f
        return g
    }

    /// The message-passing matrix of this graph alone (see `AdjacencyKind`).
    public func adjacency(_ kind: AdjacencyKind) -> SparseMatrix {
        SparseMatrix.adjacency(kind, nodes: nodeCount, rowStart: rowStart, columns: neighbours)
    }

    /// Â of this graph alone (see `AdjacencyNormalization`).
    public func normalizedAdjacency(_ normalization: AdjacencyNormalization = .symmetric) -> SparseMatrix {
        SparseMatrix.normalizedAdjacency(nodes: nodeCount, rowStart: rowStart, columns: neighbours,
                                         normalization: normalization)
    }
}

/// Divides each row of a row-major (N, F) matrix by its sum (rows summing to 0 are left as they are),
/// as the GCN reference code does with Cora's bag-of-words features.
func rowNormalized(_ x: [Float], rows: Int, cols: Int) -> [Float] {
    var out = x
    for r in 0..<rows {
        var sum: Float = 0
        for c in 0..<cols { sum += x[r * cols + c] }
        if sum != 0 { for c in 0..<cols { out[r * cols + c] = x[r * cols + c] / sum } }
    }
    return out
}
