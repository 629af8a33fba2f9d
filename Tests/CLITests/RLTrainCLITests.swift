import Foundation
import XCTest

/// End-to-end `slate rl train` on tiny runs: outputs exist and are well-formed, and the saved
/// policy plays through `slate rl play --checkpoint`.
final class RLTrainCLITests: XCTestCase {
    func testTrainWritesOutputsAndPolicyPlays() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("slate-rltrain-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        for algo in ["ppo", "dqn", "reinforce"] {
            let out = dir.appendingPathComponent(algo)
            let run = try runSlate(["rl", "train", "--env", "CartPole-v1", "--algo", algo, "--total-steps", "3072",
                                    "--learning-starts", "500", "--eval-episodes", "3", "--seed", "2", "--out", out.path])
            XCTAssertEqual(run.status, 0, run.stderr)
            XCTAssertTrue(run.stdout.contains("algo = \(algo)") && run.stdout.contains("evaluation: mean return"), run.stdout)
            let summaryData = try Data(contentsOf: out.appendingPathComponent("summary.json"))
            let summary = try XCTUnwrap(JSONSerialization.jsonObject(with: summaryData) as? [String: Any])
            for key in ["eval_mean_return", "eval_std_return", "eval_episodes", "total_steps", "wall_seconds", "steps_per_sec"] {
                XCTAssertNotNil(summary[key], "summary.json lacks \(key)")
            }
            XCTAssertEqual(summary["eval_episodes"] as? Int, 3)
            XCTAssertGreaterThanOrEqual(summary["eval_mean_return"] as? Double ?? 0, 1)
            let episodes = try String(contentsOf: out.appendingPathComponent("episodes.csv"), encoding: .utf8)
            let lines = episodes.split(separator: "\n")
            XCTAssertEqual(lines[0], "global_step,charts/episodic_return,charts/episodic_length")
            XCTAssertGreaterThan(lines.count, 10)
            // One row per update, every column filled.
            let metrics = try String(contentsOf: out.appendingPathComponent("metrics.csv"), encoding: .utf8)
                .split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false) }
            XCTAssertEqual(metrics[0].prefix(2), ["global_step", "charts/update"])
            XCTAssertTrue(metrics[0].contains(algo == "dqn" ? "losses/td_loss" : "losses/policy_loss"), "\(metrics[0])")
            XCTAssertGreaterThan(metrics.count, 1, algo)
            XCTAssertTrue(metrics.allSatisfy { $0.count == metrics[0].count && !$0.contains("") }, "\(algo): a blank cell")
            let eval = try String(contentsOf: out.appendingPathComponent("eval.csv"), encoding: .utf8).split(separator: "\n")
            XCTAssertEqual(eval.count, 4, "header and three evaluation episodes")
            let svg = try String(contentsOf: out.appendingPathComponent("returns.svg"), encoding: .utf8)
            XCTAssertTrue(svg.hasPrefix("<svg"))
            let play = try runSlate(["rl", "play", "--episodes", "2",
                                     "--checkpoint", out.appendingPathComponent("policy.safetensors").path])
            XCTAssertEqual(play.status, 0, play.stderr)
            XCTAssertEqual(play.stdout.split(separator: "\n").filter { $0.hasPrefix("episode ") }.count, 2)
            XCTAssertTrue(play.stdout.contains("CartPole-v1: mean return"), "the env comes from the checkpoint")
        }
    }

    func testTrainRejectsBadArguments() throws {
        for args in [["--algo", "a2c"], ["--env", "Pong-v5"], ["--total-steps", "0"], ["--loss", "l1"],
                     ["--total-steps", "100"]] {   // less than one PPO rollout
            let run = try runSlate(["rl", "train", "--quiet", "--out", "/tmp/slate-never"] + args)
            XCTAssertNotEqual(run.status, 0, "\(args) should fail")
            XCTAssertFalse(run.stderr.isEmpty)
        }
    }
}
