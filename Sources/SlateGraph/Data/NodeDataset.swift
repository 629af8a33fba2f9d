import Foundation
import Slate

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

    /// Largest accepted feature index + 1 (Cora has 1,433; a larger width is almost surely a typo).
    public static let maxFeatureCount = 1 << 20

    /// Cora from `root/cora/{nodes,edges,split}.tsv` (formats in data/README.md):
    /// binary bag-of-words features (raw, not normalised), 7 classes, split 140/500/1000.
    public static func cora(root: URL = DataLocation.root) throws -> NodeDataset {
        let dir = root.appendingPathComponent("cora")
        let files = try ["nodes.tsv", "edges.tsv", "split.tsv"].map { try read(dir.appendingPathComponent($0), dataset: "cora") }
        return try cora(nodes: files[0], edges: files[1], split: files[2])
    }

    /// Cora from the contents of `nodes.tsv`, `edges.tsv` and `split.tsv`. Every problem is a
    /// `GraphDataError` naming the file and line: ids out of order or repeated, a label outside
    /// 0..<N, feature indices not ascending or past `maxFeatureCount`, a repeated edge or self-loop,
    /// a node in two splits, an empty split.
    public static func cora(nodes nodesData: Data, edges edgesData: Data, split splitData: Data) throws -> NodeDataset {
        let nodes = try TextTable(data: nodesData, fileName: "nodes.tsv", skipHeader: true)
        let edgesT = try TextTable(data: edgesData, fileName: "edges.tsv", skipHeader: true)
        let split = try TextTable(data: splitData, fileName: "split.tsv", skipHeader: true)
        let n = try nodeCount(of: nodes)
        var labels = [Int](repeating: 0, count: n)
        var active: [[Int]] = Array(repeating: [], count: n)
        for i in 0..<n {
            let f = try nodes.fields(i, separator: "\t", expected: 3)
            try checkNodeID(nodes, record: i, field: f[0])
            labels[i] = try nodes.int(f[1], record: i, what: "label", in: 0...(n - 1))
            active[i] = try f[2].split(separator: ",", omittingEmptySubsequences: false).map {
                try nodes.int($0.drop { $0 == " " }, record: i, what: "feature index", in: 0...(maxFeatureCount - 1))
            }
            for (a, b) in zip(active[i], active[i].dropFirst()) where a >= b {
                throw nodes.error(record: i, "feature indices must be ascending and distinct, but \(b) follows \(a)")
            }
        }
        let featureCount = (active.lazy.compactMap { $0.last }.max() ?? -1) + 1
        try MemoryBudget.check(shape: [n, featureCount], what: "node features (\(n) nodes × \(featureCount) features)")
        var features = [Float](repeating: 0, count: n * featureCount)
        for i in 0..<n { for c in active[i] { features[i * featureCount + c] = 1 } }
        let edges = try undirectedEdges(edgesT, nodeCount: n)
        let graph = Graph(nodeCount: n, featureCount: featureCount, features: features, edges: edges)
        let names = ["train", "val", "test"]
        var parts: [String: [Int]] = ["train": [], "val": [], "test": []]
        var splitLine = [Int: Int]()   // node id -> line where it got its split
        for i in 0..<split.count {
            let f = try split.fields(i, separator: "\t", expected: 2)
            let id = try split.int(f[0], record: i, what: "node id", in: 0...(n - 1))
            guard parts[String(f[1])] != nil else { throw split.error(record: i, "split '\(f[1])' is not train, val or test") }
            if let earlier = splitLine.updateValue(split.lines[i].number, forKey: id) {
                throw split.error(record: i, "node \(id) already has a split on line \(earlier); a node belongs to one split only")
            }
            parts[String(f[1]), default: []].append(id)
        }
        for name in names where parts[name]!.isEmpty {
            throw GraphDataError.inconsistent(file: split.fileName, reason: "the \(name) split is empty; list at least one node as '\(name)'")
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
        let files = try ["edges.tsv", "labels.tsv"].map { try read(dir.appendingPathComponent($0), dataset: "karate") }
        return try karate(edges: files[0], labels: files[1], semiSupervised: semiSupervised)
    }

    /// The karate club from the contents of `edges.tsv` and `labels.tsv` (errors name file and line).
    public static func karate(edges edgesData: Data, labels labelsData: Data, semiSupervised: Bool = true) throws -> NodeDataset {
        let edgesT = try TextTable(data: edgesData, fileName: "edges.tsv", skipHeader: true)
        let labelsT = try TextTable(data: labelsData, fileName: "labels.tsv", skipHeader: true)
        let n = try nodeCount(of: labelsT)
        var labels = [Int](repeating: 0, count: n)
        for i in 0..<n {
            let f = try labelsT.fields(i, separator: "\t", minimum: 2)
            try checkNodeID(labelsT, record: i, field: f[0])
            labels[i] = try labelsT.int(f[1], record: i, what: "label", in: 0...1)
        }
        let edges = try undirectedEdges(edgesT, nodeCount: n)
        try MemoryBudget.check(shape: [n, n], what: "one-hot node features (\(n) nodes)")
        var identity = [Float](repeating: 0, count: n * n)
        for i in 0..<n { identity[i * n + i] = 1 }
        let graph = Graph(nodeCount: n, featureCount: n, features: identity, edges: edges)
        let labelled = semiSupervised ? [0, n - 1] : Array(0..<n)
        let rest = semiSupervised ? Array(1..<(n - 1)) : Array(0..<n)
        return NodeDataset(name: "karate", graph: graph, labels: labels, classCount: 2,
                           trainNodes: labelled, validationNodes: [], testNodes: rest)
    }

    // MARK: shared checks

    /// The bytes of a required dataset file.
    private static func read(_ url: URL, dataset: String) throws -> Data {
        let found = try DataLocation.require(url, dataset: dataset)
        do { return try Data(contentsOf: found) } catch {
            throw GraphDataError.inconsistent(file: found.path, reason: "cannot be read (\(error.localizedDescription)); check its permissions")
        }
    }

    /// The number of nodes a node table lists (one per line), at least 2.
    private static func nodeCount(of t: TextTable) throws -> Int {
        guard t.count >= 2 else {
            throw GraphDataError.inconsistent(file: t.fileName, reason: "lists \(t.count) node\(t.count == 1 ? "" : "s"); a graph needs at least 2 nodes (one line per node after the header)")
        }
        return t.count
    }

    /// Node ids are 0, 1, 2, ... in line order: a repeated or skipped id is an error.
    private static func checkNodeID(_ t: TextTable, record i: Int, field: Substring) throws {
        let id = try t.int(field, record: i, what: "node id")
        guard id != i else { return }
        throw t.error(record: i, (0..<i).contains(id)
            ? "node id \(id) appears twice (first on line \(t.lines[id].number)); each node is listed once"
            : "node id \(id) out of order: expected \(i) (ids 0..N-1, one per line, in order)")
    }

    /// Reads `source<TAB>target[<TAB>...]` lines (every line with the same number of fields) and
    /// stores each edge in both directions. A self-loop or an edge listed twice (in either
    /// direction) is an error: the file lists each undirected edge once.
    private static func undirectedEdges(_ t: TextTable, nodeCount n: Int) throws -> [(Int, Int)] {
        var seen = [SIMD2<Int>: Int]()   // (min, max) -> line
        var edges: [(Int, Int)] = []; edges.reserveCapacity(2 * t.count)
        var width = 0
        for k in 0..<t.count {
            let f = try t.fields(k, separator: "\t", minimum: 2)
            if k == 0 { width = f.count }
            guard f.count == width else {
                throw t.error(record: k, "ragged line: \(f.count) fields, earlier lines have \(width)")
            }
            let a = try t.int(f[0], record: k, what: "source", in: 0...(n - 1))
            let b = try t.int(f[1], record: k, what: "target", in: 0...(n - 1))
            for extra in f.dropFirst(2) { _ = try t.double(extra, record: k, what: "edge value") }
            guard a != b else { throw t.error(record: k, "self-loop on node \(a); remove the line (the GCN adds self-loops itself)") }
            if let earlier = seen.updateValue(t.lines[k].number, forKey: SIMD2(min(a, b), max(a, b))) {
                throw t.error(record: k, "edge \(a)–\(b) repeats line \(earlier); list each undirected edge once")
            }
            edges.append((a, b)); edges.append((b, a))
        }
        return edges
    }
}
