import Foundation
import XCTest

/// Table-driven bad input for `slate gcn train`, `slate gcn predict` and `slate demo moons`:
/// hostile flags (NaN, ±Inf, negative, huge), bad run files, damaged and foreign checkpoints,
/// ragged or corrupt TU / Planetoid (Cora) / karate files built at test time from copies of the
/// shared data, and unwritable outputs. Every case must exit with its sysexits status, print one
/// `Error:` line, and show no crash signature.
final class GCNBadInputCLITests: XCTestCase {
    /// One bad input. In `arguments`, `$OUT` is a fresh output path, `$TMP` the case's own
    /// directory, `$RUN` a finished small MUTAG run, `$KARATE` a finished karate run and `$MODELS`
    /// the repository's models/ folder.
    struct Case {
        var name: String
        var arguments: [String]
        var status: Int32
        /// Text the error line must contain (it names the flag, file, tensor or task).
        var mentions: String? = nil
        /// Changes a fresh copy of the data (its root is passed) before the run.
        var data: ((URL) throws -> Void)? = nil
        /// Writes files into the case's own directory before the run.
        var files: ((URL) throws -> Void)? = nil
    }

    static let signatures = ["Fatal error", "Segmentation", "Illegal instruction", "Aborted", "Stack dump",
                             "Current stack trace", "failed to allocate", "could not be completed", "Swift runtime failure"]

    private static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    private let sharedData = URL(fileURLWithPath: gcnDataEnvironment["SLATE_DATA"]!)

    // MARK: flags, run files, outputs, checkpoints

