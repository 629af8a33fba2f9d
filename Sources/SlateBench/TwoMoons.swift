import Slate
import Foundation

/// The two-moons toy problem (scikit-learn's `make_moons`) and a small MLP trained on it with
/// the engine — `slate demo moons`, after micrograd's demo.

/// Two interleaving half circles with Gaussian noise, labelled −1 (upper moon) and +1 (lower).
public struct TwoMoons {
    /// Points, shape (N, 2).
    public let points: Tensor
    /// Labels ±1, shape (N, 1).
    public let labels: Tensor

    /// `count` points (half per moon, as `make_moons`), each coordinate jittered by N(0, noise²).
    public init(count: Int, noise: Float, generator: inout RandomGenerator) {
        precondition(count >= 2, "two moons need at least 2 points")
        let outer = count / 2, inner = count - outer
        var xs: [Float] = [], ys: [Float] = []
        for i in 0..<outer {                    // upper moon: (cos t, sin t), t in [0, π]
            let t = Double.pi * Double(i) / Double(max(outer - 1, 1))
            xs += [Float(cos(t)), Float(sin(t))]
            ys.append(-1)
        }
        for i in 0..<inner {                    // lower moon: (1 − cos t, 0.5 − sin t)
            let t = Double.pi * Double(i) / Double(max(inner - 1, 1))
            xs += [Float(1 - cos(t)), Float(0.5 - sin(t))]
            ys.append(1)
        }
        for i in xs.indices { xs[i] += noise * Float(generator.nextNormal()) }
        points = Tensor(xs, shape: [count, 2])
        labels = Tensor(ys, shape: [count, 1])
    }
}

/// Trains an MLP on two moons with a hinge loss and Adam, full batch.
public struct MoonsDemo {
    /// The knobs of the demo; defaults reach 100 % train accuracy in well under a second.
    public struct Config: Sendable {
        public var points = 200
        public var noise: Float = 0.1
        public var hidden = [16, 16]
        public var activation = ActivationKind.tanh
        public var learningRate: Float = 0.02
        public var steps = 500
        public var seed: UInt64 = 1
        public init() {}
    }

    /// Metrics after one step.
    public struct Progress: Sendable {
        public var step: Int
        /// Mean hinge loss max(0, 1 − y·score) before the step.
        public var loss: Float
        /// Fraction of points with sign(score) = label, before the step.
        public var accuracy: Float
    }

    public let config: Config
    public let data: TwoMoons
    public let model: MLP

    public init(config: Config) {
        self.config = config
        var rng = RandomGenerator(seed: config.seed)
        data = TwoMoons(count: config.points, noise: config.noise, generator: &rng)
        model = MLP(sizes: [2] + config.hidden + [1], activation: config.activation, generator: &rng)
    }

    /// Runs `config.steps` Adam steps, calling `onStep` after each; returns the final metrics
    /// (measured after the last update).
    public func train(onStep: (Progress) -> Void = { _ in }) -> Progress {
        let optimizer = Adam(model.parameters(), learningRate: config.learningRate)
        for step in 1...max(config.steps, 1) {
            optimizer.zeroGrad()
            let scores = model(data.points)                          // (N, 2) -> (N, 1)
            let loss = (1 - data.labels * scores).relu().meanAll()   // hinge loss
            let accuracy = Self.accuracy(scores, data.labels)
            loss.backward()
            optimizer.step()
            onStep(Progress(step: step, loss: loss.item(), accuracy: accuracy))
        }
        let scores = withNoGrad { model(data.points) }
        let loss = withNoGrad { (1 - data.labels * scores).relu().meanAll().item() }
        return Progress(step: config.steps, loss: loss, accuracy: Self.accuracy(scores, data.labels))
    }

    /// Fraction of rows where the score's sign matches the ±1 label.
    static func accuracy(_ scores: Tensor, _ labels: Tensor) -> Float {
        var correct = 0
        for i in 0..<scores.count where (scores.pointer[i] > 0) == (labels.pointer[i] > 0) { correct += 1 }
        return Float(correct) / Float(scores.count)
    }
}
