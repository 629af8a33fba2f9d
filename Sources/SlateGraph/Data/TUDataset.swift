import Foundation
import Slate

/// A graph-classification dataset in the TU Dortmund format (MUTAG, PROTEINS, ...).
///
/// Files in `directory` are `NAME_A.txt` (directed edges "i, j", 1-based global node ids),
/// `NAME_graph_indicator.txt` (graph id of each node, 1-based, contiguous and in order),
/// `NAME_graph_labels.txt`, and optionally `NAME_node_labels.txt`, `NAME_node_attributes.txt`,
/// `NAME_edge_labels.txt`. Graph labels are remapped to 0..C-1 in ascending order of the raw value.
/// Node features: one-hot node labels followed by the node attributes; one-hot degree when the
/// dataset has neither (degrees capped at the largest degree seen).
public struct TUDataset: Sendable {
    public let name: String
    /// The graphs, in file order, each with its remapped `label`.
    public let graphs: [Graph]
    /// Number of graph classes C.
    public let classCount: Int
    /// Raw label value of each class index (class c was `rawLabels[c]` in the file).
    public let rawLabels: [Int]
    /// Features per node F.
    public var featureCount: Int { graphs.first?.featureCount ?? 0 }
    /// Class index of every graph, (G).
    public var labels: [Int] { graphs.map { $0.label! } }
    /// Total number of nodes over all graphs.
    public var nodeCount: Int { graphs.reduce(0) { $0 + $1.nodeCount } }
    /// Total number of directed edge entries (lines of NAME_A.txt).
    public var edgeCount: Int { graphs.reduce(0) { $0 + $1.edgeCount } }

    /// Loads `NAME` from `$SLATE_DATA/tu/NAME/`.
    public static func load(name: String, root: URL = DataLocation.root) throws -> TUDataset {
        try TUDataset(name: name, directory: root.appendingPathComponent("tu").appendingPathComponent(name))
    }

    /// The files of a TU dataset, by suffix: `A`, `graph_indicator` and `graph_labels` are
    /// required; `node_labels`, `node_attributes` and `edge_labels` are read when present.
    public static let fileSuffixes = ["A", "graph_indicator", "graph_labels", "node_labels", "node_attributes", "edge_labels"]

    /// Loads dataset `name` from the files in `directory` (`NAME_<suffix>.txt`).
    public init(name: String, directory: URL) throws {
        var files: [String: Data] = [:]
        for (k, suffix) in Self.fileSuffixes.enumerated() {
            let url = directory.appendingPathComponent("\(name)_\(suffix).txt")
            guard let found = k < 3 ? try DataLocation.require(url, dataset: name) : DataLocation.optional(url) else { continue }
            do { files[suffix] = try Data(contentsOf: found) } catch {
                throw GraphDataError.inconsistent(file: found.path, reason: "cannot be read (\(error.localizedDescription)); check its permissions")
            }
        }
        try self.init(name: name, files: files)
    }

