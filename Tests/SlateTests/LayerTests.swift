import XCTest
@testable import Slate

final class LayerTests: XCTestCase {
    func testMLPParameterNamesAndShapesMatchSequential() {
        var rng = RandomGenerator(seed: 1)
        let mlp = MLP(sizes: [2, 16, 16, 1], activation: .tanh, generator: &rng)
        let named = mlp.namedParameters()
        XCTAssertEqual(named.map { $0.0 }, ["0.weight", "0.bias", "2.weight", "2.bias", "4.weight", "4.bias"])
        XCTAssertEqual(named.map { $0.1.shape }, [[16, 2], [16], [16, 16], [16], [1, 16], [1]])
        XCTAssertEqual(mlp.parameterCount, 2 * 16 + 16 + 16 * 16 + 16 + 16 + 1)
        XCTAssertTrue(mlp.parameters().allSatisfy { $0.requiresGrad })
    }

    func testTrainEvalPropagatesToChildren() {
        var rng = RandomGenerator(seed: 1)
        let inner = Sequential([Linear(inFeatures: 3, outFeatures: 3, generator: &rng), Activation(.relu)])
        let outer = Sequential([inner, Linear(inFeatures: 3, outFeatures: 1, bias: false, generator: &rng)])
        XCTAssertEqual(outer.namedParameters().map { $0.0 }, ["0.0.weight", "0.0.bias", "1.weight"])
        outer.eval()
        XCTAssertFalse(inner.layers[0].training)
        XCTAssertFalse(outer.layers[1].training)
        outer.train()
        XCTAssertTrue(inner.layers[1].training)
    }

    func testLinearMatchesNaiveAndFoldsLeadingAxes() {
        var rng = RandomGenerator(seed: 3)
        let layer = Linear(inFeatures: 5, outFeatures: 4, generator: &rng)
        let x = Tensor.randn([2, 3, 5], generator: &rng)
        let y = layer(x)
        XCTAssertEqual(y.shape, [2, 3, 4])
        for r in 0..<6 {
            for o in 0..<4 {
                var acc = Double(layer.bias!.pointer[o])
                for i in 0..<5 { acc += Double(x.pointer[r * 5 + i]) * Double(layer.weight[o, i]) }
                XCTAssertEqual(y.pointer[r * 4 + o], Float(acc), accuracy: 1e-5)
            }
        }
    }

    func testLinearGradients() {
        let x = param([3, 2, 4], seed: 1), w = param([5, 4], seed: 2), b = param([5], seed: 3)
        assertGradients([x, w, b]) { t in t[0].linear(weight: t[1], bias: t[2]) }
        assertGradients([x, w]) { t in t[0].linear(weight: t[1], bias: nil).tanh() }
    }

    func testMLPGradientsAndZeroGrad() {
        var rng = RandomGenerator(seed: 5)
        let mlp = MLP(sizes: [3, 4, 2], activation: .tanh, generator: &rng)
        let x = param([6, 3], seed: 9)
        assertGradients([x] + mlp.parameters()) { t in mlp(t[0]) }
        XCTAssertNotNil(mlp.linears[0].weight.grad)
        mlp.zeroGrad()
        XCTAssertTrue(mlp.parameters().allSatisfy { $0.grad == nil })
    }

    func testLinearDefaultInitBounds() {
        var rng = RandomGenerator(seed: 11)
        let layer = Linear(inFeatures: 64, outFeatures: 256, generator: &rng)
        let bound: Float = 1 / 8
        let w = layer.weight.toArray()
        XCTAssertLessThanOrEqual(w.map(abs).max()!, bound)
        XCTAssertGreaterThan(w.map(abs).max()!, 0.95 * bound)
        // U(−a, a) has variance a²/3.
        XCTAssertEqual(variance(w), Double(bound * bound) / 3, accuracy: 0.1 * Double(bound * bound) / 3)
        XCTAssertLessThanOrEqual(layer.bias!.toArray().map(abs).max()!, bound)
    }
}

/// Population variance in Double.
func variance(_ v: [Float]) -> Double {
    let mean = v.reduce(0.0) { $0 + Double($1) } / Double(v.count)
    return v.reduce(0.0) { $0 + (Double($1) - mean) * (Double($1) - mean) } / Double(v.count)
}
