import Foundation
import XCTest
import Slate
@testable import SlateGPT

/// Hostile GPT checkpoints, built at test time from the nanoGPT fixture (a real checkpoint): bad
/// config sizes, bad vocabularies, missing/extra/mis-shaped/NaN tensors. Each must be refused
/// with a one-line `GPTError` naming the file — before the model is allocated.
final class HostileCheckpointTests: XCTestCase {
    static let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/nanogpt-tiny.safetensors")

    func realFile() throws -> GPTCheckpointFile { try GPTCheckpointFile.read(Self.fixture.path) }

    /// The fixture's config JSON with `key` set to `value` (raw JSON text).
    func config(_ key: String, _ value: String) throws -> String {
        var object = try JSONSerialization.jsonObject(with: Data(realFile().metadata["config"]!.utf8)) as! [String: Any]
        object[key] = try JSONSerialization.jsonObject(with: Data(value.utf8), options: .fragmentsAllowed)
        return String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self)
    }

    func assertRefused(_ file: GPTCheckpointFile, _ expected: String, case name: String, line: UInt = #line) {
        XCTAssertThrowsError(try GPTCheckpoint.load(file, name: "bad.safetensors"), name, line: line) { error in
            let message = "\(error)"
            XCTAssertTrue(error is GPTError, "\(name): typed error", line: line)
            XCTAssertTrue(message.contains("bad.safetensors"), "\(name): '\(message)' names the file", line: line)
            XCTAssertTrue(message.contains(expected), "\(name): '\(message)' should mention '\(expected)'", line: line)
            XCTAssertFalse(message.contains(where: \.isNewline), "\(name): one line", line: line)
        }
    }

    func testFixtureLoads() throws {
        XCTAssertNoThrow(try GPTCheckpoint.load(realFile(), name: "fixture"))
    }

    /// Rules: every size in range (2^62 refused before any allocation), products cannot overflow,
    /// heads divide the width, memory is checked, the JSON has the right types.
    func testHostileConfigsAreRefused() throws {
        let cases: [(String, String, String, String)] = [
            ("n_embd 2^62", "n_embd", "4611686018427387904", "need more memory than can be counted; this machine has"),
            ("n_embd 0", "n_embd", "0", "n_embd must be positive"),
            ("n_layer negative", "n_layer", "-3", "n_layer must be positive"),
            ("n_layer 2^40", "n_layer", "1099511627776", "this machine has"),
            ("n_head 2^62", "n_head", "4611686018427387904", "divisible by n_head"),
            ("heads do not divide width", "n_head", "3", "divisible by n_head"),
            ("block_size 2^62", "block_size", "4611686018427387904", "need more memory than can be counted"),
            ("vocab_size 10^12", "vocab_size", "1000000000000", "vocab_size must be at most 1114112"),
            ("vocab_size differs from vocab", "vocab_size", "12", "vocab has 11 characters"),
            ("n_embd a string", "n_embd", "\"16\"", "not a JSON object with integer"),
            ("n_embd fractional", "n_embd", "16.5", "not a JSON object with integer"),
            ("n_embd beyond Int", "n_embd", "1e300", "not a JSON object with integer"),
            ("dropout 1", "dropout", "1", "dropout must be in [0, 1)"),
            ("dropout negative", "dropout", "-0.5", "dropout must be in [0, 1)"),
            ("bias a number", "bias", "1", "not a JSON object with integer"),
            ("weights beyond memory", "n_layer", "4096", "this machine has"),
        ]
        for (name, key, value, expected) in cases {
            var file = try realFile()
            var json = try config(key, value)
            if name == "weights beyond memory" {   // every size in range, the product too big
                json = #"{"n_layer": 4096, "n_head": 64, "n_embd": 65536, "block_size": 8, "vocab_size": 11, "bias": true, "dropout": 0}"#
            }
            file.metadata["config"] = json
            assertRefused(file, expected, case: name)
        }
        var file = try realFile()
        file.metadata["config"] = "not json"
        assertRefused(file, "not a JSON object", case: "config not JSON")
        file.metadata["config"] = nil
        assertRefused(file, "lacks \"config\"", case: "config missing")
    }

    /// Rules: the vocabulary is an array of distinct single characters matching vocab_size.
    func testHostileVocabulariesAreRefused() throws {
        let cases: [(String, String?, String)] = [
            ("repeated character", #"["\n", " ", "!", ",", ".", "a", "b", "c", "d", "a", "T"]"#, "holds character U+61 twice (ids 5 and 9)"),
            ("two-character entry", #"["\n", " ", "!", ",", ".", "ab", "b", "c", "d", "e", "T"]"#, "vocab entry 5 is not a single character"),
            ("number entry", #"["\n", " ", "!", ",", ".", 5, "b", "c", "d", "e", "T"]"#, "vocab entry 5"),
            ("empty entry", #"["\n", " ", "!", ",", ".", "", "b", "c", "d", "e", "T"]"#, "vocab entry 5"),
            ("object, not array", #"{"a": 1}"#, "not a JSON array"),
            ("empty array", "[]", "holds 0 entries"),
            ("too short for vocab_size", #"["a", "b"]"#, "vocab has 2 characters"),
            ("missing", nil, "lacks \"vocab\""),
        ]
        for (name, vocab, expected) in cases {
            var file = try realFile()
            file.metadata["vocab"] = vocab
            assertRefused(file, expected, case: name)
        }
        XCTAssertThrowsError(try CharTokenizer(validating: ["x", "y", "x"], source: "v")) {
            XCTAssertEqual("\($0)", "v: vocab holds character U+78 twice (ids 0 and 2); each character must appear once, so the file is corrupt")
        }
    }

    /// Rules: wrong tool, missing / extra / mis-shaped / non-finite tensors are named.
    func testHostileTensorsAreNamed() throws {
        var wrongTool = try realFile()
        wrongTool.metadata["format"] = "slate-rl-policy"
        assertRefused(wrongTool, "not a GPT checkpoint", case: "RL policy given to gpt")
        var version = try realFile()
        version.metadata["format_version"] = "99"
        assertRefused(version, "format_version 99", case: "future version")

        var missing = try realFile()
        missing.tensors.removeAll { $0.name == "transformer.h.1.mlp.c_fc.weight" }
        assertRefused(missing, "missing tensor transformer.h.1.mlp.c_fc.weight", case: "missing tensor")
        var extra = try realFile()
        extra.tensors.append(("transformer.h.7.attn.c_attn.weight", Tensor.zeros([2, 2])))
        assertRefused(extra, "unexpected tensors transformer.h.7.attn.c_attn.weight", case: "extra tensor")
        var newline = try realFile()
        newline.tensors.append(("evil\nname", Tensor.zeros([1])))
        assertRefused(newline, "unexpected tensors evil\\nname", case: "extra tensor named with a line break")
        var shape = try realFile()
        let k = shape.tensors.firstIndex { $0.name == "transformer.wpe.weight" }!
        shape.tensors[k].tensor = Tensor.zeros([4, 16])
        assertRefused(shape, "tensor transformer.wpe.weight has shape [4, 16], expected [8, 16]", case: "wrong shape")
        var head = try realFile()
        head.tensors.append(("transformer.wte.weight", Tensor.zeros([11, 8])))
        assertRefused(head, "they are one tied matrix", case: "tied pair with different shapes")

        for bad: Float in [.nan, .infinity] {
            var poisoned = try realFile()
            let j = poisoned.tensors.firstIndex { $0.name == "transformer.h.0.attn.c_attn.weight" }!
            let t = poisoned.tensors[j].tensor
            let copy = Tensor(t.toArray(), shape: t.shape)
            for i in 0..<3 { copy.pointer[i] = bad }
            poisoned.tensors[j].tensor = copy
            assertRefused(poisoned, "tensor transformer.h.0.attn.c_attn.weight holds 3 NaN or infinite values", case: "non-finite \(bad)")
        }
    }

    /// Rule: a training configuration whose activations exceed memory is refused before the
    /// model is built, with the estimate and the machine's memory; non-finite rates are refused.
    func testTrainerRefusesHugeBatchAndNonFiniteRates() throws {
        let dataset = try TextDataset(text: String(repeating: "hello world. ", count: 40), blockSize: 8)
        var config = GPTTrainingConfig()
        config.nLayer = 1; config.nHead = 2; config.nEmbd = 8; config.blockSize = 8
        config.batchSize = 100_000_000_000
        XCTAssertThrowsError(try GPTTrainer(config: config, dataset: dataset, outputDirectory: NSTemporaryDirectory())) { error in
            let message = "\(error)"
            XCTAssertTrue(message.hasPrefix("this configuration needs ≈ ") && message.contains("batch_size 100000000000") && message.contains("this machine has"), message)
        }
        config.batchSize = 2
        for (name, edit) in [("learning_rate", { (c: inout GPTTrainingConfig) in c.learningRate = .infinity }),
                             ("min_lr", { (c: inout GPTTrainingConfig) in c.minLR = .nan }),
                             ("grad_clip", { (c: inout GPTTrainingConfig) in c.gradClip = .nan })] {
            var c = config
            edit(&c)
            XCTAssertThrowsError(try c.validate()) { XCTAssertTrue("\($0)".contains("\(name) must be a finite number"), "\($0)") }
        }
        XCTAssertNotNil(GPTConfig(nLayer: 4, nHead: 4, nEmbd: 128, blockSize: 64, vocabSize: 65).trainingMemoryBytes(batchSize: 12))
    }
}
