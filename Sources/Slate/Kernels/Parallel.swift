import Foundation
import CSlateThreads
#if canImport(CBLAS)
import CBLAS
#endif

/// How many threads Slate's kernels, matrix products included, may use.
///
/// Set once at start (`--threads` or `SLATE_NUM_THREADS`; default: all cores). OpenBLAS itself
/// is kept at one thread: `sgemm` splits products over these threads (see there).
public enum Threads {
    /// Done once, on first use: the count from `SLATE_NUM_THREADS` (default: all cores), and
    /// OpenBLAS kept at one thread. Swift runs a static's initialiser exactly once, thread-safely.
    private static let configured: Void = {
        let fromEnv = ProcessInfo.processInfo.environment["SLATE_NUM_THREADS"].flatMap { Int($0) }
        setSingleThreadedBLAS()
        slate_set_thread_count(Int32(clamping: max(1, fromEnv ?? ProcessInfo.processInfo.activeProcessorCount)))
    }()

    /// The number of threads kernels split work over. An atomic (in CSlateThreads): any thread
    /// may read it while another sets it; a loop already running keeps the count it started with.
    public static var count: Int {
        get { _ = configured; return Int(slate_thread_count()) }
        set { _ = configured; slate_set_thread_count(Int32(clamping: max(1, newValue))) }
    }

    /// Number of logical cores the OS reports.
    public static var cores: Int { ProcessInfo.processInfo.activeProcessorCount }

    private static func setSingleThreadedBLAS() {
        #if canImport(CBLAS)
        openblas_set_num_threads(1)
        #endif
    }
}

/// Runs `body(part)` for every part in `0..<parts` on up to `Threads.count` threads, the caller
/// included, and returns when all are done. The other threads are a pool of workers that poll
/// for the next job for 100 µs before sleeping (see CSlateThreads): waking a sleeping thread per
/// loop costs as much as the short loops of a training step. Calls from inside a part run
/// serially.
@inline(__always)
func parallelRun(_ parts: Int, _ body: (_ part: Int) -> Void) {
    if parts <= 1 || Threads.count <= 1 {
        for part in 0..<parts { body(part) }
        return
    }
    withoutActuallyEscaping(body) { body in
        var job = body
        withUnsafeMutablePointer(to: &job) { pointer in
            slate_parallel_run(parts, Int32(Threads.count), { context, part in
                context!.assumingMemoryBound(to: ((Int) -> Void).self).pointee(Int(part))
            }, pointer)
        }
    }
}

/// Runs `body(start, end)` over `0..<count`, split into contiguous chunks across `Threads.count`
/// threads. Work smaller than `grain` items per thread runs inline on the calling thread, so
/// small tensors pay no threading cost. (`parallelChunks` without the chunk number.)
@inline(__always)
package func parallelRanges(_ count: Int, grain: Int = 32_768, _ body: (Int, Int) -> Void) {
    parallelChunks(count, grain: grain) { _, start, end in body(start, end) }
}

/// Runs `body(segment, start, end)` over every element of several arrays of the given
/// `lengths` as if they were one: the total is cut into `Threads.count` equal shares, so a
/// segment may be split between two threads and many small ones go to one. An optimizer step
/// over all parameters is one parallel pass this way, however the sizes are mixed.
func parallelSegments(_ lengths: [Int], grain: Int = 32_768,
                             _ body: (_ segment: Int, _ start: Int, _ end: Int) -> Void) {
    var offsets = [0]                                       // offsets[i] = Σ lengths[..<i]
    for n in lengths { offsets.append(offsets.last! + n) }
    parallelRanges(offsets.last!, grain: grain) { lo, hi in
        // The first segment that ends after `lo`, then every segment that starts before `hi`.
        var i = 0
        while offsets[i + 1] <= lo { i += 1 }
        while i < lengths.count && offsets[i] < hi {
            let start = Swift.max(lo, offsets[i]) - offsets[i], end = Swift.min(hi, offsets[i + 1]) - offsets[i]
            if start < end { body(i, start, end) }
            i += 1
        }
    }
}
