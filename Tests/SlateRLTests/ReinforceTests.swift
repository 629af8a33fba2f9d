import XCTest
import Slate
@testable import SlateRL

/// REINFORCE with a baseline learns CartPole in a short run.
final class ReinforceTests: XCTestCase {
    /// ~15k steps: the mean return of the last 20 episodes is at least 1.5× that of the first 20.
    func testReinforceImprovesCartPoleReturn() throws {
        let trainer = try ReinforceTrainer(settings: RunSettings(environmentID: "CartPole-v1", totalSteps: 15_000, seed: 2))
        var returns: [Double] = []
        var updates = 0
        try trainer.train { event in
            switch event {
            case .episode(_, let record): returns.append(record.episodicReturn)
            case .update(_, let metrics):
                updates += 1
                XCTAssertTrue(metrics["policy_loss"]!.isFinite && metrics["value_loss"]!.isFinite)
            case .boundary: break
            }
        }
        let first = returns.prefix(20).reduce(0, +) / 20, last = returns.suffix(20).reduce(0, +) / 20
        XCTAssertGreaterThan(updates, 10)
        XCTAssertGreaterThan(last, 1.5 * first, "first \(first), last \(last)")
    }
}
