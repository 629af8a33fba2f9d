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
struct MoonsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "moons",
        abstract: "Train a 2-16-16-1 MLP on a generated two-moons set until it separates them (100% train accuracy)."
    )

    @Option(help: "Number of points (half per moon).") var points = 200
    @Option(help: "Standard deviation of the Gaussian noise added to each coordinate.") var noise: Float = 0.1
    @Option(help: "Hidden layer sizes, comma-separated.") var hidden = "16,16"
    @Option(help: "Activation: \(ActivationKind.allCases.map(\.rawValue).joined(separator: ", ")).")
    var activation = ActivationKind.tanh
    @Option(help: "Adam learning rate.") var lr: Float = 0.02
    @Option(help: "Full-batch training steps.") var steps = 500
    @Option(help: "Random seed for the data and the initial weights.") var seed: UInt64 = 1
    @OptionGroup var threads: ThreadsOption

    func validate() throws {
        guard points >= 4 else { throw ValidationError("--points must be at least 4 (got \(points)).") }
        guard noise >= 0 else { throw ValidationError("--noise must be non-negative (got \(noise)).") }
        guard steps >= 1 else { throw ValidationError("--steps must be at least 1 (got \(steps)).") }
        guard lr > 0 else { throw ValidationError("--lr must be positive (got \(lr)).") }
        _ = try hiddenSizes()
    }

    func hiddenSizes() throws -> [Int] {
        let sizes = hidden.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !sizes.isEmpty, sizes.allSatisfy({ ($0 ?? 0) > 0 }) else {
            throw ValidationError("--hidden must be positive integers separated by commas, e.g. 16,16 (got '\(hidden)').")
        }
        return sizes.map { $0! }
    }

    func run() throws {
        threads.apply()
        var config = MoonsDemo.Config()
        config.points = points
        config.noise = noise
        config.hidden = try hiddenSizes()
        config.activation = activation
        config.learningRate = lr
        config.steps = steps
        config.seed = seed
        let demo = MoonsDemo(config: config)
        let sizes = ([2] + config.hidden + [1]).map(String.init).joined(separator: "-")
        print("two moons: \(points) points, noise \(noise); MLP \(sizes) (\(activation.rawValue), \(demo.model.parameterCount) parameters); Adam lr \(lr), \(steps) steps, seed \(seed)")

        let start = Date()
        var firstPerfect: Int?
        let every = max(steps / 10, 1)
        let final = demo.train { p in
            if p.accuracy == 1 && firstPerfect == nil { firstPerfect = p.step }
            if p.step == 1 || p.step % every == 0 {
                print(String(format: "step %4d  loss %.4f  accuracy %5.1f%%", p.step, p.loss, 100 * p.accuracy))
            }
        }
        let seconds = Date().timeIntervalSince(start)
        print(String(format: "final: loss %.4f, train accuracy %.1f%% after %d steps in %.2f s", final.loss, 100 * final.accuracy, steps, seconds)
              + (firstPerfect.map { " (100% first reached at step \($0))" } ?? ""))
        guard final.accuracy == 1 else {
            throw CLIError(String(format: "the MLP reached only %.1f%% train accuracy; try more --steps or a different --lr.", 100 * final.accuracy))
        }
    }
}
