import XCTest
import Slate
@testable import SlateGPT

/// A tiny GPT for tests.
func tinyGPT(bias: Bool = true, layers: Int = 2, dropout: Float = 0, seed: UInt64 = 1) throws -> GPT {
    try GPT(GPTConfig(nLayer: layers, nHead: 2, nEmbd: 8, blockSize: 6, vocabSize: 7, bias: bias, dropout: dropout),
            seed: seed)
}

final class ModelTests: XCTestCase {
    func testParameterNamesAndShapesAreNanoGPTs() throws {
        let model = try tinyGPT(bias: true, layers: 1)
        let got = model.namedParameters().map { "\($0.0) \($0.1.shape)" }
        XCTAssertEqual(got, [
            "transformer.wte.weight [7, 8]", "transformer.wpe.weight [6, 8]",
            "transformer.h.0.ln_1.weight [8]", "transformer.h.0.ln_1.bias [8]",
            "transformer.h.0.attn.c_attn.weight [24, 8]", "transformer.h.0.attn.c_attn.bias [24]",
            "transformer.h.0.attn.c_proj.weight [8, 8]", "transformer.h.0.attn.c_proj.bias [8]",
            "transformer.h.0.ln_2.weight [8]", "transformer.h.0.ln_2.bias [8]",
            "transformer.h.0.mlp.c_fc.weight [32, 8]", "transformer.h.0.mlp.c_fc.bias [32]",
            "transformer.h.0.mlp.c_proj.weight [8, 32]", "transformer.h.0.mlp.c_proj.bias [8]",
            "transformer.ln_f.weight [8]", "transformer.ln_f.bias [8]",
        ])
        let noBias = try tinyGPT(bias: false, layers: 1)
        XCTAssertFalse(noBias.namedParameters().contains { $0.0.hasSuffix(".bias") })
        XCTAssertEqual(noBias.namedParameters().count, 9)
    }

    func testInitialisationMatchesNanoGPT() throws {
        let model = try GPT(GPTConfig(nLayer: 4, nHead: 4, nEmbd: 128, blockSize: 64, vocabSize: 65), seed: 5)
        func std(_ t: Tensor) -> Double {
            let a = t.toArray().map(Double.init)
            let m = a.reduce(0, +) / Double(a.count)
            return (a.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(a.count)).squareRoot()
        }
        XCTAssertEqual(std(model.blocks[0].attnWeight), 0.02, accuracy: 0.001)
        XCTAssertEqual(std(model.blocks[0].fcWeight), 0.02, accuracy: 0.001)
        XCTAssertEqual(std(model.wte), 0.02, accuracy: 0.002)
        let residual = 0.02 / (2.0 * 4).squareRoot()
        XCTAssertEqual(std(model.blocks[1].mlpProjWeight), residual, accuracy: 0.0005)
        XCTAssertEqual(std(model.blocks[1].attnProjWeight), residual, accuracy: 0.0005)
        XCTAssertEqual(model.lnFWeight.toArray(), [Float](repeating: 1, count: 128))
        // nanoGPT reports 0.80M parameters for this config (non-embedding count, tied head once).
        XCTAssertEqual(model.nonEmbeddingParameterCount, 795_904)
    }

    func testWholeTinyGPTGradientsMatchFiniteDifferences() throws {
        for bias in [true, false] {
            let model = try tinyGPT(bias: bias)
            let tokens = [1, 4, 2, 6, 0, 3, 5, 5, 1, 2]          // B = 2, T = 5
            let targets = [4, 2, 6, 0, 3, 5, 1, 1, 2, 0]
            let result = gradCheck(model.parameters(), step: 1e-2, atol: 2e-3, rtol: 2e-2) { _ in
                model.loss(tokens, targets: targets, batch: 2)
            }
            XCTAssertTrue(result.passed, "bias \(bias): \(result)")
        }
    }

    func testDropoutIsActiveOnlyInTraining() throws {
        let model = try tinyGPT(dropout: 0.5)
        let tokens = [1, 2, 3, 4]
        model.eval()
        let a = withNoGrad { model.logits(tokens, batch: 1) }.toArray()
        XCTAssertEqual(a, withNoGrad { model.logits(tokens, batch: 1) }.toArray())
        model.train()
        XCTAssertNotEqual(a, withNoGrad { model.logits(tokens, batch: 1) }.toArray())
    }

    func testEvaluateAveragesEveryFullWindow() throws {
        let model = try tinyGPT()
        let tokens = (0..<20).map { ($0 * 3) % 7 }                 // T = 6: windows 0..<6, 6..<12, 12..<18
        let r = try model.evaluate(tokens: tokens, windowsPerBatch: 2)
        XCTAssertEqual(r.windows, 3)
        XCTAssertEqual(r.tokens, 18)
        var expected = 0.0
        for k in 0..<3 {
            let x = Array(tokens[(k * 6)..<(k * 6 + 6)]), y = Array(tokens[(k * 6 + 1)..<(k * 6 + 7)])
            expected += Double(withNoGrad { model.loss(x, targets: y, batch: 1) }.item()) / 3
        }
        XCTAssertEqual(r.loss, expected, accuracy: 1e-5)
        XCTAssertThrowsError(try model.evaluate(tokens: [1, 2, 3]))
    }
}
