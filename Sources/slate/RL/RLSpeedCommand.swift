import ArgumentParser
import Foundation
import SlateRL

/// `slate rl speed`: raw environment steps per second, no agent.
struct RLSpeedCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "speed",
        abstract: "Measure raw environment steps per second (random actions, no agent) on one core."
    )

    @Option(help: "Environment id.")
    var env = "CartPole-v1"

    @Option(help: "Steps to time per measurement.")
    var steps = 2_000_000

    @Option(help: "Copies in the vector-env measurement.")
    var numEnvs = 8

    func validate() throws {
        guard steps >= 1, numEnvs >= 1 else { throw ValidationError("--steps and --num-envs must be at least 1") }
    }

    func run() throws {
        for r in try EnvironmentThroughput.measure(id: env, steps: steps, vectorCount: numEnvs) {
            print("\(env)  \(r.label): " + String(format: "%.2f M steps/s (%d steps in %.3f s)",
                                                   r.stepsPerSecond / 1e6, r.steps, r.seconds))
        }
    }
}
