import Foundation
import XCTest

/// End-to-end runs of `slate rl play | bandit | speed` on tiny settings.
final class RLCLITests: XCTestCase {
    /// Through a pipe (not a terminal) `--render` prints plain frames: no ANSI escapes.
    func testPlayPrintsEpisodesAndPlainFramesWhenPiped() throws {
        let run = try runSlate(["rl", "play", "--env", "CartPole-v1", "--episodes", "2", "--seed", "3", "--render"])
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertFalse(run.stdout.contains("\u{1B}["), "no escape codes when stdout is not a terminal")
        XCTAssertTrue(run.stdout.contains("[==o==]"))
        let episodes = run.stdout.split(separator: "\n").filter { $0.hasPrefix("episode ") }
        XCTAssertEqual(episodes.count, 2)
        // A random CartPole episode of length L earns exactly L.
        for line in episodes {
            let numbers = line.split(whereSeparator: { !"0123456789.".contains($0) }).compactMap { Double($0) }
            XCTAssertEqual(numbers.count, 3, String(line))  // index, return, length
            XCTAssertEqual(numbers[1], numbers[2], String(line))
        }
        let frames = run.stdout.components(separatedBy: "CartPole-v1  step").count - 1
        let steps = episodes.reduce(0) { $0 + Int(Double($1.split(separator: " ").last!)!) }
        XCTAssertEqual(frames, steps + 2, "one frame per reset and per step")
    }

    func testPlayRejectsUnknownEnvironmentsAndMissingCheckpoints() throws {
        let unknown = try runSlate(["rl", "play", "--env", "Pong-v5"])
        XCTAssertNotEqual(unknown.status, 0)
        XCTAssertTrue(unknown.stderr.contains("CartPole-v1") && unknown.stderr.contains("Acrobot-v1"), unknown.stderr)
        let missing = try runSlate(["rl", "play", "--checkpoint", "/nonexistent/policy.safetensors"])
        XCTAssertNotEqual(missing.status, 0)
        XCTAssertTrue(missing.stderr.contains("no checkpoint"), missing.stderr)
        let badFPS = try runSlate(["rl", "play", "--fps", "0"])
        XCTAssertNotEqual(badFPS.status, 0)
    }

    func testBanditWritesRegretCurves() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("slate-bandit-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let run = try runSlate(["rl", "bandit", "--algo", "ucb", "--arms", "5", "--steps", "300", "--runs", "20",
                                "--out", dir.path])
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertTrue(run.stdout.contains("ucb1") && run.stdout.contains("cumulative regret"))
        let svg = try String(contentsOf: dir.appendingPathComponent("regret.svg"), encoding: .utf8)
        XCTAssertTrue(svg.hasPrefix("<svg") && svg.contains("ucb1") && svg.contains("eps-greedy"), "both curves are drawn")
        let csv = try String(contentsOf: dir.appendingPathComponent("metrics.csv"), encoding: .utf8)
        XCTAssertEqual(csv.split(separator: "\n").count, 301)
        let summary = try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("summary.json"))) as? [String: Any]
        XCTAssertEqual(summary?["command"] as? String, "bandit")
        XCTAssertNotNil(summary?["cumulative_regret"] as? Double)
        XCTAssertTrue(FileManager.default.fileExists(atPath: dir.appendingPathComponent("config.toml").path))
        let bad = try runSlate(["rl", "bandit", "--algo", "softmax"])
        XCTAssertNotEqual(bad.status, 0)
    }

    func testSpeedReportsStepsPerSecond() throws {
        let run = try runSlate(["rl", "speed", "--env", "MountainCar-v0", "--steps", "20000"])
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertEqual(run.stdout.components(separatedBy: "M steps/s").count - 1, 3)
    }
}
