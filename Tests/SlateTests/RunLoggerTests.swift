import XCTest
@testable import Slate

/// RunLogger's CSV side: one file per kind of row with every cell filled, clear errors, and a
/// resume that leaves the files as an uninterrupted run would.
final class RunLoggerTests: XCTestCase {
    func testStepAndEvalRowsGoToTheirOwnFullCSVsAndOneEventFile() throws {
        let dir = scratchDirectory()
        let log = try RunLogger(directory: dir, stepTags: ["train/loss", "train/lr"], evalTags: ["val/loss"])
        try log.logConfig("learning_rate = 0.001")
        try log.logStep(0, ["train/loss": 4.25, "train/lr": 0.001])
        try log.logStep(1, ["train/loss": 3.5, "train/lr": 0.002])
        try log.logEval(1, ["val/loss": 3.75])
        XCTAssertEqual(try csv(dir, "metrics"), ["step,train/loss,train/lr", "0,4.25,0.001", "1,3.5,0.002"])
        XCTAssertEqual(try csv(dir, "eval"), ["step,val/loss", "1,3.75"])
        XCTAssertEqual(try eventFiles(dir).count, 1)
    }

    func testTheStepColumnCanKeepNanoGPTsNameAcrossAResume() throws {
        let dir = scratchDirectory()
        let first = try RunLogger(directory: dir, stepTags: ["train/loss"], stepColumn: "iter", tensorBoard: false)
        for iter in 0..<3 { try first.logStep(iter, ["train/loss": Double(iter)]) }
        let resumed = try RunLogger(directory: dir, stepTags: ["train/loss"], stepColumn: "iter", tensorBoard: false, resumingAt: 1)
        try resumed.logStep(1, ["train/loss": 5])
        XCTAssertEqual(try csv(dir, "metrics"), ["iter,train/loss", "0,0", "1,5"])
        XCTAssertEqual(try eventFiles(dir), [], "tensorBoard: false writes no event file")
        assertThrows(try RunLogger(directory: dir, stepTags: ["iter"], stepColumn: "iter"), mentioning: "used twice")
    }

    func testBadRowsAndTagsAreClearErrors() throws {
        let dir = scratchDirectory()
        let log = try RunLogger(directory: dir, stepTags: ["train/loss", "train/lr"])
        assertThrows(try log.logStep(0, ["train/loss": 1]), mentioning: "has no 'train/lr'")
        assertThrows(try log.logStep(0, ["train/loss": 1, "train/lr": 1, "val/loss": 2]), mentioning: "not one of the log's columns")
        assertThrows(try log.logEval(0, ["val/loss": 1]), mentioning: "no file 'eval'")
        assertThrows(try log.logStep(0, ["train/loss": 1, "train/lr": 1], group: 2), mentioning: "no group column")
        assertThrows(try RunLogger(directory: dir, stepTags: ["a", "a"]), mentioning: "used twice")
        assertThrows(try RunLogger(directory: dir, stepTags: ["step"]), mentioning: "used twice")
        assertThrows(try RunLogger(directory: dir, stepTags: ["a,b"]), mentioning: "comma")
        assertThrows(try RunLogger(directory: dir, stepTags: ["x"], groupColumn: "fold", resumingAt: 3), mentioning: "pass inGroup:")
        assertThrows(try RunLogger(directory: dir, stepTags: ["x"], resumingAt: 3, inGroup: 1), mentioning: "groupColumn:")
        XCTAssertEqual(try csv(dir, "metrics"), ["step,train/loss,train/lr"], "no partial row from a rejected call")
    }

    func testGroupsGetAColumnAndAnEventFileEach() throws {
        let dir = scratchDirectory()
        let log = try RunLogger(directory: dir, stepTags: ["train/loss", "val/accuracy"], groupColumn: "fold")
        for fold in 0..<2 { try log.logStep(0, ["train/loss": 1, "val/accuracy": 0.5], group: fold) }
        assertThrows(try log.logStep(1, ["train/loss": 1, "val/accuracy": 0.5]), mentioning: "needs its 'fold'")
        XCTAssertEqual(try csv(dir, "metrics"), ["fold,step,train/loss,val/accuracy", "0,0,1,0.5", "1,0,1,0.5"])
        XCTAssertEqual(try eventFiles(dir.appendingPathComponent("fold-0")).count, 1)
        XCTAssertEqual(try eventFiles(dir.appendingPathComponent("fold-1")).count, 1)
    }

