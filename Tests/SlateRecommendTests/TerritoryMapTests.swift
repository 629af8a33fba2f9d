import XCTest
import Slate
import SlateRL
@testable import SlateRecommend

/// Least squares by the normal equations and Gauss–Jordan elimination with partial pivoting:
/// the naive twin of `RidgePosterior` (`ridge` 0 for ordinary least squares).
func naiveRidge(_ rows: [[Double]], _ y: [Double], ridge: Double) -> (theta: [Double], inverse: [[Double]]) {
    let d = rows[0].count
    var a = (0..<d).map { i in (0..<d).map { j in rows.reduce(i == j ? ridge : 0) { $0 + $1[i] * $1[j] } } }
    var inv = (0..<d).map { i in (0..<d).map { Double($0 == i ? 1 : 0) } }
    for c in 0..<d {
        let p = (c..<d).max { abs(a[$0][c]) < abs(a[$1][c]) }!
        a.swapAt(c, p); inv.swapAt(c, p)
        let pivot = a[c][c]
        for j in 0..<d { a[c][j] /= pivot; inv[c][j] /= pivot }
        for r in 0..<d where r != c {
            let f = a[r][c]
            for j in 0..<d { a[r][j] -= f * a[c][j]; inv[r][j] -= f * inv[c][j] }
        }
    }
    let b = (0..<d).map { i in zip(rows, y).reduce(0) { $0 + $1.0[i] * $1.1 } }
    return ((0..<d).map { i in (0..<d).reduce(0) { $0 + inv[i][$1] * b[$1] } }, inv)
}

/// Share of the variance of `y` a least-squares fit on `rows` explains.
func rSquared(_ rows: [[Double]], _ y: [Double]) -> Double {
    let theta = naiveRidge(rows, y, ridge: 0).theta
    let mean = y.reduce(0, +) / Double(y.count)
    let residual = zip(rows, y).reduce(0) { s, p in
        let e = p.1 - zip(theta, p.0).reduce(0) { $0 + $1.0 * $1.1 }
        return s + e * e
    }
    return 1 - residual / y.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }
}

final class TerritoryMapTests: XCTestCase {
    /// Raw features leave most of the expected reward unexplained (R² < 0.25); adding the
    /// neighbours' mean features explains most of it (R² > 0.65): the reward really depends on the neighbourhood.
    func testRewardDependsOnTheNeighbourhood() {
        var rng = RandomGenerator(seed: 3)
        let map = TerritoryMap(nodes: 400, features: 6, noise: 0.5, using: &rng)
        let x = (0..<map.nodeCount).map { map.features($0) }
        let m = TerritoryMap.neighbourMeans(map.graph, x.flatMap { $0 })
        let raw = x.map { $0 + [1] }
        let withNeighbours: [[Double]] = (0..<map.nodeCount).map { (i: Int) -> [Double] in
            let own: [Double] = x[i]
            let neighbours: [Double] = Array(m[(i * 6)..<(i * 6 + 6)])
            return own + neighbours + [1.0]
        }
        let rawR2 = rSquared(raw, map.expectedReward)
        let fullR2 = rSquared(withNeighbours, map.expectedReward)
        // The neighbour term is b·max(z, 0), which a linear fit on m captures most of, not all.
        XCTAssertLessThan(rawR2, 0.25, "raw features must leave most of the reward unexplained")
        XCTAssertGreaterThan(fullR2, 0.65, "the neighbourhood mean must explain most of the rest")
        XCTAssertGreaterThan(fullR2 - rawR2, 0.5)
        XCTAssertEqual(map.bestReward, map.expectedReward.max()!)
    }

    /// The same seed draws the same map; the noise has the requested spread around μ.
    func testMapIsSeededAndNoiseHasItsSpread() {
        var a = RandomGenerator(seed: 7), b = RandomGenerator(seed: 7)
        let m1 = TerritoryMap(nodes: 50, features: 3, noise: 2, using: &a)
        let m2 = TerritoryMap(nodes: 50, features: 3, noise: 2, using: &b)
        XCTAssertEqual(m1.expectedReward, m2.expectedReward)
        XCTAssertEqual(m1.graph.neighbours, m2.graph.neighbours)
        XCTAssertGreaterThan(m1.graph.edgeCount, 0)
        var rng = RandomGenerator(seed: 1)
        let draws = (0..<20_000).map { _ in m1.deploy(4, using: &rng) - m1.expectedReward[4] }
        let mean = draws.reduce(0, +) / Double(draws.count)
        let std = (draws.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(draws.count)).squareRoot()
        XCTAssertEqual(mean, 0, accuracy: 0.05)
        XCTAssertEqual(std, 2, accuracy: 0.05)
    }
}
