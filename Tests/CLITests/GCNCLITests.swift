import Foundation
import XCTest

/// End-to-end runs of `slate gcn` on tiny configurations against the shared data.
final class GCNCLITests: XCTestCase {
    private var dataEnvironment: [String: String] { gcnDataEnvironment }
    private func temporaryDirectory() throws -> URL { try gcnTemporaryDirectory() }

    func testGraphClassificationRunWritesOutputsAndPredicts() throws {
        let out = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: out) }
        let run = try runSlate(["gcn", "train", "--dataset", "MUTAG", "--folds", "3", "--epochs", "12",
                                "--hidden", "32", "--out", out.path, "--json"], environment: dataEnvironment)
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertTrue(run.stderr.contains("fold  3/3"), run.stderr)
        let summary = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("summary.json"))) as? [String: Any])
        let perFold = try XCTUnwrap(summary["per_fold"] as? [Double])
        XCTAssertEqual(perFold.count, 3)
        let mean = try XCTUnwrap(summary["accuracy_mean"] as? Double)
        XCTAssertEqual(mean, perFold.reduce(0, +) / 3, accuracy: 1e-9)
        XCTAssertGreaterThan(mean, 0.6)                          // above chance (majority class is 66%)...
        XCTAssertNotNil(summary["accuracy_std"] as? Double)
        XCTAssertEqual((summary["epochs"] as? [Int])?.count, 3)
        XCTAssertGreaterThan(summary["wall_seconds"] as? Double ?? 0, 0)
        // --json prints the same summary on stdout.
        let printed = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(printed["accuracy_mean"] as? Double, mean)
        // config.toml, eval.csv and metrics.csv (one row per fold and epoch, every column filled); training loss falls.
        XCTAssertTrue(try String(contentsOf: out.appendingPathComponent("config.toml"), encoding: .utf8).contains("hidden = 32"))
        let evals = try String(contentsOf: out.appendingPathComponent("eval.csv"), encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(evals.first, "fold,epoch,val/loss,val/accuracy,test/accuracy")
        XCTAssertEqual(evals.count, 1 + 3 * 12)
        // The validation accuracy at each chosen epoch: the best of that fold's val/accuracy column.
        let perFoldValidation = try XCTUnwrap(summary["per_fold_validation"] as? [Double])
        XCTAssertEqual(summary["validation_mean"] as? Double ?? -1, perFoldValidation.reduce(0, +) / 3, accuracy: 1e-9)
        for fold in 1...3 {
            let column = evals.dropFirst().map { $0.split(separator: ",") }.filter { Int($0[0]) == fold }.map { Double($0[3])! }
            XCTAssertEqual(perFoldValidation[fold - 1], column.max()!, accuracy: 1e-6, "fold \(fold)")
        }
        let rows = try String(contentsOf: out.appendingPathComponent("metrics.csv"), encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(rows.first, "fold,epoch,train/loss,train/accuracy,train/lr,perf/ms_per_epoch")
        XCTAssertEqual(rows.count, 1 + 3 * 12)
        XCTAssertTrue((rows + evals).allSatisfy { !$0.contains(",,") && !$0.hasSuffix(",") })
        let loss = { (epoch: Int) -> Double in
            rows.dropFirst().map { $0.split(separator: ",") }.filter { Int($0[1]) == epoch }.map { Double($0[2])! }.reduce(0, +)
        }
        XCTAssertLessThan(loss(12), loss(1))
        let svg = try String(contentsOf: out.appendingPathComponent("accuracy.svg"), encoding: .utf8)
        XCTAssertEqual(svg.components(separatedBy: "<path").count - 1, 3, "train, validation and test curves")
        // The checkpoint predicts every graph.
        let predict = try runSlate(["gcn", "predict", "--checkpoint", out.appendingPathComponent("model.safetensors").path,
                                    "--dataset", "MUTAG"], environment: dataEnvironment)
        XCTAssertEqual(predict.status, 0, predict.stderr)
        let lines = predict.stdout.split(separator: "\n")
        XCTAssertEqual(lines.count, 1 + 188)
        XCTAssertTrue(lines.dropFirst().allSatisfy { ["1", "-1"].contains($0.split(separator: "\t")[1]) })
        XCTAssertTrue(predict.stderr.contains("accuracy"), predict.stderr)
    }

    func testConvOptionIsTrainedSavedAndPredicted() throws {
        for (dataset, conv, ensemble) in [("MUTAG", "gin", "1"), ("karate", "gat", "1"), ("MUTAG", "gcn", "2")] {
            let out = try temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: out) }
            let run = try runSlate(["gcn", "train", "--dataset", dataset, "--conv", conv, "--folds", "3", "--epochs", "3",
                                    "--seeds", "1", "--ensemble", ensemble, "--out", out.path, "--json"], environment: dataEnvironment)
            XCTAssertEqual(run.status, 0, run.stderr)
            let summary = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
            XCTAssertEqual(summary["conv"] as? String, conv)
            let toml = try String(contentsOf: URL(fileURLWithPath: try XCTUnwrap(summary["config"] as? String)), encoding: .utf8)
            XCTAssertTrue(toml.contains("conv = \"\(conv)\""), toml)
            let predict = try runSlate(["gcn", "predict", "--checkpoint", out.appendingPathComponent("model.safetensors").path,
                                        "--dataset", dataset], environment: dataEnvironment)
            XCTAssertEqual(predict.status, 0, predict.stderr)
            XCTAssertTrue(predict.stderr.contains("accuracy"), predict.stderr)
        }
        let bad = try runSlate(["gcn", "train", "--dataset", "MUTAG", "--conv", "cheb"], environment: dataEnvironment)
        XCTAssertNotEqual(bad.status, 0)
        XCTAssertTrue(bad.stderr.contains("conv"), bad.stderr)
    }

    /// Mixed families from a run file's list (the WL family too): the run's config.toml replays them,
    /// summary.json counts every member, and the saved mixed ensemble predicts.
    func testEnsembleFamiliesAreTrainedSavedAndPredicted() throws {
        let out = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: out) }
        let runFile = out.appendingPathComponent("families.toml")
        try Data("dataset = \"MUTAG\"\nconv = \"gin\"\ninput_readout = true\nensemble_families = [\"gcn\", \"mlp\", \"wl\"]\nwl_iterations = 2\n".utf8).write(to: runFile)
        let run = try runSlate(["gcn", "train", "--config", runFile.path, "--folds", "3", "--epochs", "2", "--threads", "1",
                                "--out", out.path + "/run", "--json"], environment: dataEnvironment)
        XCTAssertEqual(run.status, 0, run.stderr)
        let summary = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(summary["ensemble"] as? Int, 4)
        XCTAssertEqual((summary["member_accuracies"] as? [[Double]])?.map(\.count), [4, 4, 4])
        let toml = try String(contentsOf: out.appendingPathComponent("run/config.toml"), encoding: .utf8)
        XCTAssertTrue(toml.contains("ensemble_families = \"gcn,mlp,wl\""), toml)
        XCTAssertTrue(toml.contains("wl_iterations = 2"), toml)
        let predict = try runSlate(["gcn", "predict", "--checkpoint", out.appendingPathComponent("run/model.safetensors").path,
                                    "--dataset", "MUTAG"], environment: dataEnvironment)
        XCTAssertEqual(predict.status, 0, predict.stderr)
        XCTAssertTrue(predict.stderr.contains("accuracy"), predict.stderr)
        // WL members that coloured by feature rows refuse MUTAG's labelled nodes (colours would differ).
        let model = try Data(contentsOf: out.appendingPathComponent("run/model.safetensors"))
        let unlabelled = try GCNBadInputCLITests.editingMetadata(model) { metadata in
            let configs = (try? JSONSerialization.jsonObject(with: Data((metadata["member_configs"] ?? "[]").utf8))) as? [[String: Any]] ?? []
            let edited = configs.map { config -> [String: Any] in
                var config = config
                if config["wlReadout"] as? Bool == true { config["wlNodeLabels"] = false }
                return config
            }
            metadata["member_configs"] = String(decoding: (try? JSONSerialization.data(withJSONObject: edited)) ?? Data(), as: UTF8.self)
        }
        try unlabelled.write(to: out.appendingPathComponent("unlabelled.safetensors"))
        let refused = try runSlate(["gcn", "predict", "--checkpoint", out.appendingPathComponent("unlabelled.safetensors").path,
                                    "--dataset", "MUTAG"], environment: dataEnvironment)
        XCTAssertEqual(refused.status, 64, refused.stderr)
        XCTAssertTrue(refused.stderr.contains("node labels"), refused.stderr)
        // The written config.toml replays the run (its list as one comma-separated value).
        let replay = try runSlate(["gcn", "train", "--config", out.appendingPathComponent("run/config.toml").path,
                                   "--out", out.path + "/replay", "--json"], environment: dataEnvironment)
        XCTAssertEqual(replay.status, 0, replay.stderr)
        let again = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(replay.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(again["per_fold"] as? [Double], summary["per_fold"] as? [Double])
    }

    func testKarateNodeClassification() throws {
        let out = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: out) }
        let run = try runSlate(["gcn", "train", "--dataset", "karate", "--seeds", "2", "--json", "--out", out.path + "/run"],
                               environment: dataEnvironment)
        XCTAssertEqual(run.status, 0, run.stderr)
        let summary = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        XCTAssertEqual((summary["per_seed"] as? [Double])?.count, 2)
        XCTAssertGreaterThan(summary["accuracy_mean"] as? Double ?? 0, 0.8)   // 2 labelled members, 32 tested
    }

    func testBadInputFailsWithAHelpfulMessage() throws {
        let empty = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: empty) }
        let missing = try runSlate(["gcn", "train", "--dataset", "MUTAG", "--out", empty.path + "/out"], environment: ["SLATE_DATA": empty.path])
        XCTAssertNotEqual(missing.status, 0)
        XCTAssertTrue(missing.stderr.contains("make data"), missing.stderr)
        let folds = try runSlate(["gcn", "train", "--dataset", "MUTAG", "--folds", "2"], environment: dataEnvironment)
        XCTAssertNotEqual(folds.status, 0)
        XCTAssertTrue(folds.stderr.contains("--folds"), folds.stderr)
        let pool = try runSlate(["gcn", "train", "--dataset", "MUTAG", "--pool", "median"], environment: dataEnvironment)
        XCTAssertNotEqual(pool.status, 0)
        let checkpoint = try runSlate(["gcn", "predict", "--checkpoint", empty.appendingPathComponent("none.safetensors").path,
                                       "--dataset", "MUTAG"], environment: dataEnvironment)
        XCTAssertNotEqual(checkpoint.status, 0)
        XCTAssertTrue(checkpoint.stderr.contains("not found"), checkpoint.stderr)
    }
}
