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
        /// A graph classifier trained as an ensemble (`GraphTrainingConfig.ensemble` > 1): its
        /// members, saved as `member.<m>.*` (``GraphEnsemble/namedWeights(_:)``).
        case graphEnsemble(GraphEnsemble)
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

    /// Writes graph-classifier weights (`weights` as from `namedParameters()`) atomically. An
    /// ensemble of mixed families also stores each member's configuration (`memberConfigs`, in
    /// member order) as `member_configs`.
    public static func saveGraphModel(_ weights: [(String, Tensor)], config: GraphClassifierConfig,
                                      memberConfigs: [GraphClassifierConfig] = [],
                                      dataset: String, extra: [String: String] = [:], to url: URL) throws {
        var extra = extra
        if !memberConfigs.isEmpty { extra["member_configs"] = try json(memberConfigs) }
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
    ///
    /// Refused with a ``GCNCheckpointError`` before anything is allocated: a file of another tool
    /// (GPT, RL) or a `slate gcn train` training checkpoint, another format version, a configuration
    /// that is unreadable or whose sizes the stored tensors cannot hold, and weights that are not
    /// finite (the message names the tensor).
    public static func load(from url: URL) throws -> (model: Model, metadata: [String: String]) {
        let file = try SafeTensors.read(from: url)
        let meta = file.metadata
        if meta["format"] == "slate-gcn-train" {
            throw GCNCheckpointError(description: "\(url.path) is a training checkpoint (for --resume); predict with model.safetensors from the same directory")
        }
        guard meta["format"] == format, let configText = meta["config"] else {
            let kind = meta["format"].map { "its format is '\($0)'" } ?? (meta["n_embd"] != nil || meta["vocab"] != nil ? "it looks like a GPT checkpoint" : "it has no slate-gcn metadata")
            throw GCNCheckpointError(description: "\(url.path) is not a slate-gcn model (\(kind)); pass the model.safetensors that `slate gcn train` wrote")
        }
        guard meta["format_version"] == version else {
            throw GCNCheckpointError(description: "\(url.path) has checkpoint format version \(meta["format_version"] ?? "?"), this build reads \(version); retrain it with this build")
        }
        try requireFinite(file.ordered, path: url.path)
        let stored = Double(file.tensors.values.reduce(0) { $0 + $1.count })
        let decoder = JSONDecoder()
        switch meta["task"] {
        case "graph":
            guard let config = try? decoder.decode(GraphClassifierConfig.self, from: Data(configText.utf8)) else {
                throw GCNCheckpointError(description: "\(url.path): the model configuration in its metadata is unreadable; the file is damaged")
            }
            try check(config, stored: stored, path: url.path)
            if let members = GraphEnsemble.memberWeights(file.ordered) {
                guard let memberText = meta["member_configs"] else {
                    return (.graphEnsemble(try GraphEnsemble(config, weights: members)), meta)
                }
                guard let configs = try? decoder.decode([GraphClassifierConfig].self, from: Data(memberText.utf8)),
                      configs.count == members.count else {
                    throw GCNCheckpointError(description: "\(url.path): the member configurations in its metadata are unreadable or do not match its \(members.count) members; the file is damaged")
                }
                try configs.forEach { try check($0, stored: stored, path: url.path) }
                return (.graphEnsemble(try GraphEnsemble(configs, weights: members)), meta)
            }
            return (.graph(try GraphClassifier.restored(config, state: file.tensors)), meta)
        case "node":
            guard let c = try? decoder.decode(NodeModelConfig.self, from: Data(configText.utf8)) else {
                throw GCNCheckpointError(description: "\(url.path): the model configuration in its metadata is unreadable; the file is damaged")
            }
            try requireSizes([c.inputFeatures, c.hidden, c.classes, c.heads],
                             largest: [Double(c.inputFeatures) * Double(c.hidden), Double(c.hidden) * Double(c.classes),
                                       Double(c.heads)],
                             stored: stored, path: url.path)
            let model = NodeClassifier(inputFeatures: c.inputFeatures, hidden: c.hidden, classes: c.classes,
                                       dropout: 0, bias: c.bias,
                                       normalization: AdjacencyNormalization(rawValue: c.normalization) ?? .symmetric,
                                       conv: c.conv, heads: c.heads, seed: 0)
            try model.loadState(file.tensors)
            return (.node(model, c), meta)
        default:
            throw GCNCheckpointError(description: "\(url.path): unknown task '\(meta["task"] ?? "missing")' in its metadata (graph or node); the file is damaged")
        }
    }

    /// Refuses a graph classifier's configuration whose dropout is outside [0, 1] or whose sizes
    /// could not fit in the `stored` values.
    private static func check(_ config: GraphClassifierConfig, stored: Double, path: String) throws {
        guard (0...1).contains(config.dropout), (0...1).contains(config.convolutionDropout) else {
            throw GCNCheckpointError(description: "\(path): the dropout in its metadata is not in [0, 1]; the file is damaged")
        }
        guard !config.wlReadout || (0...maxWLIterations).contains(config.wlIterations) else {
            throw GCNCheckpointError(description: "\(path): its metadata asks for \(config.wlIterations) Weisfeiler-Lehman rounds, not 0…\(maxWLIterations); the file is damaged")
        }
        // No convolution is a model only with the input or WL readout; the WL readout's weight is D × W.
        let wl = config.wlReadout
        try requireSizes([config.inputFeatures, config.hidden, config.classes,
                          config.layers + (config.hasReadoutBesideConvolutions ? 1 : 0), config.heads,
                          wl ? config.wlBuckets : 1],
                         largest: [config.inputFeatures, config.hidden].map { Double($0) * Double(config.hidden) }
                             + [Double(config.hidden) * Double(config.classes), Double(config.layers),
                                wl ? Double(config.wlBuckets) * Double(config.hidden) : 0],
                         stored: stored, path: path)
    }

    /// The most WL refinement rounds a saved model may ask for (each is a pass over every node).
    static let maxWLIterations = 1_000

    /// Every size at least 1, and no weight matrix the configuration implies larger than all the
    /// stored values together (a hostile `hidden = 2^62` is refused before it is allocated).
    private static func requireSizes(_ sizes: [Int], largest: [Double], stored: Double, path: String) throws {
        guard sizes.allSatisfy({ $0 >= 1 }), largest.allSatisfy({ $0 <= stored }) else {
            throw GCNCheckpointError(description: "\(path): the model configuration in its metadata (sizes \(sizes)) does not match its \(Int(stored)) stored values; the file is damaged")
        }
    }

    /// Throws naming the first tensor that holds NaN or ±infinity, and how many such values it holds.
    public static func requireFinite(_ tensors: [(String, Tensor)], path: String) throws {
        for (name, t) in tensors {
            let p = t.pointer
            var bad = 0
            for i in 0..<t.count where !p[i].isFinite { bad += 1 }
            if bad > 0 {
                throw GCNCheckpointError(description: "\(path): tensor '\(name)' holds \(bad) non-finite value\(bad == 1 ? "" : "s") (NaN or infinity); the weights are unusable, retrain or use another checkpoint")
            }
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

/// A file that is not a usable slate-gcn model; the message says which and what to do.
public struct GCNCheckpointError: Error, CustomStringConvertible {
    public let description: String
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
