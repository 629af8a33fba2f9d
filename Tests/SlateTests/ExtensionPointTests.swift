import Foundation
import XCTest
import Slate   // no @testable: these use only what a user of the library sees

/// The documented way to write an op (`recordOp`'s example), tested as a user would.
extension Tensor {
    fileprivate func softplus() -> Tensor {
        let out = Tensor(uninitialized: shape)
        for i in 0..<count { out.pointer[i] = Foundation.log(1 + Foundation.exp(pointer[i])) }
        return out.recordOp("softplus", inputs: [self]) { g in
            let dx = self.gradBuffer()
            for i in 0..<self.count { dx[i] += g.pointer[i] / (1 + Foundation.exp(-self.pointer[i])) }
        }
    }

    /// The same op with a wrong derivative (σ(x)/2), which `gradCheck` must reject.
    fileprivate func brokenSoftplus() -> Tensor {
        let out = Tensor(uninitialized: shape)
        for i in 0..<count { out.pointer[i] = Foundation.log(1 + Foundation.exp(pointer[i])) }
        return out.recordOp("softplus", inputs: [self]) { g in
            let dx = self.gradBuffer()
            for i in 0..<self.count { dx[i] += 0.5 * g.pointer[i] / (1 + Foundation.exp(-self.pointer[i])) }
        }
    }
}

/// A user's own layer: a learned per-feature gain around a child `Linear`, y = g ⊙ (x·Wᵀ + b).
private final class GatedLinear: Layer {
    let gain: Tensor
    let inner: Linear
    var training = true

    init(features: Int, generator: inout RandomGenerator) {
        gain = Tensor.uniform([features], low: 0.5, high: 1.5, generator: &generator, requiresGrad: true)
        inner = Linear(inFeatures: features, outFeatures: features, generator: &generator)
    }

    var localParameters: [(String, Tensor)] { [("gain", gain)] }
    var children: [(String, Module)] { [("inner", inner)] }
    func forward(_ x: Tensor) -> Tensor { inner(x) * gain }    // (B, F) * (F) -> (B, F)
}

final class ExtensionPointTests: XCTestCase {
    func testOwnOpPassesGradCheckAndAWrongBackwardFails() {
        var rng = RandomGenerator(seed: 3)
        let x = Tensor.uniform([3, 4], low: -3, high: 3, generator: &rng, requiresGrad: true)
        let good = gradCheck([x]) { $0[0].softplus() }
        XCTAssertTrue(good.passed, good.description)
        XCTAssertFalse(gradCheck([x]) { $0[0].brokenSoftplus() }.passed)
        // Used twice, an input receives both contributions: d/dx (softplus(x) + softplus(x)) = 2σ(x).
        let y = Tensor([0.0], requiresGrad: true)
        (y.softplus() + y.softplus()).sumAll().backward()
        XCTAssertEqual(y.grad!.item(), 1, accuracy: 1e-6)
        // Nothing is recorded under withNoGrad.
        XCTAssertNil(withNoGrad { x.softplus() }.gradFn)
    }

    func testOwnLayerParametersByNameTrainingAndSaveLoad() throws {
        var rng = RandomGenerator(seed: 5)
        let model = Sequential([GatedLinear(features: 3, generator: &rng), Activation(.tanh)])
        XCTAssertEqual(model.namedParameters().map(\.0), ["0.gain", "0.inner.weight", "0.inner.bias"])
        XCTAssertEqual(model.parameterCount, 3 + 9 + 3)

        // The optimizer reaches the layer's own parameter through parameters().
        let gainBefore = model.namedParameters()[0].1.toArray()
        let optimizer = SGD(model.parameters(), learningRate: 0.1)
        let x = Tensor.uniform([4, 3], low: -1, high: 1, generator: &rng)
        model(x).square().meanAll().backward()
        optimizer.step()
        XCTAssertNotEqual(model.namedParameters()[0].1.toArray(), gainBefore)

        // Save by name, load into a differently initialised copy: same outputs.
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("gated-\(UUID()).safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        try model.save(to: url, metadata: ["layer": "GatedLinear"])
        var other = RandomGenerator(seed: 99)
        let copy = Sequential([GatedLinear(features: 3, generator: &other), Activation(.tanh)])
        XCTAssertNotEqual(withNoGrad { copy(x) }.toArray(), withNoGrad { model(x) }.toArray())
        XCTAssertEqual(try copy.load(from: url)["layer"], "GatedLinear")
        XCTAssertEqual(withNoGrad { copy(x) }.toArray(), withNoGrad { model(x) }.toArray())

        // A file from another architecture is refused by name, and nothing is loaded.
        let linear = Linear(inFeatures: 3, outFeatures: 3, generator: &other)
        XCTAssertThrowsError(try linear.load(from: url))
    }
}
