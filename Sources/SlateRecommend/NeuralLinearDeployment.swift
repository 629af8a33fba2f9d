import Slate
import SlateGraph
import SlateRL

/// The encoder of a neural-linear graph bandit.
public struct EncoderSettings: Sendable {
    /// Convolution kind of every layer.
    public var conv: ConvKind = .sage
    /// Number of convolutions (each followed by ReLU).
    public var layers = 2
    /// Width of every convolution's output: the embedding dimension.
    public var hidden = 16
    /// Adam's learning rate.
    public var learningRate: Float = 0.01
    /// Train the encoder after every `updateInterval` observations.
    public var updateInterval = 25
    /// Adam steps per encoder update.
    public var stepsPerUpdate = 30
    public init() {}
}

/// Neural-linear contextual bandit on a graph (Riquelme, Tucker & Snoek 2018, with a GNN body).
///
/// A GNN `f_w` maps the map's raw features `X (N, F)` to embeddings `H = f_w(X, A) (N, h)`
/// (convolutions, each followed by ReLU); a linear head `H wₒ + bₒ` predicts each node's reward.
/// Every `updateInterval` rounds the encoder and head take `stepsPerUpdate` Adam steps on the
/// MSE over all observed `(node, reward)` pairs; the embeddings are then recomputed and the
/// linear posterior (`RidgePosterior` over `[Hᵢ, 1]`) is re-fit on every observation so far.
/// Between updates the posterior is updated online and LinUCB or Thompson sampling chooses.
/// Because each embedding aggregates a node's neighbourhood, the posterior can learn what the
/// raw features cannot: rewards that depend on the neighbours.
public final class NeuralLinearDeployment: GraphBanditAlgorithm {
    public let name: String
    public let settings: EncoderSettings
    public let exploration: Exploration
    private let convolutions: [GraphConvolution]
    private let head: Linear
    private let optimizer: Adam
    private let features: Tensor
    private let adjacency: [AdjacencyKind: SparseMatrix]
    private var generator: RandomGenerator
    private var observedNodes: [Int] = []
    private var observedRewards: [Double] = []
    /// Current embeddings with a constant 1 appended, one row per node.
    public private(set) var contexts: [[Double]] = []
    public private(set) var posterior: RidgePosterior

    /// A freshly initialised encoder over `map`, its weights drawn from `seed`.
    public init(name: String, map: TerritoryMap, settings: EncoderSettings, exploration: Exploration,
                ridge: Double = 1, seed: UInt64) {
        self.name = name
        self.settings = settings
        self.exploration = exploration
        generator = RandomGenerator(seed: seed)
        let graph = map.graph
        var layers: [GraphConvolution] = []
        var width = graph.featureCount
        for _ in 0..<settings.layers {
            layers.append(settings.conv.make(width, settings.hidden, generator: &generator))
            width = layers.last!.outputFeatures
        }
        convolutions = layers
        head = Linear(inFeatures: width, outFeatures: 1, generator: &generator)
        features = Tensor(graph.features, shape: [graph.nodeCount, graph.featureCount])
        var matrices: [AdjacencyKind: SparseMatrix] = [:]
        for layer in layers where matrices[layer.adjacencyKind] == nil {
            matrices[layer.adjacencyKind] = graph.adjacency(layer.adjacencyKind)
        }
        adjacency = matrices
        optimizer = Adam(layers.flatMap { $0.parameters() } + head.parameters(), learningRate: settings.learningRate)
        posterior = RidgePosterior(dimension: width + 1, ridge: ridge)
        contexts = embed()
    }

    /// `H = f_w(X, A)`: (N, F) -> (N, hidden).
    private func encode() -> Tensor {
        var h = features
        for layer in convolutions {
            h = layer.forward(h, adjacency: adjacency[layer.adjacencyKind]!, generator: &generator).relu()
        }
        return h
    }

    /// The current embeddings as contexts `[Hᵢ, 1]`.
    private func embed() -> [[Double]] {
        let h = withNoGrad { encode() }
        let width = h.shape[1]
        return (0..<h.shape[0]).map { i in (0..<width).map { Double(h.data[i * width + $0]) } + [1] }
    }

    /// `stepsPerUpdate` Adam steps on the MSE of the head's predictions at the observed nodes.
    private func trainEncoder() {
        let target = Tensor(observedRewards.map(Float.init), shape: [observedRewards.count, 1])
        for _ in 0..<settings.stepsPerUpdate {
            optimizer.zeroGrad()
            let prediction = head(encode()).rows(observedNodes)                 // (N, 1) -> (n, 1)
            mseLoss(prediction, target).backward()
            optimizer.step()
        }
    }

    public func select(using rng: inout RandomGenerator) -> Int { exploration.choose(contexts, posterior, using: &rng) }

    public func update(node: Int, reward: Double) {
        observedNodes.append(node)
        observedRewards.append(reward)
        if observedNodes.count % settings.updateInterval == 0 {
            trainEncoder()
            contexts = embed()
            posterior.refit(contexts: observedNodes.map { contexts[$0] }, rewards: observedRewards)
        } else {
            posterior.add(contexts[node], reward: reward)
            posterior.factor()
        }
    }
}
