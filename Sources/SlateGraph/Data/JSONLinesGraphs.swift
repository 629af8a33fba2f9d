import Foundation

/// Your own graphs from a JSON-lines file (`slate gcn train --data FILE`): one JSON object per line.
///
/// **Graph classification** — one graph per line, its class an integer `y`:
///
///     {"edges": [[0, 1], [1, 2]], "x": [[1, 0], [0, 1], [1, 1]], "y": 1}
///
/// `x` has one row of F numbers per node (N rows, the same F on every line); `edges` are `[source,
/// target]` pairs of node indices in `0..<N`, each undirected edge listed once (either direction;
/// a pair listed twice is kept once); `y` is a class in `0..<C`.
///
/// **Node classification** — one line holding one graph whose `y` is a class per node, with the
/// split as node-index lists (each node in at most one; `train` and `test` must not be empty):
///
///     {"edges": [[0, 1], [1, 2]], "x": [[1], [0], [1]], "y": [0, 1, 0], "train": [0], "val": [1], "test": [2]}
///
/// Blank lines are skipped. Every problem is a `GraphDataError.malformed` naming the file and the line.
public enum JSONLinesGraphs {
    /// What a file holds: graphs (one per line) or one graph of labelled nodes.
    public enum Content: Sendable {
        case graphs(GraphDataset)
        case nodes(NodeDataset)
    }

    /// One line as written.
    private struct Line: Decodable {
        let edges: [[Int]]
        let x: [[Float]]
        let y: Labels
        let train: [Int]?, val: [Int]?, test: [Int]?
    }

    /// `y`: one class for the graph, or one per node.
    private enum Labels: Decodable {
        case graph(Int), nodes([Int])
        init(from decoder: Decoder) throws {
            let c = try decoder.singleValueContainer()
            if let y = try? c.decode(Int.self) { self = .graph(y) } else { self = .nodes(try c.decode([Int].self)) }
        }
    }

    /// Reads `url`; the dataset is named after the file (without its extension).
    public static func load(_ url: URL) throws -> Content {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw GraphDataError.inconsistent(file: url.path, reason: "cannot be read (\(error.localizedDescription)); check the path and its permissions")
        }
        return try parse(data, fileName: url.lastPathComponent, name: url.deletingPathExtension().lastPathComponent)
    }

    /// Parses the contents of a JSON-lines file called `fileName` (for messages).
    public static func parse(_ data: Data, fileName: String, name: String) throws -> Content {
        var graphs: [Graph] = [], nodeTask: (line: Int, content: Line)?
        var lineNumber = 0
        for raw in data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            lineNumber += 1
            guard raw.contains(where: { !Set<UInt8>([32, 9, 13]).contains($0) }) else { continue }
            func fail(_ reason: String) -> GraphDataError { .malformed(file: fileName, line: lineNumber, reason: reason) }
            let line: Line
            do { line = try JSONDecoder().decode(Line.self, from: Data(raw)) } catch {
                throw fail(reason(for: error))
            }
            if nodeTask != nil { throw fail("a node-classification file holds one graph on one line; remove this line or make every `y` a graph class") }
            let graph: Graph
            do {
                let pairs = try line.edges.map { e -> (Int, Int) in
                    guard e.count == 2 else { throw GraphDataError.invalidArgument("every edge must be a [source, target] pair, found \(e)") }
                    return (e[0], e[1])
                }
                var seen = Set<[Int]>()
                let unique = pairs.filter { seen.insert([min($0.0, $0.1), max($0.0, $0.1)]).inserted }
                let label: Int
                switch line.y {
                case .graph(let y): label = y
                case .nodes: label = 0
                }
                guard label >= 0 else { throw GraphDataError.invalidArgument("`y` is \(label); classes are 0, 1, 2, ...") }
                graph = try GraphDataset.graph(nodeFeatures: line.x, edges: unique, label: label)
            } catch let GraphDataError.invalidArgument(reason) {
                throw fail(reason)
            }
            if let first = graphs.first, first.featureCount != graph.featureCount {
                throw fail("its nodes have \(graph.featureCount) features, the first graph's have \(first.featureCount); give every graph the same features")
            }
            if case .nodes = line.y {
                guard graphs.isEmpty else { throw fail("`y` is a list (a class per node) but earlier lines are graphs with one class each; use one kind per file") }
                nodeTask = (lineNumber, line)
            }
            graphs.append(graph)
        }
        if let (number, line) = nodeTask { return .nodes(try nodes(line, graph: graphs[0], fileName: fileName, line: number, name: name)) }
        guard !graphs.isEmpty else {
            throw GraphDataError.malformed(file: fileName, line: max(lineNumber, 1), reason: "the file holds no graph; write one JSON object per line (see `slate gcn train --help`)")
        }
        do { return .graphs(try GraphDataset(name: name, graphs: graphs)) } catch let GraphDataError.invalidArgument(reason) {
            throw GraphDataError.inconsistent(file: fileName, reason: reason)
        }
    }

    /// The node task of the file's only line, its labels and split checked.
    private static func nodes(_ line: Line, graph: Graph, fileName: String, line number: Int, name: String) throws -> NodeDataset {
        func fail(_ reason: String) -> GraphDataError { .malformed(file: fileName, line: number, reason: reason) }
        guard case .nodes(let labels) = line.y else { fatalError("a node line has a list of labels") }
        let n = graph.nodeCount
        guard labels.count == n else { throw fail("`y` has \(labels.count) classes for \(n) nodes; give one class per node") }
        if let bad = labels.first(where: { $0 < 0 }) { throw fail("`y` holds class \(bad); classes are 0, 1, 2, ...") }
        let classes = labels.max()! + 1
        guard classes >= 2 else { throw fail("every node has class 0; node classification needs at least two classes") }
        var owner = [String?](repeating: nil, count: n)
        for (key, ids) in [("train", line.train), ("val", line.val), ("test", line.test)] {
            for id in ids ?? [] {
                guard (0..<n).contains(id) else { throw fail("`\(key)` names node \(id), outside 0..<\(n)") }
                if let other = owner[id] { throw fail("node \(id) is in both `\(other)` and `\(key)`; put each node in one split") }
                owner[id] = key
            }
        }
        guard let train = line.train, let test = line.test, !train.isEmpty, !test.isEmpty else {
            throw fail("a node-classification line needs non-empty `train` and `test` node lists (and optionally `val`)")
        }
        return NodeDataset(name: name, graph: graph, labels: labels, classCount: classes,
                           trainNodes: train, validationNodes: line.val ?? [], testNodes: test)
    }

    /// One sentence for a decoding error: which key, and what was expected.
    private static func reason(for error: Error) -> String {
        func path(_ keys: [CodingKey]) -> String {
            keys.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined().drop { $0 == "." }.description
        }
        switch error {
        case DecodingError.keyNotFound(let key, _):
            return "no `\(key.stringValue)`; every line needs `edges`, `x` and `y`"
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context):
            return "`\(path(context.codingPath))` has the wrong type; `edges` is a list of [source, target] integer pairs, `x` a list of number rows, `y` an integer (or a list of them)"
        case DecodingError.dataCorrupted(let context) where !context.codingPath.isEmpty:
            return "`\(path(context.codingPath))` is not a valid value (\(context.debugDescription))"
        default:
            return "not a JSON object; write one object per line, e.g. {\"edges\": [[0, 1]], \"x\": [[1], [0]], \"y\": 0}"
        }
    }
}
