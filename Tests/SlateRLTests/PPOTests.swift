import XCTest
import Slate
@testable import SlateRL

/// Short PPO runs: learning happens, runs are repeatable, bad configurations are refused.
final class PPOTests: XCTestCase {
    private func run(steps: Int, seed: UInt64) throws -> (first: [Double], last: [Double], trainer: PPOTrainer) {
        let trainer = try PPOTrainer(settings: RunSettings(environmentID: "CartPole-v1", totalSteps: steps, seed: seed))
        var returns: [Double] = []
        try trainer.train { event in
            if case .episode(_, let record) = event { returns.append(record.episodicReturn) }
        }
        return (Array(returns.prefix(20)), Array(returns.suffix(20)), trainer)
    }

    /// 20 rollouts (10 240 steps) with CleanRL's settings: the mean return of the last 20
    /// episodes at least doubles that of the first 20 (a random CartPole policy scores ~22).
    func testPPOImprovesCartPoleReturnInAShortRun() throws {
        let (first, last, trainer) = try run(steps: 10_240, seed: 1)
        let firstMean = first.reduce(0, +) / Double(first.count)
        let lastMean = last.reduce(0, +) / Double(last.count)
        XCTAssertLessThan(firstMean, 40, "an untrained policy should be near random")
        XCTAssertGreaterThan(lastMean, 2 * firstMean, "first \(firstMean), last \(lastMean)")
        let greedy = try evaluate(policy: trainer.greedyPolicy, environmentID: "CartPole-v1", episodes: 5, seed: 100)
        XCTAssertGreaterThan(returnStatistics(greedy).mean, firstMean)
    }

    func testSameSeedGivesSameRun() throws {
        let a = try run(steps: 1024, seed: 7), b = try run(steps: 1024, seed: 7)
        XCTAssertEqual(a.first, b.first)
        XCTAssertEqual(a.trainer.agent.actor.parameters()[0].toArray(), b.trainer.agent.actor.parameters()[0].toArray())
    }

    func testRejectsTooFewStepsAndIndivisibleMinibatches() {
        XCTAssertThrowsError(try PPOTrainer(settings: RunSettings(environmentID: "CartPole-v1", totalSteps: 100, seed: 1)))
        var config = PPOConfig()
        config.numMinibatches = 3
        XCTAssertThrowsError(try PPOTrainer(settings: RunSettings(environmentID: "CartPole-v1", totalSteps: 10_000, seed: 1), config: config))
        XCTAssertThrowsError(try PPOTrainer(settings: RunSettings(environmentID: "Nope-v0", totalSteps: 10_000, seed: 1)))
    }
}
