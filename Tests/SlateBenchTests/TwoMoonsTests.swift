import XCTest
import Slate
@testable import SlateBench

/// The two-moons data and the demo trained on it (`slate demo moons`).
final class TwoMoonsTests: XCTestCase {
    func testTwoMoonsDemoReachesFullAccuracy() {
        var rng = RandomGenerator(seed: 1)
        let moons = TwoMoons(count: 100, noise: 0, generator: &rng)
        XCTAssertEqual(moons.points.shape, [100, 2])
        XCTAssertEqual(moons.points[0, 0], 1)                      // outer moon starts at (1, 0)
        XCTAssertEqual(moons.points[50, 0], 0, accuracy: 1e-6)       // inner moon starts at (0, 0.5)
        XCTAssertEqual(moons.points[50, 1], 0.5, accuracy: 1e-6)
        XCTAssertEqual(moons.labels.toArray().filter { $0 == 1 }.count, 50)
        let final = MoonsDemo(config: MoonsDemo.Config()).train()
        XCTAssertEqual(final.accuracy, 1)
    }
}