    func testHostileFlagsRunFilesAndCheckpointsAreRefused() throws {
        let train = ["gcn", "train", "--dataset", "MUTAG", "--folds", "3", "--epochs", "2", "--hidden", "8", "--quiet", "--out", "$OUT"]
        let moons = ["demo", "moons", "--steps", "5", "--quiet", "--out", "$OUT"]
        let predict = ["gcn", "predict", "--dataset", "MUTAG", "--checkpoint"]
        var cases: [Case] = []
        // Non-finite, negative and out-of-range numbers in every numeric flag of gcn train.
        for (flag, values) in [("--learning-rate", ["nan", "inf", "-inf", "-0.001", "0"]), ("--lr", ["nan", "1e40"]),
                               ("--dropout", ["1", "-0.1", "nan"]), ("--weight-decay", ["-1", "inf", "nan"]),
                               ("--lr-decay-factor", ["0", "1.5", "nan"]), ("--lr-decay-step-size", ["-1"]),
                               ("--hidden", ["0", "-5", "1e11", "100000000000"]), ("--layers", ["0", "100000"]),
                               ("--epochs", ["0", "10000000000"]), ("--batch-size", ["0", "100000000000"]),
                               ("--folds", ["2", "1000"]), ("--seeds", ["0"]), ("--ensemble", ["0", "-1"]), ("--wl-iterations", ["-1", "100000"]), ("--weight-average", ["1", "-0.1", "nan"]), ("--early-stopping", ["-1"]),
                               ("--checkpoint-every", ["-1"]), ("--seed", ["-1", "x"]), ("--threads", ["0", "-2"]),
                               ("--pool", ["median"]), ("--normalization", ["laplacian"])] {
            for value in values {
                cases.append(Case(name: "gcn train \(flag) \(value)", arguments: train + [flag, value], status: 64,
                                  mentions: flag == "--lr" ? "--learning-rate" : flag))
            }
        }
        cases += [
            Case(name: "memory estimate names the sizes", arguments: train + ["--hidden", "3000000"], status: 64, mentions: "needs ≈"),
            Case(name: "--ensemble on a node task", arguments: ["gcn", "train", "--dataset", "karate", "--ensemble", "2", "--epochs", "2", "--quiet", "--out", "$OUT"],
                 status: 64, mentions: "--ensemble"),
            Case(name: "--ensemble-families on a node task", arguments: ["gcn", "train", "--dataset", "karate", "--ensemble-families", "sage",
                                                                       "--epochs", "2", "--quiet", "--out", "$OUT"], status: 64, mentions: "--ensemble-families"),
            Case(name: "--wl-iterations on a node task", arguments: ["gcn", "train", "--dataset", "karate", "--wl-iterations", "2",
                                                                  "--epochs", "2", "--quiet", "--out", "$OUT"], status: 64, mentions: "--wl-iterations"),
            Case(name: "--ensemble-families repeats --conv's", arguments: train + ["--ensemble-families", "sage,gcn"], status: 64, mentions: "gcn"),
            Case(name: "--ensemble-families names a family twice", arguments: train + ["--ensemble-families", "sage,sage"], status: 64, mentions: "sage"),
            Case(name: "--ensemble-families mlp without the input readout", arguments: train + ["--ensemble-families", "mlp"], status: 64,
                 mentions: "--input-readout"),
            Case(name: "--ensemble-families unknown", arguments: train + ["--ensemble-families", "sage,cheb"], status: 64, mentions: "--ensemble-families"),
            Case(name: "unknown dataset", arguments: ["gcn", "train", "--dataset", "NOPE", "--out", "$OUT"], status: 66, mentions: "NOPE"),
            Case(name: "--resume without --out", arguments: ["gcn", "train", "--dataset", "MUTAG", "--resume"], status: 64, mentions: "--out"),
            Case(name: "--resume with --overwrite", arguments: train + ["--resume", "--overwrite"], status: 64, mentions: "--overwrite"),
            Case(name: "--resume with nothing to resume", arguments: train + ["--resume"], status: 66, mentions: "nothing to resume"),
            Case(name: "--out under /proc", arguments: train.dropLast() + ["/proc/slate-x"], status: 73, mentions: "/proc/slate-x"),
            Case(name: "--out is a file", arguments: train.dropLast() + ["$TMP/file"], status: 73, mentions: "is a file",
                 files: { try Data("x".utf8).write(to: $0.appendingPathComponent("file")) }),
            Case(name: "--out holds a run", arguments: train.dropLast() + ["$RUN"], status: 73, mentions: "already holds a run"),
            Case(name: "resume with a changed --hidden", arguments: ["gcn", "train", "--config", "$RUN/config.toml", "--hidden", "9",
                                                                    "--resume", "--out", "$RUN"], status: 64, mentions: "--hidden"),
            Case(name: "resume with another dataset", arguments: ["gcn", "train", "--dataset", "PROTEINS", "--folds", "3", "--resume",
                                                                 "--out", "$RUN"], status: 64, mentions: "dataset"),
            Case(name: "resume from a truncated checkpoint", arguments: ["gcn", "train", "--config", "$TMP/run/config.toml", "--resume",
                                                                       "--out", "$TMP/run"], status: 65,
                 files: { dir in try Self.copyRun(to: dir) { try $0.prefix(200).write(to: $1) } }),
            Case(name: "resume from NaN weights", arguments: ["gcn", "train", "--config", "$TMP/run/config.toml", "--resume",
                                                             "--out", "$TMP/run"], status: 65, mentions: "non-finite",
                 files: { dir in try Self.copyRun(to: dir) { try Self.poisoned($0).write(to: $1) } }),
            // Run files.
            Case(name: "missing run file", arguments: ["gcn", "train", "--config", "$TMP/none.toml"], status: 66, mentions: "none.toml"),
            Case(name: "TOML syntax error", arguments: ["gcn", "train", "--config", "$TMP/r.toml"], status: 64, mentions: "r.toml:2",
                 files: { try Self.write("dataset = \"MUTAG\"\nhidden = = 3\n", $0, "r.toml") }),
            Case(name: "unknown run-file key", arguments: ["gcn", "train", "--config", "$TMP/r.toml"], status: 64, mentions: "hiden",
                 files: { try Self.write("dataset = \"MUTAG\"\nhiden = 3\n", $0, "r.toml") }),
            Case(name: "run-file value of the wrong type", arguments: ["gcn", "train", "--config", "$TMP/r.toml", "--out", "$OUT"],
                 status: 64, mentions: "hidden", files: { try Self.write("dataset = \"MUTAG\"\nhidden = \"wide\"\n", $0, "r.toml") }),
            Case(name: "NaN in a run file", arguments: ["gcn", "train", "--config", "$TMP/r.toml", "--out", "$OUT"], status: 64,
                 mentions: "learning", files: { try Self.write("dataset = \"MUTAG\"\nlearning_rate = nan\n", $0, "r.toml") }),
            Case(name: "JSON run file with an object", arguments: ["gcn", "train", "--config", "$TMP/r.json"], status: 64, mentions: "pool",
                 files: { try Self.write("{\"dataset\": \"MUTAG\", \"pool\": {\"kind\": \"sum\"}}", $0, "r.json") }),
            Case(name: "run file of another format", arguments: ["gcn", "train", "--config", "$TMP/r.yaml"], status: 64, mentions: ".toml",
                 files: { try Self.write("dataset: MUTAG\n", $0, "r.yaml") }),
            Case(name: "negative run-file value", arguments: ["gcn", "train", "--config", "$TMP/r.toml", "--out", "$OUT"], status: 64,
                 mentions: "epochs", files: { try Self.write("dataset = \"MUTAG\"\nepochs = -3\n", $0, "r.toml") }),
            // gcn predict.
            Case(name: "predict: missing checkpoint", arguments: predict + ["$TMP/none.safetensors"], status: 66, mentions: "not found"),
            Case(name: "predict: a GPT checkpoint", arguments: predict + ["$MODELS/shakespeare-char/model.safetensors"], status: 65,
                 mentions: "not a slate-gcn model"),
            Case(name: "predict: an RL policy", arguments: predict + ["$MODELS/cartpole-ppo/policy.safetensors"], status: 65,
                 mentions: "not a slate-gcn model"),
            Case(name: "predict: a training checkpoint", arguments: predict + ["$RUN/checkpoint.safetensors"], status: 65,
                 mentions: "model.safetensors"),
            Case(name: "predict: graph model on cora", arguments: ["gcn", "predict", "--dataset", "cora", "--checkpoint", "$RUN/model.safetensors"],
                 status: 64, mentions: "graph-classification"),
            Case(name: "predict: node model on MUTAG", arguments: predict + ["$KARATE/model.safetensors"], status: 64,
                 mentions: "node-classification"),
            Case(name: "predict: karate model on cora", arguments: ["gcn", "predict", "--dataset", "cora", "--checkpoint", "$KARATE/model.safetensors"],
                 status: 64, mentions: "features"),
            Case(name: "predict: NaN weights", arguments: predict + ["$TMP/nan.safetensors"], status: 65, mentions: "tensor '",
                 files: { try Self.poisoned(Data(contentsOf: URL(fileURLWithPath: Self.run.path + "/model.safetensors")))
                     .write(to: $0.appendingPathComponent("nan.safetensors")) }),
            Case(name: "predict: truncated model", arguments: predict + ["$TMP/cut.safetensors"], status: 65,
                 files: { try Data(contentsOf: URL(fileURLWithPath: Self.run.path + "/model.safetensors")).prefix(300)
                     .write(to: $0.appendingPathComponent("cut.safetensors")) }),
            Case(name: "predict: a text file", arguments: predict + ["$TMP/notes.safetensors"], status: 65,
                 files: { try Self.write("hello\n", $0, "notes.safetensors") }),
            Case(name: "predict: hostile hidden 2^62 in metadata", arguments: predict + ["$TMP/huge.safetensors"], status: 65,
                 mentions: "configuration", files: { dir in
                     let model = try Data(contentsOf: URL(fileURLWithPath: Self.run.path + "/model.safetensors"))
                     try Self.editingConfig(model) { $0["hidden"] = 4_611_686_018_427_387_904 }
                         .write(to: dir.appendingPathComponent("huge.safetensors"))
                 }),
            Case(name: "predict: hostile WL rounds in metadata", arguments: predict + ["$TMP/rounds.safetensors"], status: 65,
                 mentions: "Weisfeiler-Lehman rounds", files: { dir in
                     let model = try Data(contentsOf: URL(fileURLWithPath: Self.run.path + "/model.safetensors"))
                     try Self.editingConfig(model) { $0["wlReadout"] = true; $0["wlIterations"] = 1_000_000_000_000 }
                         .write(to: dir.appendingPathComponent("rounds.safetensors"))
                 }),
            Case(name: "predict: hostile WL buckets 2^62 in metadata", arguments: predict + ["$TMP/buckets.safetensors"], status: 65,
                 mentions: "configuration", files: { dir in
                     let model = try Data(contentsOf: URL(fileURLWithPath: Self.run.path + "/model.safetensors"))
                     try Self.editingConfig(model) { $0["wlReadout"] = true; $0["wlBuckets"] = 4_611_686_018_427_387_904 }
                         .write(to: dir.appendingPathComponent("buckets.safetensors"))
                 }),
            Case(name: "predict: unknown task in metadata", arguments: predict + ["$TMP/task.safetensors"], status: 65, mentions: "task",
                 files: { dir in
                     let model = try Data(contentsOf: URL(fileURLWithPath: Self.run.path + "/model.safetensors"))
                     try Self.editingMetadata(model) { $0["task"] = "regression" }.write(to: dir.appendingPathComponent("task.safetensors"))
                 }),
            // demo moons.
            Case(name: "moons --learning-rate nan", arguments: moons + ["--learning-rate", "nan"], status: 64, mentions: "--learning-rate"),
            Case(name: "moons --lr inf", arguments: moons + ["--lr", "inf"], status: 64, mentions: "--learning-rate"),
            Case(name: "moons --lr -0.02", arguments: moons + ["--lr", "-0.02"], status: 64, mentions: "positive"),
            Case(name: "moons --points 3", arguments: moons + ["--points", "3"], status: 64, mentions: "--points"),
            Case(name: "moons --points 10^11", arguments: moons + ["--points", "100000000000"], status: 64, mentions: "needs ≈"),
            Case(name: "moons --noise nan", arguments: moons + ["--noise", "nan"], status: 64, mentions: "--noise"),
            Case(name: "moons --noise inf", arguments: moons + ["--noise", "inf"], status: 64, mentions: "--noise"),
            Case(name: "moons --noise -1", arguments: moons + ["--noise", "-1"], status: 64, mentions: "--noise"),
            Case(name: "moons --steps 0", arguments: moons + ["--steps", "0"], status: 64, mentions: "--steps"),
            Case(name: "moons --hidden 16,0", arguments: moons + ["--hidden", "16,0"], status: 64, mentions: "--hidden"),
            Case(name: "moons --hidden 10^11", arguments: moons + ["--hidden", "100000000000"], status: 64, mentions: "needs ≈"),
            Case(name: "moons --hidden 16,,16", arguments: moons + ["--hidden", "16,,16"], status: 64, mentions: "--hidden"),
            Case(name: "moons --resume", arguments: moons + ["--resume"], status: 64, mentions: "--resume"),
            Case(name: "moons --out under /proc", arguments: moons.dropLast() + ["/proc/slate-moons"], status: 73),
            Case(name: "moons --activation swish", arguments: moons + ["--activation", "swish"], status: 64, mentions: "swish"),
            Case(name: "moons run file with a string", arguments: ["demo", "moons", "--config", "$TMP/m.toml", "--out", "$OUT"], status: 64,
                 mentions: "points", files: { try Self.write("points = \"many\"\n", $0, "m.toml") }),
            // Diverging runs stop with status 1, naming where.
            Case(name: "gcn train diverges", arguments: train + ["--learning-rate", "1e30"], status: 1, mentions: "epoch"),
        ]
        try check(cases)
    }

