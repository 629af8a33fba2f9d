import Foundation
import Slate
import XCTest

/// `slate gcn train` is kill-safe and replayable: a run SIGKILLed at random moments and resumed
/// ends with the same checkpoint bytes, model bytes, summary figures and metrics rows as a run
/// never stopped; `--config <out>/config.toml` replays a run exactly.
final class GCNResumeCLITests: XCTestCase {
    /// A small MUTAG run of 2-model ensembles with a checkpoint every 2 epochs (about a second on
    /// one thread): kills land inside and between members.
    private let flags = ["gcn", "train", "--dataset", "MUTAG", "--folds", "3", "--epochs", "24", "--hidden", "16",
                         "--ensemble", "2", "--checkpoint-every", "2", "--threads", "1", "--quiet"]

    func testKilledAndResumedRunEqualsUninterruptedRun() throws {
        try skipKillTestsUnderEmulation()
        let root = try gcnTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let reference = root.appendingPathComponent("reference"), killed = root.appendingPathComponent("killed")
        let started = Date()
        let clean = try runSlate(flags + ["--out", reference.path], environment: gcnDataEnvironment)
        XCTAssertEqual(clean.status, 0, clean.stderr)
        let duration = Date().timeIntervalSince(started)

        // SIGKILL at 3 moments drawn from a seeded generator, restarting as a user would:
        // --resume when a checkpoint exists, --overwrite when the kill came before the first one.
        var generator = RandomGenerator(seed: 2024)
        var kills = 0
        for round in 0..<3 {
            let hasCheckpoint = FileManager.default.fileExists(atPath: killed.appendingPathComponent("checkpoint.safetensors").path)
            let restart = round == 0 ? [] : hasCheckpoint ? ["--resume", "--config", killed.appendingPathComponent("config.toml").path]
                                                         : ["--overwrite"]
            let delay = 0.05 + generator.nextDouble() * max(duration * 0.9, 0.1)
            if try runAndKill(flags + restart + ["--out", killed.path], after: delay) { kills += 1 }
        }
        XCTAssertGreaterThanOrEqual(kills, 1, "no kill landed while the run was working")
        let hasCheckpoint = FileManager.default.fileExists(atPath: killed.appendingPathComponent("checkpoint.safetensors").path)
        let finish = try runSlate(flags + (hasCheckpoint ? ["--resume"] : ["--overwrite"]) + ["--out", killed.path],
                                  environment: gcnDataEnvironment)
        XCTAssertEqual(finish.status, 0, finish.stderr)

        for name in ["checkpoint.safetensors", "model.safetensors", "eval.csv", "config.toml"] {
            XCTAssertEqual(try Data(contentsOf: reference.appendingPathComponent(name)),
                           try Data(contentsOf: killed.appendingPathComponent(name)), "\(name) differs after kill and resume")
        }
        let a = try summary(reference), b = try summary(killed)
        for key in ["accuracy_mean", "accuracy_std", "per_fold", "epochs", "best_fold", "member_accuracies", "member_epochs",
                    "validation_mean", "per_fold_validation"] {
            XCTAssertEqual("\(a[key] ?? "missing")", "\(b[key] ?? "missing")", key)
        }
        // metrics.csv: the same rows (all but the timing column), each step once.
        let rowsA = try trainingRows(reference), rowsB = try trainingRows(killed)
        XCTAssertEqual(rowsA, rowsB)
        XCTAssertEqual(rowsB.count, 3 * 2 * 24)
        XCTAssertEqual(Set(rowsB.map { $0[0] + "," + $0[1] }).count, rowsB.count, "a metrics row appears twice")
        // No stray (temporary) files; the same folders (a TensorBoard run per fold). Event files are
        // named by their creation time, and a resumed run adds one per session.
        let files = { (dir: URL) in
            try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { !$0.hasPrefix("events.out.tfevents.") }.sorted()
        }
        XCTAssertEqual(try files(killed), try files(reference))
        XCTAssertEqual(try files(reference).filter { $0.hasPrefix("fold-") }, ["fold-1", "fold-2", "fold-3"])
    }

