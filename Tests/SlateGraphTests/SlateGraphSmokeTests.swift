import XCTest
@testable import SlateGraph

final class SlateGraphSmokeTests: XCTestCase {
    func testLinksAgainstEngine() {
        XCTAssertEqual(SlateGraphInfo.engineVersion.split(separator: ".").count, 3)
    }
}
