import Foundation
import Slate
import XCTest

/// A GPT run killed with SIGKILL at random moments and resumed each time ends with the same
/// checkpoint, byte for byte, as the same run never interrupted, with each metrics row once and
/// no temporary files left.
final class GPTKillResumeTests: XCTestCase {
    func testKilledAndResumedRunEqualsTheUninterruptedRun() throws {
        try skipKillTestsUnderEmulation()
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("gpt-kill-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let text = dir + "/text.txt"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try String(repeating: "the quick brown fox jumps over the lazy dog; ", count: 400).write(toFile: text, atomically: true, encoding: .utf8)
        // Under emulation (SLATE_TEST_SCALE < 1) the run is shorter; it is still killed 5 times.
        let scale = Double(ProcessInfo.processInfo.environment["SLATE_TEST_SCALE"] ?? "") ?? 1
        let iters = scale < 1 ? 100 : 400
        let settings = ["gpt", "train", "--text", text, "--n-layer", "2", "--n-head", "2", "--n-embd", "32",
                        "--block-size", "32", "--batch-size", "8", "--max-iters", "\(iters)", "--eval-interval", "20",
                        "--eval-iters", "2", "--learning-rate", "0.003", "--warmup-iters", "10", "--lr-decay-iters", "\(iters)",
                        "--dropout", "0.1", "--threads", "1", "--quiet"]

        let whole = dir + "/whole"
        let started = Date()
        let reference = try runSlate(settings + ["--out", whole])
        XCTAssertEqual(reference.status, 0, reference.stderr)
        let runSeconds = Date().timeIntervalSince(started)

        // Kill at moments drawn from a seeded generator, resuming (or restarting, when no
        // checkpoint was written yet) after each kill; then let the last resume finish.
        let killed = dir + "/killed"
        var generator = RandomGenerator(seed: 20261129)
        var kills = 0, attempts = 0
        while kills < 5 && attempts < 40 {
            attempts += 1
            let resume = FileManager.default.fileExists(atPath: killed + "/checkpoint.safetensors")
            let process = try startSlate(settings + ["--out", killed] + (resume ? ["--resume"] : ["--overwrite"]))
            let delay = 0.05 + generator.nextDouble() * runSeconds * 0.9
            Thread.sleep(forTimeInterval: delay)
            if process.isRunning {
                kill(process.processIdentifier, SIGKILL)
                kills += 1
            } else {
                try? FileManager.default.removeItem(atPath: killed)   // it finished first: start over
            }
            process.waitUntilExit()
        }
        XCTAssertGreaterThanOrEqual(kills, 5, "the run kept finishing before five kills landed")
        let resumed = FileManager.default.fileExists(atPath: killed + "/checkpoint.safetensors")
        let last = try runSlate(settings + ["--out", killed] + (resumed ? ["--resume"] : ["--overwrite"]))
        XCTAssertEqual(last.status, 0, last.stderr)

        for file in ["checkpoint.safetensors", "model.safetensors", "eval.csv"] {
            XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: whole + "/" + file)),
                           try Data(contentsOf: URL(fileURLWithPath: killed + "/" + file)), "\(file) differs after \(kills) kills")
        }
        // metrics.csv: the same iterations and losses (the timing columns differ), each once.
        func stepsAndLosses(_ run: String) throws -> [String] {
            try String(contentsOfFile: run + "/metrics.csv", encoding: .utf8).split(separator: "\n").dropFirst()
                .map { $0.split(separator: ",").prefix(2).joined(separator: ",") }
        }
        let rows = try stepsAndLosses(killed)
        XCTAssertEqual(rows, try stepsAndLosses(whole))
        XCTAssertEqual(rows.map { $0.split(separator: ",")[0] }, (0..<iters).map { Substring(String($0)) }, "each step once, in order")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: killed).filter { $0.hasPrefix(".") }
        XCTAssertEqual(leftovers, [], "no temporary files left")
    }
}
