import XCTest
@testable import Slate

/// Optimizer steps against the update formulas of `torch.optim` written out in Double.
final class OptimizerTests: XCTestCase {
    /// A parameter with a fixed gradient.
    func makeParameter(_ values: [Float], grad: [Float]) -> Tensor {
        let p = Tensor(values, requiresGrad: true)
        p.grad = Tensor(grad)
        return p
    }

    func testAdamFirstStepIsLearningRateTimesSign() {
        // m̂ = g and v̂ = g² after one step, so p moves by lr·g/(|g| + ε).
        let p = makeParameter([1, -2, 0.5], grad: [0.1, -0.3, 2])
        let adam = Adam([p], learningRate: 0.1)
        adam.step()
        assertClose(p.toArray(), [0.9, -1.9, 0.4], tol: 1e-6)
    }

    /// Two Adam/AdamW steps compared against the PyTorch algorithm written out in Double.
    func testAdamAndAdamWMatchPyTorchFormulas() {
        let (lr, b1, b2, eps, wd) = (0.01, 0.8, 0.95, 1e-3, 0.1)  // eps large enough to matter
        let start: [Double] = [1, -2, 0.5, 3], grads: [[Double]] = [[0.1, -0.3, 2, 0], [-0.2, 0.05, 1, 0.4]]
        for decoupled in [false, true] {
            let p = Tensor(start.map(Float.init), requiresGrad: true)
            let opt: Adam = decoupled
                ? AdamW([ParameterGroup(parameters: [p], weightDecay: Float(wd))], learningRate: Float(lr),
                        beta1: Float(b1), beta2: Float(b2), eps: Float(eps))
                : Adam([p], learningRate: Float(lr), beta1: Float(b1), beta2: Float(b2), eps: Float(eps),
                       weightDecay: Float(wd))
            var ref = start, m = [Double](repeating: 0, count: 4), v = m
            for (t, g) in grads.enumerated() {
                p.grad = Tensor(g.map(Float.init))
                opt.step()
                let step = Double(t + 1)
                for i in 0..<4 {
                    var gi = g[i]
                    if decoupled { ref[i] *= 1 - lr * wd } else { gi += wd * ref[i] }
                    m[i] = b1 * m[i] + (1 - b1) * gi
                    v[i] = b2 * v[i] + (1 - b2) * gi * gi
                    let denom = v[i].squareRoot() / (1 - pow(b2, step)).squareRoot() + eps
                    ref[i] -= lr / (1 - pow(b1, step)) * m[i] / denom
                }
            }
            assertClose(p.toArray(), ref.map(Float.init), tol: 1e-6)
            XCTAssertEqual(opt.stepCount, 2)
        }
    }

    func testAdamWDecaysEvenWithZeroGradientAndSkipsMissingGrads() {
        let p = makeParameter([1], grad: [0])
        let untouched = Tensor([5], requiresGrad: true)       // no gradient: skipped
        let opt = AdamW([p, untouched], learningRate: 0.1, weightDecay: 0.5)
        opt.step()
        XCTAssertEqual(p.item(), 0.95, accuracy: 1e-7)          // 1·(1 − 0.1·0.5), Adam term 0
        XCTAssertEqual(untouched.item(), 5)
    }

    func testSGDMomentumNesterovAndWeightDecay() {
        let (lr, mu, wd) = (0.1, 0.9, 0.01)
        let grads: [[Double]] = [[1, -1], [0.5, 2], [-1, 0]]
        for nesterov in [false, true] {
            let p = Tensor([1, 2], requiresGrad: true)
            let sgd = SGD([p], learningRate: Float(lr), momentum: Float(mu), weightDecay: Float(wd), nesterov: nesterov)
            var ref: [Double] = [1, 2], buf: [Double] = [0, 0]
            for (t, g) in grads.enumerated() {
                p.grad = Tensor(g.map(Float.init))
                sgd.step()
                for i in 0..<2 {
                    let gi = g[i] + wd * ref[i]
                    buf[i] = t == 0 ? gi : mu * buf[i] + gi
                    ref[i] -= lr * (nesterov ? gi + mu * buf[i] : buf[i])
                }
            }
            assertClose(p.toArray(), ref.map(Float.init), tol: 1e-6)
        }
        let plain = makeParameter([1], grad: [2])
        SGD([plain], learningRate: 0.5).step()
        XCTAssertEqual(plain.item(), 0)
    }

    func testDecaySplitFollowsNanoGPT() {
        var rng = RandomGenerator(seed: 1)
        let mlp = MLP(sizes: [3, 4, 2], generator: &rng)
        let groups = ParameterGroup.decaySplit(mlp, weightDecay: 0.1)
        XCTAssertEqual(groups[0].names!, ["0.weight", "2.weight"])
        XCTAssertEqual(groups[0].weightDecay, 0.1)
        XCTAssertEqual(groups[1].names!, ["0.bias", "2.bias"])
        XCTAssertEqual(groups[1].weightDecay, 0)
    }

