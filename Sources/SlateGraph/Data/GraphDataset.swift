import Foundation

/// A graph-classification dataset you build in memory — your own graphs, each with its edges,
/// node features and class — for the same trainer that reads the TU files.
///
/// ```swift
/// let triangle = try GraphDataset.graph(nodeFeatures: [[1], [1], [1]],
///                                       edges: [(0, 1), (1, 2), (2, 0)], label: 1)
/// let data = try GraphDataset(name: "shapes", graphs: [triangle, ...])
/// let summary = try GraphClassificationTrainer(config: config).train(data)
/// ```
public struct GraphDataset: Sendable {
    /// A name for reports and checkpoints.
    public let name: String
    /// The graphs, each with its `label` in `0..<classCount`.
    public let graphs: [Graph]
    /// Number of classes C: one more than the largest label.
    public let classCount: Int

    /// A dataset of `graphs`. Throws `GraphDataError.invalidArgument` unless there is at least one
    /// graph, every graph has a label ≥ 0, there are at least two classes, and all graphs have the
    /// same number of features per node.
    public init(name: String = "in-memory", graphs: [Graph]) throws {
        guard let first = graphs.first else {
            throw GraphDataError.invalidArgument("a graph dataset needs at least one graph; pass some graphs")
        }
        for (i, g) in graphs.enumerated() {
            guard let label = g.label, label >= 0 else {
                throw GraphDataError.invalidArgument("graph \(i) has no class label (or a negative one); give every graph a label in 0..<C")
            }
            guard g.featureCount == first.featureCount else {
                throw GraphDataError.invalidArgument("graph \(i) has \(g.featureCount) features per node, graph 0 has \(first.featureCount); give every graph the same features")
            }
        }
        let classes = graphs.map { $0.label! }.max()! + 1
        guard classes >= 2 else {
            throw GraphDataError.invalidArgument("graph classification needs at least two classes; every label is 0")
        }
        self.name = name
        self.graphs = graphs
        self.classCount = classes
    }

    /// One labelled graph from plain arrays, checked: `nodeFeatures` has one row of F features per
    /// node (N rows, all of the same length); `edges` are (source, target) node indices in `0..<N`,
    /// stored in both directions when `undirected` (as the TU files store them).
    public static func graph(nodeFeatures: [[Float]], edges: [(Int, Int)], label: Int,
                             undirected: Bool = true) throws -> Graph {
        let n = nodeFeatures.count, f = nodeFeatures.first?.count ?? 0
        guard n > 0, f > 0 else {
            throw GraphDataError.invalidArgument("a graph needs at least one node with at least one feature")
        }
        guard nodeFeatures.allSatisfy({ $0.count == f }) else {
            throw GraphDataError.invalidArgument("every node needs the same number of features (\(f), as node 0)")
        }
        if let bad = edges.first(where: { !(0..<n).contains($0.0) || !(0..<n).contains($0.1) }) {
            throw GraphDataError.invalidArgument("edge (\(bad.0), \(bad.1)) names a node outside 0..<\(n)")
        }
        let directed = undirected ? edges + edges.filter { $0.0 != $0.1 }.map { ($0.1, $0.0) } : edges
        return Graph(nodeCount: n, featureCount: f, features: nodeFeatures.flatMap { $0 },
                     edges: directed, label: label)
    }
}

extension TUDataset {
    /// The in-memory `data` in the form the trainer reads (classes are their own raw labels).
    public init(_ data: GraphDataset) {
        name = data.name
        graphs = data.graphs
        classCount = data.classCount
        rawLabels = Array(0..<data.classCount)
    }
}

extension GraphClassificationTrainer {
    /// Cross-validates on your own in-memory graphs, exactly as on a TU dataset.
    public func train(_ data: GraphDataset, resumingFrom resumed: TrainingState? = nil,
                      onEvent: (GraphTrainingEvent) -> Void = { _ in }) throws -> GraphTrainingSummary {
        try train(TUDataset(data), resumingFrom: resumed, onEvent: onEvent)
    }

    /// The former name of `train(_:resumingFrom:onEvent:)`.
    @available(*, deprecated, renamed: "train(_:resumingFrom:onEvent:)")
    public func run(_ data: GraphDataset,
                    progress: (GraphTrainingEvent) -> Void = { _ in }) throws -> GraphTrainingSummary {
        try train(data, onEvent: progress)
    }
}
