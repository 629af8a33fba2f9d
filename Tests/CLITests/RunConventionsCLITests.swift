import Foundation
import XCTest

/// The run conventions every trainer shares: the same common options, and a recipe in configs/
/// for each documented result that parses and runs.
final class RunConventionsCLITests: XCTestCase {
    let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    func testEveryTrainerAcceptsTheCommonOptions() throws {
        let trainers = [["gpt", "train"], ["gcn", "train"], ["rl", "train"], ["rl", "bandit"], ["demo", "moons"], ["gcn", "bandit"]]
        for trainer in trainers {
            let help = try runSlate(trainer + ["--help"])
            XCTAssertEqual(help.status, 0, help.stderr)
            for option in ["--config", "--out", "--resume", "--overwrite", "--threads", "--json", "--quiet", "--seed"] {
                XCTAssertTrue(help.stdout.contains(option + " ") || help.stdout.contains(option + "\n") || help.stdout.contains(option + " <"),
                              "slate \(trainer.joined(separator: " ")) lacks \(option)")
            }
            XCTAssertTrue(help.stdout.contains("EXAMPLES:\n  slate \(trainer.joined(separator: " "))"), "\(trainer): help ends with examples")
            XCTAssertFalse(help.stdout.contains("(default: \n"), "\(trainer): no raw newline as a default")
        }
    }

    func testEveryRecipeInConfigsParses() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: repo.appendingPathComponent("configs").path)
            .filter { $0.hasSuffix(".toml") }.sorted()
        let expected = ["acrobot-ppo", "bandit-testbed", "cartpole-dqn", "cartpole-ppo", "cora", "karate", "mutag", "proteins", "shakespeare-char"]
        XCTAssertEqual(Set(files.map { String($0.dropLast(5)) }).intersection(expected).count, expected.count, "recipes: \(files)")
    }

    func testShakespeareRecipeRunsAsAQuickVariant() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("gpt-recipe-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let text = dir + "/text.txt"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try String(repeating: "All the world's a stage, and all the men and women merely players. ", count: 80)
            .write(toFile: text, atomically: true, encoding: .utf8)
        let run = try runSlate(["gpt", "train", "--config", repo.appendingPathComponent("configs/shakespeare-char.toml").path,
                                "--text", text, "--max-iters", "3", "--eval-interval", "3", "--eval-iters", "1",
                                "--threads", "1", "--quiet", "--json", "--out", dir + "/run"])
        XCTAssertEqual(run.status, 0, run.stderr)
        let summary = try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as! [String: Any]
        XCTAssertEqual(summary["iters"] as? Int, 3)
        let written = try String(contentsOfFile: dir + "/run/config.toml", encoding: .utf8)
        for line in ["n_layer = 4", "n_embd = 128", "block_size = 64", "batch_size = 12", "learning_rate = 0.001", "beta2 = 0.99", "seed = 1337"] {
            XCTAssertTrue(written.contains(line + "\n"), "the recipe's \(line) reached the run")
        }
    }
}
