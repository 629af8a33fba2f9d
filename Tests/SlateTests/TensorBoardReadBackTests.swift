import XCTest
@testable import Slate

/// Files written by RunLogger, read back with TensorBoard's own Python reader
/// (Fixtures/read_tfevents.py: EventMultiplexer + EventAccumulator): every scalar equals the
/// value logged (as a 32-bit float) and the CSV's, the config reaches the text plugin, folds are
/// runs of their own, and a resumed run shows each step once with the resumed values.
/// Skips, saying why, when no Python with `tensorboard` is found (scripts/tensorboard-venv.sh).
final class TensorBoardReadBackTests: XCTestCase {

    typealias Run = (scalars: [String: [(step: Int, value: Double)]], text: [String: [String]], textPluginTags: [String])

    func testScalarsTextAndResumeAsTensorBoardReadsThem() throws {
        let python = try tensorBoardPython()
        let dir = scratchDirectory()
        let stepTags = ["train/loss", "train/lr", "perf/tokens_per_sec"]
        func row(_ step: Int, _ shift: Double) -> [String: Double] {
            ["train/loss": 4.1 / Double(step + 1) + shift, "train/lr": 6e-4 * Double(step) / 7, "perf/tokens_per_sec": 12_345.678 + Double(step)]
        }
        let first = try RunLogger(directory: dir, stepTags: stepTags, evalTags: ["val/loss"])
        try first.logConfig("learning_rate = 0.0006\n# a comment, not a heading\n")
        for step in 0..<20 { try first.logStep(step, row(step, 0)) }
        for step in [0, 10] { try first.logEval(step, ["val/loss": 3.3 - Double(step) / 10]) }
        // Killed after step 19 with a checkpoint at step 12: resume there with other values.
        let resumed = try RunLogger(directory: dir, stepTags: stepTags, evalTags: ["val/loss"], resumingAt: 12)
        for step in 12..<25 { try resumed.logStep(step, row(step, 100)) }
        try resumed.logEval(20, ["val/loss": 2.0])

        let run = try XCTUnwrap(try read(dir, python: python)["."], "TensorBoard found no run in \(dir.path)")
        for tag in stepTags {
            let expected = (0..<25).map { ($0, Double(Float(row($0, $0 >= 12 ? 100 : 0)[tag]!))) }
            assertSeries(run.scalars[tag], expected, tag)
        }
        assertSeries(run.scalars["val/loss"], [(0, Double(Float(3.3))), (10, Double(Float(2.3))), (20, 2.0)], "val/loss")
        try assertEqualsCSV(run, dir, "metrics", stepTags)
        try assertEqualsCSV(run, dir, "eval", ["val/loss"])
        XCTAssertEqual(run.text["config"], ["```toml\nlearning_rate = 0.0006\n# a comment, not a heading\n```"])
        XCTAssertEqual(run.textPluginTags, ["config"])
    }

