import Foundation
import XCTest
import Slate
@testable import SlateGPT

final class CheckpointTests: XCTestCase {
    let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")
    var tmp: URL!

    override func setUpWithError() throws {
        tmp = FileManager.default.temporaryDirectory.appendingPathComponent("slategpt-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: tmp, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: tmp) }

    /// The fixture was written in nanoGPT's layout (head stored once, as `lm_head.weight`) with
    /// its logits computed by nanoGPT's forward (scripts/make-gpt-fixture.py).
    func testNanoGPTFixtureGivesTheSameLogits() throws {
        let (model, tokenizer) = try GPTCheckpoint.load(fixtures.appendingPathComponent("nanogpt-tiny.safetensors").path)
        XCTAssertEqual(model.config, GPTConfig(nLayer: 2, nHead: 2, nEmbd: 16, blockSize: 8, vocabSize: 11, bias: true, dropout: 0))
        XCTAssertEqual(tokenizer.decode([0, 1, 10]), "\n T")
        let reference = try JSONSerialization.jsonObject(with: Data(contentsOf: fixtures.appendingPathComponent("nanogpt-tiny.json"))) as! [String: Any]
        let tokens = (reference["tokens"] as! [[Int]]).flatMap { $0 }
        let expected = (reference["logits"] as! [Double]).map { Float($0) }
        model.eval()
        let logits = withNoGrad { model.logits(tokens, batch: 2) }
        XCTAssertEqual(logits.shape, [2, 8, 11])
        let worst = zip(logits.toArray(), expected).map { abs($0 - $1) }.max()!
        XCTAssertLessThan(worst, 1e-4)
    }

    func testRoundTripKeepsEveryTensorAndBothHeadNames() throws {
        let model = try tinyGPT(bias: false)
        let tok = CharTokenizer(vocabulary: Array("\nabcdef".unicodeScalars))
        let path = tmp.appendingPathComponent("m.safetensors").path
        try GPTCheckpoint.save(model, tokenizer: tok, to: path)
        let file = try GPTCheckpointFile.read(path)
        XCTAssertEqual(file.metadata["format"], "slate.gpt")
        XCTAssertEqual(file.metadata["format_version"], "1")
        XCTAssertNotNil(file["lm_head.weight"])
        XCTAssertNotNil(file["transformer.wte.weight"])
        let config = try JSONSerialization.jsonObject(with: Data(file.metadata["config"]!.utf8)) as! [String: Any]
        XCTAssertEqual(Set(config.keys), ["n_layer", "n_head", "n_embd", "block_size", "vocab_size", "bias", "dropout"])
        let (loaded, loadedTok) = try GPTCheckpoint.load(path)
        XCTAssertEqual(loadedTok, tok)
        for ((n1, a), (n2, b)) in zip(model.namedParameters(), loaded.namedParameters()) {
            XCTAssertEqual(n1, n2)
            XCTAssertEqual(a.toArray(), b.toArray(), n1)
        }
    }

    /// Drops or alters tensors of a saved file and loads the result.
    func reload(_ edit: (inout GPTCheckpointFile) -> Void) throws -> GPT {
        let model = try tinyGPT(bias: true)
        var file = GPTCheckpoint.file(model, tokenizer: CharTokenizer(vocabulary: Array("abcdefg".unicodeScalars)))
        edit(&file)
        let path = tmp.appendingPathComponent("e.safetensors").path
        try file.write(to: path)
        return try GPTCheckpoint.load(path).model
    }

    func testTiedHeadUnderEitherName() throws {
        let reference = try tinyGPT(bias: true)
        for drop in ["lm_head.weight", "transformer.wte.weight"] {
            let loaded = try reload { f in f.tensors.removeAll { $0.name == drop } }
            XCTAssertEqual(loaded.wte.toArray(), reference.wte.toArray(), "without \(drop)")
        }
    }

    func testUntiedHeadAndBadFilesAreClearErrors() throws {
        func expectError(_ fragment: String, _ edit: (inout GPTCheckpointFile) -> Void) {
            XCTAssertThrowsError(try reload(edit)) { error in
                XCTAssertTrue("\(error)".contains(fragment), "\(error) lacks \(fragment)")
            }
        }
        expectError("untied") { f in
            let i = f.tensors.firstIndex { $0.name == "lm_head.weight" }!
            f.tensors[i].tensor = Tensor.zeros([7, 8])
        }
        expectError("missing tensor transformer.h.1.mlp.c_fc.bias") { f in f.tensors.removeAll { $0.name == "transformer.h.1.mlp.c_fc.bias" } }
        expectError("has shape [3]") { f in
            let i = f.tensors.firstIndex { $0.name == "transformer.ln_f.bias" }!
            f.tensors[i].tensor = Tensor.zeros([3])
        }
        expectError("vocab") { f in f.metadata["vocab"] = "[\"a\"]" }
        expectError("config") { f in f.metadata["config"] = nil }
        expectError("format") { f in f.metadata["format"] = "other" }

        let garbage = tmp.appendingPathComponent("g.safetensors")
        try Data([200, 0, 0, 0, 0, 0, 0, 0, 123]).write(to: garbage)
        XCTAssertThrowsError(try GPTCheckpoint.load(garbage.path)) { XCTAssertTrue("\($0)".contains("header length")) }
        let full = try GPTCheckpoint.file(try tinyGPT(), tokenizer: CharTokenizer(vocabulary: Array("abcdefg".unicodeScalars))).encoded()
        try full.prefix(full.count - 10).write(to: garbage)
        XCTAssertThrowsError(try GPTCheckpoint.load(garbage.path)) { XCTAssertTrue("\($0)".contains("g.safetensors"), "\($0)") }
        XCTAssertThrowsError(try GPTCheckpoint.load(tmp.appendingPathComponent("none").path)) {
            XCTAssertTrue("\($0)".contains("not found"))
        }
    }
}