    // MARK: your own graphs (--data FILE, JSON lines)

    /// Bad `--data` files (checked with the corrupt datasets below): the error names the line.
    static var jsonLinesCases: [Case] {
        let run = ["gcn", "train", "--folds", "3", "--epochs", "1", "--quiet", "--out", "$OUT", "--data"]
        let good = #"{"edges": [[0, 1]], "x": [[1], [0]], "y": 0}"#
        return [
            Case(name: "--data and --dataset", arguments: ["gcn", "train", "--dataset", "MUTAG", "--data", "$TMP/g.jsonl"],
                 status: 64, mentions: "exactly one"),
            Case(name: "--data missing file", arguments: run + ["$TMP/none.jsonl"], status: 66, mentions: "none.jsonl"),
            Case(name: "--data bad JSON on line 3", arguments: run + ["$TMP/g.jsonl"], status: 65, mentions: "g.jsonl:3",
                 files: { try Self.write(good + "\n" + good.replacingOccurrences(of: "0}", with: "1}") + "\n{oops\n", $0, "g.jsonl") }),
            Case(name: "--data edge out of range on line 2", arguments: run + ["$TMP/g.jsonl"], status: 65, mentions: "g.jsonl:2",
                 files: { try Self.write(good + "\n" + #"{"edges": [[0, 9]], "x": [[1], [0]], "y": 1}"#, $0, "g.jsonl") }),
        ]
    }

    // MARK: datasets (ragged, corrupt, out of range), built from copies of the shared data

    func testCorruptDatasetsAreRefused() throws {
        let mutag = ["gcn", "train", "--dataset", "MUTAG", "--folds", "3", "--epochs", "1", "--quiet", "--out", "$OUT"]
        let cora = ["gcn", "train", "--dataset", "cora", "--seeds", "1", "--epochs", "1", "--quiet", "--out", "$OUT"]
        let karate = ["gcn", "train", "--dataset", "karate", "--seeds", "1", "--epochs", "1", "--quiet", "--out", "$OUT"]
        let cases: [Case] = [
            Case(name: "MUTAG: ragged edge line", arguments: mutag, status: 65, mentions: "MUTAG_A.txt",
                 data: { try Self.edit($0, "tu/MUTAG/MUTAG_A.txt") { $0.replacingFirst("2, 1\n", with: "2\n") } }),
            Case(name: "MUTAG: edge to node 99999", arguments: mutag, status: 65, mentions: "MUTAG_A.txt",
                 data: { try Self.edit($0, "tu/MUTAG/MUTAG_A.txt") { "99999, 1\n" + $0 } }),
            Case(name: "MUTAG: graph id not a number", arguments: mutag, status: 65, mentions: "graph_indicator",
                 data: { try Self.edit($0, "tu/MUTAG/MUTAG_graph_indicator.txt") { "x\n" + $0.dropFirstLine() } }),
            Case(name: "MUTAG: no graph labels", arguments: mutag, status: 65, mentions: "graph_labels",
                 data: { try Self.edit($0, "tu/MUTAG/MUTAG_graph_labels.txt") { _ in "" } }),
            Case(name: "MUTAG: node labels cut short", arguments: mutag, status: 65, mentions: "node_labels",
                 data: { try Self.edit($0, "tu/MUTAG/MUTAG_node_labels.txt") { String($0.prefix(200)) } }),
            Case(name: "MUTAG: missing graph indicator", arguments: mutag, status: 66, mentions: "graph_indicator",
                 data: { try FileManager.default.removeItem(at: $0.appendingPathComponent("tu/MUTAG/MUTAG_graph_indicator.txt")) }),
            Case(name: "MUTAG: a graph with no nodes", arguments: mutag, status: 65, mentions: "MUTAG",
                 data: { try Self.edit($0, "tu/MUTAG/MUTAG_graph_labels.txt") { $0 + "1\n" } }),
            Case(name: "MUTAG: label not a number", arguments: mutag, status: 65, mentions: "graph_labels",
                 data: { try Self.edit($0, "tu/MUTAG/MUTAG_graph_labels.txt") { "one\n" + $0.dropFirstLine() } }),
            Case(name: "cora: feature index past the width", arguments: cora, status: 65, mentions: "nodes.tsv",
                 data: { try Self.edit($0, "cora/nodes.tsv") { $0.replacingFirst("0\t3\t19,", with: "0\t3\t999999999,") } }),
            Case(name: "cora: label 10^12", arguments: cora, status: 65, mentions: "nodes.tsv",
                 data: { try Self.edit($0, "cora/nodes.tsv") { $0.replacingFirst("0\t3\t", with: "0\t1000000000000\t") } }),
            Case(name: "cora: ragged node row", arguments: cora, status: 65, mentions: "nodes.tsv",
                 data: { try Self.edit($0, "cora/nodes.tsv") { $0.replacingFirst("0\t3\t", with: "0\t") } }),
            Case(name: "cora: unknown split name", arguments: cora, status: 65, mentions: "split.tsv",
                 data: { try Self.edit($0, "cora/split.tsv") { $0.replacingFirst("0\ttrain", with: "0\tholdout") } }),
            Case(name: "cora: node in two splits", arguments: cora, status: 65, mentions: "split",
                 data: { try Self.edit($0, "cora/split.tsv") { $0 + "0\ttest\n" } }),
            Case(name: "cora: empty training split", arguments: cora, status: 65, mentions: "split",
                 data: { try Self.edit($0, "cora/split.tsv") { $0.replacingOccurrences(of: "\ttrain", with: "\ttest") } }),
            Case(name: "cora: edge to node 10^9", arguments: cora, status: 65, mentions: "edges.tsv",
                 data: { try Self.edit($0, "cora/edges.tsv") { $0 + "0\t1000000000\n" } }),
            Case(name: "karate: one node", arguments: karate, status: 65, mentions: "labels.tsv",
                 data: { root in
                     try Self.edit(root, "karate/labels.tsv") { $0.firstLines(2) }
                     try Self.edit(root, "karate/edges.tsv") { $0.firstLines(1) }
                 }),
            Case(name: "karate: edge to node 99", arguments: karate, status: 65, mentions: "edges.tsv",
                 data: { try Self.edit($0, "karate/edges.tsv") { $0 + "0\t99\t1\n" } }),
            Case(name: "karate: label not a number", arguments: karate, status: 65, mentions: "labels.tsv",
                 data: { try Self.edit($0, "karate/labels.tsv") { $0.replacingFirst("0\t0\t", with: "0\tx\t") } }),
            Case(name: "karate: duplicate node id", arguments: karate, status: 65, mentions: "labels.tsv",
                 data: { try Self.edit($0, "karate/labels.tsv") { $0.replacingFirst("1\t0\t", with: "0\t0\t") } }),
            Case(name: "predict: node in two splits", arguments: ["gcn", "predict", "--dataset", "cora", "--checkpoint", "$CORA/model.safetensors"],
                 status: 65, mentions: "split", data: { try Self.edit($0, "cora/split.tsv") { $0 + "0\ttest\n" } }),
        ] + Self.jsonLinesCases
        try check(cases)
    }

    // MARK: running the table

    /// Runs every case and checks its status, its one `Error:` line and the absence of a crash.
    private func check(_ cases: [Case]) throws {
        for c in emulationSample(cases) {
            let dir = try gcnTemporaryDirectory()
            defer { try? FileManager.default.removeItem(at: dir) }
            try c.files?(dir)
            var environment = gcnDataEnvironment
            if let mutate = c.data {
                let data = dir.appendingPathComponent("data")
                for folder in ["tu/MUTAG", "cora", "karate"] {
                    try FileManager.default.createDirectory(at: data.appendingPathComponent(folder).deletingLastPathComponent(),
                                                            withIntermediateDirectories: true)
                    try FileManager.default.copyItem(at: sharedData.appendingPathComponent(folder), to: data.appendingPathComponent(folder))
                }
                Self.makeWritable(data)
                try mutate(data)
                environment["SLATE_DATA"] = data.path
            }
            let arguments = try c.arguments.map { try substitute($0, dir) }
            let run = try runSlate(arguments, environment: environment)
            let errorLines = run.stderr.split(separator: "\n").filter { $0.hasPrefix("Error: ") }
            let firstLine = run.stderr.split(separator: "\n").first.map(String.init) ?? ""
            let crashed = Self.signatures.first { run.stderr.contains($0) }
            XCTAssertEqual(run.status, c.status, "\(c.name): \(run.stderr)")
            XCTAssertEqual(errorLines.count, 1, "\(c.name): expected one Error: line, got \(run.stderr)")
            XCTAssertTrue(firstLine.hasPrefix("Error: "), "\(c.name): \(run.stderr)")
            XCTAssertNil(crashed, "\(c.name) crashed: \(run.stderr)")
            if let mentions = c.mentions {
                XCTAssertTrue(firstLine.contains(mentions), "\(c.name): '\(firstLine)' should mention \(mentions)")
            }
        }
        XCTAssertGreaterThanOrEqual(cases.count, 20)
    }

    private func substitute(_ word: String, _ dir: URL) throws -> String {
        var word = word
        let replacements: [(String, () throws -> String)] = [
            ("$OUT", { dir.appendingPathComponent("out").path }), ("$TMP", { dir.path }),
            ("$RUN", { Self.run.path }), ("$KARATE", { try Self.fixture("karate").path }),
            ("$CORA", { try Self.fixture("cora").path }),
            ("$MODELS", { Self.repository.appendingPathComponent("models").path })]
        for (token, value) in replacements where word.contains(token) {
            word = word.replacingOccurrences(of: token, with: try value())
        }
        return word
    }

    // MARK: fixtures: finished small runs, shared by the cases

    nonisolated(unsafe) private static var fixtures: [String: URL] = [:]
    private static let fixtureRoot = FileManager.default.temporaryDirectory.appendingPathComponent("slate-gcn-bad-input-\(getpid())")

    /// A finished tiny MUTAG run (config.toml, checkpoint, model).
    static var run: URL { (try? fixture("MUTAG")) ?? fixtureRoot }

    static func fixture(_ dataset: String) throws -> URL {
        if let url = fixtures[dataset] { return url }
        let out = fixtureRoot.appendingPathComponent(dataset)
        let extra = dataset == "MUTAG" ? ["--folds", "3", "--epochs", "4", "--hidden", "8"] : ["--seeds", "1", "--epochs", "3"]
        let run = try runSlate(["gcn", "train", "--dataset", dataset, "--quiet", "--out", out.path] + extra, environment: gcnDataEnvironment)
        guard run.status == 0 else { throw XCTSkip("cannot train the \(dataset) fixture: \(run.stderr)") }
        fixtures[dataset] = out
        return out
    }

    override class func tearDown() {
        try? FileManager.default.removeItem(at: fixtureRoot)
        super.tearDown()
    }

    // MARK: file surgery

    /// Copies the MUTAG fixture run to `dir/run`, passing its checkpoint through `damage`.
    static func copyRun(to dir: URL, damage: (Data, URL) throws -> Void) throws {
        let copy = dir.appendingPathComponent("run")
        try FileManager.default.copyItem(at: run, to: copy)
        let checkpoint = copy.appendingPathComponent("checkpoint.safetensors")
        try damage(Data(contentsOf: checkpoint), checkpoint)
    }

    /// A safetensors file with every tensor value NaN (the data section filled with 0xFF bytes).
    static func poisoned(_ file: Data) -> Data {
        let headerLength = Int(file.prefix(8).withUnsafeBytes { $0.loadUnaligned(as: UInt64.self).littleEndian })
        var out = file
        out.replaceSubrange((8 + headerLength)..<file.count, with: Data(repeating: 0xFF, count: file.count - 8 - headerLength))
        return out
    }

    /// The file with its `__metadata__` changed by `edit` (tensor offsets unchanged).
    static func editingMetadata(_ file: Data, _ edit: (inout [String: String]) -> Void) throws -> Data {
        let headerLength = Int(file.prefix(8).withUnsafeBytes { $0.loadUnaligned(as: UInt64.self).littleEndian })
        var header = try XCTUnwrap(JSONSerialization.jsonObject(with: file.subdata(in: 8..<(8 + headerLength))) as? [String: Any])
        var metadata = header["__metadata__"] as? [String: String] ?? [:]
        edit(&metadata)
        header["__metadata__"] = metadata
        var json = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
        while json.count % 8 != 0 { json.append(0x20) }
        var out = Data()
        withUnsafeBytes(of: UInt64(json.count).littleEndian) { out.append(contentsOf: $0) }
        return out + json + file.subdata(in: (8 + headerLength)..<file.count)
    }

    /// The file with the model configuration JSON in its metadata changed by `edit`.
    static func editingConfig(_ file: Data, _ edit: @escaping (inout [String: Any]) -> Void) throws -> Data {
        try editingMetadata(file) { metadata in
            var config = (try? JSONSerialization.jsonObject(with: Data((metadata["config"] ?? "{}").utf8))) as? [String: Any] ?? [:]
            edit(&config)
            metadata["config"] = String(decoding: (try? JSONSerialization.data(withJSONObject: config)) ?? Data(), as: UTF8.self)
        }
    }

    static func write(_ text: String, _ dir: URL, _ name: String) throws {
        try Data(text.utf8).write(to: dir.appendingPathComponent(name))
    }

    static func edit(_ root: URL, _ path: String, _ change: (String) -> String) throws {
        let url = root.appendingPathComponent(path)
        try Data(change(try String(contentsOf: url, encoding: .utf8)).utf8).write(to: url)
    }

    /// Copies of the read-only shared data keep its permissions; make them writable.
    static func makeWritable(_ root: URL) {
        let fm = FileManager.default
        guard let walker = fm.enumerator(atPath: root.path) else { return }
        try? fm.setAttributes([.posixPermissions: 0o755], ofItemAtPath: root.path)
        for case let path as String in walker {
            let full = root.appendingPathComponent(path).path
            var isDirectory: ObjCBool = false
            _ = fm.fileExists(atPath: full, isDirectory: &isDirectory)
            try? fm.setAttributes([.posixPermissions: isDirectory.boolValue ? 0o755 : 0o644], ofItemAtPath: full)
        }
    }
}

private extension String {
    func replacingFirst(_ target: String, with replacement: String) -> String {
        guard let range = range(of: target) else { return self }
        return replacingCharacters(in: range, with: replacement)
    }

    func dropFirstLine() -> String {
        guard let newline = firstIndex(of: "\n") else { return "" }
        return String(self[index(after: newline)...])
    }

    func firstLines(_ count: Int) -> String {
        split(separator: "\n", omittingEmptySubsequences: false).prefix(count).joined(separator: "\n") + "\n"
    }
}
