import XCTest
import Slate
import SlateRL
@testable import SlateRecommend

final class RidgePosteriorTests: XCTestCase {
    private func data(_ n: Int, _ d: Int, seed: UInt64) -> ([[Double]], [Double]) {
        var rng = RandomGenerator(seed: seed)
        let rows = (0..<n).map { _ in (0..<d).map { _ in rng.nextNormal() } }
        return (rows, rows.map { $0.reduce(0, +) * 0.7 + rng.nextNormal() })
    }

    /// θ̂ and xᵀA⁻¹x (hence the LinUCB score) equal closed-form ridge regression.
    func testLinUCBPosteriorEqualsClosedFormRidge() {
        let (rows, y) = data(40, 5, seed: 11)
        var posterior = RidgePosterior(dimension: 5, ridge: 2)
        for (x, r) in zip(rows, y) { posterior.add(x, reward: r) }
        posterior.factor()
        let naive = naiveRidge(rows, y, ridge: 2)
        for i in 0..<5 { XCTAssertEqual(posterior.mean[i], naive.theta[i], accuracy: 1e-10) }
        let x = [0.3, -1.2, 0.5, 2.0, -0.1]
        let quadratic = (0..<5).reduce(0.0) { s, i in s + x[i] * (0..<5).reduce(0) { $0 + naive.inverse[i][$1] * x[$1] } }
        XCTAssertEqual(posterior.variance(x), quadratic, accuracy: 1e-12)
        let mean = zip(naive.theta, x).reduce(0) { $0 + $1.0 * $1.1 }
        XCTAssertEqual(posterior.upperBound(x, alpha: 1.5), mean + 1.5 * quadratic.squareRoot(), accuracy: 1e-10)
        // Re-fitting from the same data gives the same posterior.
        var refit = RidgePosterior(dimension: 5, ridge: 2)
        refit.refit(contexts: rows, rewards: y)
        for i in 0..<5 { XCTAssertEqual(refit.mean[i], naive.theta[i], accuracy: 1e-10) }
    }

    /// Thompson draws are N(θ̂, ν²A⁻¹): their empirical mean and covariance match the closed form.
    func testThompsonSamplesHaveThePosteriorCovariance() {
        let (rows, y) = data(10, 3, seed: 5)
        var posterior = RidgePosterior(dimension: 3, ridge: 1)
        posterior.refit(contexts: rows, rewards: y)
        let naive = naiveRidge(rows, y, ridge: 1)
        var rng = RandomGenerator(seed: 9)
        let nu = 0.8, count = 40_000
        let draws = (0..<count).map { _ in posterior.sample(scale: nu, using: &rng) }
        for i in 0..<3 {
            let mean = draws.reduce(0) { $0 + $1[i] } / Double(count)
            XCTAssertEqual(mean, naive.theta[i], accuracy: 0.01)
            for j in 0..<3 {
                let cov = draws.reduce(0) { $0 + ($1[i] - naive.theta[i]) * ($1[j] - naive.theta[j]) } / Double(count)
                XCTAssertEqual(cov, nu * nu * naive.inverse[i][j], accuracy: 0.05 * nu * nu * naive.inverse[i][i] + 1e-4)
            }
        }
    }

    /// LinearDeployment learns the same posterior as the naive twin (with the intercept column).
    func testLinearDeploymentUpdatesItsPosteriorLikeRidge() {
        let (rows, y) = data(20, 3, seed: 2)
        let learner = LinearDeployment(name: "linucb", contexts: rows, exploration: .upperConfidence(alpha: 1), ridge: 1)
        for (i, r) in y.enumerated() { learner.update(node: i, reward: r) }
        let naive = naiveRidge(rows.map { $0 + [1] }, y, ridge: 1)
        for i in 0..<4 { XCTAssertEqual(learner.posterior.mean[i], naive.theta[i], accuracy: 1e-10) }
    }
}
