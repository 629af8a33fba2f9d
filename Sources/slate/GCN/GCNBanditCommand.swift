import ArgumentParser
import Foundation
import Slate
import SlateGraph
import SlateRecommend

/// `slate gcn bandit`: the graph contextual bandit — which territory to deploy to, when the
/// payoff depends on the neighbours.
struct GCNBanditCommand: ParsableCommand, Exemplified {
    static let configuration = CommandConfiguration(
        commandName: "bandit",
        abstract: "Compare graph contextual bandits on seeded maps of territories; write regret.svg.",
        discussion: """
        Each run draws a map (a random geometric graph of --nodes territories with --features \
        random features) whose hidden reward depends on a node's own features and on the mean of \
        its neighbours' features (see TerritoryMap), plus N(0, --noise²) noise. Every round each \
        algorithm deploys to one node and observes its reward. random picks uniformly; linucb \
        runs LinUCB on the raw features; gnn-linucb and gnn-thompson run LinUCB and linear \
        Thompson sampling on the last layer of a GNN encoder trained online (every \
        --update-interval rounds, --encoder-steps Adam steps on the MSE of the observed rewards). \
        Regret is against the best node's expected reward, averaged over --runs maps. Writes \
        config.toml, metrics.csv (mean cumulative regret per round, one column per algorithm, \
        also as TensorBoard events), regret.svg and summary.json to --out.
        """
    )

    static let examples = ["slate gcn bandit --seed 0",
                           "slate gcn bandit --algorithms linucb,gnn-thompson --runs 10 --noise 1"]

    @Option(help: "Territories (nodes) per map.")
    var nodes = 500

    @Option(help: "Raw features per node.")
    var features = 8

    @Option(help: "Rounds (deployments) per run.")
    var rounds = 1000

    @Option(help: "Maps to average over; run r uses seed + r.")
    var runs = 10

    @Option(help: "Comma-separated algorithms: random, linucb, gnn-linucb, gnn-thompson.")
    var algorithms = GraphBanditKind.allCases.map(\.rawValue).joined(separator: ",")

    @Option(help: "LinUCB exploration weight α (also the Thompson posterior scale ν).")
    var alpha = 2.0

    @Option(help: "Standard deviation σ of the reward noise.")
    var noise = 0.5

    @Option(help: "Encoder convolution: gcn, gin, sage or gat.")
    var conv: ConvKind = .sage

    @Option(help: "Encoder convolutions.")
    var encoderLayers = 2

    @Option(help: "Encoder width (the embedding dimension).")
    var hidden = 16

    @Option(name: [.customLong("learning-rate"), .customLong("lr")], help: "Encoder Adam learning rate.")
    var learningRate: Float = 0.01

    @Option(help: "Train the encoder every this many rounds.")
    var updateInterval = 25

    @Option(help: "Adam steps per encoder update.")
    var encoderSteps = 30

    @Option(help: "Seed of the maps, the noise and the encoders.")
    var seed: UInt64 = 0

    @OptionGroup var common: RunOptions

    /// `--algorithms` parsed (validated in `validate()`).
    private var kinds: [GraphBanditKind] {
        algorithms.split(separator: ",").compactMap { GraphBanditKind(rawValue: $0.trimmingCharacters(in: .whitespaces)) }
    }

    func validate() throws {
        guard (2...100_000).contains(nodes) else { throw ValidationError("--nodes must be in 2...100000, got \(nodes)") }
        guard (1...1_000).contains(features) else { throw ValidationError("--features must be in 1...1000, got \(features)") }
        guard (1...1_000_000).contains(rounds) else { throw ValidationError("--rounds must be in 1...1000000, got \(rounds)") }
        guard (1...10_000).contains(runs) else { throw ValidationError("--runs must be in 1...10000, got \(runs)") }
        guard alpha.isFinite, alpha >= 0 else { throw ValidationError("--alpha must be a finite number ≥ 0, got \(alpha)") }
        guard noise.isFinite, noise >= 0 else { throw ValidationError("--noise must be a finite number ≥ 0, got \(noise)") }
        guard (1...8).contains(encoderLayers) else { throw ValidationError("--encoder-layers must be in 1...8, got \(encoderLayers)") }
        guard (1...1_024).contains(hidden) else { throw ValidationError("--hidden must be in 1...1024, got \(hidden)") }
        guard learningRate.isFinite, learningRate > 0, learningRate <= 10 else {
            throw ValidationError("--learning-rate must be a finite number in (0, 10], got \(learningRate)")
        }
        guard (1...1_000_000).contains(updateInterval) else { throw ValidationError("--update-interval must be in 1...1000000, got \(updateInterval)") }
        guard (0...10_000).contains(encoderSteps) else { throw ValidationError("--encoder-steps must be in 0...10000, got \(encoderSteps)") }
        guard conv != .gat else { throw ValidationError("--conv gat is not supported by the bandit encoder; use gcn, gin or sage.") }
        let names = algorithms.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        let known = GraphBanditKind.allCases.map(\.rawValue)
        if let bad = names.first(where: { !known.contains($0) }) {
            throw ValidationError("--algorithms has an unknown name '\(bad)'; use a comma-separated list of \(known.joined(separator: ", ")).")
        }
        guard Set(names).count == names.count else { throw ValidationError("--algorithms names an algorithm twice: \(algorithms)") }
        guard !common.resume else {
            throw ValidationError("gcn bandit keeps no checkpoint (a run takes seconds); run it again with --overwrite instead of --resume.")
        }
        // The map's edges (mean degree ≈ 8) and features, the encoder's activations (a few per
        // layer), one d×d posterior per algorithm, and the curves.
        let n = Double(nodes), width = Double(max(features, hidden) + 1)
        let bytes = n * 16 * 16 + n * Double(features) * 16 + n * Double(hidden) * Double(encoderLayers) * 4 * 16
            + width * width * 8 * 8 + Double(rounds) * 8 * 8
        let physical = Double(ProcessInfo.processInfo.physicalMemory)
        guard bytes < physical / 2 else {
            throw ValidationError(String(format: "this configuration needs ≈ %.0f GB (--nodes %d, --hidden %d, --rounds %d); this machine has %.0f GB, so use smaller values",
                                         bytes / 1e9, nodes, hidden, rounds, physical / 1e9))
        }
    }

