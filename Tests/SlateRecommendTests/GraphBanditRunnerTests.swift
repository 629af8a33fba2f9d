import Foundation
import XCTest
@testable import SlateRecommend

final class GraphBanditRunnerTests: XCTestCase {
    /// A short seeded comparison orders the regrets gnn-* < linucb < random, and is repeatable.
    func testGraphContextBeatsRawFeaturesWhichBeatRandom() {
        let scale = min(max(Double(ProcessInfo.processInfo.environment["SLATE_TEST_SCALE"] ?? "") ?? 1, 0.25), 1)
        var settings = GraphBanditSettings()
        settings.nodes = 150
        settings.rounds = Int(300 * scale.squareRoot())
        settings.runs = 2
        let curves = GraphBanditRunner.run(GraphBanditKind.allCases, settings: settings)
        let regret = Dictionary(uniqueKeysWithValues: curves.map { ($0.kind, $0.meanFinalRegret) })
        XCTAssertLessThan(regret[.linucb]!, regret[.random]!)
        XCTAssertLessThan(regret[.gnnLinUCB]!, regret[.linucb]!)
        XCTAssertLessThan(regret[.gnnThompson]!, regret[.linucb]!)
        for c in curves {
            XCTAssertEqual(c.cumulativeRegret.count, settings.rounds)
            XCTAssertEqual(c.cumulativeRegret.last!, c.meanFinalRegret, accuracy: 1e-9)
            XCTAssertTrue(zip(c.cumulativeRegret, c.cumulativeRegret.dropFirst()).allSatisfy { $0 <= $1 }, "regret never falls")
        }
        settings.runs = 1
        let again = GraphBanditRunner.run([.gnnThompson], settings: settings)
        let once = GraphBanditRunner.run([.gnnThompson], settings: settings)
        XCTAssertEqual(again[0].finalRegrets, once[0].finalRegrets, "a seed makes a run repeatable")
    }
}
