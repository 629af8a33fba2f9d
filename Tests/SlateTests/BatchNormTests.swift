import Foundation
import XCTest
@testable import Slate

/// `BatchNorm1d` / `Tensor.batchNorm`: finite differences in both modes, the Double naive twin,
/// and PyTorch's outputs, gradients and running statistics (Fixtures/batchnorm.json, written by
/// Fixtures/make_batchnorm_fixture.py with torch 2.13).
final class BatchNormTests: XCTestCase {
    func testGradientTraining() {
        let x = param([7, 5], seed: 1), w = param([5], seed: 2), b = param([5], seed: 3)
        assertGradients([x, w, b]) {
            $0[0].batchNorm(weight: $0[1], bias: $0[2], runningMean: nil, runningVar: nil, training: true)
        }
    }

    func testGradientEvaluation() {
        let x = param([4, 3], seed: 4), w = param([3], seed: 5), b = param([3], seed: 6)
        let rm = Tensor([0.2, -0.1, 0.3]), rv = Tensor([0.5, 1.5, 2.0])
        assertGradients([x, w, b]) {
            $0[0].batchNorm(weight: $0[1], bias: $0[2], runningMean: rm, runningVar: rv, training: false)
        }
    }

    func testForwardMatchesNaiveTwin() {
        let x = param([9, 6], seed: 8), w = param([6], seed: 9), b = param([6], seed: 10)
        let rm = Tensor.zeros([6]), rv = Tensor.ones([6])
        let y = x.batchNorm(weight: w, bias: b, runningMean: rm, runningVar: rv, training: true, momentum: 1)
        let ref = naiveBatchNorm(x.toArray(), rows: 9, cols: 6, weight: w.toArray(), bias: b.toArray())
        assertClose(y.toArray(), ref.out, tol: 1e-5)
        assertClose(rm.toArray(), ref.mean.map { Float($0) }, tol: 1e-6)          // momentum 1: the batch's own
        assertClose(rv.toArray(), ref.unbiasedVar.map { Float($0) }, tol: 1e-5)
    }

    func testMatchesPyTorch() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/batchnorm.json")
        let fix = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
        func flat(_ key: String) -> [Float] {
            if let m = fix[key] as? [[Double]] { return m.flatMap { $0 }.map(Float.init) }
            return (fix[key] as! [Double]).map(Float.init)
        }
        func matrix(_ key: String) -> Tensor { Tensor(flat(key), shape: [flat(key).count / 4, 4]) }
        let bn = BatchNorm1d(4)
        bn.weight!.pointer.update(from: flat("weight"), count: 4)
        bn.bias!.pointer.update(from: flat("bias"), count: 4)
        let x1 = matrix("x1"); x1.requiresGrad = true
        let y1 = bn(x1)
        (y1 * matrix("proj")).sumAll().backward()
        var worst: Float = 0
        func check(_ a: [Float], _ key: String) {
            let ref = flat(key)
            XCTAssertEqual(a.count, ref.count, key)
            let diff = zip(a, ref).map { abs($0 - $1) }.max() ?? 0
            worst = max(worst, diff)
            XCTAssertLessThan(diff, 2e-5, "\(key): max |slate − torch| = \(diff)")
        }
        check(y1.toArray(), "y1"); check(x1.grad!.toArray(), "dx1")
        check(bn.weight!.grad!.toArray(), "dweight"); check(bn.bias!.grad!.toArray(), "dbias")
        check(bn.runningMean.toArray(), "running_mean_1"); check(bn.runningVar.toArray(), "running_var_1")
        check(bn(matrix("x2")).toArray(), "y2")
        check(bn.runningMean.toArray(), "running_mean_2"); check(bn.runningVar.toArray(), "running_var_2")
        bn.eval()
        check(bn(matrix("x3")).toArray(), "y3_eval")
        print("BatchNorm1d vs torch: max abs diff \(worst)")
    }

    func testOneRowInTrainingGivesTheBiasAndKeepsTheRunningVariance() {
        let bn = BatchNorm1d(2)
        bn.bias!.pointer[0] = 0.5
        let x = Tensor([3, -1], shape: [1, 2], requiresGrad: true)
        let y = bn(x)
        XCTAssertEqual(y.toArray(), [0.5, 0])
        y.sumAll().backward()
        XCTAssertEqual(x.grad!.toArray(), [0, 0])
        XCTAssertEqual(bn.runningMean.toArray(), [0.3, -0.1])
        XCTAssertEqual(bn.runningVar.toArray(), [1, 1])
    }

    func testBuffersAreStateButNotParameters() {
        let model = Sequential([Linear(inFeatures: 3, outFeatures: 4), BatchNorm1d(4)])
        XCTAssertEqual(model.namedParameters().map(\.0), ["0.weight", "0.bias", "1.weight", "1.bias"])
        XCTAssertEqual(model.namedBuffers().map(\.0), ["1.running_mean", "1.running_var"])
        XCTAssertEqual(model.namedState().count, 6)
    }
}
