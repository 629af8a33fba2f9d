import XCTest
@testable import Slate

/// The classic traps of a reverse-mode autograd.
final class AutogradTests: XCTestCase {
    func testTensorUsedTwice() {
        // b = a + a; c = b + b  =>  c = 4a, dc/da = 4
        let a = Tensor([1, 2, 3], requiresGrad: true)
        let b = a + a
        let c = b + b
        c.sumAll().backward()
        XCTAssertEqual(a.grad?.toArray(), [4, 4, 4])
    }

    func testDiamondGraph() {
        // x -> (y = x*x, z = 3x) -> w = y*z = 3x³, dw/dx = 9x²
        let x = Tensor([2, -1], requiresGrad: true)
        let y = x * x
        let z = x * 3
        (y * z).sumAll().backward()
        XCTAssertEqual(x.grad?.toArray(), [36, 9])
    }

    func testBackwardTwiceAccumulates() {
        let x = Tensor([1, 2], requiresGrad: true)
        let loss = (x * x).sumAll()
        loss.backward()
        XCTAssertEqual(x.grad?.toArray(), [2, 4])
        loss.backward()  // documented: the graph is kept, leaves accumulate again
        XCTAssertEqual(x.grad?.toArray(), [4, 8])
        x.zeroGrad()
        XCTAssertNil(x.grad)
        loss.backward()
        XCTAssertEqual(x.grad?.toArray(), [2, 4])
    }

    func testNoGradScopeRecordsNothing() {
        let x = Tensor([1, 2], requiresGrad: true)
        let y = withNoGrad { x * x + 1 }
        XCTAssertFalse(y.requiresGrad)
        XCTAssertNil(y.gradFn)
        XCTAssertTrue(Autograd.isEnabled)  // restored after the scope
        let z = x * x
        XCTAssertNotNil(z.gradFn)
    }

    func testDetachStopsGradient() {
        let x = Tensor([3], requiresGrad: true)
        let y = x * x.detached()  // d/dx = x (the detached factor is a constant)
        y.sumAll().backward()
        XCTAssertEqual(x.grad?.toArray(), [3])
    }

    func testIntermediateGradsFreedUnlessRetained() {
        let x = Tensor([1, 2], requiresGrad: true)
        let h = x * 2
        let k = x * 3
        k.retainsGrad = true
        (h * k).sumAll().backward()
        XCTAssertNil(h.grad)
        XCTAssertNotNil(k.grad)
        XCTAssertEqual(x.grad?.toArray(), [12, 24])  // d(6x²)/dx = 12x
    }

    func testDeepChainHasNoRecursionLimit() {
        let x = Tensor([1], requiresGrad: true)
        var y = x
        for _ in 0..<50_000 { y = y + 0 }
        y.sumAll().backward()
        XCTAssertEqual(x.grad?.toArray(), [1])
    }

    func testPoolReusesStorage() {
        let before = StoragePool.shared.hits
        for _ in 0..<10 { _ = Tensor.zeros([123, 457]) }
        XCTAssertGreaterThanOrEqual(StoragePool.shared.hits - before, 9)
    }

    /// Sizes are rounded to classes at most 12.5 % larger, so tensors of nearby sizes (batches
    /// of graphs with varying node counts) share blocks instead of each size keeping its own.
    func testPoolSizeClassesBoundWasteAndShareNearbySizes() {
        for count in [0, 1, 16, 17, 128, 129, 1000, 1024, 1025, 65_535, 393_216, 1_000_003] {
            let size = StoragePool.sizeClass(count)
            XCTAssertGreaterThanOrEqual(size, max(count, 1), "\(count)")
            if count > 128 { XCTAssertLessThanOrEqual(Double(size), Double(count) * 1.125, "\(count)") }
            XCTAssertEqual(StoragePool.sizeClass(size), size, "a class is its own class")
        }
        XCTAssertEqual(StoragePool.sizeClass(1000), StoragePool.sizeClass(1020))
        do { _ = Tensor.zeros([1000]) }                      // returns a 1024-float block
        let before = StoragePool.shared.hits
        let t = Tensor.zeros([1020])
        XCTAssertEqual(StoragePool.shared.hits - before, 1)
        XCTAssertEqual(t.toArray(), [Float](repeating: 0, count: 1020))
    }

    /// A working set above 1 GiB stays pooled between steps: the idle bound follows the peak of
    /// live memory (1.25 GiB here, never touched, so it costs address space only). With a fixed
    /// 1 GiB bound the fifth block was freed and its next step faulted fresh pages in.
    func testPoolKeepsAWorkingSetLargerThanOneGiB() {
        let pool = StoragePool.shared
        pool.drain()
        let block = 64 << 20                                           // floats: 256 MiB
        func step() { let held = (0..<5).map { _ in Storage(count: block, zeroed: false) }; _ = held }
        step()                                                         // peak live ≥ 1.25 GiB
        XCTAssertGreaterThanOrEqual(pool.peakLiveBytes, 5 * block * 4)
        let before = pool.hits
        step()
        XCTAssertEqual(pool.hits - before, 5, "every block of the second step should come from the pool")
        pool.limitBytes = 1 << 30                                      // a fixed bound keeps only 4
        defer { pool.limitBytes = nil; pool.drain() }
        pool.drain()
        step()
        let fixed = pool.hits
        step()
        XCTAssertEqual(pool.hits - fixed, 4)
    }
}
