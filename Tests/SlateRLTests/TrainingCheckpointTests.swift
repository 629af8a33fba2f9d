import Foundation
import XCTest
import Slate
@testable import SlateRL

/// A trainer stopped at a boundary, saved, loaded into a fresh trainer and continued ends with
/// exactly the weights of one that never stopped; bad configurations and divergence are refused.
final class TrainingCheckpointTests: XCTestCase {
    private func makeTrainer(_ algo: Algorithm, steps: Int, learningRate: Float? = nil) throws -> Trainer {
        let settings = RunSettings(environmentID: "CartPole-v1", totalSteps: steps, seed: 5)
        switch algo {
        case .ppo:
            var c = PPOConfig()
            (c.numEnvs, c.numSteps) = (2, 64)
            if let learningRate { c.learningRate = learningRate }
            return try PPOTrainer(settings: settings, config: c)
        case .dqn:
            var c = DQNConfig()
            (c.learningStarts, c.bufferSize, c.targetNetworkFrequency) = (200, 500, 100)
            if let learningRate { c.learningRate = learningRate }
            return try DQNTrainer(settings: settings, config: c)
        case .reinforce:
            var c = ReinforceConfig()
            c.episodesPerUpdate = 2
            if let learningRate { c.learningRate = learningRate }
            return try ReinforceTrainer(settings: settings, config: c)
        }
    }

    private func weights(_ trainer: Trainer) -> [Float] {
        trainer.checkpointModule.parameters().flatMap { $0.toArray() }
    }

    /// Thrown from the event handler to stop a run at a boundary.
    private struct Stop: Error {}

    func testResumedTrainerMatchesUninterruptedOne() throws {
        for algo in Algorithm.allCases {
            let steps = 2048
            let whole = try makeTrainer(algo, steps: steps)
            try whole.train { _ in }

            let first = try makeTrainer(algo, steps: steps)
            var saved: TrainingCheckpoint?
            var boundaries = 0
            do {
                try first.train { event in
                    guard case .boundary(let step, _) = event, step >= steps / 2 else { return }
                    boundaries += 1
                    saved = try first.checkpoint()
                    throw Stop()
                }
            } catch is Stop {}
            let url = FileManager.default.temporaryDirectory.appendingPathComponent("slate-ckpt-\(UUID().uuidString).safetensors")
            defer { try? FileManager.default.removeItem(at: url) }
            try XCTUnwrap(saved, "\(algo): no boundary after half the run").write(to: url)

            let second = try makeTrainer(algo, steps: steps)
            try second.restore(from: TrainingCheckpoint(contentsOf: url))
            XCTAssertEqual(second.globalStep, first.globalStep, "\(algo)")
            try second.train { _ in }
            XCTAssertEqual(weights(second), weights(whole), "\(algo): resumed weights differ")
            XCTAssertNotEqual(weights(second), weights(try makeTrainer(algo, steps: steps)), "\(algo): training changed nothing")
        }
    }

    func testCheckpointOfAnotherArchitectureIsRefusedByName() throws {
        let ppo = try makeTrainer(.ppo, steps: 256)
        let checkpoint = try ppo.checkpoint()
        var config = PPOConfig()
        (config.numEnvs, config.numSteps, config.hiddenSizes) = (2, 64, [32])
        let other = try PPOTrainer(settings: RunSettings(environmentID: "CartPole-v1", totalSteps: 256, seed: 5), config: config)
        XCTAssertThrowsError(try other.restore(from: checkpoint)) { error in
            XCTAssertTrue("\(error)".contains("--hidden-sizes 64,64"), "\(error)")
        }
        XCTAssertThrowsError(try makeTrainer(.dqn, steps: 256).restore(from: checkpoint)) { error in
            XCTAssertTrue("\(error)".contains("--algo"), "\(error)")
        }
    }

    func testNonFiniteLossStopsNamingTheUpdate() throws {
        for algo in Algorithm.allCases {
            let trainer = try makeTrainer(algo, steps: 4096, learningRate: 1e30)
            XCTAssertThrowsError(try trainer.train { _ in }, "\(algo)") { error in
                let diverged = error as? TrainingDivergedError
                XCTAssertNotNil(diverged, "\(algo): \(error)")
                XCTAssertTrue(diverged?.position.hasPrefix("update ") == true, "\(algo): \(error)")
            }
        }
    }

    func testConfigurationsRefuseNonFiniteValuesAndHugeSizes() {
        var dqn = DQNConfig()
        dqn.bufferSize = 1_000_000_000_000
        XCTAssertThrowsError(try dqn.validate(totalSteps: 1000, observationSize: 4, actionCount: 2)) { error in
            XCTAssertTrue("\(error)".contains("--buffer-size 1000000000000") && "\(error)".contains("this machine has"), "\(error)")
        }
        var ppo = PPOConfig()
        ppo.gamma = .nan
        XCTAssertThrowsError(try ppo.validate(totalSteps: 1000, observationSize: 4, actionCount: 2))
        ppo = PPOConfig()
        (ppo.numEnvs, ppo.numSteps) = (Int.max / 2, 4)
        XCTAssertThrowsError(try ppo.validate(totalSteps: 1000, observationSize: 4, actionCount: 2)) { error in
            XCTAssertTrue("\(error)".contains("overflows"), "\(error)")
        }
        var reinforce = ReinforceConfig()
        reinforce.maxGradNorm = .infinity
        XCTAssertThrowsError(try reinforce.validate(totalSteps: 1000, observationSize: 4, actionCount: 2))
    }
}
