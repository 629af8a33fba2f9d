import Slate
import Dispatch
#if canImport(CSlatePeak)
import CSlatePeak
#endif

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
        /// The C loop of 256-bit FMAs (x86-64 with AVX2 and FMA, whatever the build's target).
        case avx2FMA = "fused multiply-add, AVX2 (C)"
        /// The C loop of 512-bit FMAs (x86-64 with AVX-512F): the peak Slate's AVX-512 GEMM aims at.
        case avx512FMA = "fused multiply-add, AVX-512 (C)"

        /// FP32 operations per loop iteration per thread.
        var flopsPerIteration: Int {
            switch self {
            case .fused, .avx2FMA: return fusedFlopsPerIteration
            case .separate: return separateFlopsPerIteration
            case .avx512FMA: return 12 * 16 * 2   // 12 chains of 16 lanes
            }
        }

        /// Runs the loop `n` iterations; returns its checksum.
        func run(_ n: Int) -> Float {
            switch self {
            case .fused: return fusedPeakLoop(iterations: n)
            case .separate: return separatePeakLoop(iterations: n)
            case .avx2FMA, .avx512FMA:
                #if canImport(CSlatePeak)
                let one = Float(n | 1) / Float(n | 1)   // 1, but not a constant the compiler can fold
                return self == .avx2FMA ? slate_fma_peak_avx2(n, one, 1e-3) : slate_fma_peak_avx512(n, one, 1e-3)
                #else
                return 0
                #endif
            }
        }
    }

    /// The loops this build can run on this CPU: the two Swift loops everywhere, plus the AVX2
    /// C loop on x86-64 when the CPU reports both `avx2` and `fma`, and the AVX-512 one when the
    /// CPU and OS run AVX-512F.
    public static var availableLoops: [Loop] {
        var loops: [Loop] = [.fused, .separate]
        #if canImport(CSlatePeak)
        let features = CPUInfo.current.features
        if slate_has_avx2_fma_loop() == 1 && features.contains("avx2") && features.contains("fma") {
            loops.append(.avx2FMA)
        }
        if slate_has_avx512_fma_loop() == 1 && GEMMKernels.cpuHasAVX512 { loops.append(.avx512FMA) }
        #endif
        return loops
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
        /// GFLOP/s of the fastest of the other loops (nil when only one ran).
        public var otherLoopGflops: Double?
    }

    /// Times `loop` with `threads` threads for about `seconds` and returns GFLOP/s (best trial).
    /// Each trial runs `iterations` steps per thread, chosen so one trial takes ~2 ms.
    public static func measure(_ loop: Loop, threads: Int = 1, seconds: Double = 0.2) -> Double {
        let iterations = calibrate(targetSeconds: 0.002) { n in blackHole(loop.run(n)) }
        let best = bestTrialSeconds(budget: seconds) {
            if threads == 1 {
                blackHole(loop.run(iterations))
            } else {
                DispatchQueue.concurrentPerform(iterations: threads) { _ in blackHole(loop.run(iterations)) }
            }
        }
        return Double(iterations * loop.flopsPerIteration * threads) / best / 1e9
    }

    /// Measures every available loop with `threads` threads and keeps the fastest.
    public static func peak(threads: Int = 1, seconds: Double = 0.2) -> Result {
        let loops = availableLoops
        let rates = loops.map { measure($0, threads: threads, seconds: seconds / Double(loops.count)) }
        let best = rates.indices.max { rates[$0] < rates[$1] }!
        return Result(loop: loops[best], threads: threads, gflops: rates[best],
                      otherLoopGflops: rates.enumerated().filter { $0.offset != best }.map(\.element).max())
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
