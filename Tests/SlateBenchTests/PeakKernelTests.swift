import XCTest
import Slate
@testable import SlateBench

/// The peak loops compute real values; these scalar twins compute the same recurrences one lane
/// at a time, so a loop that skipped work (or a compiler that folded it) would disagree.
final class PeakKernelTests: XCTestCase {
    func testFusedLoopMatchesScalarTwin() {
        let n = 1000, step: Float = 1e-3
        var expected = 0.0
        for chain in 1...8 {  // 8 chains × 8 identical lanes, chain c starts at c·step
            var acc = Float(chain) * step
            for _ in 0..<n { acc = step.addingProduct(acc, 1) }
            expected += 8 * Double(acc)
        }
        let got = Double(fusedPeakLoop(iterations: n, step: step))
        XCTAssertEqual(got, expected, accuracy: 1e-5 * expected)
        XCTAssertEqual(got, 64 * (4.5 * Double(step) + Double(n) * Double(step)), accuracy: 1e-3 * expected)
    }

    func testSeparateLoopMatchesScalarTwin() {
        let n = 1000, step: Float = 1e-3
        var expected = 0.0
        for chain in 1...3 { expected += 8 * Double(Float(chain) * step) }  // multiplied by 1 n times
        for chain in 4...6 {
            var acc = Float(chain) * step
            for _ in 0..<n { acc += step }
            expected += 8 * Double(acc)
        }
        XCTAssertEqual(Double(separatePeakLoop(iterations: n, step: step)), expected, accuracy: 1e-5 * expected)
    }

    func testEveryAvailableLoopComputesItsRecurrence() {
        // Checksums per loop for 100 iterations (step 1e-3): fused chains start at c·step and gain
        // step per iteration; the AVX2 and AVX-512 loops' chains all start at step.
        let n = 100, step = 1e-3
        for loop in PeakFLOPS.availableLoops {
            let expected: Double
            switch loop {
            case .fused: expected = 64 * (4.5 * step + Double(n) * step)
            case .separate: expected = 8 * (6 * step) + 8 * (15 * step + 3 * Double(n) * step)
            case .avx2FMA: expected = 64 * Double(n + 1) * step
            case .avx512FMA: expected = 192 * Double(n + 1) * step   // 12 chains × 16 lanes
            }
            XCTAssertEqual(Double(loop.run(n)), expected, accuracy: 1e-4 * expected, "\(loop)")
        }
        XCTAssertTrue(PeakFLOPS.availableLoops.contains(.fused))
    }

    func testClockChainMatchesScalarTwin() {
        let seed: UInt64 = 12345
        let k = seed &* 0x9E37_79B9_7F4A_7C15 | 1, m = seed &* 0xD1B5_4A32_D192_ED03
        var x = seed
        for _ in 0..<(4 * 100) { x = (x &+ k) ^ m }
        XCTAssertEqual(clockChainLoop(iterations: 100, seed: seed), x)
        XCTAssertNotEqual(x, seed)
    }

    func testMeasurementsArePlausible() {
        // Any core this runs on does between 0.1 and 1000 GFLOP/s and clocks 0.2–7 GHz.
        let separate = PeakFLOPS.measure(.separate, threads: 1, seconds: 0.02)
        XCTAssertGreaterThan(separate, 0.1)
        XCTAssertLessThan(separate, 1000)
        let peak = PeakFLOPS.peak(threads: 1, seconds: 0.02)
        XCTAssertGreaterThanOrEqual(peak.gflops, peak.otherLoopGflops ?? 0)
        let clock = PeakFLOPS.measuredClockGHz(seconds: 0.02)
        XCTAssertGreaterThan(clock, 0.2)
        XCTAssertLessThan(clock, 7)
    }

    func testBestTrialIsTheMinimum() {
        var durations = [0.004, 0.001, 0.003, 0.002, 0.005]
        var measured: [Double] = []  // what each trial really took (a busy machine can stretch one)
        let best = PeakFLOPS.bestTrialSeconds(budget: 0) {
            let d = durations.removeFirst()
            let t0 = PeakFLOPS.nowSeconds()
            while PeakFLOPS.nowSeconds() - t0 < d {}
            measured.append(PeakFLOPS.nowSeconds() - t0)
        }
        XCTAssertEqual(measured.count, 5)
        XCTAssertGreaterThanOrEqual(best, 0.001)
        XCTAssertEqual(best, measured.min()!, accuracy: 0.0005, "the best trial is the shortest one")
        XCTAssertLessThan(best, measured.max()!)
    }
}