    func testReplayFromConfigTomlGivesTheSameRun() throws {
        let root = try gcnTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let first = root.appendingPathComponent("first"), replay = root.appendingPathComponent("replay")
        let run = try runSlate(["gcn", "train", "--dataset", "MUTAG", "--folds", "3", "--epochs", "8", "--hidden", "24",
                                "--pool", "mean", "--learning-rate", "0.02", "--lr-decay-step-size", "3", "--lr-decay-factor", "0.7",
                                "--dropout", "0.3", "--batch-size", "16", "--seed", "7", "--ensemble", "2", "--weight-average", "0.9", "--threads", "1", "--quiet",
                                "--out", first.path], environment: gcnDataEnvironment)
        XCTAssertEqual(run.status, 0, run.stderr)
        let again = try runSlate(["gcn", "train", "--config", first.appendingPathComponent("config.toml").path,
                                  "--out", replay.path, "--json"], environment: gcnDataEnvironment)
        XCTAssertEqual(again.status, 0, again.stderr)
        let a = try summary(first), b = try summary(replay)
        XCTAssertEqual(a["accuracy_mean"] as? Double, b["accuracy_mean"] as? Double)
        XCTAssertEqual(a["per_fold"] as? [Double], b["per_fold"] as? [Double])
        XCTAssertEqual(b["ensemble"] as? Int, 2)
        XCTAssertTrue(try String(contentsOf: replay.appendingPathComponent("config.toml"), encoding: .utf8).contains("weight_average = 0.9"))
        XCTAssertEqual((b["member_accuracies"] as? [[Double]])?.map(\.count), [2, 2, 2])
        XCTAssertEqual(try Data(contentsOf: first.appendingPathComponent("model.safetensors")),
                       try Data(contentsOf: replay.appendingPathComponent("model.safetensors")))
        XCTAssertEqual(try String(contentsOf: first.appendingPathComponent("config.toml"), encoding: .utf8),
                       try String(contentsOf: replay.appendingPathComponent("config.toml"), encoding: .utf8))
        // The replay's --json is the summary it wrote; the learning-rate schedule is the one asked for.
        let printed = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(again.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(printed["accuracy_mean"] as? Double, b["accuracy_mean"] as? Double)
        let rates = try trainingRows(replay).filter { $0[0] == "1" }.map { Double($0[4])! }   // fold 1's train/lr
        XCTAssertEqual(rates[0], 0.02, accuracy: 1e-7)
        XCTAssertEqual(rates[3], 0.014, accuracy: 1e-7)
        XCTAssertEqual(rates[6], 0.0098, accuracy: 1e-7)
    }

    func testNodeRunResumesBitForBitAndRefusesAChangedFlag() throws {
        let root = try gcnTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let reference = root.appendingPathComponent("reference"), stopped = root.appendingPathComponent("stopped")
        let karate = ["gcn", "train", "--dataset", "karate", "--seeds", "3", "--epochs", "30", "--checkpoint-every", "4",
                      "--threads", "1", "--quiet"]
        XCTAssertEqual(try runSlate(karate + ["--out", reference.path], environment: gcnDataEnvironment).status, 0)
        // Killed early (or, on a fast machine, after it finished): either way a changed architecture
        // flag is refused by name, and resuming with the run's own settings ends where the reference did.
        _ = try runAndKill(karate + ["--out", stopped.path], after: 0.15)
        let hasCheckpoint = FileManager.default.fileExists(atPath: stopped.appendingPathComponent("checkpoint.safetensors").path)
        if hasCheckpoint {
            let changed = try runSlate(karate + ["--hidden", "32", "--resume", "--out", stopped.path], environment: gcnDataEnvironment)
            XCTAssertEqual(changed.status, 64, changed.stderr)
            XCTAssertTrue(changed.stderr.contains("--hidden"), changed.stderr)
        }
        let finish = try runSlate(karate + [hasCheckpoint ? "--resume" : "--overwrite", "--out", stopped.path],
                                  environment: gcnDataEnvironment)
        XCTAssertEqual(finish.status, 0, finish.stderr)
        XCTAssertEqual(try Data(contentsOf: reference.appendingPathComponent("checkpoint.safetensors")),
                       try Data(contentsOf: stopped.appendingPathComponent("checkpoint.safetensors")))
        XCTAssertEqual(try summary(reference)["per_seed"] as? [Double], try summary(stopped)["per_seed"] as? [Double])
        XCTAssertEqual(try trainingRows(reference), try trainingRows(stopped))
    }

    // MARK: helpers

    /// Starts `slate`, SIGKILLs it after `delay` seconds; true when the kill landed (it was still running).
    private func runAndKill(_ arguments: [String], after delay: Double) throws -> Bool {
        let process = try startSlate(arguments, environment: gcnDataEnvironment)
        Thread.sleep(forTimeInterval: delay)
        let running = process.isRunning
        if running { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        return running && process.terminationReason == .uncaughtSignal
    }

    private func summary(_ dir: URL) throws -> [String: Any] {
        try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("summary.json"))) as? [String: Any])
    }

    /// metrics.csv rows without the header and the wall-time column.
    private func trainingRows(_ dir: URL) throws -> [[String]] {
        try String(contentsOf: dir.appendingPathComponent("metrics.csv"), encoding: .utf8)
            .split(separator: "\n").dropFirst().map { $0.split(separator: ",").dropLast().map(String.init) }
    }
}

/// `$SLATE_DATA`, else ../shared/data next to the package.
var gcnDataEnvironment: [String: String] {
    if let env = ProcessInfo.processInfo.environment["SLATE_DATA"], !env.isEmpty { return ["SLATE_DATA": env] }
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    return ["SLATE_DATA": root.deletingLastPathComponent().appendingPathComponent("shared/data").path]
}

/// A fresh directory under the system's temporary directory.
func gcnTemporaryDirectory() throws -> URL {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("slate-gcn-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    return dir
}

/// The graph recipes in configs/ parse, hold the documented settings, and a quick variant of each runs.
final class GCNConfigsCLITests: XCTestCase {
    func testGraphRecipesRunAsQuickVariants() throws {
        let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let root = try gcnTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let quick: [String: [String]] = [
            "mutag": ["--folds", "3", "--epochs", "2"], "proteins": ["--folds", "3", "--epochs", "1", "--hidden", "8"],
            "cora": ["--seeds", "1", "--epochs", "2"], "karate": ["--seeds", "1", "--epochs", "2"],
            "mutag-gin": ["--folds", "3", "--epochs", "1", "--ensemble", "2"],
        ]
        for (name, overrides) in quick {
            let config = repo.appendingPathComponent("configs/\(name).toml")
            let text = try String(contentsOf: config, encoding: .utf8)
            XCTAssertTrue(text.contains("seed = 0") && text.contains("threads = 1") && text.contains("learning_rate = 0.01"), name)
            let out = root.appendingPathComponent(name)
            let run = try runSlate(["gcn", "train", "--config", config.path] + overrides + ["--quiet", "--out", out.path],
                                   environment: gcnDataEnvironment)
            XCTAssertEqual(run.status, 0, "\(name): \(run.stderr)")
            XCTAssertTrue(FileManager.default.fileExists(atPath: out.appendingPathComponent("summary.json").path), name)
        }
    }
}
