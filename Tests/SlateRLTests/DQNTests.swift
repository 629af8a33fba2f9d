import XCTest
import Slate
@testable import SlateRL

/// DQN pieces: the ε schedule, the replay buffer, and that a gradient step fits TD targets.
final class DQNTests: XCTestCase {
    func testEpsilonScheduleMatchesCleanRL() {
        let c = DQNConfig()   // 1 → 0.05 over 50% of the run
        XCTAssertEqual(c.epsilon(at: 0, totalSteps: 500_000), 1, accuracy: 1e-6)
        XCTAssertEqual(c.epsilon(at: 125_000, totalSteps: 500_000), 0.525, accuracy: 1e-5)
        XCTAssertEqual(c.epsilon(at: 250_000, totalSteps: 500_000), 0.05, accuracy: 1e-6)
        XCTAssertEqual(c.epsilon(at: 400_000, totalSteps: 500_000), 0.05, accuracy: 1e-6)
    }

    func testReplayBufferOverwritesOldestAndKeepsTransitionsTogether() {
        var buffer = ReplayBuffer(capacity: 3, observationSize: 2)
        for i in 0..<5 {   // transitions 0, 1 are overwritten by 3, 4
            let x = Float(i)
            buffer.add(observation: [x, x], nextObservation: [x + 0.5, x + 0.5], action: i % 2,
                       reward: 10 * x, terminated: i == 4)
        }
        XCTAssertEqual(buffer.count, 3)
        var rng = RandomGenerator(seed: 1)
        let batch = buffer.sample(64, generator: &rng)
        var seen = Set<Int>()
        for r in 0..<64 {
            let x = batch.observations[r, 0]
            let i = Int(x)
            seen.insert(i)
            XCTAssertTrue([2, 3, 4].contains(i), "transition \(i) should have been overwritten")
            XCTAssertEqual(batch.nextObservations[r, 1], x + 0.5)
            XCTAssertEqual(batch.actions[r], i % 2)
            XCTAssertEqual(batch.rewards[r], 10 * x)
            XCTAssertEqual(batch.terminated[r], i == 4)
        }
        XCTAssertEqual(seen, [2, 3, 4])
    }

    /// A one-step problem (every transition terminal, reward 1 for action 0 and 0 for action 1):
    /// the TD target is the reward itself, so repeated gradient steps drive the loss toward 0
    /// and the Q-values toward (1, 0).
    func testTrainStepFitsTerminalTargets() throws {
        var config = DQNConfig()
        config.learningRate = 1e-3
        config.batchSize = 32
        let trainer = try DQNTrainer(settings: RunSettings(environmentID: "CartPole-v1", totalSteps: 1, seed: 3),
                                     config: config)
        var buffer = ReplayBuffer(capacity: 256, observationSize: 4)
        var rng = RandomGenerator(seed: 5)
        for i in 0..<256 {
            let obs = (0..<4).map { _ in rng.nextFloat() * 0.1 - 0.05 }
            buffer.add(observation: obs, nextObservation: obs, action: i % 2, reward: i % 2 == 0 ? 1 : 0, terminated: true)
        }
        let first = trainer.trainStep(buffer: buffer).loss
        var last = first
        for _ in 0..<300 { last = trainer.trainStep(buffer: buffer).loss }
        XCTAssertLessThan(last, 0.05 * first, "loss \(first) -> \(last)")
        let q = trainer.greedyPolicy
        XCTAssertEqual(q.act(observation: [0, 0, 0, 0]), 0)
    }

    func testHardAndSoftTargetUpdates() throws {
        var rng = RandomGenerator(seed: 1)
        let a = QNetwork(observationSize: 4, actionCount: 2, generator: &rng)
        let b = QNetwork(observationSize: 4, actionCount: 2, generator: &rng)
        let before = b.parameters()[0].toArray(), source = a.parameters()[0].toArray()
        b.update(from: a, tau: 0.25)
        let soft = b.parameters()[0].toArray()
        for i in 0..<soft.count { XCTAssertEqual(soft[i], 0.25 * source[i] + 0.75 * before[i], accuracy: 1e-6) }
        b.update(from: a)
        XCTAssertEqual(b.parameters()[0].toArray(), source)
    }
}
