import Foundation
import XCTest

/// Hostile input to `slate rl train | play | bandit`: NaN, infinite, negative and huge flags,
/// broken run files, the wrong kind of checkpoint, damaged policy files and unwritable outputs.
/// Every case must exit with its sysexits status (64 usage, 65 bad data, 66 missing input,
/// 73 cannot create), print exactly one `Error:` line first, and never crash.
final class RLBadInputCLITests: XCTestCase {
    struct Case {
        var name: String
        var arguments: [String]
        var status: Int32
        /// Text the error line must contain (the flag or file it names).
        var mentions: String? = nil
    }

    func testEveryBadInputIsAClearErrorWithItsExitCode() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("slate-rlbad-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: root) }
        let fixtures = try Fixtures(root: root)
        let out = root.appendingPathComponent("never").path

        var cases: [Case] = []
        func train(_ name: String, _ args: [String], _ status: Int32 = 64, mentions: String? = nil) {
            cases.append(Case(name: name, arguments: ["rl", "train", "--quiet", "--out", out] + args, status: status, mentions: mentions))
        }
        // Non-finite, negative, out-of-range and huge flags.
        for (flag, values) in [("learning-rate", ["nan", "inf", "-inf", "-0.001", "0"]), ("gamma", ["nan", "1.5", "-0.1"]),
                               ("gae-lambda", ["inf", "2"]), ("ent-coef", ["nan", "-1"]), ("vf-coef", ["inf"]),
                               ("clip-coef", ["0", "nan"]), ("max-grad-norm", ["0", "inf"]), ("target-kl", ["nan", "-1"])] {
            for v in values { train("--\(flag) \(v)", ["--\(flag)", v], mentions: "--\(flag)") }
        }
        for (flag, values) in [("tau", ["0", "1.5", "nan"]), ("start-e", ["2", "nan"]), ("end-e", ["-1"]),
                               ("exploration-fraction", ["inf", "1.5"]), ("buffer-size", ["0"]), ("batch-size", ["0"]),
                               ("target-network-frequency", ["0"]), ("train-frequency", ["0"]), ("learning-starts", ["-1"])] {
            for v in values { train("dqn --\(flag) \(v)", ["--algo", "dqn", "--\(flag)", v], mentions: "--\(flag)") }
        }
        train("--buffer-size 10^12", ["--algo", "dqn", "--buffer-size", "1000000000000"], mentions: "--buffer-size 1000000000000")
        train("--num-envs 0", ["--num-envs", "0"], mentions: "--num-envs")
        train("--num-envs -1", ["--num-envs", "-1"], mentions: "--num-envs")
        train("--num-envs 10^12", ["--num-envs", "1000000000000"], mentions: "--num-envs")
        train("--num-steps 10^15 overflow", ["--num-envs", "100000", "--num-steps", "1000000000000000"])
        train("--num-minibatches 3", ["--num-minibatches", "3"], mentions: "--num-minibatches")
        train("--num-minibatches 0", ["--num-minibatches", "0"], mentions: "--num-minibatches")
        train("--update-epochs 0", ["--update-epochs", "0"], mentions: "--update-epochs")
        train("--episodes-per-update 0", ["--algo", "reinforce", "--episodes-per-update", "0"], mentions: "--episodes-per-update")
        train("--total-steps 0", ["--total-steps", "0"], mentions: "--total-steps")
        train("--total-steps -5", ["--total-steps", "-5"], mentions: "--total-steps")
        train("--total-steps below one rollout", ["--total-steps", "100"], mentions: "--total-steps")
        train("--eval-episodes 0", ["--eval-episodes", "0"], mentions: "--eval-episodes")
        train("--save-interval 0", ["--save-interval", "0"], mentions: "--save-interval")
        train("--hidden-sizes 0", ["--hidden-sizes", "0"], mentions: "--hidden-sizes")
        train("--hidden-sizes abc", ["--hidden-sizes", "abc"], mentions: "--hidden-sizes")
        train("--hidden-sizes 64,,64", ["--hidden-sizes", "64,,64"], mentions: "--hidden-sizes")
        train("--hidden-sizes huge", ["--hidden-sizes", "1000000,1000000"], mentions: "needs")
        train("--algo a2c", ["--algo", "a2c"], mentions: "--algo")
        train("--env Pong", ["--env", "Pong-v5"], mentions: "CartPole-v1")
        train("--loss l1", ["--algo", "dqn", "--loss", "l1"], mentions: "--loss")
        train("--threads 0", ["--threads", "0"], mentions: "--threads")
        train("--seed -1", ["--seed", "-1"], mentions: "--seed")
        train("unknown flag", ["--frobnicate", "3"], mentions: "--frobnicate")
        train("--resume with --overwrite", ["--resume", "--overwrite"], mentions: "--overwrite")
        // Run files.
        train("run file: unknown key", ["--config", fixtures.unknownKey], mentions: "colour")
        train("run file: wrong type", ["--config", fixtures.wrongType], mentions: "gamma")
        train("run file: switch with a number", ["--config", fixtures.switchNumber], mentions: "norm_adv")
        train("run file: NaN value", ["--config", fixtures.nanValue], mentions: "learning")
        train("run file: bad TOML", ["--config", fixtures.badTOML])
        train("run file: JSON object value", ["--config", fixtures.jsonObject], mentions: "gamma")
        train("run file: .yaml", ["--config", fixtures.yaml], mentions: ".toml")
        train("run file: missing", ["--config", root.appendingPathComponent("none.toml").path], 66)
        // Outputs and resume.
        cases.append(Case(name: "--out under /proc", arguments: ["rl", "train", "--quiet", "--out", "/proc/slate-x"], status: 73))
        cases.append(Case(name: "--out under a file", arguments: ["rl", "train", "--quiet", "--out", fixtures.plainFile + "/run"], status: 73))
        cases.append(Case(name: "--out is a file", arguments: ["rl", "train", "--quiet", "--out", fixtures.plainFile], status: 73))
        cases.append(Case(name: "--out holds a run", arguments: ["rl", "train", "--quiet", "--total-steps", "512", "--out", fixtures.run], status: 73, mentions: "--resume"))
        cases.append(Case(name: "--resume, nothing saved", arguments: ["rl", "train", "--quiet", "--resume", "--out", root.appendingPathComponent("empty").path], status: 66))
        cases.append(Case(name: "--resume, other hidden sizes", arguments: ["rl", "train", "--quiet", "--resume", "--total-steps", "1024", "--hidden-sizes", "32,32", "--out", fixtures.run], status: 65, mentions: "--hidden-sizes"))
        cases.append(Case(name: "--resume, other algo", arguments: ["rl", "train", "--quiet", "--resume", "--algo", "reinforce", "--out", fixtures.run], status: 65, mentions: "--algo"))
        cases.append(Case(name: "--resume, corrupt checkpoint", arguments: ["rl", "train", "--quiet", "--resume", "--total-steps", "1024", "--out", fixtures.corruptRun], status: 65))
        // rl play.
        func play(_ name: String, _ args: [String], _ status: Int32, mentions: String? = nil) {
            cases.append(Case(name: "play " + name, arguments: ["rl", "play", "--episodes", "1"] + args, status: status, mentions: mentions))
        }
        play("GPT checkpoint", ["--checkpoint", fixtures.gptCheckpoint], 65, mentions: "slate-rl-policy")
        let models = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("models")
        for shipped in ["shakespeare-char/model.safetensors", "mutag-gcn/model.safetensors"]
        where FileManager.default.fileExists(atPath: models.appendingPathComponent(shipped).path) {
            play("shipped " + shipped, ["--checkpoint", models.appendingPathComponent(shipped).path], 65, mentions: "slate-rl-policy")
        }
        play("training checkpoint", ["--checkpoint", fixtures.run + "/checkpoint.safetensors"], 65, mentions: "slate-rl-training")
        play("truncated policy", ["--checkpoint", fixtures.truncatedPolicy], 65)
        play("corrupt header", ["--checkpoint", fixtures.corruptPolicy], 65)
        play("empty file", ["--checkpoint", fixtures.emptyFile], 65)
        play("missing file", ["--checkpoint", root.appendingPathComponent("none.safetensors").path], 66)
        play("env mismatch", ["--checkpoint", fixtures.run + "/policy.safetensors", "--env", "Acrobot-v1"], 65, mentions: "CartPole-v1")
        play("unknown env", ["--env", "Pong-v5"], 64, mentions: "Pong-v5")
        play("--episodes 0", ["--episodes", "0"], 64, mentions: "--episodes")
        play("--fps nan", ["--fps", "nan"], 64, mentions: "--fps")
        play("--fps inf", ["--fps", "inf"], 64, mentions: "--fps")
        // rl bandit.
        func bandit(_ name: String, _ args: [String], _ status: Int32 = 64, mentions: String? = nil) {
            cases.append(Case(name: "bandit " + name, arguments: ["rl", "bandit", "--quiet", "--out", out] + args, status: status, mentions: mentions))
        }
        bandit("--epsilon nan", ["--epsilon", "nan"], mentions: "--epsilon")
        bandit("--ucb-c inf", ["--ucb-c", "inf"], mentions: "--ucb-c")
        bandit("--alpha nan", ["--algo", "linucb", "--alpha", "nan"], mentions: "--alpha")
        bandit("--arms 1", ["--arms", "1"], mentions: "--arms")
        bandit("--arms 10^12", ["--arms", "1000000000000"], mentions: "--arms")
        bandit("--steps 10^12", ["--steps", "1000000000000"], mentions: "--steps")
        bandit("--context-dim 0", ["--algo", "linucb", "--context-dim", "0"], mentions: "--context-dim")
        bandit("--resume", ["--resume"], mentions: "--resume")
        bandit("run file: a train key", ["--config", fixtures.unknownKey], mentions: "unknown key 'total_steps'")
        cases.append(Case(name: "bandit --out under /proc", arguments: ["rl", "bandit", "--quiet", "--out", "/proc/slate-x"], status: 73))

        XCTAssertGreaterThanOrEqual(cases.count, 50)
        print("RLBadInputCLITests: \(cases.count) cases")
        for c in emulationSample(cases) {
            let run = try runSlate(c.arguments)
            let lines = run.stderr.split(separator: "\n", omittingEmptySubsequences: false)
            XCTAssertEqual(run.status, c.status, "\(c.name): status \(run.status), stderr: \(run.stderr)")
            XCTAssertTrue(lines.first?.hasPrefix("Error: ") == true, "\(c.name): first line is not an error: \(run.stderr)")
            XCTAssertEqual(lines.filter { $0.hasPrefix("Error") }.count, 1, "\(c.name): one error line: \(run.stderr)")
            for signature in ["Fatal error", "Stack dump", "Segmentation", "Illegal instruction", "NSError", "DecodingError"] {
                XCTAssertFalse(run.stderr.contains(signature), "\(c.name): crash signature \(signature): \(run.stderr)")
            }
            if let mentions = c.mentions {
                XCTAssertTrue(lines.first?.contains(mentions) == true, "\(c.name): the error does not name \(mentions): \(run.stderr)")
            }
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: out), "a refused run created its --out")
    }

    /// Run files, damaged checkpoints and finished runs the cases point at.
    struct Fixtures {
        let unknownKey, wrongType, switchNumber, nanValue, badTOML, jsonObject, yaml: String
        let plainFile, run, corruptRun, gptCheckpoint, truncatedPolicy, corruptPolicy, emptyFile: String

        init(root: URL) throws {
            func file(_ name: String, _ text: String) throws -> String {
                let path = root.appendingPathComponent(name).path
                try text.write(toFile: path, atomically: true, encoding: .utf8)
                return path
            }
            unknownKey = try file("unknown.toml", "total_steps = 512\ncolour = \"red\"\n")
            wrongType = try file("type.toml", "gamma = \"high\"\n")
            switchNumber = try file("switch.toml", "norm_adv = 3\n")
            nanValue = try file("nan.toml", "learning_rate = nan\n")
            badTOML = try file("bad.toml", "gamma = = 0.9\n")
            jsonObject = try file("object.json", "{\"gamma\": {\"value\": 0.9}}")
            yaml = try file("run.yaml", "gamma: 0.9\n")
            plainFile = try file("plain.txt", "not a directory\n")
            emptyFile = try file("empty.safetensors", "")

            run = root.appendingPathComponent("run").path
            let trained = try runSlate(["rl", "train", "--quiet", "--total-steps", "512", "--eval-episodes", "1",
                                        "--save-interval", "512", "--threads", "1", "--out", run])
            guard trained.status == 0 else { throw XCTSkip("the fixture run failed: \(trained.stderr)") }
            corruptRun = root.appendingPathComponent("corrupt-run").path
            try FileManager.default.copyItem(atPath: run, toPath: corruptRun)
            let checkpoint = try Data(contentsOf: URL(fileURLWithPath: corruptRun + "/checkpoint.safetensors"))
            try checkpoint.prefix(checkpoint.count / 2).write(to: URL(fileURLWithPath: corruptRun + "/checkpoint.safetensors"))

            let policy = try Data(contentsOf: URL(fileURLWithPath: run + "/policy.safetensors"))
            truncatedPolicy = root.appendingPathComponent("truncated.safetensors").path
            try policy.prefix(policy.count - 100).write(to: URL(fileURLWithPath: truncatedPolicy))
            var corrupt = policy
            corrupt.replaceSubrange(8..<24, with: Data(repeating: 0x7B, count: 16))
            corruptPolicy = root.appendingPathComponent("corrupt.safetensors").path
            try corrupt.write(to: URL(fileURLWithPath: corruptPolicy))

            // A GPT checkpoint of the right container format but the wrong tool.
            var header = Data("{\"__metadata__\":{\"format\":\"slate.gpt\"},\"wte\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}".utf8)
            while header.count % 8 != 0 { header.append(0x20) }
            var gpt = Data()
            withUnsafeBytes(of: UInt64(header.count).littleEndian) { gpt.append(contentsOf: $0) }
            gpt.append(header)
            gpt.append(Data(count: 8))
            gptCheckpoint = root.appendingPathComponent("gpt.safetensors").path
            try gpt.write(to: URL(fileURLWithPath: gptCheckpoint))
        }
    }
}
