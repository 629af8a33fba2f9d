import XCTest
@testable import SlateRL

final class EnvironmentTests: XCTestCase {
    func testRegistryMakesEveryIdWithItsTimeLimitAndRejectsOthers() throws {
        let limits = ["CartPole-v1": 500, "MountainCar-v0": 200, "Acrobot-v1": 500, "GridWorld-v0": 100]
        for id in EnvironmentRegistry.ids {
            let env = try makeEnvironment(id: id)
            XCTAssertEqual(env.id, id)
            XCTAssertEqual(env.maxEpisodeSteps, limits[id])
        }
        XCTAssertThrowsError(try makeEnvironment(id: "CartPole-v0")) { error in
            let message = "\(error)"
            XCTAssertTrue(message.contains("CartPole-v0"))
            for id in EnvironmentRegistry.ids { XCTAssertTrue(message.contains(id), message) }
        }
    }

    func testSpacesGiveAgentsTheirSizes() throws {
        let sizes = [("CartPole-v1", 4, 2), ("MountainCar-v0", 2, 3), ("Acrobot-v1", 6, 3), ("GridWorld-v0", 72, 4)]
        for (id, obs, actions) in sizes {
            let env = try makeEnvironment(id: id)
            XCTAssertEqual(env.observationSpace.flatDimension, obs, id)
            XCTAssertEqual(env.actionSpace.n, actions, id)
            let first = env.reset(seed: 1).observation
            XCTAssertTrue(env.observationSpace.contains(first), id)
        }
    }

    /// Gymnasium's reset ranges, and `reset(seed:)` repeatability.
    func testSeededResetsAreRepeatableAndInRange() {
        let env = CartPole()
        let a = env.reset(seed: 42).observation, b = env.reset(seed: 42).observation
        XCTAssertEqual(a, b)
        XCTAssertNotEqual(env.reset(seed: 43).observation, a)
        XCTAssertNotEqual(env.reset().observation, b, "a reset without seed continues the stream")
        for seed in 0..<200 as Range<UInt64> {
            XCTAssertTrue(CartPole().reset(seed: seed).observation.allSatisfy { abs($0) <= 0.05 })
            let car = MountainCar().reset(seed: seed).observation
            XCTAssertTrue(car[0] >= -0.6 && car[0] <= -0.4 && car[1] == 0)
            let acrobot = Acrobot()
            _ = acrobot.reset(seed: seed)
            XCTAssertTrue(acrobot.state.allSatisfy { abs($0) <= 0.1 && Double(Float($0)) == $0 },
                          "Acrobot starts from float32 values in [-0.1, 0.1]")
        }
    }

    func testTimeLimitTruncatesWithoutTerminating() {
        let env = Acrobot(maxEpisodeSteps: 3)
        _ = env.reset(seed: 0)
        XCTAssertFalse(env.step(1).truncated)
        XCTAssertFalse(env.step(1).truncated)
        let last = env.step(1)
        XCTAssertTrue(last.truncated)
        XCTAssertFalse(last.terminated)
        XCTAssertEqual(env.elapsedSteps, 3)
        _ = env.reset()
        XCTAssertEqual(env.elapsedSteps, 0)
    }

    func testCartPoleRewardsTheTerminatingStepAndNothingAfter() {
        let env = CartPole()
        _ = env.reset(seed: 0)
        env.state = [2.39, 1.0, 0, 0]
        let fall = env.step(1)
        XCTAssertTrue(fall.terminated)
        XCTAssertEqual(fall.reward, 1)
        XCTAssertEqual(env.step(1).reward, 0, "stepping a finished episode earns nothing")
    }

    func testRandomEpisodeRunnerAddsUpRewards() {
        let env = CartPole()
        var frames = 0, total = 0.0
        let record = runEpisode(env, policy: RandomPolicy(actionSpace: env.actionSpace, seed: 1), seed: 1) {
            frames += 1
            total += $0?.reward ?? 0
        }
        XCTAssertEqual(frames, record.length + 1, "one call after reset and one per step")
        XCTAssertEqual(record.episodicReturn, total)
        XCTAssertTrue((8...100).contains(record.length), "a random CartPole episode lasts ~22 steps")
    }
}