    func testEachFoldIsARunWithTheSameTags() throws {
        let python = try tensorBoardPython()
        let dir = scratchDirectory()
        let log = try RunLogger(directory: dir, stepTags: ["train/loss", "val/accuracy"], groupColumn: "fold")
        try log.logConfig("dataset = \"MUTAG\"")
        for fold in 0..<3 {
            for epoch in 1...4 { try log.logStep(epoch, ["train/loss": 0.7 / Double(epoch), "val/accuracy": 0.6 + 0.01 * Double(fold * epoch)], group: fold) }
        }
        let runs = try read(dir, python: python)
        XCTAssertEqual(Set(runs.keys), [".", "fold-0", "fold-1", "fold-2"])
        for fold in 0..<3 {
            let run = try XCTUnwrap(runs["fold-\(fold)"])
            assertSeries(run.scalars["val/accuracy"], (1...4).map { ($0, Double(Float(0.6 + 0.01 * Double(fold * $0)))) }, "fold \(fold)")
            assertSeries(run.scalars["train/loss"], (1...4).map { ($0, Double(Float(0.7 / Double($0)))) }, "fold \(fold)")
        }
        XCTAssertEqual(runs["."]?.text["config"], ["```toml\ndataset = \"MUTAG\"\n```"])

        // Killed at epoch 4 of fold 1 with a checkpoint at its epoch 2: resumed in fold 1 at epoch
        // 3 with other values, then fold 2. Fold 0 stays, fold 1 shows each epoch once.
        let killedDir = scratchDirectory()
        let killed = try RunLogger(directory: killedDir, stepTags: ["train/loss"], groupColumn: "fold")
        try killed.logConfig("seed = 1")
        for fold in 0..<2 {
            for epoch in 1...4 { try killed.logStep(epoch, ["train/loss": Double(10 * fold + epoch)], group: fold) }
        }
        let resumed = try RunLogger(directory: killedDir, stepTags: ["train/loss"], groupColumn: "fold", resumingAt: 3, inGroup: 1)
        try resumed.logConfig("seed = 1")
        for epoch in 3...4 { try resumed.logStep(epoch, ["train/loss": Double(100 + epoch)], group: 1) }
        for epoch in 1...4 { try resumed.logStep(epoch, ["train/loss": Double(200 + epoch)], group: 2) }
        let after = try read(killedDir, python: python)
        assertSeries(after["fold-0"]?.scalars["train/loss"], (1...4).map { ($0, Double($0)) }, "fold 0 (finished before the kill)")
        assertSeries(after["fold-1"]?.scalars["train/loss"], [(1, 11), (2, 12), (3, 103), (4, 104)], "fold 1 (resumed)")
        assertSeries(after["fold-2"]?.scalars["train/loss"], (1...4).map { ($0, Double(200 + $0)) }, "fold 2")
        for fold in 0..<3 { try assertEqualsCSV(try XCTUnwrap(after["fold-\(fold)"]), killedDir, "metrics", ["train/loss"], group: fold) }
        // Each session logs the config at step 0; the classic accumulator purges scalars (not text)
        // on a restart, so it lists both, and TensorBoard's own reader shows the last.
        XCTAssertEqual(after["."]?.text["config"]?.last, "```toml\nseed = 1\n```")
    }

    /// A short `slate gcn train` as TensorBoard shows it: one run per fold whose scalars (among
    /// them `train/loss` and `val/accuracy`) equal the fold's rows of metrics.csv and eval.csv, epoch
    /// by epoch, and the resolved config in the Text tab of the run directory's own run. Uses the
    /// `slate` built next to this test bundle (Linux's one-bundle layout; skips elsewhere).
    func testGCNTrainRunAsTensorBoardReadsIt() throws {
        let python = try tensorBoardPython()
        let slate = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("slate")
        guard FileManager.default.isExecutableFile(atPath: slate.path) else {
            throw XCTSkip("no slate executable next to the test bundle (\(slate.path)); build it with `swift build --build-tests`")
        }
        let repo = fixturesDirectory.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let data = ProcessInfo.processInfo.environment["SLATE_DATA"].flatMap { $0.isEmpty ? nil : $0 }
            ?? repo.deletingLastPathComponent().appendingPathComponent("shared/data").path
        guard FileManager.default.fileExists(atPath: data + "/tu/MUTAG") else { throw XCTSkip("MUTAG is not under \(data)/tu; run make data") }
        let dir = scratchDirectory().appendingPathComponent("gcn")
        // `env NAME=VALUE command ...`: run(_:_:) goes through /usr/bin/env.
        try run("SLATE_DATA=\(data)", [slate.path, "gcn", "train", "--dataset", "MUTAG", "--folds", "3", "--epochs", "4",
                                       "--hidden", "8", "--threads", "1", "--quiet", "--out", dir.path])
        let runs = try read(dir, python: python)
        XCTAssertEqual(Set(runs.keys), [".", "fold-1", "fold-2", "fold-3"])
        for fold in 1...3 {
            let run = try XCTUnwrap(runs["fold-\(fold)"])
            XCTAssertEqual(run.scalars["train/loss"]?.map(\.step), [1, 2, 3, 4], "fold \(fold): one point per epoch")
            try assertEqualsCSV(run, dir, "metrics", ["train/loss", "train/accuracy", "train/lr", "perf/ms_per_epoch"], group: fold)
            try assertEqualsCSV(run, dir, "eval", ["val/loss", "val/accuracy", "test/accuracy"], group: fold)
        }
        let config = try XCTUnwrap(runs["."]?.text["config"]?.first)
        XCTAssertTrue(config.contains("dataset = \"MUTAG\"") && config.contains("epochs = 4"), config)
    }

