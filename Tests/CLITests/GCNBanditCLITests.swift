import Foundation
import XCTest

/// `slate gcn bandit` end to end: its files, its summary, and bad flags.
final class GCNBanditCLITests: XCTestCase {
    func testBanditWritesRegretCurvesAndSummary() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("slate-gcnbandit-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let run = try runSlate(["gcn", "bandit", "--nodes", "40", "--rounds", "60", "--runs", "2",
                                "--update-interval", "20", "--encoder-steps", "5", "--out", dir.path])
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertTrue(run.stdout.contains("gnn-thompson") && run.stdout.contains("final cumulative regret"), run.stdout)
        let svg = try String(contentsOf: dir.appendingPathComponent("regret.svg"), encoding: .utf8)
        for name in ["random", "linucb", "gnn-linucb", "gnn-thompson"] { XCTAssertTrue(svg.contains(name), name) }
        let csv = try String(contentsOf: dir.appendingPathComponent("metrics.csv"), encoding: .utf8)
        let lines = csv.split(separator: "\n")
        XCTAssertEqual(lines.count, 61)
        XCTAssertEqual(lines[0], "round,regret/random,regret/linucb,regret/gnn-linucb,regret/gnn-thompson")
        let summary = try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("summary.json"))) as? [String: Any]
        XCTAssertEqual(summary?["command"] as? String, "bandit")
        let regret = summary?["regret"] as? [String: Double]
        XCTAssertEqual(regret?.count, 4)
        let last = lines[60].split(separator: ",").dropFirst().map { Double($0)! }
        XCTAssertEqual(regret?["random"] ?? -1, last[0], accuracy: 1e-6 * max(1, last[0]), "summary = last CSV row")
        XCTAssertNotNil(summary?["regret_std"] as? [String: Double])
        XCTAssertTrue(FileManager.default.fileExists(atPath: dir.appendingPathComponent("config.toml").path))
        let again = try runSlate(["gcn", "bandit", "--nodes", "40", "--rounds", "60", "--out", dir.path])
        XCTAssertEqual(again.status, 73, "an existing run is never overwritten silently")
    }

    func testBadFlagsAreOneLineErrors() throws {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("slate-gcnbandit-never-\(UUID().uuidString)").path
        for (args, mentions) in [(["--nodes", "1"], "--nodes"), (["--rounds", "0"], "--rounds"), (["--alpha", "nan"], "--alpha"),
                                 (["--noise", "-1"], "--noise"), (["--lr", "inf"], "--learning-rate"), (["--learning-rate", "0"], "--learning-rate"), (["--algorithms", "linucb,ucb9"], "ucb9"),
                                 (["--algorithms", "random,random"], "twice"), (["--nodes", "100000", "--hidden", "1024", "--encoder-layers", "8"], "GB"),
                                 (["--resume"], "--resume")] {
            let run = try runSlate(["gcn", "bandit", "--quiet", "--out", out] + args)
            XCTAssertEqual(run.status, 64, "\(args): \(run.stderr)")
            XCTAssertTrue(run.stderr.hasPrefix("Error:") && run.stderr.contains(mentions), "\(args): \(run.stderr)")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: out))
    }
}
