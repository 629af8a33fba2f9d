import Foundation
import Slate
import XCTest
@testable import SlateRL

/// An episode recorded as asciicast v2 replays frame for frame: the frames read back from the
/// file equal those of the environment's renderer stepped by hand with the same seed and policy.
final class EpisodeRecordingTests: XCTestCase {
    func testRecordedCartPoleEpisodeReplaysFrameForFrame() throws {
        let seed: UInt64 = 11, policySeed: UInt64 = 5
        // Record through runEpisode's per-step callback, as `slate rl play --record` does.
        let env = CartPole()
        var frames: [String] = []
        let record = runEpisode(env, policy: RandomPolicy(actionSpace: env.actionSpace, seed: policySeed), seed: seed) { _ in
            frames.append(env.render())
        }
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("slate-episode-\(UUID().uuidString).cast")
        defer { try? FileManager.default.removeItem(at: url) }
        try AsciicastWriter.write(frames: frames, to: url, fps: 30, title: "CartPole-v1")

        // The same episode stepped by hand in a fresh environment.
        let twin = CartPole(), policy = RandomPolicy(actionSpace: twin.actionSpace, seed: policySeed)
        var observation = twin.reset(seed: seed).observation
        var expected = [twin.render()]
        while true {
            let result = twin.step(policy.act(observation: observation))
            expected.append(twin.render())
            if result.done { break }
            observation = result.observation
        }

        let replay = try AsciicastRecording(contentsOf: url)
        XCTAssertEqual(replay.version, 2)
        XCTAssertEqual(replay.events.count, record.length + 1, "the reset's frame, then one per step")
        XCTAssertEqual(replay.frames, expected)
        XCTAssertGreaterThan(Set(expected).count, 5, "the cart moves")
        XCTAssertEqual(replay.height, expected.map { $0.split(separator: "\n", omittingEmptySubsequences: false).count }.max())
    }
}
