import ArgumentParser
import Foundation
import Slate
import SlateBench

struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Small demos of the engine.",
        subcommands: [MoonsCommand.self]
    )
}

extension ActivationKind: ExpressibleByArgument {}

/// `slate demo moons`: micrograd's demo — an MLP learns to separate two moons.
struct MoonsCommand: ParsableCommand, Exemplified {
    static let configuration = CommandConfiguration(
        commandName: "moons",
        abstract: "Train a 2-16-16-1 MLP on a generated two-moons set until it separates them (100% train accuracy).",
        discussion: "Outputs in --out: config.toml, metrics.csv (loss and accuracy per step), loss.svg and summary.json. The run takes about a second and keeps no checkpoint, so there is nothing to --resume."
    )

    static let examples = ["slate demo moons --points 200 --noise 0.1 --learning-rate 0.02"]

    @Option(help: "Number of points (half per moon).") var points = 200
    @Option(help: "Standard deviation of the Gaussian noise added to each coordinate.") var noise: Float = 0.1
    @Option(help: "Hidden layer sizes, comma-separated.") var hidden = "16,16"
    @Option(help: "Activation: \(ActivationKind.allCases.map(\.rawValue).joined(separator: ", ")).")
    var activation = ActivationKind.tanh
    @Option(name: [.customLong("learning-rate"), .customLong("lr")], help: "Adam learning rate.") var learningRate: Float = 0.02
    @Option(help: "Full-batch training steps.") var steps = 500
    @Option(help: "Random seed for the data and the initial weights.") var seed: UInt64 = 1
    @OptionGroup var common: RunOptions

    func validate() throws {
        try GCNLimits.count(points, "--points", 4...Int.max)
        try GCNLimits.finite(noise, "--noise", in: 0...Float.greatestFiniteMagnitude)
        try GCNLimits.count(steps, "--steps", 1...GCNLimits.maxEpochs)
        try GCNLimits.positiveFinite(learningRate, "--learning-rate")
        let sizes = try hiddenSizes()
        // Activations of every layer (values, gradients, pre-activations) for all points, and the weights ×4.
        let widths = ([2] + sizes + [1]).map(Double.init)
        let weights = zip(widths, widths.dropFirst()).map { $0 * $1 + $1 }.reduce(0, +)
        try GCNLimits.requireMemory(4 * (4 * weights + 4 * Double(points) * widths.reduce(0, +)),
                                    for: "--points \(points), --hidden \(hidden)")
        if common.resume {
            throw ValidationError("demo moons keeps no checkpoint (it runs in about a second); run it again without --resume.")
        }
    }

    func hiddenSizes() throws -> [Int] {
        let sizes = hidden.split(separator: ",", omittingEmptySubsequences: false).map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !sizes.isEmpty, sizes.allSatisfy({ ($0 ?? 0) > 0 }) else {
            throw ValidationError("--hidden must be positive integers separated by commas, e.g. 16,16 (got '\(hidden)').")
        }
        return sizes.map { $0! }
    }

    /// `summary.json`'s moons metrics.
    struct Metrics: Codable {
        var finalLoss: Double?
        var trainAccuracy: Double
        var firstPerfectStep: Int?
        enum CodingKeys: String, CodingKey {
            case finalLoss = "final_loss", trainAccuracy = "train_accuracy", firstPerfectStep = "first_perfect_step"
        }
    }

    func run() throws {
        common.applyThreads()
        let out = common.outputDirectory(tool: "demo", name: "moons")
        try RunDirectory.prepare(out, resume: false, overwrite: common.overwrite, checkpoint: "")
        try ResolvedConfig.write(self, name: "slate demo moons", to: out)
        let dir = URL(fileURLWithPath: out)
        let log = try MetricsLogger(url: dir.appendingPathComponent("metrics.csv"), columns: ["step", "loss", "accuracy"])
        var config = MoonsDemo.Config()
        config.points = points
        config.noise = noise
        config.hidden = try hiddenSizes()
        config.activation = activation
        config.learningRate = learningRate
        config.steps = steps
        config.seed = seed
        let say = { (line: String) in if !common.quiet && !common.json { print(line) } }
        let demo = MoonsDemo(config: config)
        let sizes = ([2] + config.hidden + [1]).map(String.init).joined(separator: "-")
        say("two moons: \(points) points, noise \(noise); MLP \(sizes) (\(activation.rawValue), \(demo.model.parameterCount) parameters); Adam learning rate \(learningRate), \(steps) steps, seed \(seed)")

        let start = Date()
        var firstPerfect: Int?
        var losses: [Double] = []
        var writeError: Error?
        let every = max(steps / 10, 1)
        let final = demo.train { p in
            if p.accuracy == 1 && firstPerfect == nil { firstPerfect = p.step }
            losses.append(Double(p.loss))
            do { try log.log([Double(p.step), Double(p.loss), Double(p.accuracy)]) } catch { writeError = writeError ?? error }
            if p.step == 1 || p.step % every == 0 {
                say(String(format: "step %4d  loss %.4f  accuracy %5.1f%%", p.step, p.loss, 100 * p.accuracy))
            }
        }
        if let writeError { throw writeError }
        let seconds = Date().timeIntervalSince(start)
        var plot = LinePlot(title: "two moons: hinge loss per step", xLabel: "step", yLabel: "loss")
        plot.add("train loss", y: losses)
        try plot.write(to: dir.appendingPathComponent("loss.svg"))
        try RunSummary(tool: "demo", command: "moons", out: out, wallSeconds: seconds,
                       metrics: Metrics(finalLoss: finite(final.loss), trainAccuracy: Double(final.accuracy),
                                        firstPerfectStep: firstPerfect)).write(printJSON: common.json)
        say(String(format: "final: loss %.4f, train accuracy %.1f%% after %d steps in %.2f s", final.loss, 100 * final.accuracy, steps, seconds)
            + (firstPerfect.map { " (100% first reached at step \($0))" } ?? ""))
        say("outputs in \(out)")
        guard final.loss.isFinite else {
            throw CLIError("the loss became \(final.loss) during training; lower --learning-rate.")
        }
        guard final.accuracy == 1 else {
            throw CLIError(String(format: "the MLP reached only %.1f%% train accuracy; try more --steps or a different --learning-rate.", 100 * final.accuracy))
        }
    }
}
