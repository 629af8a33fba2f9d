import Foundation
import XCTest
@testable import Slate

final class MetricsAndPlotTests: XCTestCase {
    func temporaryDirectory() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("slate-io-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
        return dir
    }

    func testMetricsLoggerWritesHeaderOnceAndRowsImmediately() throws {
        let url = try temporaryDirectory().appendingPathComponent("run/metrics.csv")
        let log = try MetricsLogger(url: url, columns: ["step", "loss", "lr"])
        try log.log(["step": 1, "loss": 2.5, "lr": 6e-4])
        // Visible to a reader before the logger is closed.
        XCTAssertEqual(try String(contentsOf: url, encoding: .utf8), "step,loss,lr\n1,2.5,0.0006\n")
        try log.log([2, 1.25, .nan])
        try log.log(["step": 3])
        XCTAssertThrowsError(try log.log(["acc": 1])) { XCTAssertTrue("\($0)".contains("'acc'")) }

        let resumed = try MetricsLogger(url: url, columns: ["step", "loss", "lr"], append: true)
        try resumed.log([4, 1, 1e-4])
        XCTAssertEqual(try String(contentsOf: url, encoding: .utf8),
                       "step,loss,lr\n1,2.5,0.0006\n2,1.25,nan\n3,,\n4,1,0.0001\n")
        XCTAssertThrowsError(try MetricsLogger(url: url, columns: ["step", "reward"], append: true))
        _ = try MetricsLogger(url: url, columns: ["step"])   // a new run replaces the file
        XCTAssertEqual(try String(contentsOf: url, encoding: .utf8), "step\n")
    }

    func testNiceTicksAreRoundSteps() {
        func check(_ low: Double, _ high: Double, _ expected: [Double], line: UInt = #line) {
            let ticks = LinePlot.niceTicks(low, high)
            XCTAssertEqual(ticks.count, expected.count, "\(ticks)", line: line)
            for (a, b) in zip(ticks, expected) { XCTAssertEqual(a, b, accuracy: 1e-9, line: line) }
        }
        check(0, 1, [0, 0.2, 0.4, 0.6, 0.8, 1])
        check(0, 5000, [0, 1000, 2000, 3000, 4000, 5000])
        check(1.37, 4.12, [1, 1.5, 2, 2.5, 3, 3.5, 4, 4.5])   // the axis ends on a tick past the data
        check(0, 29_696, [0, 5000, 10_000, 15_000, 20_000, 25_000, 30_000])
        check(-0.03, 0.07, [-0.04, -0.02, 0, 0.02, 0.04, 0.06, 0.08])
    }

    func testLinePlotSVGHasSeriesLegendAndEscapedTitle() throws {
        var plot = LinePlot(title: "loss <train & val>", xLabel: "iteration", yLabel: "loss")
        plot.add("train", y: [4.2, 3.1, 2.5, .nan, 2.0])
        plot.add("val", x: [1, 5], y: [4.3, 2.2])
        let svg = plot.svg()
        XCTAssertTrue(svg.hasPrefix("<svg"))
        XCTAssertTrue(svg.hasSuffix("</svg>\n"))
        XCTAssertTrue(svg.contains("loss &lt;train &amp; val&gt;"))
        XCTAssertEqual(svg.components(separatedBy: "<path").count - 1, 2)
        XCTAssertTrue(svg.contains(">train</text>") && svg.contains(">val</text>"))
        XCTAssertFalse(svg.contains("nan"))
        // The train path has 4 finite points: one M and three L commands.
        let trainPath = svg.components(separatedBy: "<path d=\"")[1].prefix { $0 != "\"" }
        XCTAssertEqual(trainPath.filter { $0 == "L" }.count, 3)
        let url = try temporaryDirectory().appendingPathComponent("loss.svg")
        try plot.write(to: url)
        XCTAssertEqual(try String(contentsOf: url, encoding: .utf8), svg)
    }

    func testAtomicWriteReplacesAndJSONSummary() throws {
        let dir = try temporaryDirectory()
        let url = dir.appendingPathComponent("summary.json")
        try writeAtomically("old", to: url)
        try writeJSON(["accuracy": 1.0, "name": "moons", "steps": 500], to: url)
        let parsed = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
        XCTAssertEqual(parsed["name"] as? String, "moons")
        XCTAssertEqual(parsed["steps"] as? Int, 500)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path), ["summary.json"])
        XCTAssertThrowsError(try writeJSON(["bad": Double.nan], to: url))
        XCTAssertThrowsError(try writeAtomically("x", to: URL(fileURLWithPath: "/proc/nope/file.txt")))
        XCTAssertGreaterThan(peakRSSMegabytes(), 1)
    }
}
