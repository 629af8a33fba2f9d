import XCTest
@testable import SlateRL

final class SlateRLSmokeTests: XCTestCase {
    func testLinksAgainstEngine() {
        XCTAssertEqual(SlateRLInfo.engineVersion.split(separator: ".").count, 3)
    }
}
