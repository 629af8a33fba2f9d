import XCTest
@testable import SlateRL

final class VectorEnvTests: XCTestCase {
    /// Same-step auto-reset: the finished env's row already holds the next episode's first
    /// observation, the final observation and the episode record come beside it, and a twin
    /// single env stepped with the same actions agrees on all of it.
    func testSameStepAutoResetMatchesASingleEnvTwin() throws {
        let vec = try SyncVectorEnv(id: CartPole.id, count: 3)
        let obs0 = vec.reset(seed: 7)
        let twin = CartPole()
        XCTAssertEqual(Array(obs0[4..<8]), twin.reset(seed: 8).observation, "env 1 is seeded with seed + 1")

        var twinReturn = 0.0, steps = 0
        while true {
            let result = vec.step([0, 1, 0])  // env 1 always pushes right: the pole falls within ~10 steps
            let single = twin.step(1)
            twinReturn += single.reward
            steps += 1
            XCTAssertEqual(result.rewards[1], single.reward)
            XCTAssertEqual(result.terminated[1], single.terminated)
            XCTAssertEqual(result.truncated[1], single.truncated)
            if single.done {
                XCTAssertEqual(result.finalObservations[1], single.observation, "final obs is the terminal one")
                XCTAssertEqual(result.episodes[1], EpisodeRecord(episodicReturn: twinReturn, length: steps))
                let next = twin.reset().observation
                XCTAssertEqual(Array(result.observations[4..<8]), next, "row 1 already holds the new episode")
                XCTAssertNotEqual(next, single.observation)
                break
            }
            XCTAssertNil(result.finalObservations[1])
            XCTAssertNil(result.episodes[1])
            XCTAssertEqual(Array(result.observations[4..<8]), single.observation)
            XCTAssertLessThan(steps, 100, "pushing right every step must topple the pole")
        }
        XCTAssertEqual(vec.statistics.episodeCount, vec.statistics.recent.count)
        XCTAssertGreaterThanOrEqual(vec.statistics.episodeCount, 1)
    }

    /// A time-limited episode ends truncated, not terminated, and its final observation is the
    /// true last state — what an agent bootstraps from.
    func testTruncationKeepsTheFinalObservation() throws {
        let vec = try SyncVectorEnv(id: MountainCar.id, count: 2)
        _ = vec.reset(seed: 0)
        var last: VectorStepResult?
        for step in 1...200 {
            let result = vec.step([1, 1])  // coasting never reaches the flag
            if step < 200 { XCTAssertFalse(result.done(0)) }
            last = result
        }
        let result = try XCTUnwrap(last)
        for i in 0..<2 {
            XCTAssertTrue(result.truncated[i])
            XCTAssertFalse(result.terminated[i])
            XCTAssertEqual(result.episodes[i], EpisodeRecord(episodicReturn: -200, length: 200))
            let final = try XCTUnwrap(result.finalObservations[i])
            XCTAssertEqual(result.observations[2 * i + 1], 0, "a new MountainCar episode starts at rest")
            XCTAssertNotEqual(final[1], 0, "the final observation is the coasting car, still moving")
        }
        XCTAssertEqual(vec.statistics.meanRecentReturn, -200)
        XCTAssertEqual(vec.statistics.meanRecentLength, 200)
    }

    func testStatisticsWindowKeepsTheLastEpisodes() {
        var stats = EpisodeStatistics(numEnvs: 2, windowSize: 3)
        for episode in 1...5 {
            for _ in 0..<episode { _ = stats.record(0, reward: 2, done: false) }
            let record = stats.record(0, reward: 1, done: true)
            XCTAssertEqual(record, EpisodeRecord(episodicReturn: Double(2 * episode + 1), length: episode + 1))
        }
        XCTAssertEqual(stats.episodeCount, 5)
        XCTAssertEqual(stats.recent.map(\.length), [4, 5, 6])
        XCTAssertEqual(stats.meanRecentReturn, (7.0 + 9 + 11) / 3)
        XCTAssertEqual(stats.runningReturns, [0, 0])
    }

    func testRecordEpisodeStatisticsWrapperReportsTheEpisodeOnItsLastStep() {
        let env = RecordEpisodeStatistics(CartPole(maxEpisodeSteps: 5))
        _ = env.reset(seed: 3)
        var results: [StepResult] = []
        repeat { results.append(env.step(results.count % 2)) } while !results.last!.done
        XCTAssertEqual(results.count, 5)
        XCTAssertTrue(results.last!.truncated)
        XCTAssertEqual(results.last!.info.episode, EpisodeRecord(episodicReturn: 5, length: 5))
        XCTAssertTrue(results.dropLast().allSatisfy { $0.info.episode == nil })
    }

    func testMixedSpacesAreRejected() {
        XCTAssertThrowsError(try SyncVectorEnv([CartPole(), MountainCar()])) { error in
            XCTAssertTrue("\(error)".contains("same spaces"))
        }
        XCTAssertThrowsError(try SyncVectorEnv([]))
        XCTAssertThrowsError(try SyncVectorEnv(id: CartPole.id, count: 0))
    }
}