    func testStateRoundTripResumesIdentically() throws {
        var rng = RandomGenerator(seed: 2)
        let a = MLP(sizes: [3, 4, 2], generator: &rng)
        let b = MLP(sizes: [3, 4, 2], generator: &rng)
        for (pa, pb) in zip(a.parameters(), b.parameters()) { pb.pointer.update(from: pa.pointer, count: pa.count) }
        let optA = AdamW(ParameterGroup.decaySplit(a, weightDecay: 0.1), learningRate: 0.05)
        let optB = AdamW(ParameterGroup.decaySplit(b, weightDecay: 0.1), learningRate: 0.05)
        let x = Tensor.randn([5, 3], generator: &rng)
        func train(_ m: MLP, _ opt: Optimizer) { opt.zeroGrad(); m(x).pow(2).meanAll().backward(); opt.step() }
        for _ in 0..<3 { train(a, optA) }
        for (pa, pb) in zip(a.parameters(), b.parameters()) { pb.pointer.update(from: pa.pointer, count: pa.count) }
        let state = optA.stateDict()
        XCTAssertTrue(state.contains { $0.0 == "exp_avg_sq.0.weight" })
        try optB.loadStateDict(Dictionary(uniqueKeysWithValues: state.map { ($0.0, $0.1.copy()) }))
        XCTAssertEqual(optB.stepCount, 3)
        train(a, optA); train(b, optB)
        for (pa, pb) in zip(a.parameters(), b.parameters()) { XCTAssertEqual(pa.toArray(), pb.toArray()) }

        var broken = Dictionary(uniqueKeysWithValues: state)
        broken["exp_avg.2.bias"] = Tensor.zeros([7])
        XCTAssertThrowsError(try optB.loadStateDict(broken)) { error in
            XCTAssertTrue("\(error)".contains("exp_avg.2.bias"), "\(error)")
        }
    }

    func testClipGradNormReturnsTotalAndScales() {
        let a = makeParameter([0, 0], grad: [3, 4]), b = makeParameter([0], grad: [12])
        let total = clipGradNorm([a, b], maxNorm: 6.5)
        XCTAssertEqual(total, 13, accuracy: 1e-5)
        let scale: Float = 6.5 / (13 + 1e-6)
        assertClose(a.grad!.toArray() + b.grad!.toArray(), [3 * scale, 4 * scale, 12 * scale], tol: 1e-6)
        XCTAssertEqual(clipGradNorm([a, b], maxNorm: 100), 6.5, accuracy: 1e-4)   // under the limit: unchanged
        XCTAssertEqual(b.grad!.item(), 12 * scale, accuracy: 1e-6)
    }

    /// Gradients of many blocks, clipped over 2 threads: the norm is bit for bit one thread's
    /// (per-gradient `sumOfSquares`, added in order), it matches a Double reference, and every
    /// element is scaled by the same coefficient.
    func testClipGradNormOverThreadsEqualsTheSerialSum() {
        let saved = Threads.count
        defer { Threads.count = saved }
        let sizes = [100_003, 5, 40_000, 70_001]
        func parameters() -> [Tensor] {
            sizes.map { n in makeParameter([Float](repeating: 0, count: n), grad: (0..<n).map { Float(sin(Double($0 * 7 + n))) }) }
        }
        let serialSum = parameters().reduce(0.0) { $0 + sumOfSquares($1.grad!.pointer, $1.count) }
        let reference = parameters().reduce(0.0) { acc, p in acc + p.grad!.toArray().reduce(0.0) { $0 + Double($1) * Double($1) } }
        for threads in [1, 2] {
            Threads.count = threads
            let ps = parameters(), before = ps.map { $0.grad!.toArray() }
            let total = clipGradNorm(ps, maxNorm: 1)
            XCTAssertEqual(total, Float(serialSum.squareRoot()), "threads \(threads)")       // bit for bit
            XCTAssertEqual(Double(total), reference.squareRoot(), accuracy: 1e-4 * reference.squareRoot())
            let coefficient: Float = 1 / (total + 1e-6)
            for (p, old) in zip(ps, before) { XCTAssertEqual(p.grad!.toArray(), old.map { $0 * coefficient }) }
        }
    }

    /// nanoGPT's shakespeare_char config: lr 1e-3, warmup 100, decay to 1e-4 at 5000.
    func testWarmupCosineMatchesNanoGPTGetLR() {
        let s = LearningRateSchedule.warmupCosine(maxRate: 1e-3, warmupIters: 100, decayIters: 5000, minRate: 1e-4)
        let expected: [(Int, Double)] = [(0, 1e-3 / 101), (50, 1e-3 * 51 / 101), (99, 1e-3 * 100 / 101),
                                         (100, 1e-3), (2550, 5.5e-4), (5000, 1e-4), (9000, 1e-4),
                                         (1325, 1e-4 + 0.5 * (1 + cos(Double.pi * 0.25)) * 9e-4)]
        for (it, lr) in expected { XCTAssertEqual(Double(s.rate(at: it)), lr, accuracy: 1e-9, "it \(it)") }
    }

    func testStepLinearAndConstantSchedules() {
        let step = LearningRateSchedule.step(initial: 0.1, stepSize: 10, gamma: 0.5)
        XCTAssertEqual(step.rate(at: 9), 0.1, accuracy: 1e-9)
        XCTAssertEqual(step.rate(at: 10), 0.05, accuracy: 1e-9)
        XCTAssertEqual(step.rate(at: 35), 0.0125, accuracy: 1e-9)
        // CleanRL: frac = 1 − (update − 1)/num_updates with num_updates = 4 → 1, .75, .5, .25.
        let linear = LearningRateSchedule.linear(start: 2.5e-4, end: 0, steps: 4)
        for (i, frac) in [1.0, 0.75, 0.5, 0.25].enumerated() {
            XCTAssertEqual(Double(linear.rate(at: i)), 2.5e-4 * frac, accuracy: 1e-10)
        }
        XCTAssertEqual(linear.rate(at: 9), 0)
        XCTAssertEqual(LearningRateSchedule.constant(3).rate(at: 1000), 3)
    }
}
