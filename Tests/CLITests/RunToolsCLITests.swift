import Foundation
import Slate
import XCTest

/// The tools around runs: `slate plot` overlays one metric of several runs, `slate runs compare`
/// puts their summaries side by side, `slate rl play --record` writes an asciicast that replays
/// the episode frame for frame, and `slate rl train --capture-every` records episodes that a
/// resume neither repeats nor loses.
final class RunToolsCLITests: XCTestCase {
    private var root: URL!

    override func setUpWithError() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("slate-runtools-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: root)
    }

    /// A short PPO run (4 updates of 512 steps) in `root/<name>`.
    private func train(_ name: String, seed: Int, extra: [String] = []) throws -> String {
        let out = root.appendingPathComponent(name).path
        let run = try runSlate(["rl", "train", "--total-steps", "2048", "--eval-episodes", "2", "--seed", "\(seed)",
                                "--threads", "1", "--quiet", "--out", out] + extra)
        XCTAssertEqual(run.status, 0, run.stderr)
        return out
    }

    func testPlotOverlaysRunsAndCompareTabulatesSummaries() throws {
        let a = try train("ppo-seed-1", seed: 1), b = try train("ppo-seed-2", seed: 2)
        let svgPath = root.appendingPathComponent("returns.svg").path
        let plot = try runSlate(["plot", a, b, "--metric", "charts/episodic_return", "--out", svgPath])
        XCTAssertEqual(plot.status, 0, plot.stderr)
        let svg = try String(contentsOfFile: svgPath, encoding: .utf8)
        XCTAssertEqual(svg.components(separatedBy: "<path").count - 1, 2, "one line per run")
        XCTAssertTrue(svg.contains(">ppo-seed-1</text>") && svg.contains(">ppo-seed-2</text>"), "legend by run name")
        XCTAssertTrue(svg.contains(">global step</text>"), "global step on x")
        // Without --metric: the episodic return, the first default both runs log.
        let defaulted = try runSlate(["plot", a, b, "--out", svgPath])
        XCTAssertTrue(defaulted.stdout.contains("charts/episodic_return"), defaulted.stdout)

        let compare = try runSlate(["runs", "compare", a, b])
        XCTAssertEqual(compare.status, 0, compare.stderr)
        let lines = compare.stdout.split(separator: "\n").map { $0.split(separator: " ").map(String.init) }
        XCTAssertEqual(lines.first, ["key", "ppo-seed-1", "ppo-seed-2"])
        let row = try XCTUnwrap(lines.first { $0.first == "eval_mean_return" })
        for (cell, dir) in zip(row.dropFirst(), [a, b]) {
            let summary = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/summary.json"))) as? [String: Any])
            let value = try XCTUnwrap(summary["eval_mean_return"] as? Double)
            XCTAssertEqual(try XCTUnwrap(Double(cell)), value, accuracy: abs(value) * 1e-3 + 1e-9)
        }
        XCTAssertEqual(lines.map { $0.first ?? "" }.prefix(3), ["key", "tool", "command"])
        let json = try runSlate(["runs", "compare", a, b, "--json"])
        let array = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]])
        XCTAssertEqual(array.map { $0["run"] as? String }, ["ppo-seed-1", "ppo-seed-2"])
        XCTAssertEqual((array[1]["summary"] as? [String: Any])?["seed"] as? Int, 2)

        try assertBadInputs([
            BadInputCase(arguments: ["plot", a, "--metric", "val/nonsense"], status: 64, message: "metrics available: charts/SPS"),
            BadInputCase(arguments: ["plot", a, root.appendingPathComponent("missing").path], status: 66, message: "no run directory at"),
            BadInputCase(arguments: ["plot"], status: 64, message: "at least one run directory"),
            BadInputCase(arguments: ["runs", "compare", a, root.path], status: 66, message: "has no summary.json"),
        ])
    }

    /// The Cora plot shows every seed (it showed their mean, one curve); `slate plot` of two runs
    /// logged per seed gives each run one colour and one legend entry.
    func testSeedsGetTheirOwnCurves() throws {
        var outs: [String] = []
        for (name, lr) in [("cora-a", "0.01"), ("cora-b", "0.005")] {
            let out = root.appendingPathComponent(name).path
            let run = try runSlate(["gcn", "train", "--dataset", "cora", "--seeds", "2", "--epochs", "5", "--learning-rate", lr,
                                    "--threads", "1", "--quiet", "--out", out], environment: gcnDataEnvironment)
            XCTAssertEqual(run.status, 0, run.stderr)
            outs.append(out)
        }
        let accuracy = try String(contentsOfFile: outs[0] + "/accuracy.svg", encoding: .utf8)
        XCTAssertTrue(accuracy.contains(">seed 1</text>") && accuracy.contains(">seed 2</text>"), "one curve per seed")
        XCTAssertEqual(accuracy.components(separatedBy: "<path").count - 1, 2)
        XCTAssertEqual(accuracy.components(separatedBy: "<circle").count - 1, 2 + 1, "each seed's last test accuracy, and its legend dot")

        let svgPath = root.appendingPathComponent("cora.svg").path
        let plot = try runSlate(["plot"] + outs + ["--metric", "val/accuracy", "--out", svgPath])
        XCTAssertEqual(plot.status, 0, plot.stderr)
        let svg = try String(contentsOfFile: svgPath, encoding: .utf8)
        XCTAssertEqual(svg.components(separatedBy: "<path").count - 1, 4, "two seeds of two runs")
        XCTAssertTrue(svg.contains(">cora-a (2 seeds)</text>") && svg.contains(">cora-b (2 seeds)</text>"), svg)
        let colors = svg.components(separatedBy: "<path").dropFirst().map { $0.components(separatedBy: "stroke=\"")[1].prefix(7) }
        XCTAssertEqual(colors[0], colors[1])
        XCTAssertEqual(colors[2], colors[3])
        XCTAssertNotEqual(colors[0], colors[2])
        // Per-seed figures of a summary compare as one cell per run: "0.81,0.82".
        let compare = try runSlate(["runs", "compare"] + outs)
        let perSeed = try XCTUnwrap(compare.stdout.split(separator: "\n").first { $0.hasPrefix("per_seed ") })
        let cells = perSeed.split(separator: " ").dropFirst()
        XCTAssertEqual(cells.count, 2, String(perSeed))
        XCTAssertTrue(cells.allSatisfy { $0.split(separator: ",").compactMap { Double($0) }.count == 2 }, String(perSeed))
    }

    /// `rl play --record` against `rl play --render` (the environment's renderer printing each
    /// frame) for the same seed and random policy: the same frames, episode after episode.
    func testPlayRecordReplaysEpisodesFrameForFrame() throws {
        let cast = root.appendingPathComponent("play.cast").path
        let args = ["rl", "play", "--env", "CartPole-v1", "--episodes", "2", "--seed", "9"]
        let recorded = try runSlate(args + ["--record", cast])
        XCTAssertEqual(recorded.status, 0, recorded.stderr)
        let rendered = try runSlate(args + ["--render"])
        XCTAssertEqual(rendered.status, 0, rendered.stderr)

        let replay = try AsciicastRecording(contentsOf: URL(fileURLWithPath: cast))
        XCTAssertEqual(replay.version, 2)
        XCTAssertTrue(replay.title?.contains("CartPole-v1") ?? false)
        XCTAssertTrue(replay.events.allSatisfy { $0.code == "o" })
        // Each episode: the reset's frame and one per step.
        let lengths = rendered.stdout.split(separator: "\n").filter { $0.hasPrefix("episode ") }
            .compactMap { $0.components(separatedBy: "length ").last.flatMap { Int($0) } }
        XCTAssertEqual(lengths.count, 2)
        XCTAssertEqual(replay.frames.count, lengths.reduce(0) { $0 + $1 + 1 })
        // --render on a pipe prints each frame then a blank line, and a line after each episode.
        let printedFrames = rendered.stdout.split(separator: "\n", omittingEmptySubsequences: false)
            .filter { !$0.hasPrefix("episode ") && !$0.contains("mean return") }.joined(separator: "\n")
        XCTAssertEqual(printedFrames.trimmingCharacters(in: .newlines),
                       replay.frames.map { $0 + "\n\n" }.joined().trimmingCharacters(in: .newlines))
    }

    /// Captures at the first boundary past each multiple of --capture-every; resuming a run
    /// removes recordings past its checkpoint (a killed process's) and makes them again.
    func testCaptureEveryRecordsEpisodesOnceAcrossResume() throws {
        let out = try train("captured", seed: 4, extra: ["--capture-every", "1000"])
        let videos = URL(fileURLWithPath: out).appendingPathComponent("videos")
        let names = try FileManager.default.contentsOfDirectory(atPath: videos.path).sorted()
        XCTAssertEqual(names, ["step-001024.cast", "step-002048.cast"], "PPO's boundaries are 512 steps apart")
        var before: [String: [String]] = [:]
        for name in names {
            let replay = try AsciicastRecording(contentsOf: videos.appendingPathComponent(name))
            XCTAssertEqual(replay.version, 2)
            XCTAssertGreaterThan(replay.frames.count, 1)
            XCTAssertTrue(replay.title?.contains("step \(Int(name.dropFirst(5).prefix(6))!)") ?? false, replay.title ?? "")
            before[name] = replay.frames
        }
        // A recording past the checkpoint, as a process killed after it would leave, goes on resume.
        let stray = videos.appendingPathComponent("step-003072.cast")
        try "torn".write(to: stray, atomically: true, encoding: .utf8)
        let resumed = try runSlate(["rl", "train", "--total-steps", "2048", "--eval-episodes", "2", "--seed", "4", "--threads", "1",
                                    "--quiet", "--capture-every", "1000", "--resume", "--out", out])
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: videos.path).sorted(), names)
        for name in names {
            XCTAssertEqual(try AsciicastRecording(contentsOf: videos.appendingPathComponent(name)).frames, before[name])
        }
        try assertBadInputs([BadInputCase(arguments: ["rl", "train", "--capture-every", "0"], status: 64, message: "--capture-every")])
    }
}
