import XCTest
@testable import SlateGPT

final class SlateGPTSmokeTests: XCTestCase {
    func testLinksAgainstEngine() {
        XCTAssertEqual(SlateGPTInfo.engineVersion.split(separator: ".").count, 3)
    }
}