    /// A run killed after logging step 4 but checkpointed at step 3 resumes at 3: the CSV drops
    /// the rows from step 3 on (and a row cut short by the kill), then continues.
    func testResumeDropsRowsPastTheCheckpointAndStartsANewEventFile() throws {
        let dir = scratchDirectory()
        let first = try RunLogger(directory: dir, stepTags: ["train/loss"], evalTags: ["val/loss"])
        for step in 0..<5 { try first.logStep(step, ["train/loss": Double(10 - step)]) }
        try first.logEval(2, ["val/loss": 9]); try first.logEval(4, ["val/loss": 7])
        let metrics = dir.appendingPathComponent("metrics.csv")
        let handle = try FileHandle(forWritingTo: metrics)
        try handle.seekToEnd(); try handle.write(contentsOf: Data("5".utf8)); try handle.close()   // killed mid-row
        let resumed = try RunLogger(directory: dir, stepTags: ["train/loss"], evalTags: ["val/loss"], resumingAt: 3)
        try resumed.logStep(3, ["train/loss": 0.5])
        XCTAssertEqual(try csv(dir, "metrics"), ["step,train/loss", "0,10", "1,9", "2,8", "3,0.5"])
        XCTAssertEqual(try csv(dir, "eval"), ["step,val/loss", "2,9"])
        XCTAssertEqual(try eventFiles(dir).count, 2)
    }

    /// A grouped run killed in fold 1 at epoch 4, checkpointed at epoch 3 of fold 1, resumes there:
    /// fold 0 is kept whole, fold 1 up to epoch 2, and a torn row of fold 1 goes.
    func testGroupedResumeKeepsEarlierGroupsAndTheGroupUpToItsStep() throws {
        let dir = scratchDirectory()
        let first = try RunLogger(directory: dir, stepTags: ["train/loss"], groupColumn: "fold")
        for fold in 0..<2 {
            for epoch in 1...4 { try first.logStep(epoch, ["train/loss": Double(10 * fold + epoch)], group: fold) }
        }
        let handle = try FileHandle(forWritingTo: dir.appendingPathComponent("metrics.csv"))
        try handle.seekToEnd(); try handle.write(contentsOf: Data("1,5".utf8)); try handle.close()   // killed mid-row
        let resumed = try RunLogger(directory: dir, stepTags: ["train/loss"], groupColumn: "fold", resumingAt: 3, inGroup: 1)
        try resumed.logStep(3, ["train/loss": 0.5], group: 1)
        XCTAssertEqual(try csv(dir, "metrics"), ["fold,step,train/loss", "0,1,1", "0,2,2", "0,3,3", "0,4,4",
                                                 "1,1,11", "1,2,12", "1,3,0.5"])
        XCTAssertEqual(try eventFiles(dir.appendingPathComponent("fold-0")).count, 1)
        XCTAssertEqual(try eventFiles(dir.appendingPathComponent("fold-1")).count, 2)
    }

    // MARK: helpers


    func csv(_ dir: URL, _ name: String) throws -> [String] {
        try String(contentsOf: dir.appendingPathComponent(name + ".csv"), encoding: .utf8)
            .split(separator: "\n").map(String.init)
    }

    func eventFiles(_ dir: URL) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasPrefix("events.out.tfevents.") }
    }

    func assertThrows<T>(_ expression: @autoclosure () throws -> T, mentioning phrase: String,
                         file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try expression(), file: file, line: line) {
            XCTAssertTrue("\($0)".contains(phrase), "'\($0)' does not mention '\(phrase)'", file: file, line: line)
        }
    }
}
