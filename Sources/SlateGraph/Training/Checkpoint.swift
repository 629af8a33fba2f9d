import Foundation
import Slate

/// Saving and loading trained GCNs as safetensors, with everything needed to rebuild the model
/// in `__metadata__`: `format` = "slate-gcn", `format_version`, `task` (graph / node), `config`
/// (JSON of the model configuration) and `dataset`.
public enum GCNCheckpoint {
    public static let format = "slate-gcn"
    public static let version = "1"

    /// A model read back from a checkpoint.
    public enum Model {
        case graph(GraphClassifier)
        /// The node classifier and whether its inputs are row-normalised.
        case node(NodeClassifier, NodeModelConfig)
    }

    /// Rebuild information for a node classifier.
    public struct NodeModelConfig: Codable, Sendable {
        public var inputFeatures: Int, hidden: Int, classes: Int
        public var dropout: Float, bias: Bool, normalizeFeatures: Bool
        public var normalization: String
        /// The convolution (missing in checkpoints written before it: GCN).
        public var conv: ConvKind
        /// GAT's heads in the hidden layer.
        public var heads: Int

        public init(inputFeatures: Int, hidden: Int, classes: Int, dropout: Float, bias: Bool,
                    normalizeFeatures: Bool, normalization: String, conv: ConvKind = .gcn, heads: Int = 8) {
            self.inputFeatures = inputFeatures; self.hidden = hidden; self.classes = classes
            self.dropout = dropout; self.bias = bias; self.normalizeFeatures = normalizeFeatures
            self.normalization = normalization; self.conv = conv; self.heads = heads
        }

        private enum CodingKeys: String, CodingKey {
            case inputFeatures, hidden, classes, dropout, bias, normalizeFeatures, normalization, conv, heads
        }

        public init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            self.init(inputFeatures: try c.decode(Int.self, forKey: .inputFeatures), hidden: try c.decode(Int.self, forKey: .hidden),
                      classes: try c.decode(Int.self, forKey: .classes), dropout: try c.decode(Float.self, forKey: .dropout),
                      bias: try c.decode(Bool.self, forKey: .bias), normalizeFeatures: try c.decode(Bool.self, forKey: .normalizeFeatures),
                      normalization: try c.decode(String.self, forKey: .normalization),
                      conv: try c.decodeIfPresent(ConvKind.self, forKey: .conv) ?? .gcn,
                      heads: try c.decodeIfPresent(Int.self, forKey: .heads) ?? 8)
        }
    }

    /// Writes graph-classifier weights (`weights` as from `namedParameters()`) atomically.
    public static func saveGraphModel(_ weights: [(String, Tensor)], config: GraphClassifierConfig,
                                      dataset: String, extra: [String: String] = [:], to url: URL) throws {
        try save(weights, task: "graph", config: config, dataset: dataset, extra: extra, to: url)
    }

    /// Writes node-classifier weights atomically.
    public static func saveNodeModel(_ weights: [(String, Tensor)], config: NodeModelConfig,
                                     dataset: String, extra: [String: String] = [:], to url: URL) throws {
        try save(weights, task: "node", config: config, dataset: dataset, extra: extra, to: url)
    }

    /// The one writer behind both: format, version, task, dataset and the JSON config in `__metadata__`.
    private static func save<Config: Encodable>(_ weights: [(String, Tensor)], task: String, config: Config,
                                                dataset: String, extra: [String: String], to url: URL) throws {
        var meta = extra
        meta["format"] = format; meta["format_version"] = version; meta["task"] = task
        meta["dataset"] = dataset; meta["config"] = try json(config)
        try SafeTensors.write(weights, metadata: meta, to: url)
    }

    /// Reads a checkpoint and rebuilds its model with the stored weights.
    public static func load(from url: URL) throws -> (model: Model, metadata: [String: String]) {
        let file = try SafeTensors.read(from: url)
        let meta = file.metadata
        guard meta["format"] == format, let configText = meta["config"] else {
            throw GraphDataError.invalidArgument("\(url.path) is not a slate-gcn checkpoint (metadata format is '\(meta["format"] ?? "missing")'); train one with `slate gcn train --out DIR`")
        }
        guard meta["format_version"] == version else {
            throw GraphDataError.invalidArgument("\(url.path) has checkpoint format version \(meta["format_version"] ?? "?"), this build reads \(version)")
        }
        let decoder = JSONDecoder()
        switch meta["task"] {
        case "graph":
            let config = try decoder.decode(GraphClassifierConfig.self, from: Data(configText.utf8))
            let model = GraphClassifier(config, seed: 0)
            try model.loadState(file.tensors)
            return (.graph(model), meta)
        case "node":
            let c = try decoder.decode(NodeModelConfig.self, from: Data(configText.utf8))
            let model = NodeClassifier(inputFeatures: c.inputFeatures, hidden: c.hidden, classes: c.classes,
                                       dropout: c.dropout, bias: c.bias,
                                       normalization: AdjacencyNormalization(rawValue: c.normalization) ?? .symmetric,
                                       conv: c.conv, heads: c.heads, seed: 0)
            try model.loadState(file.tensors)
            return (.node(model, c), meta)
        default:
            throw GraphDataError.invalidArgument("\(url.path): unknown task '\(meta["task"] ?? "missing")' in checkpoint metadata")
        }
    }

    private static func json<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }
}

extension Module {
    /// Loads parameters (strictly, as `loadStateDict`) and buffers (e.g. BatchNorm running statistics,
    /// a fixed GIN ε) from one name → tensor map, as written from `namedState()`.
    public func loadState(_ state: [String: Tensor]) throws {
        let buffers = namedBuffers()
        var parameters = state
        for (name, buffer) in buffers {
            guard let t = parameters.removeValue(forKey: name) else {
                throw GraphDataError.invalidArgument("state dict does not match the model: missing buffer \(name) (was it saved from a model with the same configuration?)")
            }
            guard t.shape == buffer.shape else {
                throw GraphDataError.invalidArgument("buffer '\(name)' has shape \(t.shape) in the state dict but \(buffer.shape) in the model")
            }
        }
        try loadStateDict(parameters)
        for (name, buffer) in buffers { buffer.pointer.update(from: state[name]!.pointer, count: buffer.count) }
    }
}

extension GraphClassifier {
    /// Class probabilities' arg-max for every graph of `graphs`, evaluated in batches of `batchSize`.
    public func predict(_ graphs: [Graph], batchSize: Int = 256) -> [Int] {
        eval()
        var rng = RandomGenerator(seed: 0)
        var out: [Int] = []
        for start in stride(from: 0, to: graphs.count, by: batchSize) {
            let batch = GraphBatch(Array(graphs[start..<min(start + batchSize, graphs.count)]))
            out += withNoGrad { argmaxRows(self(batch, generator: &rng)) }
        }
        return out
    }
}

extension NodeClassifier {
    /// Predicted class of every node of `dataset` (features row-normalised when `normalizeFeatures`).
    public func predict(_ dataset: NodeDataset, normalizeFeatures: Bool) -> [Int] {
        eval()
        let data = normalizeFeatures ? dataset.rowNormalizedFeatures() : dataset
        let g = data.graph
        let x = SparseMatrix(dense: g.features, rows: g.nodeCount, cols: g.featureCount)
        var rng = RandomGenerator(seed: 0)
        return withNoGrad { argmaxRows(self(x, adjacency: g.adjacency(adjacencyKind), generator: &rng)) }
    }
}
