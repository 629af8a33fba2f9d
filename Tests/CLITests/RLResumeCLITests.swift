import Foundation
import Slate
import XCTest

/// `slate rl train` is kill-safe and replayable: a PPO run SIGKILLed at random moments and
/// resumed each time ends with the same policy bytes, the same rows and recorded episodes (each once) and no stray
/// temporary files as an uninterrupted run; a run replayed from its config.toml gives the same
/// summary figures and weights.
final class RLResumeCLITests: XCTestCase {
    private var root: URL!

    override func setUpWithError() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("slate-rlresume-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: root)
    }

    /// Updates of 256 steps in the PPO run: 64, or 16 under emulation (SLATE_TEST_SCALE < 1).
    private let updates = (Double(ProcessInfo.processInfo.environment["SLATE_TEST_SCALE"] ?? "") ?? 1) < 1 ? 16 : 64

    /// A small PPO run: `updates` updates of 256 steps, a checkpoint every 4 updates.
    private var ppo: [String] {
        ["rl", "train", "--algo", "ppo", "--env", "CartPole-v1", "--total-steps", "\(256 * updates)",
         "--num-envs", "2", "--num-steps", "128", "--save-interval", "1024", "--eval-episodes", "2",
         "--seed", "3", "--threads", "1", "--capture-every", "3000", "--quiet"]
    }

    func testKilledAndResumedPPOEqualsUninterruptedRun() throws {
        try skipKillTestsUnderEmulation()
        let full = root.appendingPathComponent("full").path
        let done = try runSlate(ppo + ["--out", full])
        XCTAssertEqual(done.status, 0, done.stderr)

        let killed = root.appendingPathComponent("killed").path
        var generator = RandomGenerator(seed: 20_261_129)
        var kills = 0, attempts = 0
        while kills < 5 && attempts < 40 {
            attempts += 1
            let hasCheckpoint = FileManager.default.fileExists(atPath: killed + "/checkpoint.safetensors")
            let mode = hasCheckpoint ? ["--resume"] : ["--overwrite"]
            let delay = 0.05 + 0.6 * generator.nextDouble()
            if try runAndKill(ppo + ["--out", killed] + mode, after: delay) {
                kills += 1
            } else {
                try? FileManager.default.removeItem(atPath: killed)   // it finished first: start over
            }
        }
        XCTAssertGreaterThanOrEqual(kills, 5, "the run ended before five kills landed")
        let mode = FileManager.default.fileExists(atPath: killed + "/checkpoint.safetensors") ? "--resume" : "--overwrite"
        let finish = try runSlate(ppo + ["--out", killed, mode])
        XCTAssertEqual(finish.status, 0, finish.stderr)

        for file in ["policy.safetensors", "episodes.csv", "eval.csv"] {
            XCTAssertEqual(FileManager.default.contents(atPath: full + "/" + file),
                           FileManager.default.contents(atPath: killed + "/" + file), "\(file) differs after \(kills) kills")
        }
        let steps = { (dir: String) throws -> [String] in
            try String(contentsOfFile: dir + "/metrics.csv", encoding: .utf8).split(separator: "\n").dropFirst()
                .map { String($0.split(separator: ",")[0]) }
        }
        let fullSteps = try steps(full), killedSteps = try steps(killed)
        XCTAssertEqual(fullSteps.count, updates)
        XCTAssertEqual(killedSteps, fullSteps, "each update row once, in order")
        // The recorded episodes: each once, frame for frame those of the uninterrupted run.
        let videos = { (dir: String) throws -> [String] in try FileManager.default.contentsOfDirectory(atPath: dir + "/videos").sorted() }
        XCTAssertEqual(try videos(killed), try videos(full))
        XCTAssertEqual(try videos(full).count, 256 * updates / 3000)
        for name in try videos(full) {
            XCTAssertEqual(try AsciicastRecording(contentsOf: URL(fileURLWithPath: killed + "/videos/" + name)).frames,
                           try AsciicastRecording(contentsOf: URL(fileURLWithPath: full + "/videos/" + name)).frames, name)
        }
        let stray = try FileManager.default.contentsOfDirectory(atPath: killed).filter { $0.contains(".tmp-") }
        XCTAssertEqual(stray, [], "temporary files left behind")
    }

