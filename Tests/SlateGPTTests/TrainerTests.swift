import Foundation
import XCTest
import Slate
@testable import SlateGPT

final class TrainerTests: XCTestCase {
    func tinyConfig(iters: Int) -> GPTTrainingConfig {
        var c = GPTTrainingConfig()
        (c.nLayer, c.nHead, c.nEmbd, c.blockSize, c.batchSize) = (1, 2, 16, 8, 8)
        (c.maxIters, c.warmupIters, c.lrDecayIters, c.evalInterval, c.evalIters) = (iters, 5, 40, 20, 4)
        c.learningRate = 1e-2
        return c
    }

    let text = String(repeating: "the cat sat on the mat. the dog sat on the log. ", count: 40)

    func testLossFallsAndResumeContinuesTheSameRun() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("gpt-train-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let data = try TextDataset(text: text, blockSize: 8)
        // Uninterrupted: 40 steps.
        let full = try GPTTrainer(config: tinyConfig(iters: 40), dataset: data, outputDirectory: dir + "/a")
        var evals: [Float] = []
        let summary = try full.train { if case let .eval(_, _, val, _) = $0 { evals.append(val) } }
        XCTAssertEqual(summary.iters, 40)
        XCTAssertLessThan(evals.last!, evals.first! - 1, "val loss \(evals)")
        XCTAssertTrue(FileManager.default.fileExists(atPath: dir + "/a/model.safetensors"))

        // Interrupted at 20 (a checkpoint is written at the eval of step 20), then resumed to 40.
        let first = try GPTTrainer(config: tinyConfig(iters: 20), dataset: data, outputDirectory: dir + "/b")
        _ = try first.train()
        try first.saveCheckpoint(iter: 20)
        let resumed = try GPTTrainer(resuming: tinyConfig(iters: 40), dataset: data, outputDirectory: dir + "/b")
        XCTAssertEqual(resumed.iter, 20)
        XCTAssertEqual(resumed.optimizer.stepCount, 20)
        _ = try resumed.train()
        for ((name, a), (_, b)) in zip(full.model.namedParameters(), resumed.model.namedParameters()) {
            let worst = zip(a.toArray(), b.toArray()).map { abs($0 - $1) }.max()!
            XCTAssertLessThan(worst, 1e-5, name)
        }
    }

    func testBadSettingsAreErrors() throws {
        var c = tinyConfig(iters: 1)
        c.nHead = 3
        XCTAssertThrowsError(try c.validate()) { XCTAssertTrue("\($0)".contains("divisible")) }
        c = tinyConfig(iters: 1)
        c.dropout = 1
        XCTAssertThrowsError(try c.validate())
    }
}
