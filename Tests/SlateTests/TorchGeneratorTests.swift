import XCTest
@testable import Slate

/// `TorchGenerator` against PyTorch 2.13 (CPU), which printed these after `torch.manual_seed(1337)`:
///     torch.randint(1003790, (12,)); torch.empty(8320).normal_(0, 0.02)
///     torch.empty(100).normal_(1, 2); torch.empty(5).uniform_(-0.5, 0.5); torch.randint(2**33, (3,))
/// (in that order, one stream).
final class TorchGeneratorTests: XCTestCase {
    func testStreamMatchesPyTorch() {
        var g = TorchGenerator(seed: 1337)
        XCTAssertEqual((0..<12).map { _ in g.nextInt(1_003_790) },
                       [138825, 368537, 972872, 611890, 34195, 709583, 303665, 356460, 483164, 170560, 73992, 506050])
        var big = [Float](repeating: 0, count: 8320)
        g.fillNormal(&big, count: 8320, mean: 0, std: 0.02)
        assertClose(Array(big.prefix(4)), [0.005198201630264521, -0.021396033465862274, 0.03260963782668114, 0.014553795568645])
        assertClose(Array(big.suffix(2)), [-0.0020286922808736563, -0.025654179975390434])
        // 100 is not a multiple of 16: PyTorch redraws and transforms the last 16 again.
        var odd = [Float](repeating: 0, count: 100)
        g.fillNormal(&odd, count: 100, mean: 1, std: 2)
        assertClose(Array(odd.prefix(3)), [2.3021063804626465, 1.4477404356002808, -3.0251688957214355], tolerance: 1e-5)
        assertClose(Array(odd.suffix(3)), [-0.04080390930175781, 5.103526592254639, 2.9877095222473145], tolerance: 1e-5)
        assertClose((0..<5).map { _ in g.nextUniform(-0.5, 0.5) },
                    [-0.0008485317230224609, -0.34640049934387207, -0.2657178044319153, 0.18302297592163086, -0.14644545316696167])
        XCTAssertEqual((0..<3).map { _ in g.nextInt(1 << 33) }, [1914482278, 113656147, 6464171491])
    }

    func testDiscardAndSkipTakeTheSameDraws() {
        var a = TorchGenerator(seed: 7), b = TorchGenerator(seed: 7)
        var scratch = [Float](repeating: 0, count: 40)
        a.fillNormal(&scratch, count: 40, mean: 0, std: 1)   // 40 + 16 draws (40 % 16 ≠ 0)
        b.skipNormal(count: 40)
        XCTAssertEqual(a.draws, 56)
        XCTAssertEqual(b.draws, 56)
        var c = TorchGenerator(seed: 7)
        c.discard(1000)                                       // past one 624-word twist
        var d = TorchGenerator(seed: 7)
        for _ in 0..<1000 { _ = d.nextUInt32() }
        XCTAssertEqual(c.nextUInt32(), d.nextUInt32())
    }

    private func assertClose(_ got: [Float], _ expected: [Double], tolerance: Float = 1e-7,
                             file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(got.count, expected.count, file: file, line: line)
        for (g, e) in zip(got, expected) { XCTAssertEqual(g, Float(e), accuracy: tolerance, file: file, line: line) }
    }
}
