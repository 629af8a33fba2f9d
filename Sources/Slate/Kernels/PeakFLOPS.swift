import Dispatch

/// Measures a machine's FP32 arithmetic peak and clock with the loops in `PeakKernels.swift`.
///
/// Every figure is the *best* of many short trials: on a shared machine a trial that was
/// interrupted is slow, never fast, so the maximum is the least disturbed estimate.
public enum PeakFLOPS {
    /// Which loop produced a peak figure.
    public enum Loop: String, Sendable, Codable {
        /// `fusedPeakLoop`: one FMA instruction per lane per step.
        case fused = "fused multiply-add"
        /// `separatePeakLoop`: independent multiplies and adds (builds without FMA instructions).
        case separate = "separate multiply and add"
    }

    /// One peak measurement.
    public struct Result: Sendable, Codable {
        /// The loop that ran fastest in this build.
        public var loop: Loop
        /// Threads that ran the loop at once.
        public var threads: Int
        /// FP32 GFLOP/s of all threads together.
        public var gflops: Double
        /// GFLOP/s per thread.
        public var gflopsPerThread: Double { gflops / Double(threads) }
        /// GFLOP/s of the other loop, to show what fusion is worth (nil when not measured).
        public var otherLoopGflops: Double?
    }

    /// Times `loop` with `threads` threads for about `seconds` and returns GFLOP/s (best trial).
    /// Each trial runs `iterations` steps per thread, chosen so one trial takes ~2 ms.
    public static func measure(_ loop: Loop, threads: Int = 1, seconds: Double = 0.2) -> Double {
        let flopsPerIteration = loop == .fused ? fusedFlopsPerIteration : separateFlopsPerIteration
        let run: (Int) -> Float = { n in
            loop == .fused ? fusedPeakLoop(iterations: n) : separatePeakLoop(iterations: n)
        }
        let iterations = calibrate(targetSeconds: 0.002) { n in _ = run(n) }
        let best = bestTrialSeconds(budget: seconds) {
            if threads == 1 {
                blackHole(run(iterations))
            } else {
                DispatchQueue.concurrentPerform(iterations: threads) { _ in blackHole(run(iterations)) }
            }
        }
        return Double(iterations * flopsPerIteration * threads) / best / 1e9
    }

    /// Measures both loops with `threads` threads and keeps the faster one.
    public static func peak(threads: Int = 1, seconds: Double = 0.2) -> Result {
        let fused = measure(.fused, threads: threads, seconds: seconds / 2)
        let separate = measure(.separate, threads: threads, seconds: seconds / 2)
        return fused >= separate
            ? Result(loop: .fused, threads: threads, gflops: fused, otherLoopGflops: separate)
            : Result(loop: .separate, threads: threads, gflops: separate, otherLoopGflops: fused)
    }

    /// The clock one core runs at under load, in GHz, from a chain of one-cycle integer ops.
    public static func measuredClockGHz(seconds: Double = 0.1) -> Double {
        var seed: UInt64 = 0x5EED
        let iterations = calibrate(targetSeconds: 0.001) { n in seed = clockChainLoop(iterations: n, seed: seed) }
        let best = bestTrialSeconds(budget: seconds) { seed = clockChainLoop(iterations: iterations, seed: seed) }
        blackHole(Float(seed & 1))
        return Double(iterations * clockChainCyclesPerIteration) / best / 1e9
    }

    /// Doubles an iteration count until one run of `body` takes at least `targetSeconds`.
    static func calibrate(targetSeconds: Double, _ body: (Int) -> Void) -> Int {
        var n = 256
        while n < 1 << 40 {
            let t0 = nowSeconds()
            body(n)
            if nowSeconds() - t0 >= targetSeconds { return n }
            n *= 2
        }
        return n
    }

    /// Runs `trial` repeatedly for about `budget` seconds (at least 5 times); the fastest time.
    static func bestTrialSeconds(budget: Double, _ trial: () -> Void) -> Double {
        var best = Double.infinity, count = 0
        let start = nowSeconds()
        while count < 5 || nowSeconds() - start < budget {
            let t0 = nowSeconds()
            trial()
            best = min(best, nowSeconds() - t0)
            count += 1
        }
        return max(best, 1e-9)
    }

    /// Monotonic time in seconds.
    @inline(__always)
    static func nowSeconds() -> Double { Double(DispatchTime.now().uptimeNanoseconds) * 1e-9 }

    /// Keeps a value alive so the loop that computed it is not optimised away.
    @inline(never)
    static func blackHole(_ value: Float) {
        if value == .greatestFiniteMagnitude { print("", terminator: "") }
    }
}
