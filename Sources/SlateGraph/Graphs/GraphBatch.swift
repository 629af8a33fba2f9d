/// Several graphs as one disconnected graph (PyG's batching scheme): node features are
/// concatenated, the adjacency is block-diagonal, and `batch[i]` names the graph of node i.
///
/// A GCN layer over the batch is then one SpMM with the block-diagonal Â, and readouts
/// reduce nodes per graph using `graphStart`. The normalised adjacency is built once per
/// batch and normalisation, then cached (not thread-safe: use one batch per thread).
public final class GraphBatch: @unchecked Sendable {
    /// Number of graphs G.
    public let graphCount: Int
    /// Total number of nodes N (sum over the graphs).
    public let nodeCount: Int
    /// Features per node F.
    public let featureCount: Int
    /// Node features of all graphs, row-major (N, F).
    public let features: [Float]
    /// Block-diagonal CSR adjacency over all N nodes: offsets (N + 1) and targets.
    public let rowStart: [Int32]
    public let neighbours: [Int32]
    /// Graph index of every node, (N): the `batch` vector of PyG.
    public let batch: [Int32]
    /// First node of every graph, (G + 1): graph g owns nodes graphStart[g]..<graphStart[g+1].
    public let graphStart: [Int32]
    /// Graph labels (G), when every graph has one.
    public let labels: [Int]?
    /// Every node's categorical label (N), when every graph has node labels.
    public let nodeLabels: [Int]?
    private var adjacencyCache: [AdjacencyKind: SparseMatrix] = [:]
    private var wlCache: [WLSubtreeFeatures: SparseMatrix] = [:]

    /// Concatenates `graphs` (all with the same feature count) into one batch.
    public init(_ graphs: [Graph]) {
        precondition(!graphs.isEmpty, "GraphBatch: needs at least one graph")
        let f = graphs[0].featureCount
        precondition(graphs.allSatisfy { $0.featureCount == f }, "GraphBatch: graphs must share the feature count")
        let n = graphs.reduce(0) { $0 + $1.nodeCount }
        let e = graphs.reduce(0) { $0 + $1.edgeCount }
        var features = [Float](); features.reserveCapacity(n * f)
        var start = [Int32](); start.reserveCapacity(n + 1); start.append(0)
        var targets = [Int32](); targets.reserveCapacity(e)
        var batch = [Int32](); batch.reserveCapacity(n)
        var graphStart: [Int32] = [0]
        var offset: Int32 = 0
        for (gi, g) in graphs.enumerated() {
            features.append(contentsOf: g.features)
            let edgeBase = Int32(targets.count)
            for r in 0..<g.nodeCount { start.append(edgeBase + g.rowStart[r + 1]) }
            for t in g.neighbours { targets.append(t + offset) }
            batch.append(contentsOf: repeatElement(Int32(gi), count: g.nodeCount))
            offset += Int32(g.nodeCount)
            graphStart.append(offset)
        }
        graphCount = graphs.count
        nodeCount = n
        featureCount = f
        self.features = features
        rowStart = start
        neighbours = targets
        self.batch = batch
        self.graphStart = graphStart
        labels = graphs.allSatisfy { $0.label != nil } ? graphs.map { $0.label! } : nil
        nodeLabels = graphs.allHaveNodeLabels ? graphs.flatMap { $0.nodeLabels! } : nil
    }

    /// Number of nodes in every graph, (G).
    public var nodesPerGraph: [Int] { (0..<graphCount).map { Int(graphStart[$0 + 1] - graphStart[$0]) } }

    /// The block-diagonal Â of the whole batch, computed on first use and cached.
    public func normalizedAdjacency(_ normalization: AdjacencyNormalization = .symmetric) -> SparseMatrix {
        adjacency(.normalized(normalization))
    }

    /// The block-diagonal message-passing matrix of the given kind, computed on first use and cached.
    public func adjacency(_ kind: AdjacencyKind) -> SparseMatrix {
        if let cached = adjacencyCache[kind] { return cached }
        let a = SparseMatrix.adjacency(kind, nodes: nodeCount, rowStart: rowStart, columns: neighbours)
        adjacencyCache[kind] = a
        return a
    }

    /// The batch's Weisfeiler–Lehman subtree features φ (G, D), computed on first use and cached:
    /// a validation batch is read every epoch, and by every member of an ensemble.
    public func wlSubtreeFeatures(_ features: WLSubtreeFeatures) -> SparseMatrix {
        if let cached = wlCache[features] { return cached }
        let phi = features(self)
        wlCache[features] = phi
        return phi
    }
}

extension Collection where Element == Graph {
    /// Whether every graph has node labels: only then do batches, models and trainers use them.
    var allHaveNodeLabels: Bool { allSatisfy { $0.nodeLabels != nil } }
}
