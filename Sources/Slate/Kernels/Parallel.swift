import Foundation
#if canImport(CBLAS)
import CBLAS
#endif

/// How many threads Slate's own kernels and the BLAS library may use.
///
/// Set once at start (`--threads` or `SLATE_NUM_THREADS`; default: all cores). Setting it also
/// sets OpenBLAS's thread count, so the two pools never oversubscribe the machine.
public enum Threads {
    nonisolated(unsafe) private static var current: Int = {
        let fromEnv = ProcessInfo.processInfo.environment["SLATE_NUM_THREADS"].flatMap { Int($0) }
        let n = max(1, fromEnv ?? ProcessInfo.processInfo.activeProcessorCount)
        setBLASThreads(n)
        return n
    }()

    /// The number of threads kernels split work over.
    public static var count: Int {
        get { current }
        set {
            current = max(1, newValue)
            setBLASThreads(current)
        }
    }

    /// Number of logical cores the OS reports.
    public static var cores: Int { ProcessInfo.processInfo.activeProcessorCount }

    private static func setBLASThreads(_ n: Int) {
        #if canImport(CBLAS)
        openblas_set_num_threads(Int32(n))
        #endif
    }
}

/// Runs `body(start, end)` over `0..<count`, split into contiguous chunks across `Threads.count`
/// threads. Work smaller than `grain` items per thread runs inline on the calling thread, so
/// small tensors pay no threading cost.
@inline(__always)
public func parallelRanges(_ count: Int, grain: Int = 32_768, _ body: (Int, Int) -> Void) {
    let threads = min(Threads.count, count / max(grain, 1))
    if threads <= 1 {
        if count > 0 { body(0, count) }
        return
    }
    let chunk = (count + threads - 1) / threads
    DispatchQueue.concurrentPerform(iterations: threads) { t in
        let start = t * chunk
        let end = min(count, start + chunk)
        if start < end { body(start, end) }
    }
}
