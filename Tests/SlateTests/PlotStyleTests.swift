import XCTest
@testable import Slate

/// The one plot style: round ticks with shared decimals, axes that end on ticks, evaluation
/// points marked, and a legend placed where no line or point runs under it.
final class PlotStyleTests: XCTestCase {
    func testTickLabelsShareDecimalsAndAxesEndOnTicks() {
        XCTAssertEqual(LinePlot.labels([0, 0.05, 0.1, 0.15]), ["0.00", "0.05", "0.10", "0.15"])
        XCTAssertEqual(LinePlot.labels([0, 250_000, 500_000]), ["0", "250k", "500k"])
        XCTAssertEqual(LinePlot.labels([0, 500_000, 1_000_000, 1_500_000]), ["0", "0.5M", "1.0M", "1.5M"])
        XCTAssertEqual(LinePlot.labels([2, 4, 6]), ["2", "4", "6"])
        // returns.svg before: ticks only at the data's two ends. Now every tick is a round step apart.
        let axis = LinePlot.Axis([512, 49_664], log: false)
        XCTAssertEqual(axis.ticks, [0, 10_000, 20_000, 30_000, 40_000, 50_000])
        XCTAssertEqual(axis.low, 0)
        XCTAssertEqual(axis.high, 50_000)
        let loss = LinePlot.Axis([1.37, 4.12], log: false)
        XCTAssertEqual([loss.low, loss.high], [1, 4.5])
        let steps = zip(loss.ticks.dropFirst(), loss.ticks).map { $0 - $1 }
        XCTAssertTrue(steps.allSatisfy { abs($0 - 0.5) < 1e-12 }, "\(loss.ticks)")
    }

    /// The regret.svg case: ε-greedy's regret grows linearly to the top right and UCB's bends
    /// over; the legend must sit where neither curve runs (before, it hid ε-greedy's line).
    func testLegendCoversNoCurve() throws {
        var plot = LinePlot(title: "Cumulative regret", xLabel: "step", yLabel: "regret")
        let x = (1...1000).map(Double.init)
        plot.add("epsilon-greedy", x: x, y: x.map { 0.1 * $0 })
        plot.add("ucb", x: x, y: x.map { 8 * Foundation.log($0) })
        let (legend, segments) = try layout(plot.svg())
        XCTAssertFalse(segments.contains { LinePlot.segment($0.0, $0.1, crosses: legend) }, "the legend covers a curve")
        XCTAssertLessThan(legend.minX, 300, "the free corner is the top left")

        // Curves through every corner: the legend goes outside, right of the plot area.
        var busy = LinePlot(title: "noise")
        busy.add("a", x: x, y: x.map { $0.truncatingRemainder(dividingBy: 2) })
        busy.add("b", x: x, y: x.map { 1 - $0.truncatingRemainder(dividingBy: 2) })
        let svg = busy.svg()
        let (outside, busySegments) = try layout(svg)
        let frameRight = try XCTUnwrap(busySegments.map { max($0.0.x, $0.1.x) }.max())
        XCTAssertGreaterThan(outside.minX, frameRight, "the legend is right of every line")
    }

    func testEvaluationPointsAreMarked() {
        var plot = LinePlot(title: "loss")
        plot.add("train", x: [0, 1, 2, 3], y: [4, 3, 2.5, 2])
        plot.add("val", x: [0, 3], y: [4.1, 2.4], marks: .lineAndPoints)
        plot.add("eval", x: [3], y: [2.2], marks: .points)
        let svg = plot.svg()
        XCTAssertEqual(svg.components(separatedBy: "<path").count - 1, 2, "points-only series draw no line")
        // 2 + 1 data dots, and one dot in the legend for each of the two marked series.
        XCTAssertEqual(svg.components(separatedBy: "<circle").count - 1, 3 + 2)

        // An evaluation every step reads as a line; two seeds of one run share a colour and a legend entry.
        var dense = LinePlot(title: "per-epoch evaluation")
        let x = (0..<200).map(Double.init)
        dense.add("run (2 seeds)", x: x, y: x.map { $0 / 200 }, marks: .lineAndPoints, color: 0)
        dense.add("run (2 seeds)", x: x, y: x.map { $0 / 250 }, marks: .lineAndPoints, color: 0, inLegend: false)
        let denseSVG = dense.svg()
        XCTAssertFalse(denseSVG.contains("<circle"))
        XCTAssertEqual(denseSVG.components(separatedBy: ">run (2 seeds)</text>").count - 1, 1)
        XCTAssertEqual(denseSVG.components(separatedBy: "stroke=\"\(LinePlot.palette[0])\" stroke-width=\"1.5\"").count - 1, 2)
    }

    /// The legend's box and every line segment drawn, in pixels, parsed from the SVG.
    private func layout(_ svg: String) throws -> (LinePlot.Box, [(LinePlot.Point, LinePlot.Point)]) {
        let rect = try XCTUnwrap(svg.components(separatedBy: "\n").first { $0.contains("fill-opacity") })
        func attribute(_ name: String) throws -> Double {
            let value = try XCTUnwrap(rect.components(separatedBy: " \(name)=\"").dropFirst().first?.prefix { $0 != "\"" })
            return try XCTUnwrap(Double(value))
        }
        let (x, y, w, h) = (try attribute("x"), try attribute("y"), try attribute("width"), try attribute("height"))
        var segments: [(LinePlot.Point, LinePlot.Point)] = []
        for path in svg.components(separatedBy: "<path d=\"").dropFirst() {
            let points = path.prefix { $0 != "\"" }.split { $0 == "M" || $0 == "L" || $0 == " " }.map { pair in
                let xy = pair.split(separator: ",").compactMap { Double($0) }
                return LinePlot.Point(x: xy[0], y: xy[1])
            }
            segments += zip(points, points.dropFirst()).map { ($0, $1) }
        }
        XCTAssertFalse(segments.isEmpty)
        return (LinePlot.Box(minX: x, minY: y, maxX: x + w, maxY: y + h), segments)
    }
}
