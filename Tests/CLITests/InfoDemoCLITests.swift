import XCTest

final class InfoDemoCLITests: XCTestCase {
    func testInfoPrintsBLASAndThreads() throws {
        let out = try runSlate(["info", "--threads", "2"])
        XCTAssertEqual(out.status, 0, out.stderr)
        XCTAssertTrue(out.stdout.contains("OpenBLAS") || out.stdout.contains("Accelerate"), out.stdout)
        XCTAssertTrue(out.stdout.contains("Slate threads  2"), out.stdout)
        // OpenBLAS stays at one thread: Slate splits each product over its own threads.
        XCTAssertTrue(out.stdout.contains("BLAS threads   1 per product"), out.stdout)
        XCTAssertTrue(out.stdout.contains("CPU"), out.stdout)
        XCTAssertTrue(out.stdout.contains("Row kernels"), out.stdout)
        // SLATE_AVX2=0 keeps the portable kernels, and info says so.
        let portable = try runSlate(["info"], environment: ["SLATE_AVX2": "0"])
        XCTAssertTrue(portable.stdout.contains("Row kernels    portable Swift SIMD"), portable.stdout)
    }

    func testDemoMoonsReachesFullTrainAccuracy() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("slate-moons-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = try runSlate(["demo", "moons", "--out", dir.path])
        XCTAssertEqual(out.status, 0, out.stderr)
        XCTAssertTrue(out.stdout.contains("train accuracy 100.0%"), out.stdout)
        XCTAssertTrue(out.stdout.contains("step    1  loss"), out.stdout)
        // The shared outputs: config.toml replays it, metrics.csv has a row per step, summary.json the result.
        let rows = try String(contentsOf: dir.appendingPathComponent("metrics.csv"), encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(rows.count, 1 + 500)
        let summary = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("summary.json"))) as? [String: Any])
        XCTAssertEqual(summary["train_accuracy"] as? Double, 1)
        let replay = try runSlate(["demo", "moons", "--config", dir.appendingPathComponent("config.toml").path,
                                   "--out", dir.path + "-replay", "--json"])
        defer { try? FileManager.default.removeItem(atPath: dir.path + "-replay") }
        XCTAssertEqual(replay.status, 0, replay.stderr)
        let again = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(replay.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(again["final_loss"] as? Double, summary["final_loss"] as? Double)
    }

    func testDemoMoonsFailsLoudlyWhenItCannotSeparate() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("slate-moons-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = try runSlate(["demo", "moons", "--steps", "1", "--lr", "0.0001", "--out", dir.path])
        XCTAssertNotEqual(out.status, 0)
        XCTAssertTrue(out.stderr.contains("train accuracy"), out.stderr)
    }

    func testBadFlagValuesGiveClearErrors() throws {
        let bad = try runSlate(["demo", "moons", "--activation", "swish"])
        XCTAssertNotEqual(bad.status, 0)
        XCTAssertTrue(bad.stderr.contains("'swish' is invalid"), bad.stderr)
        let threads = try runSlate(["info", "--threads", "0"])
        XCTAssertNotEqual(threads.status, 0)
        XCTAssertTrue(threads.stderr.contains("--threads must be at least 1"), threads.stderr)
        let hidden = try runSlate(["demo", "moons", "--hidden", "16,x"])
        XCTAssertNotEqual(hidden.status, 0)
        XCTAssertTrue(hidden.stderr.contains("--hidden"), hidden.stderr)
    }
}