    /// Parses dataset `name` from the contents of its files, keyed by suffix (see `fileSuffixes`).
    /// Every problem is a `GraphDataError` naming `NAME_<suffix>.txt` and the line.
    public init(name: String, files: [String: Data]) throws {
        func table(_ suffix: String) throws -> TextTable? {
            try files[suffix].map { try TextTable(data: $0, fileName: "\(name)_\(suffix).txt") }
        }
        func required(_ suffix: String) throws -> TextTable {
            guard let t = try table(suffix) else {
                throw GraphDataError.missingDataset(name: name, directory: "(the dataset)", missingFile: "\(name)_\(suffix).txt")
            }
            return t
        }
        self.name = name
        let indicatorTable = try required("graph_indicator")
        let labelTable = try required("graph_labels")
        let edgeTable = try required("A")

        // Graph labels -> 0..C-1.
        let raw = try labelTable.singleInts(what: "graph label")
        guard !raw.isEmpty else { throw GraphDataError.inconsistent(file: labelTable.fileName, reason: "no graph labels") }
        rawLabels = Array(Set(raw)).sorted()
        classCount = rawLabels.count
        let classOf = Dictionary(uniqueKeysWithValues: rawLabels.enumerated().map { ($1, $0) })
        let graphCount = raw.count

        // Node -> graph, contiguous blocks in order.
        let n = indicatorTable.count
        var graphOf = [Int](repeating: 0, count: n)
        var graphStart = [Int](repeating: n, count: graphCount + 1)
        var previous = 0
        for i in 0..<n {
            let f = try indicatorTable.fields(i, separator: ",", expected: 1)
            let g = try indicatorTable.int(f[0], record: i, what: "graph id", in: 1...graphCount) - 1
            let inOrder = i == 0 ? g == 0 : (g == previous || g == previous + 1)
            if !inOrder {
                throw indicatorTable.error(record: i, "graph id \(g + 1) breaks the order: nodes of a graph must be contiguous and graphs in order 1, 2, ...")
            }
            if i == 0 || g != previous { graphStart[g] = i }
            graphOf[i] = g; previous = g
        }
        if n == 0 || previous != graphCount - 1 {
            throw GraphDataError.inconsistent(file: indicatorTable.fileName,
                                              reason: "names \(n == 0 ? 0 : previous + 1) graphs but \(labelTable.fileName) has \(graphCount) labels")
        }

        for g in 0..<graphCount where graphStart[g + 1] - graphStart[g] < 2 {
            throw indicatorTable.error(record: graphStart[g], "graph \(g + 1) has only 1 node; a graph to classify needs at least 2 nodes, so remove it (and its label) or fix the ids")
        }

        // Edges (1-based global ids); each directed entry once.
        var edges = [[(Int, Int)]](repeating: [], count: graphCount)
        var edgeRows = [[Int]](repeating: [], count: graphCount)
        var firstLine: [SIMD2<Int>: Int] = [:]
        for k in 0..<edgeTable.count {
            let f = try edgeTable.fields(k, separator: ",", expected: 2)
            let a = try edgeTable.int(f[0], record: k, what: "node id", in: 1...Int.max)
            let b = try edgeTable.int(f[1], record: k, what: "node id", in: 1...Int.max)
            guard a <= n && b <= n else {
                throw edgeTable.error(record: k, "node id \(max(a, b)) is out of range: \(indicatorTable.fileName) lists only \(n) nodes (is it truncated?)")
            }
            let g = graphOf[a - 1]
            guard graphOf[b - 1] == g else {
                throw edgeTable.error(record: k, "edge \(a), \(b) joins graphs \(g + 1) and \(graphOf[b - 1] + 1)")
            }
            if let earlier = firstLine.updateValue(edgeTable.lines[k].number, forKey: SIMD2(a, b)) {
                throw edgeTable.error(record: k, "edge \(a), \(b) repeats line \(earlier); list each directed edge once")
            }
            edges[g].append((a - 1 - graphStart[g], b - 1 - graphStart[g]))
            edgeRows[g].append(k)
        }

        // Optional node labels / attributes / edge labels.
        var nodeLabels: [Int]?
        if let t = try table("node_labels") {
            try Self.checkCount(t, n, indicatorTable)
            nodeLabels = try t.singleInts(what: "node label")
        }
        var attributes: [[Double]]?
        if let t = try table("node_attributes") {
            try Self.checkCount(t, n, indicatorTable)
            var width = -1
            attributes = try (0..<n).map { i in
                let f = try t.fields(i, separator: ",", minimum: 1)
                if width < 0 { width = f.count }
                guard f.count == width else { throw t.error(record: i, "ragged line: \(f.count) attributes, earlier lines have \(width)") }
                return try f.map { try t.double($0, record: i, what: "attribute") }
            }
        }
        var edgeLabels: [Int]?
        if let t = try table("edge_labels") {
            guard t.count == edgeTable.count else {
                throw GraphDataError.inconsistent(file: t.fileName, reason: "has \(t.count) lines but \(edgeTable.fileName) has \(edgeTable.count) edges")
            }
            edgeLabels = try t.singleInts(what: "edge label")
        }

        // Features: one-hot(node label) ++ attributes, or one-hot(degree).
        let featureRows = try Self.nodeFeatures(nodeLabels: nodeLabels, attributes: attributes, edges: edges,
                                            graphStart: graphStart)
        graphs = (0..<graphCount).map { g in
            let lo = graphStart[g], hi = graphStart[g + 1]
            return Graph(nodeCount: hi - lo, featureCount: featureRows.width,
                         features: Array(featureRows.values[lo * featureRows.width..<hi * featureRows.width]),
                         edges: edges[g], edgeLabels: edgeLabels.map { l in edgeRows[g].map { l[$0] } },
                         nodeLabels: nodeLabels.map { Array($0[lo..<hi]) }, label: classOf[raw[g]]!)
        }
    }

    private static func checkCount(_ t: TextTable, _ n: Int, _ indicator: TextTable) throws {
        guard t.count == n else {
            let line = min(t.count, n) + 1
            throw GraphDataError.inconsistent(file: t.count < n ? t.fileName : indicator.fileName,
                reason: "\(t.fileName) has \(t.count) lines but \(indicator.fileName) has \(n) nodes (first unmatched node: line \(line))")
        }
    }

    /// Row-major (N, F) features for all nodes, with F.
    private static func nodeFeatures(nodeLabels: [Int]?, attributes: [[Double]]?, edges: [[(Int, Int)]],
                                     graphStart: [Int]) throws -> (values: [Float], width: Int) {
        let n = graphStart.last!
        // One-hot block for node labels (categories in ascending order).
        let categories = nodeLabels.map { Array(Set($0)).sorted() } ?? []
        let categoryIndex = Dictionary(uniqueKeysWithValues: categories.enumerated().map { ($1, $0) })
        let attributeWidth = attributes?.first?.count ?? 0
        // One-hot degree only when there is nothing else.
        var degree = [Int]()
        if nodeLabels == nil && attributes == nil {
            degree = [Int](repeating: 0, count: n)
            for (g, list) in edges.enumerated() { for (s, _) in list { degree[graphStart[g] + s] += 1 } }
        }
        let degreeWidth = degree.isEmpty ? 0 : (degree.max() ?? 0) + 1
        let width = categories.count + attributeWidth + degreeWidth
        try MemoryBudget.check(shape: [n, width], what: "node features (\(n) nodes × \(width) features)")
        var values = [Float](repeating: 0, count: n * width)
        for i in 0..<n {
            let row = i * width
            if let labels = nodeLabels { values[row + categoryIndex[labels[i]]!] = 1 }
            if let attributes {
                for j in 0..<attributeWidth { values[row + categories.count + j] = Float(attributes[i][j]) }
            }
            if degreeWidth > 0 { values[row + degree[i]] = 1 }
        }
        return (values, width)
    }
}
