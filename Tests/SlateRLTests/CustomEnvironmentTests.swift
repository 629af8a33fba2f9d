import Slate
import XCTest
@testable import SlateRL

/// A user's own environment, handed to PPO, DQN and REINFORCE through an `EnvironmentSpec`.
///
/// CueMatch: each step one of two lights is on (the observation, one-hot); action `i` earns 1
/// when light `i` is on, 0 otherwise. Episodes last 10 steps, so the best return is 10 and a
/// policy that ignores the observation earns about 5.
final class CueMatch: Environment {
    let id = "CueMatch-v0"
    let observationSpace = BoxSpace(low: [0, 0], high: [1, 1])
    let actionSpace = DiscreteSpace(2)
    var maxEpisodeSteps: Int? { clock.maxEpisodeSteps }
    var elapsedSteps: Int { clock.elapsedSteps }
    private var clock = EpisodeClock(maxEpisodeSteps: 10)
    private var lit = 0

    func reset(seed: UInt64?, into observation: UnsafeMutableBufferPointer<Float>) -> StepInfo {
        clock.reset(seed: seed)
        draw(into: observation)
        return StepInfo()
    }

    func step(_ action: Int, into observation: UnsafeMutableBufferPointer<Float>) -> Transition {
        let reward: Double = action == lit ? 1 : 0
        let truncated = clock.tick()
        draw(into: observation)
        return Transition(reward: reward, terminated: false, truncated: truncated)
    }

    func render() -> String { lit == 0 ? "*." : ".*" }

    private func draw(into observation: UnsafeMutableBufferPointer<Float>) {
        lit = clock.rng.nextInt(2)
        observation[0] = lit == 0 ? 1 : 0
        observation[1] = lit == 1 ? 1 : 0
    }
}

final class CustomEnvironmentTests: XCTestCase {
    /// Counts the copies a trainer makes.
    final class Counter: @unchecked Sendable {
        private let lock = NSLock()
        private var value = 0
        func increment() { lock.lock(); value += 1; lock.unlock() }
        var count: Int { lock.lock(); defer { lock.unlock() }; return value }
    }

    func testSpecReadsSpacesFromTheEnvironment() throws {
        let spec = EnvironmentSpec(solvedThreshold: 9.5) { CueMatch() }
        XCTAssertEqual(spec.id, "CueMatch-v0")
        XCTAssertEqual(spec.observationSpace.flatDimension, 2)
        XCTAssertEqual(spec.actionSpace.n, 2)
        XCTAssertEqual(spec.maxEpisodeSteps, 10)
        XCTAssertEqual(spec.solvedThreshold, 9.5)
        // The built-in ids are specs too, with Gymnasium's thresholds.
        XCTAssertEqual(try EnvironmentSpec.builtIn("CartPole-v1").solvedThreshold, 475)
        XCTAssertEqual(try EnvironmentSpec.builtIn("CartPole-v1").observationSpace.flatDimension, 4)
        XCTAssertThrowsError(try EnvironmentSpec.builtIn("Nope-v0"))
    }

    func testPPOLearnsACustomEnvironment() throws {
        let made = Counter()
        let spec = EnvironmentSpec(solvedThreshold: 9.5) { made.increment(); return CueMatch() }
        var config = PPOConfig()
        config.numSteps = 32
        config.learningRate = 2.5e-3
        let settings = RunSettings(environment: spec, totalSteps: 8_192, seed: 1)
        let trainer = try PPOTrainer(settings: settings, config: config)
        XCTAssertEqual(made.count, 1 + config.numEnvs)            // the probe, then one per vector slot
        var returns: [Double] = []
        try trainer.train { if case .episode(_, let record) = $0 { returns.append(record.episodicReturn) } }
        let mean = { (r: ArraySlice<Double>) in r.reduce(0, +) / Double(r.count) }
        XCTAssertLessThan(mean(returns.prefix(20)), 7)            // sampling at random at first: about 5
        XCTAssertGreaterThanOrEqual(mean(returns.suffix(20)), 9)   // reads the light by the end
        let greedy = try evaluate(policy: trainer.greedyPolicy, environment: spec, episodes: 20, seed: 7)
        XCTAssertEqual(mean(greedy.map(\.episodicReturn)[...]), 10)
        XCTAssertEqual(trainer.greedyPolicy.environmentID, "CueMatch-v0")
    }

    func testDQNAndReinforceTrainOnACustomEnvironment() throws {
        let spec = EnvironmentSpec { CueMatch() }
        var dqn = DQNConfig()
        dqn.learningStarts = 50
        let dqnTrainer = try DQNTrainer(settings: RunSettings(environment: spec, totalSteps: 200, seed: 2), config: dqn)
        XCTAssertEqual(try dqnTrainer.train { _ in }, 200)
        let reinforce = try ReinforceTrainer(settings: RunSettings(environment: spec, totalSteps: 200, seed: 3))
        var episodes = 0
        try reinforce.train { if case .episode(_, let record) = $0 { episodes += 1; XCTAssertEqual(record.length, 10) } }
        XCTAssertGreaterThan(episodes, 0)
    }
}
