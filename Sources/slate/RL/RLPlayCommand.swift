import ArgumentParser
import Foundation
import Slate
import SlateRL

/// `slate rl play`: run episodes of a policy (random, or loaded from a checkpoint), optionally
/// animated in the terminal.
struct RLPlayCommand: ParsableCommand, Exemplified {
    static let configuration = CommandConfiguration(
        commandName: "play",
        abstract: "Run episodes of a policy in an environment and print each episode's return and length.",
        discussion: """
        Environments: \(EnvironmentRegistry.ids.joined(separator: ", ")). With --checkpoint the \
        environment is the one the policy was trained on (--env, if given, must match it); without \
        it the policy is uniformly random and --env defaults to CartPole-v1.
        """
    )

    static let examples = ["slate rl play --checkpoint models/cartpole-ppo/policy.safetensors --render",
                           "slate rl play --env MountainCar-v0 --episodes 5",
                           "slate rl play --checkpoint models/cartpole-ppo/policy.safetensors --episodes 1 --record cartpole.cast"]

    @Option(help: "Environment id (default: the checkpoint's, else CartPole-v1).")
    var env: String?

    @Option(help: "Policy checkpoint (.safetensors from `slate rl train`); omit for a random policy.")
    var checkpoint: String?

    @Option(help: "Number of episodes.")
    var episodes = 3

    @Flag(help: "Draw every step as a text frame (animated on a terminal, plain frames otherwise).")
    var render = false

    @Option(help: "Frames per second when animating on a terminal.")
    var fps = 30.0

    @Option(help: "Seed: episode i resets with seed + i, and the random policy uses seed.")
    var seed: UInt64?

    @Option(help: ArgumentHelp("Write every episode's frames to this asciicast v2 file, at --fps (`asciinema play FILE` replays it).",
                               valueName: "file.cast"))
    var record: String?

    func validate() throws {
        guard episodes >= 1 else { throw ValidationError("--episodes must be at least 1, got \(episodes)") }
        guard episodes <= 10_000_000 else { throw ValidationError("--episodes must be at most 10000000, got \(episodes)") }
        guard fps > 0, fps.isFinite else { throw ValidationError("--fps must be a positive finite number, got \(fps)") }
        if let record, record.isEmpty || record.hasSuffix("/") {
            throw ValidationError("--record needs a file name such as episode.cast, got '\(record)'")
        }
    }

    func run() throws {
        let environment: any Environment
        let policy: any Policy
        if let checkpoint {
            guard FileManager.default.fileExists(atPath: checkpoint) else {
                throw CLIError("no checkpoint at \(checkpoint); train one with `slate rl train --out DIR` (it writes DIR/policy.safetensors) or omit --checkpoint for a random policy.", status: .noInput)
            }
            if let env { _ = try makeEnvironment(id: env) }     // an unknown --env is a usage error first
            let saved = try PolicyCheckpoint.load(from: URL(fileURLWithPath: checkpoint), environmentID: env)
            environment = try makeEnvironment(id: saved.environmentID)
            policy = try loadPolicy(checkpoint: checkpoint, for: environment)
        } else {
            environment = try makeEnvironment(id: env ?? CartPole.id)
            policy = RandomPolicy(actionSpace: environment.actionSpace, seed: seed)
        }
        let screen = TerminalScreen(animate: render && TerminalScreen.stdoutIsTerminal, fps: fps)
        screen.begin()
        defer { screen.end() }
        var returns: [Double] = []
        var recorded: [String] = []
        for episode in 0..<episodes {
            let episodeSeed = seed.map { $0 &+ UInt64(episode) }
            let (result, frames) = render || record != nil ? renderedEpisode(environment, policy: policy, seed: episodeSeed)
                : (runEpisode(environment, policy: policy, seed: episodeSeed), [])
            if render { frames.forEach(screen.show(frame:)) }
            if record != nil { recorded += frames }
            returns.append(result.episodicReturn)
            screen.print("episode \(episode + 1): return \(format(result.episodicReturn)), length \(result.length)")
        }
        let mean = Statistics.mean(returns)
        if let record {
            let title = "\(environment.id), \(checkpoint ?? "random policy")" + (seed.map { ", seed \($0)" } ?? "")
            try AsciicastWriter.write(frames: recorded, to: URL(fileURLWithPath: record), fps: fps, title: title)
            screen.print("recorded \(recorded.count) frames to \(record) (replay: asciinema play \(record))")
        }
        screen.print("\(environment.id): mean return \(format(mean)) over \(episodes) episode\(episodes == 1 ? "" : "s") (\(checkpoint == nil ? "random policy" : checkpoint!))")
    }

    private func format(_ x: Double) -> String { String(format: "%.2f", x) }
}

/// Prints frames: animated in place on a terminal (ANSI home + clear), plain text otherwise.
final class TerminalScreen {
    let animate: Bool
    let frameInterval: Double
    private var lastFrame = Date.distantPast
    private var messages: [String] = []

    static var stdoutIsTerminal: Bool { isatty(STDOUT_FILENO) == 1 }

    init(animate: Bool, fps: Double) {
        self.animate = animate
        frameInterval = 1 / fps
    }

    /// Clears the screen and hides the cursor (animated mode); restores it on Ctrl-C.
    func begin() {
        guard animate else { return }
        signal(SIGINT) { _ in
            let restore = "\u{1B}[?25h\n"
            _ = restore.withCString { write(STDOUT_FILENO, $0, strlen($0)) }
            exit(130)
        }
        emit("\u{1B}[2J\u{1B}[H\u{1B}[?25l")
    }

    func end() {
        if animate { emit("\u{1B}[?25h") }
    }

    /// Shows one frame; on a terminal it replaces the previous one, paced to the frame rate,
    /// with the episode summaries so far underneath.
    func show(frame: String) {
        guard animate else {
            emit(frame + "\n\n")
            return
        }
        let wait = frameInterval - Date().timeIntervalSince(lastFrame)
        if wait > 0 { Thread.sleep(forTimeInterval: wait) }
        lastFrame = Date()
        let below = messages.suffix(5).map { $0 + "\n" }.joined()
        emit("\u{1B}[H" + frame.replacingOccurrences(of: "\n", with: "\u{1B}[K\n") + "\u{1B}[K\n\n" + below + "\u{1B}[J")
    }

    /// A line of text: appended below the animation, or printed plainly.
    func print(_ line: String) {
        if animate { messages.append(line) }
        emit(line + "\n")
    }

    private func emit(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }
}
