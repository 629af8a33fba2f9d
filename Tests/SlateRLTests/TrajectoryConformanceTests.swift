import Foundation
import XCTest
@testable import SlateRL

/// One `*_trajectories.json` file written from Gymnasium (see ../shared/data/README.md, rl/).
struct TrajectoryFile: Decodable {
    struct Step: Decodable {
        let action: Int
        let observation: [Double]
        let state: [Double]
        let reward: Double
        let terminated: Bool
        let truncated: Bool
    }
    struct Episode: Decodable {
        let seed: Int
        let initial_state: [Double]
        let initial_observation: [Double]
        let length: Int
        let total_reward: Double
        let steps: [Step]
    }
    let env_id: String
    let max_episode_steps: Int
    let n_actions: Int
    let state_fields: [String]
    let episodes: [Episode]
}

/// The directory of recorded trajectories: `SLATE_RL_TRAJECTORIES`, else `$SLATE_DATA/rl`,
/// else `../shared/data/rl` beside the package root.
func trajectoryDirectory() -> URL? {
    let env = ProcessInfo.processInfo.environment
    var candidates: [URL] = []
    if let dir = env["SLATE_RL_TRAJECTORIES"] { candidates.append(URL(fileURLWithPath: dir)) }
    if let data = env["SLATE_DATA"] { candidates.append(URL(fileURLWithPath: data).appendingPathComponent("rl")) }
    let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    candidates.append(packageRoot.deletingLastPathComponent().appendingPathComponent("shared/data/rl"))
    var isDir: ObjCBool = false
    return candidates.first { FileManager.default.fileExists(atPath: $0.path, isDirectory: &isDir) && isDir.boolValue }
}

/// Distance between two floats in units in the last place.
func ulpDistance(_ a: Float, _ b: Float) -> Int {
    if a == b { return 0 }
    func ordered(_ x: Float) -> Int64 {
        let bits = Int64(Int32(bitPattern: x.bitPattern))
        return bits < 0 ? Int64(Int32.min) - bits : bits
    }
    return Int(abs(ordered(a) - ordered(b)))
}

final class TrajectoryConformanceTests: XCTestCase {
    func testReplaysEveryRecordedTrajectory() throws {
        guard let dir = trajectoryDirectory() else {
            throw XCTSkip("no trajectory directory: set SLATE_RL_TRAJECTORIES or SLATE_DATA, or place shared/data/rl beside the package")
        }
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.path)
            .filter { $0.hasSuffix("_trajectories.json") }.sorted()
        XCTAssertFalse(files.isEmpty, "no *_trajectories.json in \(dir.path)")
        var replayedSteps = 0
        for name in files {
            let data = try Data(contentsOf: dir.appendingPathComponent(name))
            let file = try JSONDecoder().decode(TrajectoryFile.self, from: data)
            replayedSteps += try replay(file, name: name)
        }
        XCTAssertGreaterThan(replayedSteps, 0)
    }

    /// Replays every episode of `file` from its initial state; returns the number of steps checked.
    func replay(_ file: TrajectoryFile, name: String) throws -> Int {
        let made = try makeEnvironment(id: file.env_id)
        let env = try XCTUnwrap(made as? StatefulEnvironment, "\(file.env_id) cannot set its state")
        XCTAssertEqual(env.maxEpisodeSteps, file.max_episode_steps, name)
        XCTAssertEqual(env.actionSpace.n, file.n_actions, name)
        XCTAssertEqual(env.stateFields, file.state_fields, name)
        var checked = 0, exactSteps = 0, maxStateError = 0.0
        for episode in file.episodes {
            let label = "\(name) seed \(episode.seed)"
            _ = env.reset(seed: UInt64(episode.seed))
            env.state = episode.initial_state
            assertObservation(env.currentObservation(), episode.initial_observation, "\(label) initial")
            var total = 0.0
            for (t, expected) in episode.steps.enumerated() {
                let result = env.step(expected.action)
                let where_ = "\(label) step \(t + 1)"
                let state = env.state
                if state == expected.state { exactSteps += 1 }
                for k in 0..<state.count { maxStateError = max(maxStateError, abs(state[k] - expected.state[k])) }
                for k in 0..<state.count {
                    XCTAssertEqual(state[k], expected.state[k], accuracy: 1e-9, "\(where_) \(file.state_fields[k])")
                }
                assertObservation(result.observation, expected.observation, where_)
                XCTAssertEqual(result.reward, expected.reward, where_)
                XCTAssertEqual(result.terminated, expected.terminated, "\(where_) terminated")
                XCTAssertEqual(result.truncated, expected.truncated, "\(where_) truncated")
                total += result.reward
                checked += 1
                if result.done { XCTAssertEqual(t + 1, episode.steps.count, "\(where_): episode ended early") }
            }
            XCTAssertEqual(episode.steps.count, episode.length, label)
            XCTAssertEqual(total, episode.total_reward, label)
        }
        // Informational: on x86_64 glibc every state is bit-exact; the assertions allow 1e-9 so
        // another libm (aarch64, macOS) that rounds a sin/cos/pow differently still passes.
        print("\(file.env_id): \(checked) steps, \(exactSteps) bit-exact states, max |state error| \(maxStateError)")
        return checked
    }

    func assertObservation(_ got: [Float], _ recorded: [Double], _ label: String,
                           file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(got.count, recorded.count, label, file: file, line: line)
        for k in 0..<min(got.count, recorded.count) {
            let expected = Float(recorded[k])
            XCTAssertLessThanOrEqual(ulpDistance(got[k], expected), 2,
                                     "\(label) obs[\(k)] \(got[k]) vs \(expected)", file: file, line: line)
        }
    }
}
