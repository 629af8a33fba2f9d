import Foundation
import XCTest

/// `slate sweep`: a grid ranked by its metric with each run's own figures, reproducible random
/// trials, failures recorded without stopping the sweep, resuming a killed sweep, and bad files.
final class SweepCLITests: XCTestCase {
    private let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    /// A few MUTAG epochs (fewer under emulation).
    private var epochs: Int {
        let scale = Double(ProcessInfo.processInfo.environment["SLATE_TEST_SCALE"] ?? "") ?? 1
        return scale < 1 ? 1 : 3
    }

    /// The top of a sweep file over `gcn train` ranked by mean accuracy.
    private let gcnHead = "command = \"gcn train\"\nmetric = \"accuracy_mean\"\ngoal = \"maximize\"\n"

    private func write(_ text: String, _ name: String, in dir: URL) throws -> String {
        let path = dir.appendingPathComponent(name).path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// leaderboard.csv as rows of cells, header first (RFC 4180 quotes: run names hold commas).
    private func leaderboard(_ dir: URL) throws -> [[String]] {
        try String(contentsOf: dir.appendingPathComponent("leaderboard.csv"), encoding: .utf8).split(separator: "\n").map { line in
            var cells = [""], quoted = false, previous: Character = " "
            for ch in line {
                if ch == "\"" { quoted.toggle(); if quoted && previous == "\"" { cells[cells.count - 1].append(ch) } }
                else if ch == ",", !quoted { cells.append("") }
                else { cells[cells.count - 1].append(ch) }
                previous = ch
            }
            return cells
        }
    }

    private func summary(_ dir: URL) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("summary.json"))) as! [String: Any]
    }

    func testGridOfLearningRatesAndSeedsIsRankedByTheMetricOfEachSummary() throws {
        let root = try gcnTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let file = try write(gcnHead + """
            [base]
            dataset = "MUTAG"
            folds = 3
            epochs = \(epochs)
            hidden = 16
            [grid]
            learning_rate = [0.001, 0.05]
            seed = [0, 1]
            """, "lr-seed.toml", in: root)
        let out = root.appendingPathComponent("sweep")
        let run = try runSlate(["sweep", file, "--out", out.path, "--threads", "1"], environment: gcnDataEnvironment)
        XCTAssertEqual(run.status, 0, run.stderr + run.stdout)
        XCTAssertEqual(try String(contentsOfFile: out.appendingPathComponent("sweep.toml").path, encoding: .utf8),
                       try String(contentsOfFile: file, encoding: .utf8), "the sweep file is kept with the runs")

        let rows = try leaderboard(out)
        let header = rows[0]
        XCTAssertEqual(Array(header.prefix(5)), ["rank", "run", "learning_rate", "seed", "accuracy_mean"])
        XCTAssertEqual(rows.count, 5, "\(rows)")
        let names = ["learning_rate=0.001,seed=0", "learning_rate=0.001,seed=1", "learning_rate=0.05,seed=0", "learning_rate=0.05,seed=1"]
        XCTAssertEqual(Set(rows.dropFirst().map { $0[1] }), Set(names))
        var previous = Double.infinity
        for (i, row) in rows.dropFirst().enumerated() {
            let runDir = out.appendingPathComponent(row[1])
            let figures = try summary(runDir)
            let metric = try XCTUnwrap(Double(row[4]), "\(row)")
            XCTAssertEqual(metric, figures["accuracy_mean"] as? Double, "\(row[1]): the leaderboard holds its summary's value")
            XCTAssertEqual(Double(row[header.firstIndex(of: "accuracy_std")!]), figures["accuracy_std"] as? Double)
            XCTAssertLessThanOrEqual(metric, previous, "ranked best first")
            previous = metric
            XCTAssertEqual(row[0], String(i + 1))
            XCTAssertEqual(row[row.count - 2], "ok")
            // The run trained with the settings its name says, and kept its full outputs.
            let config = try String(contentsOf: runDir.appendingPathComponent("config.toml"), encoding: .utf8)
            XCTAssertTrue(config.contains("learning_rate = \(row[2])\n") && config.contains("seed = \(row[3])\n") && config.contains("threads = 1\n"),
                          "\(row[1]): \(config)")
            for name in ["metrics.csv", "eval.csv", "model.safetensors", "output.log", "run.toml"] {
                XCTAssertTrue(FileManager.default.fileExists(atPath: runDir.appendingPathComponent(name).path), "\(row[1]) lacks \(name)")
            }
        }
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("leaderboard.json"))) as! [String: Any]
        XCTAssertEqual((json["runs"] as? [[String: Any]])?.first?["run"] as? String, rows[1][1])
        XCTAssertTrue(try String(contentsOf: out.appendingPathComponent("leaderboard.md"), encoding: .utf8).contains("| 1 | \(rows[1][1]) |"))

        // Every number gcn train writes to summary.json can rank a sweep (the sweep's key table is complete).
        let numeric = try summary(out.appendingPathComponent(names[0])).filter { $0.value is NSNumber }.keys.sorted()
        try assertEveryKeyIsAMetric(numeric, command: "gcn train", base: "dataset = \"MUTAG\"", grid: "layers = [2]", in: root)
    }

    /// A dry run with each key as the metric is accepted.
    private func assertEveryKeyIsAMetric(_ keys: [String], command: String, base: String, grid: String, in root: URL) throws {
        XCTAssertFalse(keys.isEmpty)
        for key in keys {
            let file = try write("command = \"\(command)\"\nmetric = \"\(key)\"\ngoal = \"minimize\"\n[base]\n\(base)\n[grid]\n\(grid)\n",
                                 "keys.toml", in: root)
            let dry = try runSlate(["sweep", file, "--dry-run", "--out", root.appendingPathComponent("none").path], environment: gcnDataEnvironment)
            XCTAssertEqual(dry.status, 0, "\(command): summary key \(key): \(dry.stderr)")
        }
    }

    func testRandomTrialsAreReproducibleFromTheSeedAndStayInTheirRanges() throws {
        let root = try gcnTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        func trials(seed: Int) throws -> [[String: Any]] {
            let file = try write("""
                command = "rl train"
                metric = "eval_mean_return"
                goal = "maximize"
                seed = \(seed)
                [base]
                total_steps = 1000
                [random]
                trials = 200
                learning_rate = { log_uniform = [1e-4, 1e-2] }
                num_steps = { uniform = [16, 64] }
                clip_coef = { uniform = [0.1, 0.3] }
                algo = { choice = ["ppo", "reinforce"] }
                """, "random.toml", in: root)
            let dry = try runSlate(["sweep", file, "--dry-run", "--json", "--out", root.appendingPathComponent("none").path])
            XCTAssertEqual(dry.status, 0, dry.stderr)
            return try JSONSerialization.jsonObject(with: Data(dry.stdout.utf8)) as! [[String: Any]]
        }
        let a = try trials(seed: 7), b = try trials(seed: 7), c = try trials(seed: 8)
        XCTAssertEqual(a.count, 200)
        XCTAssertEqual(a.map { $0["run"] as! String }, b.map { $0["run"] as! String }, "the same seed draws the same trials")
        XCTAssertNotEqual(a.map { $0["run"] as! String }, c.map { $0["run"] as! String }, "another seed draws others")
        let settings = a.map { $0["settings"] as! [String: Any] }
        let rates = settings.map { $0["learning_rate"] as! Double }
        XCTAssertTrue(rates.allSatisfy { (1e-4...1e-2).contains($0) }, "log-uniform within its bounds: \(rates.min()!)...\(rates.max()!)")
        // Log-uniform: half the draws below the geometric midpoint 1e-3 (a uniform draw would put 9 % there).
        let below = Double(rates.filter { $0 < 1e-3 }.count) / Double(rates.count)
        XCTAssertEqual(below, 0.5, accuracy: 0.12)
        XCTAssertTrue(rates.contains { $0 < 3e-4 } && rates.contains { $0 > 3e-3 })
        let steps = settings.map { $0["num_steps"] as! Int }
        XCTAssertTrue(steps.allSatisfy { (16...64).contains($0) } && steps.contains(16) && steps.contains(64), "integer bounds are inclusive")
        XCTAssertTrue(settings.allSatisfy { (0.1...0.3).contains($0["clip_coef"] as! Double) })
        XCTAssertEqual(Set(settings.map { $0["algo"] as! String }), ["ppo", "reinforce"])
        XCTAssertEqual(settings[0]["total_steps"] as? Int, 1000, "[base] reaches every run")
        XCTAssertTrue((a[0]["run"] as! String).hasPrefix("001-learning_rate="), a[0]["run"] as! String)
    }

    func testFailedRunIsRecordedAndTheOthersStillRun() throws {
        let root = try gcnTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let file = try write(gcnHead + """
            [base]
            folds = 3
            epochs = 1
            [grid]
            dataset = ["NO_SUCH_SET", "MUTAG"]
            """, "failing.toml", in: root)
        let out = root.appendingPathComponent("sweep")
        let run = try runSlate(["sweep", file, "--out", out.path, "--threads", "1"], environment: gcnDataEnvironment)
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertTrue(run.stdout.contains("1 of 2 runs failed"), run.stdout)
        let rows = try leaderboard(out)
        XCTAssertEqual(rows.count, 3)
        XCTAssertEqual(Array(rows[1].prefix(3)), ["1", "dataset=MUTAG", "MUTAG"], "the run after the failure ran and ranks")
        XCTAssertEqual(rows[2][0], "", "a failed run has no rank")
        XCTAssertEqual(rows[2][rows[2].count - 2], "failed")
        XCTAssertTrue(rows[2].last!.contains("NO_SUCH_SET"), "its error is recorded: \(rows[2])")
        let status = try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("dataset=NO_SUCH_SET/sweep-status.json"))) as! [String: Any]
        XCTAssertEqual(status["status"] as? String, "failed")
        XCTAssertEqual(status["exit_status"] as? Int, 66)

        // A resumed sweep keeps the failure (and reruns it on request).
        let again = try runSlate(["sweep", "--resume", "--out", out.path], environment: gcnDataEnvironment)
        XCTAssertEqual(again.status, 0, again.stderr)
        XCTAssertTrue(again.stdout.contains("2 of 2 runs were done before"), again.stdout)
        let retried = try runSlate(["sweep", "--resume", "--retry-failed", "--out", out.path], environment: gcnDataEnvironment)
        XCTAssertTrue(retried.stdout.contains("[2/2] dataset=NO_SUCH_SET: failed"), retried.stdout)
    }

    func testKilledSweepResumesWithoutRerunningFinishedRuns() throws {
        try skipKillTestsUnderEmulation()
        let root = try gcnTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let file = try write("""
            command = "rl train"
            metric = "eval_mean_return"
            goal = "maximize"
            [base]
            total_steps = 6000
            save_interval = 1000
            eval_episodes = 2
            [grid]
            seed = [1, 2, 3, 4, 5]
            """, "kill.toml", in: root)
        let out = root.appendingPathComponent("sweep")
        let names = (1...5).map { "seed=\($0)" }
        func finished() -> [String] {
            names.filter { FileManager.default.fileExists(atPath: out.appendingPathComponent("\($0)/summary.json").path) }
        }
        // Stop the sweep (SIGTERM, as `kill` does) once two runs are done; start over if it finished first.
        var stopped = false
        for _ in 0..<5 where !stopped {
            try? FileManager.default.removeItem(at: out)
            let sweep = try startSlate(["sweep", file, "--out", out.path, "--threads", "1"])
            while sweep.isRunning && finished().count < 2 { usleep(2_000) }
            if sweep.isRunning { kill(sweep.processIdentifier, SIGTERM) }
            sweep.waitUntilExit()
            stopped = sweep.terminationStatus == 128 + SIGTERM && finished().count < names.count
        }
        try XCTSkipUnless(stopped, "the sweep always finished before the kill landed")
        let done = finished()
        let stamps = try done.map { try FileManager.default.attributesOfItem(atPath: out.appendingPathComponent("\($0)/summary.json").path)[.modificationDate] as! Date }

        let resumed = try runSlate(["sweep", file, "--resume", "--out", out.path, "--threads", "1"])
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
        XCTAssertEqual(finished(), names, "every run finished")
        for (name, stamp) in zip(done, stamps) {
            let now = try FileManager.default.attributesOfItem(atPath: out.appendingPathComponent("\(name)/summary.json").path)[.modificationDate] as! Date
            XCTAssertEqual(now, stamp, "\(name) finished before the kill and was not run again")
            XCTAssertFalse(resumed.stdout.contains("] \(name):"), "\(name) reported as run again: \(resumed.stdout)")
        }
        let rows = try leaderboard(out)
        XCTAssertEqual(rows.count, 6)
        for row in rows.dropFirst() {
            XCTAssertEqual(Double(row[3]), try summary(out.appendingPathComponent(row[1]))["eval_mean_return"] as? Double, row[1])
        }
        let numeric = try summary(out.appendingPathComponent(names[0])).filter { $0.value is NSNumber }.keys.sorted()
        try assertEveryKeyIsAMetric(numeric, command: "rl train", base: "total_steps = 1000", grid: "seed = [1]", in: root)
    }

    func testExampleSweepsPlanTheirRuns() throws {
        let expected = ["gpt-lr-warmup": 9, "ppo-ent-clip": 9, "gcn-pool-layers": 16, "ppo-random": 12]
        for (name, count) in expected {
            let path = repo.appendingPathComponent("configs/sweeps/\(name).toml").path
            let dry = try runSlate(["sweep", path, "--dry-run", "--json"], environment: gcnDataEnvironment)
            XCTAssertEqual(dry.status, 0, "\(name): \(dry.stderr)")
            XCTAssertEqual((try? JSONSerialization.jsonObject(with: Data(dry.stdout.utf8)) as? [Any])?.count, count, name)
        }
        let help = try runSlate(["sweep", "--help"])
        XCTAssertTrue(help.stdout.contains("EXAMPLES:\n  slate sweep "), help.stdout)
    }

    func testBadSweepFilesAndFlagsGiveOneErrorLine() throws {
        let root = try gcnTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let head = gcnHead
        func sweep(_ text: String) throws -> String { try write(text, "s\(UUID().uuidString.prefix(8)).toml", in: root) }
        let out = root.appendingPathComponent("out").path
        let good = try sweep(head + "[base]\ndataset = \"MUTAG\"\n[grid]\nlayers = [2, 3]\n")
        let busy = root.appendingPathComponent("busy")
        try FileManager.default.createDirectory(at: busy, withIntermediateDirectories: true)
        try "".write(to: busy.appendingPathComponent("sweep.toml"), atomically: true, encoding: .utf8)
        let cases: [BadInputCase] = [
            BadInputCase(arguments: ["sweep", root.appendingPathComponent("missing.toml").path, "--out", out], status: 66, message: "cannot read"),
            BadInputCase(arguments: ["sweep", try sweep(head.replacingOccurrences(of: "accuracy_mean", with: "accuracy")
                                                        + "[base]\ndataset = \"MUTAG\"\n[grid]\nlayers = [2]\n"), "--out", out],
                         status: 64, message: "accuracy is not a key in gcn train's summary.json; use one of: accuracy_mean"),
            BadInputCase(arguments: ["sweep", try sweep(head.replacingOccurrences(of: "accuracy_mean", with: "dataset")
                                                        + "[grid]\nlayers = [2]\n"), "--out", out], status: 64, message: "dataset is not a number"),
            BadInputCase(arguments: ["sweep", try sweep(head.replacingOccurrences(of: "maximize", with: "max") + "[grid]\nlayers = [2]\n"), "--out", out],
                         status: 64, message: "goal = max must be"),
            BadInputCase(arguments: ["sweep", try sweep("command = \"gpt sample\"\n"), "--out", out], status: 64, message: "is not a trainer"),
            BadInputCase(arguments: ["sweep", try sweep(head + "[base]\ndataset = \"MUTAG\"\n"), "--out", out], status: 64, message: "nothing to sweep"),
            BadInputCase(arguments: ["sweep", try sweep(head + "[grid]\nlayers = 3\n"), "--out", out], status: 64, message: ":5: [grid] layers must be a non-empty list"),
            BadInputCase(arguments: ["sweep", try sweep(head + "[grid]\nlayers = [2]\n[random]\ntrials = 2\n"), "--out", out], status: 64, message: "either [grid] or [random]"),
            BadInputCase(arguments: ["sweep", try sweep(head + "[grid]\nlayers = [2, 3, 2]\n"), "--out", out], status: 64, message: "layers lists 2 twice"),
            BadInputCase(arguments: ["sweep", try sweep(head + "[random]\ntrials = 2\nlearning_rate = { log_uniform = [0, 1] }\n"), "--out", out],
                         status: 64, message: "log_uniform needs 0 < lo"),
            BadInputCase(arguments: ["sweep", try sweep(head + "[random]\ntrials = 2\nlearning_rate = { normal = [0, 1] }\n"), "--out", out],
                         status: 64, message: "unknown range 'normal'"),
            BadInputCase(arguments: ["sweep", try sweep(head + "[random]\nlearning_rate = { uniform = [0.1, 0.01] }\n"), "--out", out],
                         status: 64, message: "needs trials = N"),
            BadInputCase(arguments: ["sweep", try sweep(head + "[base]\ndataset = \"MUTAG\"\nlerning_rate = 0.1\n[grid]\nlayers = [2]\n"), "--out", out],
                         status: 64, message: "unknown key 'lerning_rate'"),
            BadInputCase(arguments: ["sweep", try sweep(head + "[base]\ndataset = \"MUTAG\"\n[grid]\npool = [\"sum\", \"avg\"]\n"), "--out", out],
                         status: 64, message: "run pool=avg is not a valid `slate gcn train`"),
            BadInputCase(arguments: ["sweep", try sweep(head + "[base]\nout = \"x\"\n[grid]\nlayers = [2]\n"), "--out", out], status: 64, message: "cannot set out"),
            BadInputCase(arguments: ["sweep", try sweep(head + "trials = 3\n[grid]\nlayers = [2]\n"), "--out", out], status: 64, message: "unknown sweep key 'trials'"),
            BadInputCase(arguments: ["sweep", good, "--out", busy.path], status: 73, message: "already holds a sweep; pass --resume"),
            BadInputCase(arguments: ["sweep", "--resume", "--out", out], status: 66, message: "nothing to resume"),
            BadInputCase(arguments: ["sweep", good, "--parallel", "0"], status: 64, message: "--parallel must be in 1...256"),
            BadInputCase(arguments: ["sweep", "--out", out], status: 64, message: "name a sweep file"),
        ]
        try assertBadInputs(cases, environment: gcnDataEnvironment)
    }
}
