import XCTest
@testable import SlateRL

final class GridWorldAndRenderTests: XCTestCase {
    /// Actions: 0 up, 1 right, 2 down, 3 left.
    func testShortestPathReachesTheGoal() throws {
        let env = GridWorld()
        _ = env.reset(seed: 0)
        // From S (1,1) down the left corridor, between the pits at (4,4) and (5,6), up to G (3,7).
        let path = [2, 2, 2, 1, 1, 2, 1, 1, 2, 1, 1, 0, 0, 0]
        var total = 0.0
        var last: StepResult?
        for (i, action) in path.enumerated() {
            last = env.step(action)
            total += last!.reward
            XCTAssertEqual(last!.done, i == path.count - 1, "step \(i)")
        }
        let end = try XCTUnwrap(last)
        XCTAssertTrue(end.terminated)
        XCTAssertEqual(end.reward, 1)
        XCTAssertEqual(total, 1 - 0.01 * Double(path.count - 1), accuracy: 1e-12)
        XCTAssertEqual(env.cell(row: env.position.row, column: env.position.column), "G")
        XCTAssertEqual(end.observation.reduce(0, +), 1, "one-hot observation")
        XCTAssertEqual(end.observation[env.position.row * env.columns + env.position.column], 1)
    }

    func testWallsBlockAndPitsEndTheEpisode() {
        let env = GridWorld()
        _ = env.reset(seed: 0)
        let blocked = env.step(0)  // a wall above the start
        XCTAssertEqual(env.position.row, 1)
        XCTAssertEqual(env.position.column, 1)
        XCTAssertFalse(blocked.done)
        XCTAssertEqual(blocked.reward, -0.01)
        for action in [1, 1, 2] { XCTAssertFalse(env.step(action).done) }
        let pit = env.step(2)  // (3,3) is a pit
        XCTAssertTrue(pit.terminated)
        XCTAssertEqual(pit.reward, -1)
    }

    func testBadLayoutsThrowSayingWhatIsWrong() {
        XCTAssertThrowsError(try GridWorld(layout: ["#S.", "#."])) { XCTAssertTrue("\($0)".contains("lengths")) }
        XCTAssertThrowsError(try GridWorld(layout: ["S..", "..."])) { XCTAssertTrue("\($0)".contains("goal")) }
        XCTAssertThrowsError(try GridWorld(layout: ["S.G", "?.."])) { XCTAssertTrue("\($0)".contains("'?'")) }
        XCTAssertThrowsError(try GridWorld(layout: ["S.G", "S.."])) { XCTAssertTrue("\($0)".contains("one start")) }
    }

    func testGridWorldRendersTheAgent() {
        let env = GridWorld()
        _ = env.reset(seed: 0)
        let lines = env.render().split(separator: "\n")
        XCTAssertEqual(lines.count, 1 + GridWorld.defaultLayout.count)
        XCTAssertEqual(lines[2], "#A..#...#")
    }

    /// Frame geometry: the pole stands straight up at theta 0 and leans the way theta says.
    func testCartPoleFrameDrawsThePoleLeaningTheRightWay() throws {
        let env = CartPole()
        _ = env.reset(seed: 0)
        env.state = [0, 0, 0, 0]
        let upright = env.render().split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        XCTAssertEqual(upright.count, 8)
        XCTAssertTrue(upright[1].contains("|") && !upright[1].contains("/"), upright.joined(separator: "\n"))
        XCTAssertTrue(upright.contains { $0.contains("[==o==]") })
        XCTAssertTrue(upright.last!.hasPrefix("===="))
        env.state = [1.0, 0, 0.5, 0]
        let leaning = env.render().split(separator: "\n").map(String.init)
        let top = try XCTUnwrap(leaning.first { $0.contains("/") }, leaning.joined(separator: "\n"))
        XCTAssertFalse(leaning.contains { $0.contains("\\") }, "a right lean draws only /")
        let cart = leaning.first { $0.contains("[==o==]") }!
        XCTAssertGreaterThan(top.firstIndex(of: "/")!.utf16Offset(in: top),
                             cart.firstIndex(of: "o")!.utf16Offset(in: cart), "leaning right")
    }

    func testMountainCarAndAcrobotFrames() {
        let car = MountainCar()
        _ = car.reset(seed: 0)
        let frame = car.render()
        XCTAssertTrue(frame.contains("@") && frame.contains("|>"), frame)
        let acrobot = Acrobot()
        _ = acrobot.reset(seed: 0)
        acrobot.state = [0, 0, 0, 0]  // hanging straight down
        let lines = acrobot.render().split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let pivot = lines.firstIndex { $0.contains("+") }!, tip = lines.firstIndex { $0.contains("*") }!
        let goal = lines.firstIndex { $0.hasPrefix("---") }!
        XCTAssertLessThan(goal, pivot)
        XCTAssertGreaterThan(tip, pivot, "the tip hangs below the pivot")
        acrobot.state = [Double.pi, 0, 0, 0]  // pointing straight up: tip above the goal line
        let up = acrobot.render().split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        XCTAssertLessThan(up.firstIndex { $0.contains("*") }!, goal)
    }
}