    func run() throws {
        common.applyThreads()
        let out = common.outputDirectory(tool: "gcn", name: "bandit")
        try RunDirectory.prepare(out, resume: false, overwrite: common.overwrite, checkpoint: "none")
        let configText = try ResolvedConfig.write(self, name: "slate gcn bandit", to: out)
        let start = Date()
        let print: (String) -> Void = common.quiet || common.json ? { _ in } : { Swift.print($0) }
        print("slate gcn bandit: nodes=\(nodes) features=\(features) rounds=\(rounds) runs=\(runs) "
              + "algorithms=\(algorithms) alpha=\(alpha) noise=\(noise) conv=\(conv.rawValue) "
              + "encoder=\(encoderLayers)x\(hidden) learning-rate=\(learningRate) update-interval=\(updateInterval) seed=\(seed)")

        var settings = GraphBanditSettings()
        (settings.nodes, settings.features, settings.noise) = (nodes, features, noise)
        (settings.rounds, settings.runs, settings.alpha, settings.seed) = (rounds, runs, alpha, seed)
        settings.encoder.conv = conv
        (settings.encoder.layers, settings.encoder.hidden) = (encoderLayers, hidden)
        (settings.encoder.learningRate, settings.encoder.updateInterval, settings.encoder.stepsPerUpdate) = (learningRate, updateInterval, encoderSteps)
        let curves = GraphBanditRunner.run(kinds, settings: settings) { r in
            if !(common.quiet || common.json) { Swift.print("run \(r)/\(runs) done", terminator: r == runs ? "\n" : "\r") }
        }

        let dir = URL(fileURLWithPath: out, isDirectory: true)
        let tags = curves.map { "regret/\($0.kind.rawValue)" }
        let log = try RunLogger(directory: dir, stepTags: tags, stepColumn: "round")
        try log.logConfig(configText)
        for t in 0..<rounds {
            try log.logStep(t + 1, Dictionary(uniqueKeysWithValues: zip(tags, curves.map { $0.cumulativeRegret[t] })))
        }
        var plot = LinePlot(title: "Cumulative regret, \(nodes) territories, mean of \(runs) runs",
                            xLabel: "round", yLabel: "cumulative regret")
        for c in curves { plot.add(c.kind.rawValue, y: c.cumulativeRegret) }
        try plot.write(to: dir.appendingPathComponent("regret.svg"))

        for c in curves {
            print(c.kind.rawValue.padding(toLength: 14, withPad: " ", startingAt: 0)
                  + String(format: "final cumulative regret %8.2f ± %.2f (std over %d runs)", c.meanFinalRegret, c.stdFinalRegret, runs))
        }
        let metrics = GraphBanditMetrics(
            rounds: rounds, runs: runs,
            regret: Dictionary(uniqueKeysWithValues: curves.map { ($0.kind.rawValue, finite($0.meanFinalRegret)) }),
            regretStd: Dictionary(uniqueKeysWithValues: curves.map { ($0.kind.rawValue, finite($0.stdFinalRegret)) }))
        try RunSummary(tool: "gcn", command: "bandit", out: out, wallSeconds: Date().timeIntervalSince(start), metrics: metrics)
            .write(printJSON: common.json)
        print("wrote \(out)/: regret.svg, metrics.csv, config.toml, summary.json")
    }
}

/// `gcn bandit`'s figures in summary.json: each algorithm's final cumulative regret, mean and
/// sample standard deviation over the runs.
struct GraphBanditMetrics: Codable {
    var rounds: Int
    var runs: Int
    var regret: [String: Double?]
    var regretStd: [String: Double?]

    enum CodingKeys: String, CodingKey {
        case rounds, runs, regret, regretStd = "regret_std"
    }
}
