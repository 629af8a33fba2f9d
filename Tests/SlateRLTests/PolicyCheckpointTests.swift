import Foundation
import XCTest
import Slate
@testable import SlateRL

/// Policy checkpoints round-trip through `loadPolicy`, and bad files are refused with a reason.
final class PolicyCheckpointTests: XCTestCase {
    private var dir: URL!

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("slate-policy-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    private func observations(_ n: Int, seed: UInt64) -> [[Float]] {
        var rng = RandomGenerator(seed: seed)
        return (0..<n).map { _ in (0..<4).map { _ in rng.nextFloat() * 2 - 1 } }
    }

    func testPPOAndDQNPoliciesRoundTripThroughLoadPolicy() throws {
        let settings = RunSettings(environmentID: "CartPole-v1", totalSteps: 512, seed: 4)
        var ppoConfig = PPOConfig()
        ppoConfig.hiddenSizes = [8, 8]
        let trainers: [Trainer] = [try PPOTrainer(settings: settings, config: ppoConfig), try DQNTrainer(settings: settings)]
        for trainer in trainers {
            // Make the greedy choice depend on the input: redraw the output layer (from a local
            // generator, so the outcome does not depend on which tests ran before) until the
            // policy picks both actions over the probe observations.
            let original = trainer.greedyPolicy
            let probes = observations(200, seed: 9)
            var rng = RandomGenerator(seed: 42)
            for _ in 0..<20 where Set(probes.map { original.act(observation: $0) }).count < 2 {
                Init.normal(original.network.linears.last!.weight, std: 1, generator: &rng)
            }
            let url = dir.appendingPathComponent("\(original.algorithm).safetensors")
            try PolicyCheckpoint.write(module: trainer.checkpointModule, policy: original, to: url)
            let loaded = try loadPolicy(checkpoint: url.path, for: try makeEnvironment(id: "CartPole-v1"))
            let restored = try XCTUnwrap(loaded as? GreedyNetworkPolicy)
            XCTAssertEqual(restored.algorithm, original.algorithm)
            XCTAssertEqual(restored.hiddenSizes, original.hiddenSizes)
            var actions = Set<Int>()
            for obs in probes {
                XCTAssertEqual(restored.act(observation: obs), original.act(observation: obs))
                actions.insert(original.act(observation: obs))
            }
            XCTAssertEqual(actions.count, 2, "the test needs a policy that uses both actions")
        }
    }

    func testRefusesWrongEnvironmentForeignFilesAndGarbage() throws {
        let trainer = try PPOTrainer(settings: RunSettings(environmentID: "CartPole-v1", totalSteps: 512, seed: 1))
        let url = dir.appendingPathComponent("policy.safetensors")
        try PolicyCheckpoint.write(module: trainer.checkpointModule, policy: trainer.greedyPolicy, to: url)
        XCTAssertThrowsError(try loadPolicy(checkpoint: url.path, for: try makeEnvironment(id: "Acrobot-v1"))) {
            XCTAssertTrue("\($0)".contains("--env CartPole-v1"), "\($0)")
        }
        let foreign = dir.appendingPathComponent("foreign.safetensors")
        try SafeTensors.write([("w", Tensor.zeros([2]))], metadata: ["format": "pt"], to: foreign)
        XCTAssertThrowsError(try PolicyCheckpoint.load(from: foreign))
        let garbage = dir.appendingPathComponent("garbage.safetensors")
        try Data("not a safetensors file".utf8).write(to: garbage)
        XCTAssertThrowsError(try PolicyCheckpoint.load(from: garbage))
    }
}
