import XCTest
@testable import Slate

/// concat / stack / split / slice / sliceRows: values and gradients.
final class ConcatTests: XCTestCase {
    func testConcatValues() {
        let a = Tensor([1, 2, 3, 4], shape: [2, 2]), b = Tensor([5, 6], shape: [2, 1])
        XCTAssertEqual(Tensor.concat([a, b], axis: 1).toArray(), [1, 2, 5, 3, 4, 6])
        XCTAssertEqual(Tensor.concat([a, b.reshaped([1, 2])], axis: 0).toArray(), [1, 2, 3, 4, 5, 6])
        XCTAssertEqual(Tensor.stack([a, a * 10], axis: 1).shape, [2, 2, 2])
        XCTAssertEqual(Tensor.stack([a, a * 10], axis: 1).toArray(), [1, 2, 10, 20, 3, 4, 30, 40])
        XCTAssertEqual(Tensor.stack([a, a * 10], axis: 2).toArray(), [1, 10, 2, 20, 3, 30, 4, 40])
    }

    func testConcatAndStackGradients() {
        let a = param([2, 3, 4], seed: 91), b = param([2, 1, 4], seed: 92), c = param([2, 2, 4], seed: 93)
        assertGradients([a, b, c]) { Tensor.concat($0, axis: 1) }
        let d = param([2, 3, 2], seed: 94)
        assertGradients([a, d]) { Tensor.concat($0, axis: -1) }
        let frozen = a.copy()  // one side without grad
        assertGradients([a]) { Tensor.concat([$0[0], frozen], axis: 0) }
        let e = param([2, 3, 4], seed: 96)
        for axis in [0, 1, 3] { assertGradients([a, e]) { Tensor.stack($0, axis: axis) } }
    }

    func testSliceSplitAndRows() {
        let x = Tensor((0..<12).map(Float.init), shape: [3, 4])
        XCTAssertEqual(x.slice(axis: 1, range: 1..<3).toArray(), [1, 2, 5, 6, 9, 10])
        XCTAssertEqual(x.sliceRows(1..<3).toArray(), Array((4..<12).map(Float.init)))
        let pieces = x.split([1, 3], axis: 1)
        XCTAssertEqual(pieces.map(\.shape), [[3, 1], [3, 3]])
        XCTAssertEqual(Tensor.concat(pieces, axis: 1).toArray(), x.toArray(), "split then concat round-trips")
    }

    func testSliceAndSplitGradients() {
        let x = param([4, 6, 3], seed: 95)
        assertGradients([x]) { $0[0].slice(axis: 1, range: 2..<5) }
        assertGradients([x]) { $0[0].sliceRows(1..<3) }
        assertGradients([x]) { $0[0].slice(axis: -1, range: 0..<1) }
        // q, k, v style: three pieces, used with different weights so each path is checked.
        assertGradients([x]) { inputs in
            let p = inputs[0].split([2, 1, 3], axis: 1)
            return Tensor.concat([p[2] * 2, p[0], p[1] * p[1]], axis: 1)
        }
    }
}