    // MARK: helpers

    /// A Python that can `import tensorboard`: $SLATE_TENSORBOARD_PYTHON, the repo's
    /// .venv-tensorboard, or python3; otherwise the test skips.
    func tensorBoardPython() throws -> String {
        let repo = fixturesDirectory.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let candidates = [ProcessInfo.processInfo.environment["SLATE_TENSORBOARD_PYTHON"],
                          repo.appendingPathComponent(".venv-tensorboard/bin/python").path, "python3"].compactMap { $0 }
        for python in candidates where (try? run(python, ["-c", "import tensorboard"])) != nil { return python }
        let reason = "no Python with the tensorboard package (tried \(candidates.joined(separator: ", "))); run scripts/tensorboard-venv.sh"
        print("TensorBoardReadBackTests skipped: \(reason)")
        throw XCTSkip(reason)
    }

    func read(_ dir: URL, python: String) throws -> [String: Run] {
        let output = try run(python, [fixturesDirectory.appendingPathComponent("read_tfevents.py").path, dir.path])
        let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: output) as? [String: [String: Any]])
        return json.mapValues { r in
            let scalars = (r["scalars"] as? [String: [[Any]]] ?? [:]).mapValues { $0.map { (step: $0[0] as! Int, value: ($0[1] as! NSNumber).doubleValue) } }
            let text = (r["text"] as? [String: [[Any]]] ?? [:]).mapValues { $0.map { $0[1] as! String } }
            return (scalars, text, r["text_plugin_tags"] as? [String] ?? [])
        }
    }

    /// Runs a process and returns its stdout; throws when it exits non-zero.
    @discardableResult
    func run(_ executable: String, _ arguments: [String]) throws -> Data {
        let process = Process(), out = Pipe()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [executable] + arguments
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw FileWriteError(description: "\(executable) \(arguments) failed") }
        return data
    }

    func assertSeries(_ got: [(step: Int, value: Double)]?, _ expected: [(Int, Double)], _ label: String,
                      file: StaticString = #filePath, line: UInt = #line) {
        guard let got else { return XCTFail("\(label): tag missing", file: file, line: line) }
        XCTAssertEqual(got.map(\.step), expected.map(\.0), "\(label): steps", file: file, line: line)
        // Compared as Float: the values are float32s, and Foundation's JSON parser on Linux can
        // be an ulp off in the Double it makes of Python's shortest repr.
        XCTAssertEqual(got.map { Float($0.value) }, expected.map { Float($0.1) }, "\(label): values", file: file, line: line)
    }

    /// The event file's scalars and the CSV's columns hold the same steps and values (the CSV
    /// has 7 significant digits, a float32 about 7.2). With `group`, the CSV's rows of that group
    /// (first column; the step is the second).
    func assertEqualsCSV(_ run: Run, _ dir: URL, _ name: String, _ tags: [String], group: Int? = nil,
                         file: StaticString = #filePath, line: UInt = #line) throws {
        let lines = try String(contentsOf: dir.appendingPathComponent(name + ".csv"), encoding: .utf8).split(separator: "\n")
        let header = lines[0].split(separator: ",").map(String.init)
        let rows = lines.dropFirst().map { $0.split(separator: ",").map { Double($0)! } }
            .filter { row in group.map { Int(row[0]) == $0 } ?? true }
        let stepColumn = group == nil ? 0 : 1
        XCTAssertFalse(rows.isEmpty, "\(name).csv has no rows\(group.map { " for group \($0)" } ?? "")", file: file, line: line)
        for tag in tags {
            guard let column = header.firstIndex(of: tag) else {
                return XCTFail("\(name).csv has no column \(tag): \(header)", file: file, line: line)
            }
            let events = run.scalars[tag] ?? []
            XCTAssertEqual(events.map(\.step), rows.map { Int($0[stepColumn]) }, "\(name).csv \(tag): steps", file: file, line: line)
            for (event, row) in zip(events, rows) where abs(event.value - row[column]) > 1e-6 * abs(row[column]) {
                XCTFail("\(name).csv \(tag) step \(event.step): event \(event.value), CSV \(row[column])", file: file, line: line)
            }
        }
    }

}
