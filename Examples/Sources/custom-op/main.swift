// Writing an op and its backward: smooth |x|, checked with gradCheck, then used in training.
import Foundation
import Slate

extension Tensor {
    /// Smooth absolute value y = √(x² + ε), elementwise; dy/dx = x / y.
    func smoothAbs(epsilon: Float = 1e-3) -> Tensor {
        let y = Tensor(uninitialized: shape)
        for i in 0..<count { y.pointer[i] = (pointer[i] * pointer[i] + epsilon).squareRoot() }
        return y.recordOp("smoothAbs", inputs: [self]) { g in      // g = dL/dy, shaped as y
            let dx = self.gradBuffer()                              // add into it, never overwrite
            for i in 0..<self.count { dx[i] += g.pointer[i] * self.pointer[i] / y.pointer[i] }
        }
    }
}

// 1. Finite differences agree with the backward.
var generator = RandomGenerator(seed: 2)
let x = Tensor.uniform([3, 5], low: -2, high: 2, generator: &generator, requiresGrad: true)
let check = gradCheck([x]) { $0[0].smoothAbs() }
print("gradcheck: \(check.passed ? "passed" : "FAILED") (\(check))")

// 2. The op trains like any other: fit w to the median-like minimiser of Σ |w − t|.
let targets = Tensor([1, 2, 3, 10, 11], shape: [5])
let w = Tensor([0], requiresGrad: true)
let optimizer = Adam([w], learningRate: 0.1)
for _ in 0..<400 {
    optimizer.zeroGrad()
    (w - targets).smoothAbs().sumAll().backward()                   // (1) - (5) -> (5) -> scalar
    optimizer.step()
}
print("median fit: w = \(String(format: "%.2f", w.item())) (the median is 3)")
