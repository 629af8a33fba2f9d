import XCTest
import Slate
@testable import SlateRL

final class BanditTests: XCTestCase {
    let steps = 2000, runs = 200

    func testbed(_ make: @escaping (Int, UInt64) -> any BanditAlgorithm) -> BanditCurves {
        BanditRunner.run(steps: steps, runs: runs, seed: 1,
                         makeProblem: { GaussianBandit(k: 10, using: &$0) }, makeAlgorithm: make)
    }

    /// Regret added in the second half of the run over regret added in the first half:
    /// ~1 for linear regret, well below 1 for logarithmic.
    func secondHalfRatio(_ c: BanditCurves) -> Double {
        let half = c.cumulativeRegret[steps / 2 - 1]
        return (c.finalRegret - half) / half
    }

    /// UCB1 and Thompson sampling have sublinear regret on the 10-armed testbed; ε-greedy's grows
    /// linearly (it keeps exploring 10% of the time), so theirs end up far below it.
    func testUCBAndThompsonRegretIsSublinearAndBelowEpsilonGreedy() {
        let greedy = testbed { k, _ in EpsilonGreedy(k: k, epsilon: 0.1) }
        let ucb = testbed { k, _ in UCB1(k: k) }
        let thompson = testbed { k, _ in GaussianThompson(k: k) }
        XCTAssertGreaterThan(secondHalfRatio(greedy), 0.6, "ε-greedy keeps paying ~ε × gap per step")
        XCTAssertLessThan(secondHalfRatio(ucb), 0.45)
        XCTAssertLessThan(secondHalfRatio(thompson), 0.45)
        XCTAssertLessThan(ucb.finalRegret, 0.75 * greedy.finalRegret)
        XCTAssertLessThan(thompson.finalRegret, 0.75 * greedy.finalRegret)
        // Sutton & Barto fig. 2.2: ε = 0.1 reaches ~1.4 mean reward per step after ~1000 steps.
        let late = greedy.meanReward[1000...].reduce(0, +) / Double(steps - 1000)
        XCTAssertEqual(late, 1.4, accuracy: 0.1)
        // The reward curve and the regret curve tell the same story: E[r] = μ* − regret per step.
        XCTAssertGreaterThan(thompson.optimalActionRate.last!, 0.8)
    }

    func testBetaThompsonOnBernoulliArmsFindsTheBestArm() {
        let curves = BanditRunner.run(steps: steps, runs: 100, seed: 3,
                                      makeProblem: { BernoulliBandit(k: 10, using: &$0) },
                                      makeAlgorithm: { k, seed in BernoulliThompson(k: k, seed: seed) })
        let greedy = BanditRunner.run(steps: steps, runs: 100, seed: 3,
                                      makeProblem: { BernoulliBandit(k: 10, using: &$0) },
                                      makeAlgorithm: { k, _ in EpsilonGreedy(k: k, epsilon: 0.1) })
        XCTAssertLessThan(secondHalfRatio(curves), 0.5)
        XCTAssertLessThan(curves.finalRegret, greedy.finalRegret)
    }

    func testLinUCBBeatsEpsilonGreedyOnTheContextualBandit() {
        func run(_ make: @escaping (LinearContextualBandit, UInt64) -> any ContextualBanditAlgorithm) -> BanditCurves {
            BanditRunner.runContextual(steps: 1500, runs: 30, seed: 5,
                                       makeProblem: { LinearContextualBandit(k: 5, dimension: 5, using: &$0) },
                                       makeAlgorithm: make)
        }
        let lin = run { p, _ in LinUCB(k: p.k, dimension: p.dimension, alpha: 0.5) }
        let greedy = run { p, _ in ContextFree(EpsilonGreedy(k: p.k, epsilon: 0.1)) }
        let linearGreedy = run { p, _ in LinearEpsilonGreedy(k: p.k, dimension: p.dimension, epsilon: 0.1) }
        XCTAssertLessThan(lin.finalRegret, 0.3 * greedy.finalRegret, "context-free ε-greedy cannot see the context")
        XCTAssertLessThan(lin.finalRegret, 0.7 * linearGreedy.finalRegret, "same model, directed exploration")
        XCTAssertGreaterThan(lin.averageReward, linearGreedy.averageReward)
        XCTAssertGreaterThan(lin.optimalActionRate[1400...].reduce(0, +) / 100, 0.85)
    }

    /// Sherman–Morrison keeps LinUCB's A⁻¹ equal to a direct inverse: with one arm and orthogonal
    /// contexts, θ̂ is the ridge solution and the bonus is α/√(1+n) along each pulled axis.
    func testLinUCBScoresMatchTheRidgeSolution() {
        let lin = LinUCB(k: 1, dimension: 2, alpha: 2, ridge: 1)
        lin.update(arm: 0, context: [1, 0], reward: 3)
        lin.update(arm: 0, context: [1, 0], reward: 1)
        lin.update(arm: 0, context: [0, 1], reward: 2)
        // A = diag(3, 2), b = (4, 2): θ̂ = (4/3, 1); bonus along x = 2/√3, along y = 2/√2.
        XCTAssertEqual(lin.score(0, context: [1, 0]), 4.0 / 3 + 2 / 3.0.squareRoot(), accuracy: 1e-12)
        XCTAssertEqual(lin.score(0, context: [0, 1]), 1 + 2 / 2.0.squareRoot(), accuracy: 1e-12)
    }

    func testGaussianThompsonPosteriorIsConjugate() {
        let ts = GaussianThompson(k: 1, rewardVariance: 4, priorMean: 1, priorVariance: 2)
        for r in [3.0, 5.0] { ts.update(arm: 0, reward: r) }
        // precision 1/2 + 2/4 = 1; mean = (1/2 + 8/4) / 1 = 2.5
        XCTAssertEqual(ts.posterior(0).variance, 1, accuracy: 1e-12)
        XCTAssertEqual(ts.posterior(0).mean, 2.5, accuracy: 1e-12)
    }

    func testSamplersMatchTheirMoments() {
        var rng = RandomGenerator(seed: 9)
        let n = 40000
        let normals = (0..<n).map { _ in rng.nextNormal() }
        let mean = normals.reduce(0, +) / Double(n)
        XCTAssertEqual(mean, 0, accuracy: 0.02)
        XCTAssertEqual(normals.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(n), 1, accuracy: 0.03)
        let betas = (0..<n).map { _ in rng.beta(2, 5) }
        XCTAssertEqual(betas.reduce(0, +) / Double(n), 2.0 / 7, accuracy: 0.005)  // a / (a + b)
        let gammas = (0..<n).map { _ in rng.gamma(shape: 0.5) }
        XCTAssertEqual(gammas.reduce(0, +) / Double(n), 0.5, accuracy: 0.02)
        let uniforms = (0..<n).map { _ in rng.uniform(-0.05, 0.05) }
        XCTAssertTrue(uniforms.allSatisfy { $0 >= -0.05 && $0 < 0.05 })
    }
}
