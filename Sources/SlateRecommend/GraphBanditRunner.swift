import Foundation
import Slate
import SlateRL

/// The algorithms `slate gcn bandit` compares.
public enum GraphBanditKind: String, CaseIterable, Sendable {
    /// `RandomDeployment`.
    case random
    /// LinUCB on the raw node features (`LinearDeployment`).
    case linucb
    /// LinUCB on a GNN's embeddings (`NeuralLinearDeployment`).
    case gnnLinUCB = "gnn-linucb"
    /// Linear Thompson sampling on a GNN's embeddings (`NeuralLinearDeployment`).
    case gnnThompson = "gnn-thompson"
}

/// Everything one comparison needs: the maps to draw and the algorithms' settings.
public struct GraphBanditSettings: Sendable {
    public var nodes = 500
    public var features = 8
    public var noise = 0.5
    public var rounds = 1000
    public var runs = 10
    /// LinUCB's α, also the Thompson scale ν.
    public var alpha = 2.0
    /// Ridge λ of every linear posterior.
    public var ridge = 1.0
    public var encoder = EncoderSettings()
    /// Run `r` draws its map from `seed + r`.
    public var seed: UInt64 = 0
    public init() {}

    /// A fresh `kind` learner for `map`; `seed` drives its encoder's initial weights.
    public func make(_ kind: GraphBanditKind, map: TerritoryMap, seed: UInt64) -> any GraphBanditAlgorithm {
        switch kind {
        case .random: return RandomDeployment(nodes: map.nodeCount)
        case .linucb:
            return LinearDeployment(name: kind.rawValue, contexts: (0..<map.nodeCount).map(map.features),
                                    exploration: .upperConfidence(alpha: alpha), ridge: ridge)
        case .gnnLinUCB, .gnnThompson:
            let exploration: Exploration = kind == .gnnLinUCB ? .upperConfidence(alpha: alpha) : .thompson(scale: alpha)
            return NeuralLinearDeployment(name: kind.rawValue, map: map, settings: encoder,
                                          exploration: exploration, ridge: ridge, seed: seed)
        }
    }
}

/// One algorithm's result over all runs.
public struct GraphBanditCurve: Sendable {
    public let kind: GraphBanditKind
    /// Mean over runs of the cumulative pseudo-regret `Σₜ (max μ − μ_{aₜ})` after each round.
    public let cumulativeRegret: [Double]
    /// Each run's final cumulative regret.
    public let finalRegrets: [Double]

    /// Mean of `finalRegrets`.
    public var meanFinalRegret: Double { Statistics.mean(finalRegrets) }
    /// Sample standard deviation of `finalRegrets` (0 for one run).
    public var stdFinalRegret: Double { Statistics.standardDeviation(finalRegrets) }
}

/// Plays every algorithm on the same seeded maps and averages their regret curves.
public enum GraphBanditRunner {
    /// Runs `kinds` for `settings.runs` maps of `settings.rounds` rounds each. Run `r`, for every
    /// algorithm, plays the map drawn from `seed + r` with reward noise and choices drawn from
    /// a stream of its own, so the comparison is paired. `progress(run)` follows each run.
    public static func run(_ kinds: [GraphBanditKind], settings: GraphBanditSettings,
                           progress: (Int) -> Void = { _ in }) -> [GraphBanditCurve] {
        let (rounds, runs) = (settings.rounds, settings.runs)
        var sums = [[Double]](repeating: [Double](repeating: 0, count: rounds), count: kinds.count)
        var finals = [[Double]](repeating: [], count: kinds.count)
        for r in 0..<runs {
            let runSeed = settings.seed &+ UInt64(r)
            var mapRNG = RandomGenerator(seed: runSeed, for: .territoryMap)
            let map = TerritoryMap(nodes: settings.nodes, features: settings.features, noise: settings.noise, using: &mapRNG)
            for (k, kind) in kinds.enumerated() {
                let learner = settings.make(kind, map: map, seed: SeedPurpose.graphBanditLearner.seed(from: runSeed))
                var rng = RandomGenerator(seed: runSeed, for: .graphBanditPlay)
                var regret = 0.0
                for t in 0..<rounds {
                    let node = learner.select(using: &rng)
                    learner.update(node: node, reward: map.deploy(node, using: &rng))
                    regret += map.bestReward - map.expectedReward[node]
                    sums[k][t] += regret
                }
                finals[k].append(regret)
            }
            progress(r + 1)
        }
        return kinds.indices.map { k in
            GraphBanditCurve(kind: kinds[k], cumulativeRegret: sums[k].map { $0 / Double(runs) }, finalRegrets: finals[k])
        }
    }
}

extension SeedPurpose {
    /// The territory map of a graph-bandit run, from the run's seed `seed + r`.
    static let territoryMap = SeedPurpose("territory map") { runSeed, _ in runSeed }
    /// A learner's own draws (network initialisation, posterior samples) in a run.
    static let graphBanditLearner = SeedPurpose("graph bandit learner") { runSeed, _ in runSeed &* SplitMix64.increment &+ 1 }
    /// The deployments' rewards and the learners' choices in a run.
    static let graphBanditPlay = SeedPurpose("graph bandit play") { runSeed, _ in runSeed &+ 0x5EED_0000 }
}
