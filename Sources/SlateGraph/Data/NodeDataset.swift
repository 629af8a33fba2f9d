import Foundation

/// A node-classification dataset: one graph, a class per node, and a train/val/test split
/// (node ids). Cora uses the Planetoid split; Karate labels one member per club.
public struct NodeDataset: Sendable {
    public let name: String
    /// The graph, with node features (N, F) and undirected edges stored in both directions.
    public let graph: Graph
    /// Class of every node, (N), in 0..<classCount.
    public let labels: [Int]
    public let classCount: Int
    /// Node ids used for the loss, model selection and the final score.
    public let trainNodes: [Int]
    public let validationNodes: [Int]
    public let testNodes: [Int]

    /// Builds a dataset, checking ids and labels.
    public init(name: String, graph: Graph, labels: [Int], classCount: Int,
                trainNodes: [Int], validationNodes: [Int], testNodes: [Int]) {
        precondition(labels.count == graph.nodeCount && labels.allSatisfy { (0..<classCount).contains($0) })
        self.name = name; self.graph = graph; self.labels = labels; self.classCount = classCount
        self.trainNodes = trainNodes; self.validationNodes = validationNodes; self.testNodes = testNodes
    }

    /// Number of undirected edges (each stored twice in `graph`).
    public var undirectedEdgeCount: Int { graph.edgeCount / 2 }

    /// The same dataset with each node's features divided by their sum (Kipf & Welling's preprocessing).
    public func rowNormalizedFeatures() -> NodeDataset {
        let g = graph.with(features: rowNormalized(graph.features, rows: graph.nodeCount, cols: graph.featureCount),
                           featureCount: graph.featureCount)
        return NodeDataset(name: name, graph: g, labels: labels, classCount: classCount,
                           trainNodes: trainNodes, validationNodes: validationNodes, testNodes: testNodes)
    }

    /// Whether `name` is a node-classification dataset this module can load ("cora", "karate").
    public static func isNodeDataset(_ name: String) -> Bool {
        ["cora", "karate"].contains(name.lowercased())
    }

    /// Loads "cora" or "karate" (semi-supervised split) by name.
    public static func load(name: String, root: URL = DataLocation.root) throws -> NodeDataset {
        switch name.lowercased() {
        case "cora": return try cora(root: root)
        case "karate": return try karate(root: root)
        default: throw GraphDataError.invalidArgument("unknown node-classification dataset '\(name)' (known: cora, karate)")
        }
    }

    // MARK: Cora (Planetoid)

    /// Cora from `root/cora/{nodes,edges,split}.tsv` (formats in data/README.md):
    /// binary bag-of-words features (raw, not normalised), 7 classes, split 140/500/1000.
    public static func cora(root: URL = DataLocation.root) throws -> NodeDataset {
        let dir = root.appendingPathComponent("cora")
        let nodes = try TextTable(url: DataLocation.require(dir.appendingPathComponent("nodes.tsv"), dataset: "cora"), skipHeader: true)
        let edgesT = try TextTable(url: DataLocation.require(dir.appendingPathComponent("edges.tsv"), dataset: "cora"), skipHeader: true)
        let split = try TextTable(url: DataLocation.require(dir.appendingPathComponent("split.tsv"), dataset: "cora"), skipHeader: true)
        let n = nodes.count
        var labels = [Int](repeating: 0, count: n)
        var active: [[Int]] = Array(repeating: [], count: n)
        for i in 0..<n {
            let f = try nodes.fields(i, separator: "\t", expected: 3)
            let id = try nodes.int(f[0], record: i, what: "node id")
            guard id == i else { throw nodes.error(record: i, "node id \(id) out of order: expected \(i) (ids 0..N-1 in order)") }
            labels[i] = try nodes.int(f[1], record: i, what: "label", in: 0...Int.max)
            active[i] = try f[2].split(separator: ",", omittingEmptySubsequences: false).map {
                try nodes.int($0.drop { $0 == " " }, record: i, what: "feature index", in: 0...Int.max)
            }
        }
        let featureCount = (active.lazy.compactMap { $0.max() }.max() ?? -1) + 1
        var features = [Float](repeating: 0, count: n * featureCount)
        for i in 0..<n { for c in active[i] { features[i * featureCount + c] = 1 } }
        let edges = try undirectedEdges(edgesT, nodeCount: n)
        let graph = Graph(nodeCount: n, featureCount: featureCount, features: features, edges: edges)
        var parts: [String: [Int]] = ["train": [], "val": [], "test": []]
        for i in 0..<split.count {
            let f = try split.fields(i, separator: "\t", expected: 2)
            let id = try split.int(f[0], record: i, what: "node id", in: 0...(n - 1))
            guard parts[String(f[1])] != nil else { throw split.error(record: i, "split '\(f[1])' is not train, val or test") }
            parts[String(f[1]), default: []].append(id)
        }
        return NodeDataset(name: "cora", graph: graph, labels: labels, classCount: (labels.max() ?? 0) + 1,
                           trainNodes: parts["train"]!, validationNodes: parts["val"]!, testNodes: parts["test"]!)
    }

