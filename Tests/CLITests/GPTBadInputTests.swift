import Foundation
import Slate
import XCTest

/// Bad input to `slate gpt train | sample | eval`: every case exits with its sysexits status and
/// one `Error:` line that says what is wrong — never a crash, never a silent wrong answer. The
/// hostile files are made at test time from the shipped model and a small text.
final class GPTBadInputTests: XCTestCase {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    var dir = ""

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("gpt-bad-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: dir) }

    private func write(_ name: String, _ text: String) throws -> String {
        try text.write(toFile: dir + "/" + name, atomically: true, encoding: .utf8)
        return dir + "/" + name
    }

    private func writeBytes(_ name: String, _ data: Data) throws -> String {
        try data.write(to: URL(fileURLWithPath: dir + "/" + name))
        return dir + "/" + name
    }

    /// The shipped model with its metadata or tensors changed by `edit`.
    private func hostileModel(_ name: String, _ edit: (inout [(String, Tensor)], inout [String: String]) -> Void) throws -> String {
        let file = try SafeTensors.read(from: root.appendingPathComponent("models/shakespeare-char/model.safetensors"))
        var tensors = file.ordered
        var metadata = file.metadata
        edit(&tensors, &metadata)
        let path = dir + "/" + name
        try SafeTensors.write(tensors, metadata: metadata, to: URL(fileURLWithPath: path))
        return path
    }

    func testTrainRefusesBadSettingsAndFilesBeforeWorking() throws {
        let text = try write("text.txt", String(repeating: "to be or not to be, that is the question. ", count: 50))
        let out = dir + "/run"
        let tiny = ["--text", text, "--n-layer", "1", "--n-head", "2", "--n-embd", "16", "--block-size", "16",
                    "--batch-size", "4", "--max-iters", "4", "--eval-interval", "2", "--eval-iters", "1", "--threads", "1", "--quiet"]
        let done = try runSlate(["gpt", "train", "--out", out] + tiny)
        XCTAssertEqual(done.status, 0, done.stderr)
        let aFile = try write("afile", "x")
        let badTOML = try write("bad.toml", "n_layer = \n")
        let unknownKey = try write("unknown.toml", "n_layers = 2\n")
        let wrongType = try write("type.toml", "learning_rate = \"fast\"\n")
        let switchAsValue = try write("switch.toml", "bias = 3\n")
        let nested = try write("nested.json", #"{"n_layer": {"a": 1}}"#)
        let notJSON = try write("bad.json", "{n_layer: 2")
        let badExtension = try write("run.yaml", "n_layer: 2\n")
        let valueAsSwitch = try write("valueswitch.toml", "n_layer = true\n")
        let empty = try write("empty.txt", "")
        let short = try write("short.txt", "abc")
        let latin1 = try writeBytes("latin1.txt", Data([0x66, 0xE9, 0xFF, 0xFE, 0x00, 0x80] + Array(repeating: 0xE9, count: 2000)))
        let t = "train"
        var fresh_ = 0
        func fresh() -> [String] { fresh_ += 1; return ["--out", dir + "/fresh\(fresh_)"] }
        let cases: [BadInputCase] = [
            .init(arguments: ["gpt", t] + tiny + ["--n-layer", "0"] + fresh(), status: 64, message: "n_layer must be positive"),
            .init(arguments: ["gpt", t] + tiny + ["--n-layer", "-1"] + fresh(), status: 64, message: "n_layer"),
            .init(arguments: ["gpt", t] + tiny + ["--n-layer", "abc"] + fresh(), status: 64, message: "n-layer"),
            .init(arguments: ["gpt", t] + tiny + ["--n-head", "3"] + fresh(), status: 64, message: "divisible"),
            .init(arguments: ["gpt", t] + tiny + ["--n-embd", "0"] + fresh(), status: 64, message: "n_embd"),
            .init(arguments: ["gpt", t] + tiny + ["--n-embd", "4611686018427387904", "--n-head", "1"] + fresh(), status: 64, message: "memory"),
            .init(arguments: ["gpt", t] + tiny + ["--block-size", "0"] + fresh(), status: 64, message: "block_size"),
            .init(arguments: ["gpt", t] + tiny + ["--batch-size", "0"] + fresh(), status: 64, message: "batch_size"),
            .init(arguments: ["gpt", t] + tiny + ["--batch-size", "100000000000"] + fresh(), status: 64, message: "this machine has"),
            .init(arguments: ["gpt", t] + tiny + ["--n-layer", "100000", "--n-embd", "100000", "--n-head", "1"] + fresh(), status: 64, message: "this machine has"),
            .init(arguments: ["gpt", t] + tiny + ["--max-iters", "-1"] + fresh(), status: 64, message: "max_iters"),
            .init(arguments: ["gpt", t] + tiny + ["--learning-rate", "nan"] + fresh(), status: 64, message: "finite"),
            .init(arguments: ["gpt", t] + tiny + ["--learning-rate", "inf"] + fresh(), status: 64, message: "finite"),
            .init(arguments: ["gpt", t] + tiny + ["--learning-rate", "-inf"] + fresh(), status: 64, message: "finite"),
            .init(arguments: ["gpt", t] + tiny + ["--learning-rate", "-0.001"] + fresh(), status: 64, message: "must be positive"),
            .init(arguments: ["gpt", t] + tiny + ["--learning-rate", "0"] + fresh(), status: 64, message: "must be positive"),
            .init(arguments: ["gpt", t] + tiny + ["--min-lr", "nan"] + fresh(), status: 64, message: "finite"),
            .init(arguments: ["gpt", t] + tiny + ["--min-lr", "-1"] + fresh(), status: 64, message: "min_lr"),
            .init(arguments: ["gpt", t] + tiny + ["--dropout", "1"] + fresh(), status: 64, message: "dropout"),
            .init(arguments: ["gpt", t] + tiny + ["--dropout", "-0.1"] + fresh(), status: 64, message: "dropout"),
            .init(arguments: ["gpt", t] + tiny + ["--dropout", "nan"] + fresh(), status: 64, message: "dropout"),
            .init(arguments: ["gpt", t] + tiny + ["--weight-decay", "-1"] + fresh(), status: 64, message: "weight_decay"),
            .init(arguments: ["gpt", t] + tiny + ["--weight-decay", "inf"] + fresh(), status: 64, message: "finite"),
            .init(arguments: ["gpt", t] + tiny + ["--beta1", "1"] + fresh(), status: 64, message: "beta1"),
            .init(arguments: ["gpt", t] + tiny + ["--beta2", "nan"] + fresh(), status: 64, message: "finite"),
            .init(arguments: ["gpt", t] + tiny + ["--grad-clip", "-1"] + fresh(), status: 64, message: "grad_clip"),
            .init(arguments: ["gpt", t] + tiny + ["--eval-interval", "0"] + fresh(), status: 64, message: "eval_interval"),
            .init(arguments: ["gpt", t] + tiny + ["--eval-iters", "0"] + fresh(), status: 64, message: "eval_iters"),
            .init(arguments: ["gpt", t] + tiny + ["--threads", "0"] + fresh(), status: 64, message: "--threads"),
            .init(arguments: ["gpt", t] + tiny + ["--threads", "-2"] + fresh(), status: 64, message: "--threads"),
            .init(arguments: ["gpt", t] + tiny + ["--bogus"] + fresh(), status: 64, message: "Unknown option"),
            .init(arguments: ["gpt", t] + tiny + ["--resume", "--overwrite", "--out", out], status: 64, message: "one of them"),
            .init(arguments: ["gpt", t] + tiny + ["--resume"], status: 64, message: "--out"),
            .init(arguments: ["gpt", t] + tiny + ["--resume", "--out", dir + "/never"], status: 66, message: "nothing to resume"),
            .init(arguments: ["gpt", t, "--resume", "--out", out, "--n-embd", "32"], status: 64, message: "n_embd"),
            .init(arguments: ["gpt", t] + tiny + ["--out", out], status: 73, message: "already holds a run"),
            .init(arguments: ["gpt", t] + tiny + ["--out", aFile], status: 73, message: "is a file"),
            .init(arguments: ["gpt", t] + tiny + ["--out", aFile + "/sub"], status: 73, message: "cannot create"),
            .init(arguments: ["gpt", t] + tiny + ["--out", "/proc/slate-run"], status: 73, message: "--out"),
            .init(arguments: ["gpt", t] + tiny.dropFirst(2) + ["--text", dir + "/missing.txt"] + fresh(), status: 66, message: "missing.txt"),
            .init(arguments: ["gpt", t] + tiny.dropFirst(2) + ["--text", empty] + fresh(), status: 65, message: "empty.txt"),
            .init(arguments: ["gpt", t] + tiny.dropFirst(2) + ["--text", short] + fresh(), status: 65, message: "block"),
            .init(arguments: ["gpt", t] + tiny.dropFirst(2) + ["--text", latin1] + fresh(), status: 65, message: "UTF-8"),
            .init(arguments: ["gpt", t] + tiny.dropFirst(2) + ["--text", dir] + fresh(), status: 66, message: dir),
            .init(arguments: ["gpt", t] + tiny + ["--config", dir + "/none.toml"] + fresh(), status: 66, message: "none.toml"),
            .init(arguments: ["gpt", t] + tiny + ["--config", badTOML] + fresh(), status: 64, message: "bad.toml:1"),
            .init(arguments: ["gpt", t] + tiny + ["--config", unknownKey] + fresh(), status: 64, message: "unknown key 'n_layers'"),
            .init(arguments: ["gpt", t] + tiny + ["--config", wrongType] + fresh(), status: 64, message: "type.toml:1"),
            .init(arguments: ["gpt", t] + tiny + ["--config", switchAsValue] + fresh(), status: 64, message: "switch"),
            .init(arguments: ["gpt", t, "--config", valueAsSwitch] + tiny.filter { $0 != "--n-layer" && $0 != "1" } + fresh(), status: 64, message: "takes a value"),
            .init(arguments: ["gpt", t] + tiny + ["--config", nested] + fresh(), status: 64, message: "nested.json"),
            .init(arguments: ["gpt", t] + tiny + ["--config", notJSON] + fresh(), status: 64, message: "bad.json"),
            .init(arguments: ["gpt", t] + tiny + ["--config", badExtension] + fresh(), status: 64, message: ".toml or .json"),
        ]
        try assertBadInputs(cases, environment: ["SLATE_DATA": dir])
        XCTAssertGreaterThanOrEqual(cases.count, 50)
        XCTAssertTrue(FileManager.default.fileExists(atPath: out + "/checkpoint.safetensors"), "the refused runs left the finished run alone")
    }

    func testSampleAndEvalRefuseHostileCheckpointsAndFlags() throws {
        let model = root.appendingPathComponent("models/shakespeare-char/model.safetensors").path
        let text = try write("text.txt", String(repeating: "First Citizen:\nBefore we proceed any further, hear me speak.\n", count: 40))
        let strange = try write("strange.txt", String(repeating: "€uro ", count: 100))
        let huge = try hostileModel("huge.safetensors") { _, meta in
            meta["config"] = #"{"n_layer":4,"n_head":4,"n_embd":4611686018427387904,"block_size":64,"vocab_size":65,"bias":false,"dropout":0}"#
        }
        let negative = try hostileModel("negative.safetensors") { _, meta in
            meta["config"] = #"{"n_layer":-4,"n_head":4,"n_embd":128,"block_size":64,"vocab_size":65,"bias":false,"dropout":0}"#
        }
        let repeated = try hostileModel("repeated.safetensors") { _, meta in
            var vocab = (try? JSONSerialization.jsonObject(with: Data(meta["vocab"]!.utf8)) as? [String]) ?? []
            vocab[2] = vocab[1]
            meta["vocab"] = String(decoding: try! JSONSerialization.data(withJSONObject: vocab), as: UTF8.self)
        }
        let noConfig = try hostileModel("noconfig.safetensors") { _, meta in meta["config"] = nil }
        let badFormat = try hostileModel("format.safetensors") { _, meta in meta["format"] = "slate.rl" }
        let missingTensor = try hostileModel("missing.safetensors") { tensors, _ in tensors.removeAll { $0.0.hasSuffix("ln_f.weight") } }
        let nan = try hostileModel("nan.safetensors") { tensors, _ in
            for (name, tensor) in tensors where name.hasSuffix("c_attn.weight") { tensor.pointer[3] = .nan; tensor.pointer[7] = .infinity }
        }
        let bytes = try Data(contentsOf: URL(fileURLWithPath: model))
        let truncated = try writeBytes("truncated.safetensors", bytes.prefix(bytes.count / 2))
        let headerOnly = try writeBytes("header.safetensors", bytes.prefix(8))
        let garbage = try writeBytes("garbage.safetensors", Data((0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 2654435761 >> 7) }))
        let hugeHeader = try writeBytes("hugeheader.safetensors", Data([0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F]) + bytes.dropFirst(8))
        let policy = root.appendingPathComponent("models/cartpole-ppo/policy.safetensors").path
        let graph = root.appendingPathComponent("models/mutag-gcn/model.safetensors").path
        let s = "sample", e = "eval"
        let cases: [BadInputCase] = [
            .init(arguments: ["gpt", s, "--checkpoint", dir + "/none.safetensors"], status: 66, message: "none.safetensors"),
            .init(arguments: ["gpt", s, "--checkpoint", huge], status: 65, message: "huge.safetensors"),
            .init(arguments: ["gpt", s, "--checkpoint", negative], status: 65, message: "n_layer"),
            .init(arguments: ["gpt", s, "--checkpoint", repeated], status: 65, message: "repeated.safetensors"),
            .init(arguments: ["gpt", s, "--checkpoint", noConfig], status: 65, message: "config"),
            .init(arguments: ["gpt", s, "--checkpoint", badFormat], status: 65, message: "format"),
            .init(arguments: ["gpt", s, "--checkpoint", missingTensor], status: 65, message: "ln_f.weight"),
            .init(arguments: ["gpt", s, "--checkpoint", nan], status: 65, message: "c_attn.weight"),
            .init(arguments: ["gpt", s, "--checkpoint", truncated], status: 65, message: "truncated.safetensors"),
            .init(arguments: ["gpt", s, "--checkpoint", headerOnly], status: 65, message: "header.safetensors"),
            .init(arguments: ["gpt", s, "--checkpoint", garbage], status: 65, message: "garbage.safetensors"),
            .init(arguments: ["gpt", s, "--checkpoint", hugeHeader], status: 65, message: "hugeheader.safetensors"),
            .init(arguments: ["gpt", s, "--checkpoint", policy], status: 65, message: "policy.safetensors"),
            .init(arguments: ["gpt", s, "--checkpoint", graph], status: 65, message: "model.safetensors"),
            .init(arguments: ["gpt", s, "--checkpoint", text], status: 65, message: "text.txt"),
            .init(arguments: ["gpt", s, "--checkpoint", dir], status: 66, message: dir),
            .init(arguments: ["gpt", s, "--checkpoint", model, "--temperature", "nan"], status: 64, message: "temperature"),
            .init(arguments: ["gpt", s, "--checkpoint", model, "--temperature", "-1"], status: 64, message: "temperature"),
            .init(arguments: ["gpt", s, "--checkpoint", model, "--temperature", "inf"], status: 64, message: "temperature"),
            .init(arguments: ["gpt", s, "--checkpoint", model, "--top-k", "-1"], status: 64, message: "top-k"),
            .init(arguments: ["gpt", s, "--checkpoint", model, "--num-samples", "0"], status: 64, message: "num-samples"),
            .init(arguments: ["gpt", s, "--checkpoint", model, "--max-new-tokens", "-5"], status: 64, message: "max-new-tokens"),
            .init(arguments: ["gpt", s, "--checkpoint", model, "--max-new-tokens", "100000000000"], status: 64, message: "max-new-tokens"),
            .init(arguments: ["gpt", s, "--checkpoint", model, "--prompt", ""], status: 64, message: "prompt"),
            .init(arguments: ["gpt", s, "--checkpoint", model, "--prompt", "€"], status: 65, message: "vocabulary"),
            .init(arguments: ["gpt", s, "--checkpoint", model, "--seed", "-1"], status: 64, message: "seed"),
            .init(arguments: ["gpt", s], status: 64, message: "--checkpoint"),
            .init(arguments: ["gpt", e, "--checkpoint", model, "--text", text, "--split", "test"], status: 64, message: "split"),
            .init(arguments: ["gpt", e, "--checkpoint", model, "--text", strange], status: 65, message: "vocabulary"),
            .init(arguments: ["gpt", e, "--checkpoint", model, "--text", dir + "/gone.txt"], status: 66, message: "gone.txt"),
            .init(arguments: ["gpt", e, "--checkpoint", nan, "--text", text], status: 65, message: "c_attn.weight"),
            .init(arguments: ["gpt", e, "--checkpoint", policy, "--text", text], status: 65, message: "policy.safetensors"),
            .init(arguments: ["gpt", e, "--checkpoint", truncated, "--text", text], status: 65, message: "truncated"),
            .init(arguments: ["gpt", e, "--checkpoint", model, "--text", try write("tiny.txt", "First")], status: 65, message: "block_size"),
            .init(arguments: ["gpt", e, "--checkpoint", model, "--text", text, "--threads", "0"], status: 64, message: "--threads"),
        ]
        try assertBadInputs(cases)
    }
}
