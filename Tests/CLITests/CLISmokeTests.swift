import XCTest

final class CLISmokeTests: XCTestCase {
    func testVersionFlag() throws {
        let out = try runSlate(["--version"])
        XCTAssertEqual(out.status, 0)
        XCTAssertTrue(out.stdout.contains("."))
    }
}