    // MARK: Karate club

    /// Zachary's karate club from `root/karate/{edges,labels}.tsv`. Features are one-hot node ids
    /// (identity, as in Kipf & Welling's karate demo). `semiSupervised` (default) trains on one
    /// labelled member per club — node 0 (Mr. Hi) and node 33 (Officer) — and tests on the other 32;
    /// otherwise every node is in train and test (a fit check, not a generalisation score).
    /// There is no validation set (too few labels): trainers run a fixed number of epochs.
    public static func karate(root: URL = DataLocation.root, semiSupervised: Bool = true) throws -> NodeDataset {
        let dir = root.appendingPathComponent("karate")
        let edgesT = try TextTable(url: DataLocation.require(dir.appendingPathComponent("edges.tsv"), dataset: "karate"), skipHeader: true)
        let labelsT = try TextTable(url: DataLocation.require(dir.appendingPathComponent("labels.tsv"), dataset: "karate"), skipHeader: true)
        let n = labelsT.count
        var labels = [Int](repeating: 0, count: n)
        for i in 0..<n {
            let f = try labelsT.fields(i, separator: "\t", minimum: 2)
            let id = try labelsT.int(f[0], record: i, what: "node id")
            guard id == i else { throw labelsT.error(record: i, "node id \(id) out of order: expected \(i)") }
            labels[i] = try labelsT.int(f[1], record: i, what: "label", in: 0...1)
        }
        let edges = try undirectedEdges(edgesT, nodeCount: n)
        var identity = [Float](repeating: 0, count: n * n)
        for i in 0..<n { identity[i * n + i] = 1 }
        let graph = Graph(nodeCount: n, featureCount: n, features: identity, edges: edges)
        let labelled = semiSupervised ? [0, n - 1] : Array(0..<n)
        let rest = semiSupervised ? Array(1..<(n - 1)) : Array(0..<n)
        return NodeDataset(name: "karate", graph: graph, labels: labels, classCount: 2,
                           trainNodes: labelled, validationNodes: [], testNodes: rest)
    }

    /// Reads `source<TAB>target[<TAB>...]` lines and stores each edge in both directions (deduplicated).
    private static func undirectedEdges(_ t: TextTable, nodeCount n: Int) throws -> [(Int, Int)] {
        var seen = Set<Int>()
        var edges: [(Int, Int)] = []; edges.reserveCapacity(2 * t.count)
        for k in 0..<t.count {
            let f = try t.fields(k, separator: "\t", minimum: 2)
            let a = try t.int(f[0], record: k, what: "source", in: 0...(n - 1))
            let b = try t.int(f[1], record: k, what: "target", in: 0...(n - 1))
            guard a != b else { continue }
            if seen.insert(min(a, b) * n + max(a, b)).inserted { edges.append((a, b)); edges.append((b, a)) }
        }
        return edges
    }
}
