import XCTest
@testable import Slate

/// Row gather (embedding lookup) and per-row column gather, with scatter-add backwards.
final class GatherTests: XCTestCase {
    func testRowsForwardAndRepeatedIndicesAccumulate() {
        let table = Tensor([0, 1, 10, 11, 20, 21], shape: [3, 2], requiresGrad: true)
        let picked = table.rows([2, 0, 2])
        XCTAssertEqual(picked.shape, [3, 2])
        XCTAssertEqual(picked.toArray(), [20, 21, 0, 1, 20, 21])
        picked.backward(Tensor([1, 2, 3, 4, 5, 6], shape: [3, 2]))
        XCTAssertEqual(table.grad!.toArray(), [3, 4, 0, 0, 6, 8])  // row 2 gets rows 0 and 2 of g
    }

    func testRowsGradCheck() {
        let table = param([7, 5], seed: 61)
        assertGradients([table]) { $0[0].rows([6, 1, 1, 0, 3]) }
        let cube = param([4, 2, 3], seed: 62)
        assertGradients([cube]) { $0[0].indexSelect(axis: 0, [3, 3, 0]) }
        XCTAssertEqual(cube.indexSelect(axis: 0, [1]).toArray(), Array(cube.toArray()[6..<12]))
    }

    func testGatherAlongLastAxis() {
        let q = Tensor([1, 2, 3, 4, 5, 6], shape: [2, 3], requiresGrad: true)
        let picked = q.gatherAlongLastAxis([2, 0])
        XCTAssertEqual(picked.shape, [2])
        XCTAssertEqual(picked.toArray(), [3, 4])
        picked.backward(Tensor([10, 20]))
        XCTAssertEqual(q.grad!.toArray(), [0, 0, 10, 20, 0, 0])
        let x = param([3, 2, 4], seed: 63)
        assertGradients([x]) { $0[0].gatherAlongLastAxis([0, 3, 1, 1, 2, 0]) }
    }
}
