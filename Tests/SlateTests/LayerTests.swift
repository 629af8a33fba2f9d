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

final class EmbeddingNormDropoutTests: XCTestCase {
    func testEmbeddingLooksUpRowsAndScattersGradients() {
        var rng = RandomGenerator(seed: 2)
        let emb = Embedding(count: 5, dim: 3, generator: &rng)
        XCTAssertEqual(emb.namedParameters().map { $0.0 }, ["weight"])
        let out = emb([4, 0, 4, 2], shape: [2, 2])
        XCTAssertEqual(out.shape, [2, 2, 3])
        XCTAssertEqual(Array(out.toArray()[0..<3]), Array(emb.weight.toArray()[12..<15]))
        out.sumAll().backward()
        XCTAssertEqual(emb.weight.grad!.toArray(), [1, 1, 1, 0, 0, 0, 1, 1, 1, 0, 0, 0, 2, 2, 2])
        // N(0, 1) init, as PyTorch.
        let big = Embedding(count: 100, dim: 100, generator: &rng)
        XCTAssertEqual(variance(big.weight.toArray()), 1, accuracy: 0.05)
    }

    func testLayerNormModuleNormalisesAndHasPyTorchNames() {
        let ln = LayerNorm(dim: 4)
        XCTAssertEqual(ln.namedParameters().map { $0.0 }, ["weight", "bias"])
        XCTAssertEqual(LayerNorm(dim: 4, bias: false).namedParameters().map { $0.0 }, ["weight"])
        let y = ln(Tensor([1, 2, 3, 4], shape: [1, 4]))
        // mean 2.5, biased variance 1.25
        let r = 1 / (1.25 + 1e-5).squareRoot()
        assertClose(y.toArray(), [-1.5, -0.5, 0.5, 1.5].map { Float($0 * r) }, tol: 1e-5)
    }

    func testDropoutFollowsTrainEval() {
        let d = Dropout(p: 0.5, seed: 3)
        let x = Tensor.ones([1000])
        let trained = d(x).toArray()
        XCTAssertTrue(trained.allSatisfy { $0 == 0 || $0 == 2 })
        XCTAssertEqual(Double(trained.filter { $0 == 0 }.count), 500, accuracy: 60)
        let seq = Sequential([d])
        seq.eval()
        XCTAssertEqual(d(x).toArray(), x.toArray())
    }
}
