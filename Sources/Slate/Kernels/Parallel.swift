import Foundation
import CSlateThreads
#if canImport(CBLAS)
import CBLAS
#endif

/// How many threads Slate's kernels, matrix products included, may use.
///
/// Set once at start (`--threads` or `SLATE_NUM_THREADS`; default: every core the process may
/// run on, ``cores``). OpenBLAS itself is kept at one thread: `sgemm` splits products over
/// these threads (see there).
public enum Threads {
    /// Done once, on first use: the count from `SLATE_NUM_THREADS` (default: all cores), the
    /// pool's spin from `SLATE_SPIN_US` (as GOMP_SPINCOUNT or KMP_BLOCKTIME for OpenMP), and
    /// OpenBLAS kept at one thread. Swift runs a static's initialiser exactly once, thread-safely.
    private static let configured: Void = {
        let environment = ProcessInfo.processInfo.environment
        let fromEnv = environment["SLATE_NUM_THREADS"].flatMap { Int($0) }
        if let spin = environment["SLATE_SPIN_US"].flatMap({ Int($0) }) { slate_set_spin_microseconds(max(0, spin)) }
        setSingleThreadedBLAS()
        slate_set_thread_count(Int32(clamping: max(1, fromEnv ?? cores)))
    }()

    /// The number of threads kernels split work over. An atomic (in CSlateThreads): any thread
    /// may read it while another sets it; a loop already running keeps the count it started with.
    public static var count: Int {
        get { _ = configured; return Int(slate_thread_count()) }
        set { _ = configured; slate_set_thread_count(Int32(clamping: max(1, newValue))) }
    }

    /// Number of logical cores this process may run on: on Linux the CPUs in its affinity mask
    /// (`taskset -c 0` gives 1), so that by default no two of Slate's threads share a core.
    public static var cores: Int { Int(slate_available_cpus()) }

    /// How long, in microseconds, a waiting thread of the pool polls before it blocks (a worker
    /// waiting for the next loop, the caller waiting for the workers); 0 blocks at once.
    /// Default 2000, as OpenMP runtimes poll for a while (GOMP_SPINCOUNT, KMP_BLOCKTIME): it
    /// covers the serial gaps of a training step, so a worker seldom gives up its core between
    /// loops and never has to wait for a scheduler slice to get it back; a thread that is not
    /// getting a core stops holding the others after that long. Results do not depend on it.
    /// The environment variable `SLATE_SPIN_US` sets it at start.
    ///
    /// Placement: a worker that finds itself on the CPU its caller started a loop from (the
    /// kernel often wakes it there) moves itself to the process's other CPUs, so a 2-thread
    /// product does not run at one core's speed. A thread of the pool that waits for a part whose
    /// thread another process keeps off its core (it ran less than half of the last 100 µs)
    /// moves that thread onto its own CPU and blocks, so one competing process does not stall
    /// both cores; a calling thread moved this way gets its own affinity back before the loop
    /// returns. `SLATE_MOVE_WORKERS=0` turns both moves off.
    public static var spinMicroseconds: Int {
        get { _ = configured; return slate_spin_microseconds() }
        set { _ = configured; slate_set_spin_microseconds(max(0, newValue)) }
    }

    /// What the worker pool has done since the process started (see ``PoolStatistics``).
    public static var statistics: PoolStatistics {
        var counts = [Int](repeating: 0, count: 5)
        counts.withUnsafeMutableBufferPointer { slate_pool_statistics($0.baseAddress!) }
        return PoolStatistics(parallelLoops: counts[0], callerBlocks: counts[1], workerBlocks: counts[2],
                              workerOnCallersCPU: counts[3], stalledParts: counts[4])
    }

    private static func setSingleThreadedBLAS() {
        #if canImport(CBLAS)
        openblas_set_num_threads(1)
        #endif
    }
}

/// Counts kept by the worker pool since the process started; differences between two readings
/// describe what happened in between.
public struct PoolStatistics: Sendable, Equatable {
    /// Loops that ran on more than one thread.
    public var parallelLoops: Int
    /// Times the calling thread stopped polling and blocked until the workers finished.
    public var callerBlocks: Int
    /// Times a worker stopped polling and blocked until the next loop.
    public var workerBlocks: Int
    /// Loops a worker joined on the CPU its caller started them from: two threads sharing one
    /// core, so that loop ran at about one core's speed (the worker then moves off that CPU).
    public var workerOnCallersCPU: Int
    /// Parts that stalled: another process held the core of the thread running one while a
    /// thread of the pool waited for it, and the waiting thread moved it onto its own CPU
    /// (Linux; see ``Threads/spinMicroseconds``).
    public var stalledParts: Int

    /// `self − earlier`, field by field.
    public func since(_ earlier: PoolStatistics) -> PoolStatistics {
        PoolStatistics(parallelLoops: parallelLoops - earlier.parallelLoops,
                       callerBlocks: callerBlocks - earlier.callerBlocks,
                       workerBlocks: workerBlocks - earlier.workerBlocks,
                       workerOnCallersCPU: workerOnCallersCPU - earlier.workerOnCallersCPU,
                       stalledParts: stalledParts - earlier.stalledParts)
    }
}

/// Runs `body(part)` for every part in `0..<parts` on up to `Threads.count` threads, the caller
/// included, and returns when all are done. The other threads are a pool of workers that poll
/// for the next job for `Threads.spinMicroseconds` before blocking (see CSlateThreads): waking a
/// sleeping thread per loop costs as much as the short loops of a training step. Parts are
/// claimed one by one, so a part a late worker has not started is run by the caller. Calls from
/// inside a part run serially.
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