    func testReplayFromConfigTomlGivesSameFiguresAndWeights() throws {
        for (algo, extra) in [("ppo", ["--total-steps", "2048"]),
                              ("dqn", ["--total-steps", "1500", "--learning-starts", "500", "--hidden-sizes", "32,16"])] {
            let first = root.appendingPathComponent("\(algo)-first").path
            let replay = root.appendingPathComponent("\(algo)-replay").path
            let a = try runSlate(["rl", "train", "--algo", algo, "--seed", "7", "--eval-episodes", "3", "--threads", "1",
                                  "--gamma", "0.98", "--quiet", "--out", first] + extra)
            XCTAssertEqual(a.status, 0, a.stderr)
            let toml = try String(contentsOfFile: first + "/config.toml", encoding: .utf8)
            XCTAssertTrue(toml.contains("gamma = 0.98") && toml.contains("algo = \"\(algo)\""), toml)
            let b = try runSlate(["rl", "train", "--config", first + "/config.toml", "--out", replay, "--json"])
            XCTAssertEqual(b.status, 0, b.stderr)
            let summary = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(b.stdout.utf8)) as? [String: Any],
                                        "--json prints only the summary: \(b.stdout)")
            let original = try XCTUnwrap(JSONSerialization.jsonObject(
                with: Data(contentsOf: URL(fileURLWithPath: first + "/summary.json"))) as? [String: Any])
            for key in ["eval_mean_return", "eval_std_return", "total_steps", "training_episodes"] {
                XCTAssertEqual("\(summary[key] ?? "missing")", "\(original[key] ?? "missing")", "\(algo) \(key)")
            }
            XCTAssertEqual(FileManager.default.contents(atPath: first + "/policy.safetensors"),
                           FileManager.default.contents(atPath: replay + "/policy.safetensors"), "\(algo) weights")
        }
    }

    /// Starts `slate` and SIGKILLs it after `seconds`; true when the kill landed (it was running).
    private func runAndKill(_ arguments: [String], after seconds: Double) throws -> Bool {
        let process = try startSlate(arguments)
        Thread.sleep(forTimeInterval: seconds)
        let running = process.isRunning
        if running { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        return running && process.terminationReason == .uncaughtSignal
    }
}

/// The RL recipes in configs/ parse and a quick variant of each runs.
final class RLConfigsCLITests: XCTestCase {
    func testRLRecipesRunAsQuickVariants() throws {
        let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("slate-rlconfigs-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let quick: [String: [String]] = [
            "cartpole-ppo": ["rl", "train", "--total-steps", "512", "--eval-episodes", "1"],
            "acrobot-ppo": ["rl", "train", "--total-steps", "512", "--eval-episodes", "1"],
            "cartpole-dqn": ["rl", "train", "--total-steps", "600", "--learning-starts", "300", "--eval-episodes", "1"],
            "bandit-testbed": ["rl", "bandit", "--steps", "100", "--runs", "5"],
        ]
        for (name, command) in quick {
            let config = repo.appendingPathComponent("configs/\(name).toml").path
            let run = try runSlate(command + ["--config", config, "--quiet", "--out", root.appendingPathComponent(name).path])
            XCTAssertEqual(run.status, 0, "\(name): \(run.stderr)")
            let toml = try String(contentsOfFile: root.appendingPathComponent("\(name)/config.toml").path, encoding: .utf8)
            XCTAssertTrue(toml.contains("seed = "), "\(name): the written config.toml holds the resolved settings")
        }
    }
}
