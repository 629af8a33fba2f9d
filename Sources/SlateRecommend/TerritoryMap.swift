import Foundation
import Slate
import SlateGraph
import SlateRL

/// A map of territories: the environment of the graph contextual bandit.
///
/// `N` nodes are dropped uniformly in the unit square and joined when closer than `radius`
/// (a random geometric graph; `radius` is chosen for a mean degree of about `meanDegree`).
/// Node `i` carries features `xᵢ ~ N(0, I_F)`, drawn independently of the geometry. Its hidden
/// expected reward is
///
///     μᵢ = a · (u·xᵢ) + b · max(zᵢ, 0),   zᵢ = (v·mᵢ − mean) / std over nodes,
///
/// where `mᵢ = (1/|N(i)|) Σ_{j∈N(i)} xⱼ` is the mean of the neighbours' features, `u` and `v`
/// are random unit vectors and `a = 0.25`, `b = 1` by default (`z = 0` for an isolated node).
/// Since the features are independent across nodes, `xᵢ` alone carries no information about
/// `zᵢ`: a linear model on raw features explains at most the `a · u·xᵢ` part, and the rest
/// (most of the variance) needs the neighbourhood. Deploying to node `i` pays
/// `rᵢ = μᵢ + ε`, `ε ~ N(0, σ²)`; regret is measured against `max μ`.
public struct TerritoryMap: Sendable {
    /// The map; its features are the nodes' raw contexts `(N, F)`.
    public let graph: Graph
    /// Expected reward `μᵢ` of each node.
    public let expectedReward: [Double]
    /// Standard deviation `σ` of the reward noise.
    public let noise: Double
    /// `max μ`.
    public let bestReward: Double

    /// Draws a map from `rng`.
    /// - Parameters:
    ///   - nodes: `N ≥ 2`; features: `F ≥ 1`; `noise` σ ≥ 0.
    ///   - ownWeight, neighbourWeight: `a` and `b` of the reward.
    public init(nodes n: Int, features f: Int, noise: Double, meanDegree: Double = 8,
                ownWeight: Double = 0.25, neighbourWeight: Double = 1, using rng: inout RandomGenerator) {
        precondition(n >= 2 && f >= 1 && noise >= 0, "TerritoryMap needs N ≥ 2, F ≥ 1, σ ≥ 0")
        let points = (0..<n).map { _ in (rng.nextDouble(), rng.nextDouble()) }
        let radius = (meanDegree / (Double.pi * Double(n))).squareRoot()
        var edges: [(Int, Int)] = []
        for i in 0..<n {
            for j in (i + 1)..<n {
                let (dx, dy) = (points[i].0 - points[j].0, points[i].1 - points[j].1)
                if dx * dx + dy * dy < radius * radius { edges += [(i, j), (j, i)] }
            }
        }
        let x = (0..<(n * f)).map { _ in rng.nextNormal() }                              // (N, F)
        let u = Self.unitVector(f, &rng), v = Self.unitVector(f, &rng)
        graph = Graph(nodeCount: n, featureCount: f, features: x.map(Float.init), edges: edges)
        let neighbourMeans = Self.neighbourMeans(graph, x)                            // (N, F)
        let projected = (0..<n).map { i in (0..<f).reduce(0.0) { $0 + v[$1] * neighbourMeans[i * f + $1] } }
        let mean = Statistics.mean(projected)
        let std = max(Statistics.standardDeviation(projected, correction: 0), 1e-12)
        let degrees = graph.degrees
        expectedReward = (0..<n).map { i in
            let own = (0..<f).reduce(0.0) { $0 + u[$1] * x[i * f + $1] }
            let z = degrees[i] == 0 ? 0 : (projected[i] - mean) / std
            return ownWeight * own + neighbourWeight * max(z, 0)
        }
        self.noise = noise
        bestReward = expectedReward.max()!
    }

    /// Number of nodes (arms).
    public var nodeCount: Int { graph.nodeCount }

    /// The noisy reward of deploying to `node`.
    public func deploy(_ node: Int, using rng: inout RandomGenerator) -> Double {
        expectedReward[node] + (noise > 0 ? rng.nextNormal(mean: 0, std: noise) : 0)
    }

    /// Raw features of node `i` as `Double`s.
    public func features(_ i: Int) -> [Double] {
        let f = graph.featureCount
        return (0..<f).map { Double(graph.features[i * f + $0]) }
    }

    /// `mᵢ`, the mean of each node's neighbours' features (zeros for an isolated node). (N, F)
    public static func neighbourMeans(_ graph: Graph, _ x: [Double]) -> [Double] {
        let (n, f) = (graph.nodeCount, graph.featureCount)
        var m = [Double](repeating: 0, count: n * f)
        for i in 0..<n {
            let (lo, hi) = (Int(graph.rowStart[i]), Int(graph.rowStart[i + 1]))
            guard hi > lo else { continue }
            for e in lo..<hi {
                let j = Int(graph.neighbours[e])
                for k in 0..<f { m[i * f + k] += x[j * f + k] / Double(hi - lo) }
            }
        }
        return m
    }

    private static func unitVector(_ f: Int, _ rng: inout RandomGenerator) -> [Double] {
        var w = (0..<f).map { _ in rng.nextNormal() }
        let norm = max(w.reduce(0) { $0 + $1 * $1 }.squareRoot(), 1e-12)
        for k in w.indices { w[k] /= norm }
        return w
    }
}
