import XCTest
@testable import SlateRL

/// GAE and returns on hand-made rollouts whose answers are worked out by hand.
final class AdvantageTests: XCTestCase {
    /// One env, three steps of reward 1 and value 0.5, the episode ending on the last step.
    /// With λ = 1, GAE gives Monte-Carlo returns: `G_2 = 1 + γ·bootstrap`, `G_1 = 1 + γ G_2`, ...
    private func threeStepEpisode(terminated: Bool, truncated: Bool) -> AdvantageEstimate {
        generalizedAdvantages(rewards: [1, 1, 1], values: [0.5, 0.5, 0.5],
                              terminated: [false, false, terminated], truncated: [false, false, truncated],
                              truncationValues: [0, 0, 10], lastValues: [99], numEnvs: 1,
                              gamma: 0.9, lambda: 1)
    }

    func testTruncatedEpisodeBootstrapsFromFinalObservationValue() {
        let est = threeStepEpisode(terminated: false, truncated: true)
        // G_2 = 1 + 0.9·10 = 10, G_1 = 1 + 0.9·10 = 10, G_0 = 10.  (lastValues' 99 must not leak in.)
        XCTAssertEqual(est.returns[2], 10, accuracy: 1e-5)
        XCTAssertEqual(est.returns[1], 10, accuracy: 1e-5)
        XCTAssertEqual(est.returns[0], 10, accuracy: 1e-5)
        XCTAssertEqual(est.advantages[0], 9.5, accuracy: 1e-5)
    }

    func testTerminatedEpisodeDoesNotBootstrap() {
        let est = threeStepEpisode(terminated: true, truncated: false)
        // G_2 = 1, G_1 = 1.9, G_0 = 2.71: the truncation value 10 is ignored.
        XCTAssertEqual(est.returns[2], 1, accuracy: 1e-5)
        XCTAssertEqual(est.returns[1], 1.9, accuracy: 1e-5)
        XCTAssertEqual(est.returns[0], 2.71, accuracy: 1e-5)
        XCTAssertEqual(est.advantages[2], 0.5, accuracy: 1e-5)
    }

    func testTerminatedAndTruncatedTogetherCountsAsTerminal() {
        let est = threeStepEpisode(terminated: true, truncated: true)
        XCTAssertEqual(est.returns[2], 1, accuracy: 1e-5)
    }

    func testRolloutEndBootstrapsFromLastValues() {
        let est = threeStepEpisode(terminated: false, truncated: false)
        // G_2 = 1 + 0.9·99 = 90.1
        XCTAssertEqual(est.returns[2], 90.1, accuracy: 1e-4)
        XCTAssertEqual(est.returns[0], 1 + 0.9 * (1 + 0.9 * 90.1), accuracy: 1e-3)
    }

    /// Two envs interleaved `(T, N)`; env 0 terminates at t = 0 and restarts, env 1 runs on.
    /// Checked against a direct evaluation of the GAE definition with λ < 1.
    func testTwoEnvsWithEpisodeBoundaryMatchesDefinition() {
        let gamma: Float = 0.99, lambda: Float = 0.95
        let rewards: [Float] = [1, 2, 3, 4]          // t0: (e0, e1), t1: (e0, e1)
        let values: [Float] = [0.1, 0.2, 0.3, 0.4]
        let est = generalizedAdvantages(rewards: rewards, values: values,
                                        terminated: [true, false, false, false],
                                        truncated: [false, false, false, false],
                                        truncationValues: [0, 0, 0, 0], lastValues: [5, 6], numEnvs: 2,
                                        gamma: gamma, lambda: lambda)
        // env 0: t1 δ = 3 + γ·5 − 0.3 ; t0 δ = 1 − 0.1 (terminal, chain cut)
        let d01 = 3 + gamma * 5 - 0.3
        XCTAssertEqual(est.advantages[2], d01, accuracy: 1e-5)
        XCTAssertEqual(est.advantages[0], 0.9, accuracy: 1e-5)
        // env 1: t1 δ = 4 + γ·6 − 0.4 ; t0 δ = 2 + γ·0.4 − 0.2, A0 = δ0 + γλ δ1
        let d11 = 4 + gamma * 6 - 0.4
        let d10 = 2 + gamma * 0.4 - 0.2
        XCTAssertEqual(est.advantages[3], d11, accuracy: 1e-4)
        XCTAssertEqual(est.advantages[1], d10 + gamma * lambda * d11, accuracy: 1e-4)
        for i in 0..<4 { XCTAssertEqual(est.returns[i], est.advantages[i] + values[i], accuracy: 1e-5) }
    }

    func testDiscountedReturnsWithBootstrap() {
        let g = discountedReturns(rewards: [1, 0, 2], gamma: 0.5, bootstrapValue: 4)
        // G2 = 2 + 0.5·4 = 4, G1 = 0 + 2 = 2, G0 = 1 + 1 = 2
        XCTAssertEqual(g, [2, 2, 4])
    }

    func testNormalizedHasZeroMeanUnitUnbiasedStd() {
        let x = normalized([1, 2, 3, 4, 10])
        let mean = x.reduce(0, +) / 5
        let variance = x.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / 4
        XCTAssertEqual(mean, 0, accuracy: 1e-6)
        XCTAssertEqual(variance, 1, accuracy: 1e-4)
    }
}
