import Foundation
import XCTest

/// End-to-end runs of `slate gpt` on a tiny configuration.
final class GPTCLITests: XCTestCase {
    func testTrainSampleEvalEndToEnd() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("gpt-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let text = dir.appendingPathComponent("text.txt")
        let corpus = String(repeating: "to be or not to be, that is the question. ", count: 60)
        try corpus.write(to: text, atomically: true, encoding: .utf8)
        let out = dir.appendingPathComponent("run").path

        let train = try runSlate(["gpt", "train", "--text", text.path, "--out", out, "--n-layer", "1", "--n-head", "2",
                                  "--n-embd", "16", "--block-size", "16", "--batch-size", "8", "--max-iters", "60",
                                  "--eval-interval", "30", "--eval-iters", "4", "--learning-rate", "0.01",
                                  "--warmup-iters", "5", "--lr-decay-iters", "60", "--threads", "1"])
        XCTAssertEqual(train.status, 0, train.stderr)
        XCTAssertTrue(train.stdout.contains("n_layer=1"), "resolved config is printed")
        for file in ["model.safetensors", "checkpoint.safetensors", "metrics.csv", "eval.csv", "loss.svg", "summary.json", "config.toml"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: out + "/" + file), file)
        }
        let summary = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/summary.json"))) as! [String: Any]
        for key in ["val_loss", "train_loss", "iters", "ms_per_iter", "tokens_per_sec", "wall_seconds", "peak_rss_mb",
                    "tool", "command", "config", "slate_version"] {
            XCTAssertNotNil(summary[key], key)
        }
        XCTAssertEqual(summary["iters"] as? Int, 60)
        let steps = try String(contentsOfFile: out + "/metrics.csv", encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(steps.count, 61, "a header and one row per step")
        let evals = try String(contentsOfFile: out + "/eval.csv", encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(evals.first, "iter,val/loss,eval/train_loss")
        let vals = evals.dropFirst().map { Double($0.split(separator: ",")[1])! }
        XCTAssertEqual(vals.count, 3)
        XCTAssertLessThan(vals.last!, vals.first! - 0.5, "val loss falls: \(vals)")

        let sample = try runSlate(["gpt", "sample", "--checkpoint", out + "/model.safetensors", "--prompt", "to be",
                                   "--max-new-tokens", "40", "--seed", "3"])
        XCTAssertEqual(sample.status, 0, sample.stderr)
        XCTAssertGreaterThanOrEqual(sample.stdout.count, 45)
        let bad = try runSlate(["gpt", "sample", "--checkpoint", out + "/model.safetensors", "--prompt", "XYZ"])
        XCTAssertNotEqual(bad.status, 0)
        XCTAssertTrue(bad.stderr.contains("'X'"), bad.stderr)

        let eval = try runSlate(["gpt", "eval", "--checkpoint", out + "/model.safetensors", "--text", text.path, "--split", "all", "--json"])
        XCTAssertEqual(eval.status, 0, eval.stderr)
        let result = try JSONSerialization.jsonObject(with: Data(eval.stdout.utf8)) as! [String: Any]
        XCTAssertEqual(result["windows"] as? Int, (corpus.unicodeScalars.count - 1) / 16)
        XCTAssertLessThan(result["loss"] as! Double, 2.5)

        let valOnly = try runSlate(["gpt", "eval", "--checkpoint", out + "/model.safetensors", "--text", text.path, "--json"])
        let valResult = try JSONSerialization.jsonObject(with: Data(valOnly.stdout.utf8)) as! [String: Any]
        XCTAssertEqual(valResult["split"] as? String, "val")
        XCTAssertEqual(valResult["windows"] as? Int, (corpus.unicodeScalars.count - Int(Double(corpus.unicodeScalars.count) * 0.9) - 1) / 16)

        let missing = try runSlate(["gpt", "train", "--max-iters", "1", "--out", dir.appendingPathComponent("none").path], environment: ["SLATE_DATA": dir.appendingPathComponent("nodata").path])
        XCTAssertNotEqual(missing.status, 0)
        XCTAssertTrue(missing.stderr.contains("make data"), missing.stderr)
    }
}
