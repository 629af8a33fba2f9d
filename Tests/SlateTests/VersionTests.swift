import XCTest
@testable import Slate

final class VersionTests: XCTestCase {
    func testVersionIsSemantic() {
        XCTAssertEqual(Slate.version.split(separator: ".").compactMap { Int($0) }.count, 3)
    }
}
