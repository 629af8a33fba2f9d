import Foundation
import XCTest

/// End-to-end runs of `slate bench` on tiny shapes with short timing budgets.
final class BenchCLITests: XCTestCase {
    /// The table on stdout and the JSON file come from the same run: every number must agree.
    func testMatmulTableMatchesJSON() throws {
        let jsonURL = FileManager.default.temporaryDirectory
            .appendingPathComponent("slate-bench-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(at: jsonURL) }
        let run = try runSlate(["bench", "matmul", "--sizes", "32,64", "--shapes", "48x32x16:ta:tb",
                                "--threads", "1", "--repeat-seconds", "0.01", "--json-output", jsonURL.path])
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertTrue(run.stderr.contains("[3/3]"), "progress goes to stderr: \(run.stderr)")

        let doc = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: jsonURL)) as? [String: Any])
        XCTAssertNotNil(doc["cpu"] as? String)
        XCTAssertNotNil(doc["blas"] as? String)
        let peak = try XCTUnwrap(doc["peak_gflops_per_core"] as? Double)
        XCTAssertGreaterThan(peak, 0)
        let results = try XCTUnwrap(doc["results"] as? [[String: Any]])
        XCTAssertEqual(results.map { $0["m"] as? Int }, [32, 64, 48])
        XCTAssertEqual(results.map { $0["k"] as? Int }, [32, 64, 32])
        XCTAssertEqual(results.map { $0["n"] as? Int }, [32, 64, 16])
        XCTAssertEqual(results.map { $0["trans_a"] as? Bool }, [false, false, true])
        XCTAssertEqual(results.map { $0["trans_b"] as? Bool }, [false, false, true])
        XCTAssertTrue(results.allSatisfy { $0["gflops_naive"] is Double }, "naive runs for small shapes")

        // Table rows: shape, case, threads, slate, blas, naive, slate/blas%, slate%peak, blas%peak.
        let rows = run.stdout.split(separator: "\n").filter { $0.first?.isNumber == true }
        XCTAssertEqual(rows.count, results.count, run.stdout)
        for (row, result) in zip(rows, results) {
            let numbers = row.split(separator: " ").suffix(6).map { Double($0) }
            let keys = ["gflops_slate", "gflops_blas", "gflops_naive", "slate_percent_of_blas",
                        "percent_of_peak", "percent_of_peak_blas"]
            for (number, key) in zip(numbers, keys) {
                let value = try XCTUnwrap(result[key] as? Double, key)
                let printed = try XCTUnwrap(number, "\(key) in \(row)")
                XCTAssertEqual(printed, value, accuracy: key == "gflops_naive" ? 0.005 : 0.05, "\(key) in \(row)")
                XCTAssertGreaterThanOrEqual(value, 0, key)  // under emulation a figure can round to 0.0

            }
            // % of peak is GFLOP/s over the one-thread peak.
            let slate = try XCTUnwrap(result["gflops_slate"] as? Double)
            let percent = try XCTUnwrap(result["percent_of_peak"] as? Double)
            // GFLOP/s and the peak are printed rounded to 0.1; on a slow (emulated) core that
            // rounding alone moves the ratio by 100·0.05·(1 + slate/peak)/peak points.
            let rounding = 100 * 0.05 * (1 + slate / peak) / peak
            XCTAssertEqual(percent, 100 * slate / peak, accuracy: 0.01 * percent + 0.5 + rounding)
        }
    }

    func testJSONFlagPrintsOneDocument() throws {
        let run = try runSlate(["bench", "matmul", "--shapes", "16x8x4", "--threads", "1",
                                "--repeat-seconds", "0", "--json"])
        XCTAssertEqual(run.status, 0, run.stderr)
        let doc = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        XCTAssertEqual((doc["results"] as? [Any])?.count, 1)
    }

    func testBadValuesFailWithAClearMessage() throws {
        let cases: [([String], String)] = [
            (["--sizes", "abc"], "--sizes"), (["--sizes", "64,-1"], "--sizes"),
            (["--threads", "0"], "--threads"), (["--threads", "1,x"], "--threads"),
            (["--shapes", "3x4"], "--shapes"), (["--shapes", "2x2x2:tc"], "--shapes"),
            (["--repeat-seconds", "-1"], "--repeat-seconds"), (["--statistic", "mean"], "--statistic"),
        ]
        for (arguments, flag) in cases {
            let run = try runSlate(["bench", "matmul"] + arguments)
            XCTAssertNotEqual(run.status, 0, "\(arguments) should fail")
            XCTAssertTrue(run.stderr.contains(flag), "\(arguments): \(run.stderr)")
            XCTAssertTrue(run.stdout.isEmpty, "no table for bad input: \(run.stdout)")
        }
        let peak = try runSlate(["bench", "peak", "--threads", "two"])
        XCTAssertNotEqual(peak.status, 0)
        XCTAssertTrue(peak.stderr.contains("--threads"), peak.stderr)
    }

    func testPeakReportsBothLoopsAndAClock() throws {
        let run = try runSlate(["bench", "peak", "--threads", "1", "--seconds", "0.02", "--json"])
        XCTAssertEqual(run.status, 0, run.stderr)
        let doc = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        let rows = try XCTUnwrap(doc["rows"] as? [[String: Any]])
        // The two Swift loops everywhere, plus the AVX2 C loop on x86-64 CPUs with FMA and the
        // AVX-512 one on CPUs with AVX-512F.
        XCTAssertTrue((2...4).contains(rows.count), "\(rows)")
        XCTAssertGreaterThanOrEqual(rows.filter { $0["best"] as? Bool == true }.count, 1)
        let clock = try XCTUnwrap(doc["measured_clock_ghz"] as? Double)
        for row in rows {
            let gflops = try XCTUnwrap(row["gflops"] as? Double)
            let perCycle = try XCTUnwrap(row["flop_per_cycle"] as? Double)
            XCTAssertEqual(perCycle, gflops / clock, accuracy: 1e-6 * max(1, perCycle))
        }
    }

    /// `bench steady` times every repetition: the slowest is at least the median, which is at
    /// least the fastest, the ratio is their quotient, and the pool's counters are there;
    /// one repetition is refused with a usage error.
    func testSteadyReportsSlowestAgainstMedian() throws {
        let run = try runSlate(["bench", "steady", "--shape", "128x64x64", "--repeats", "20", "--threads", "2",
                                "--spin-microseconds", "0", "--json"])
        XCTAssertEqual(run.status, 0, run.stderr)
        let doc = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        let (fastest, median, slowest) = try (XCTUnwrap(doc["fastest_us"] as? Double), XCTUnwrap(doc["median_us"] as? Double),
                                              XCTUnwrap(doc["slowest_us"] as? Double))
        XCTAssertLessThanOrEqual(fastest, median)
        XCTAssertLessThanOrEqual(median, slowest)
        XCTAssertEqual(try XCTUnwrap(doc["slowest_over_median"] as? Double), slowest / median, accuracy: 0.05 * slowest / median + 0.01)   // figures rounded to 0.1 µs
        XCTAssertEqual(doc["repeats"] as? Int, 20)
        XCTAssertEqual(doc["spin_us"] as? Int, 0)
        XCTAssertEqual(doc["shape"] as? String, "128×64×64")
        for key in ["caller_blocks", "worker_blocks", "worker_on_callers_cpu"] { XCTAssertNotNil(doc[key] as? Int, key) }

        let bad = try runSlate(["bench", "steady", "--repeats", "1"])
        XCTAssertEqual(bad.status, 64, bad.stderr)
        XCTAssertTrue(bad.stderr.contains("--repeats must be at least 2"), bad.stderr)
    }
}

