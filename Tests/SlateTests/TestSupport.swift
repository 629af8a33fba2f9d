import XCTest
@testable import Slate

/// A random tensor that requires grad, drawn from a fixed seed.
func param(_ shape: [Int], seed: UInt64 = 1, low: Float = -1, high: Float = 1) -> Tensor {
    var rng = RandomGenerator(seed: seed)
    return Tensor.uniform(shape, low: low, high: high, generator: &rng, requiresGrad: true)
}

/// Fails the test with the worst element when a gradient check does not pass.
func assertGradients(_ inputs: [Tensor], step: Float = 1e-2, atol: Double = 1e-3, rtol: Double = 1e-2,
                     file: StaticString = #filePath, line: UInt = #line, _ f: ([Tensor]) -> Tensor) {
    let r = gradCheck(inputs, step: step, atol: atol, rtol: rtol, f)
    XCTAssertTrue(r.passed, "\(r)", file: file, line: line)
}

/// Element-wise closeness of two arrays.
func assertClose(_ a: [Float], _ b: [Float], tol: Float = 1e-5,
                 file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(a.count, b.count, "sizes differ", file: file, line: line)
    for i in 0..<min(a.count, b.count) where abs(a[i] - b[i]) > tol * max(1, abs(b[i])) {
        XCTFail("element \(i): \(a[i]) vs \(b[i])", file: file, line: line)
        return
    }
}

/// Tests/SlateTests/Fixtures: files made by reference libraries, with the scripts that made them.
let fixturesDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

extension XCTestCase {
    /// A fresh directory path under the system's temporary directory (not created), removed
    /// with everything in it when the test ends.
    func scratchDirectory() -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("slate-test-\(UUID().uuidString)")
        addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
        return dir
    }
}

/// Runs `body` with products through BLAS, then again through Slate's AVX-512 GEMM where the CPU
/// has AVX-512 (`body` gets the kernel's name), and restores the choice.
func forEachGEMMKernel(_ body: (String) -> Void) {
    let chosen = GEMMKernels.avx512
    defer { GEMMKernels.avx512 = chosen }
    GEMMKernels.avx512 = false
    body("BLAS")
    if GEMMKernels.cpuHasAVX512 {
        GEMMKernels.avx512 = true
        body("AVX-512")
    }
}
