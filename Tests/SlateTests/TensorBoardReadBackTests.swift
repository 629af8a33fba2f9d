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
    /// has 7 significant digits, a float32 about 7.2).
    func assertEqualsCSV(_ run: Run, _ dir: URL, _ name: String, _ tags: [String],
                         file: StaticString = #filePath, line: UInt = #line) throws {
        let lines = try String(contentsOf: dir.appendingPathComponent(name + ".csv"), encoding: .utf8).split(separator: "\n")
        let header = lines[0].split(separator: ",").map(String.init)
        let rows = lines.dropFirst().map { $0.split(separator: ",").map { Double($0)! } }
        for tag in tags {
            let column = header.firstIndex(of: tag)!
            let events = run.scalars[tag] ?? []
            XCTAssertEqual(events.map(\.step), rows.map { Int($0[0]) }, "\(name).csv \(tag): steps", file: file, line: line)
            for (event, row) in zip(events, rows) where abs(event.value - row[column]) > 1e-6 * abs(row[column]) {
                XCTFail("\(name).csv \(tag) step \(event.step): event \(event.value), CSV \(row[column])", file: file, line: line)
            }
        }
    }

}
