import XCTest
@testable import Slate
#if os(Linux)
import Synchronization
#endif

final class ParallelTests: XCTestCase {
    /// Every element of every segment is visited exactly once, whatever the thread count, with
    /// empty segments, segments cut between threads and many small ones in one share.
    func testParallelSegmentsVisitsEveryElementOnce() {
        let saved = Threads.count
        defer { Threads.count = saved }
        let lengths = [5, 0, 70_000, 3, 40_000, 1, 33_000]
        for threads in [1, 2, 3, 4] {
            Threads.count = threads
            let buffers = lengths.map { n -> UnsafeMutablePointer<Int32> in
                let p = UnsafeMutablePointer<Int32>.allocate(capacity: max(n, 1))
                p.initialize(repeating: 0, count: max(n, 1))
                return p
            }
            defer { buffers.forEach { $0.deallocate() } }
            parallelSegments(lengths, grain: 1_000) { i, s, e in
                for j in s..<e { buffers[i][j] += 1 }
            }
            for (i, n) in lengths.enumerated() {
                XCTAssertEqual((0..<n).filter { buffers[i][$0] != 1 }.count, 0, "segment \(i), \(threads) threads")
            }
        }
    }

    /// The worker pool runs every part exactly once across thousands of back-to-back jobs of
    /// mixed sizes, with nested calls (run serially inside a part) and with jobs submitted from
    /// several threads at once (one holds the pool, the others run serially).
    func testParallelRunRunsEveryPartOnce() {
        let saved = Threads.count
        defer { Threads.count = saved }
        Threads.count = 3
        let counts = UnsafeMutablePointer<Int32>.allocate(capacity: 64)
        defer { counts.deallocate() }
        for job in 0..<5_000 {
            let parts = 1 + job % 37
            counts.initialize(repeating: 0, count: parts)
            parallelRun(parts) { p in
                counts[p] += 1
                if job % 100 == 0 { parallelRun(2) { _ in counts[p] += 0 } }   // nested: serial
            }
            XCTAssertEqual((0..<parts).filter { counts[$0] != 1 }.count, 0, "job \(job)")
        }
        // Four submitting threads, each with its own counters.
        nonisolated(unsafe) let totals = UnsafeMutablePointer<Int>.allocate(capacity: 4 * 16)
        totals.initialize(repeating: 0, count: 4 * 16)
        defer { totals.deallocate() }
        nonisolated(unsafe) let shared = totals   // each thread writes only its own 16 counters
        DispatchQueue.concurrentPerform(iterations: 4) { t in
            for _ in 0..<500 { parallelRun(16) { p in shared[t * 16 + p] += 1 } }
        }
        XCTAssertEqual((0..<64).filter { totals[$0] != 500 }.count, 0)
    }

    /// SLATE_TEST_SCALE (in (0, 1]) shrinks the loop counts under emulation.
    private var scale: Double { min(max(Double(ProcessInfo.processInfo.environment["SLATE_TEST_SCALE"] ?? "") ?? 1, 0.05), 1) }

    /// Thousands of tiny back-to-back loops with every wait blocking at once (spin 0: the futex
    /// path on Linux, the condition variable elsewhere), recursive calls three deep inside
    /// parts, then the same with workers that never stop polling: every part runs exactly once,
    /// and the pool's counters show that the blocking path really ran.
    func testPoolHammeredWithBlockingAndSpinningWaits() {
        let (savedThreads, savedSpin) = (Threads.count, Threads.spinMicroseconds)
        defer { Threads.count = savedThreads; Threads.spinMicroseconds = savedSpin }
        Threads.count = 2
        let jobs = Int(20_000 * scale)
        let counts = UnsafeMutablePointer<Int32>.allocate(capacity: 64)
        defer { counts.deallocate() }
        for spin in [0, 1_000_000] {
            Threads.spinMicroseconds = spin
            let before = Threads.statistics
            for job in 0..<jobs {
                let parts = 2 + job % 23
                counts.initialize(repeating: 0, count: parts)
                parallelRun(parts) { p in counts[p] += 1 }
                XCTAssertEqual((0..<parts).filter { counts[$0] != 1 }.count, 0, "spin \(spin) µs, job \(job)")
                if job % 997 == 0 { usleep(2_000) }   // a gap longer than a short spin
            }
            // Recursion: a part that calls parallelRun, whose parts call it again (run serially).
            counts.initialize(repeating: 0, count: 27)
            parallelRun(3) { a in parallelRun(3) { b in parallelRun(3) { c in counts[9 * a + 3 * b + c] += 1 } } }
            XCTAssertEqual((0..<27).filter { counts[$0] != 1 }.count, 0, "recursive calls, spin \(spin) µs")
            let done = Threads.statistics.since(before)
            XCTAssertGreaterThan(done.parallelLoops, jobs / 2, "spin \(spin) µs")
            if spin == 0 {
                XCTAssertGreaterThan(done.workerBlocks, 0, "with spin 0 the workers must block between loops")
            }
        }
    }

    /// A GPT-shaped forward and backward (products split over threads, parallel reductions,
    /// elementwise loops) gives bit-identical results whether the pool's threads block at once
    /// between loops or poll throughout: how threads wait must never change what they compute.
    func testResultsIdenticalWithWorkersBlockedOrSpinning() {
        let (savedThreads, savedSpin) = (Threads.count, Threads.spinMicroseconds)
        defer { Threads.count = savedThreads; Threads.spinMicroseconds = savedSpin }
        Threads.count = 2
        func run() -> [[Float]] {
            var rng = RandomGenerator(seed: 17)
            let x = Tensor.randn([768, 128], generator: &rng, requiresGrad: true)   // (B·T, C)
            let w = Tensor.randn([512, 128], generator: &rng, requiresGrad: true)   // (4C, C), PyTorch layout
            let gamma = Tensor.randn([128], generator: &rng, requiresGrad: true)
            let beta = Tensor.randn([128], generator: &rng, requiresGrad: true)
            let h = x.layerNorm(weight: gamma, bias: beta)                      // (B·T, C)
            let y = h.matmul(w, transposeB: true).gelu()                        // (B·T, C)·(C, 4C) -> (B·T, 4C)
            let loss = (y * y).sumAll()
            loss.backward()
            return [y, x.grad!, w.grad!, gamma.grad!, beta.grad!].map { $0.toArray() }
        }
        Threads.spinMicroseconds = 0
        let blocked = run()
        Threads.spinMicroseconds = 1_000_000
        let spinning = run()
        for (i, (a, b)) in zip(blocked, spinning).enumerated() {
            XCTAssertEqual(a.count, b.count)
            XCTAssertTrue(zip(a, b).allSatisfy { $0.bitPattern == $1.bitPattern }, "tensor \(i) differs")
        }
    }

    #if os(Linux)
    /// The default thread count follows the CPUs the process may run on: with the calling thread
    /// confined to one CPU (as `taskset -c N` does), Slate counts one core, so no two of its
    /// threads are made to share it.
    func testCoresFollowTheAffinityMask() throws {
        let affinity = try ThreadAffinity()
        XCTAssertEqual(Threads.cores, affinity.allowed.count)
        guard affinity.allowed.count > 1 else { throw XCTSkip("only one CPU available") }
        XCTAssertTrue(affinity.pinCallingThread(to: affinity.allowed[0]))
        defer { affinity.restoreCallingThread() }
        XCTAssertEqual(Threads.cores, 1)
    }

    /// A worker that runs a loop on the CPU its caller started it from moves itself to another
    /// CPU. The test pins the caller to one CPU and makes the worker pin itself to the same one
    /// (from inside a loop): without the move, every later loop would run both threads on that
    /// one core.
    func testAWorkerOnItsCallersCPUMovesOff() throws {
        typealias CurrentCPU = @convention(c) () -> Int32
        guard let cpuNow = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "sched_getcpu") else { throw XCTSkip("no sched_getcpu") }
        let currentCPU = unsafeBitCast(cpuNow, to: CurrentCPU.self)
        try withMovingTwoThreadPool { affinity in
            let first = affinity.allowed[0]
            XCTAssertTrue(affinity.pinCallingThread(to: first))               // the caller: `first` only
            let caller = pthread_self()
            /// Runs one 2-part loop whose parts each last ~300 µs (so the worker takes one) and
            /// returns the CPUs the worker's parts ran on; `pinWorker` pins the worker to `first`.
            /// An unpinned loop in which another process held up a part returns none: the pool may
            /// then move the worker onto its caller's CPU on purpose (testAStalledWorkersPart…).
            func loop(pinWorker: Bool) -> [Int32] {
                let cpus = UnsafeMutablePointer<Int32>.allocate(capacity: 2)
                defer { cpus.deallocate() }
                cpus.initialize(repeating: -1, count: 2)
                let before = Threads.statistics
                parallelRun(2) { part in
                    let start = DispatchTime.now().uptimeNanoseconds
                    while DispatchTime.now().uptimeNanoseconds - start < 300_000 {}
                    guard pthread_equal(pthread_self(), caller) == 0 else { return }
                    if pinWorker { _ = affinity.pinCallingThread(to: first) }
                    cpus[part] = currentCPU()
                }
                if !pinWorker && Threads.statistics.since(before).stalledParts > 0 { return [] }
                return (0..<2).map { cpus[$0] }.filter { $0 >= 0 }
            }
            try untilTheWorkerTakesAPart(attempts: 50) { !loop(pinWorker: true).isEmpty }
            var workerCPUs: [Int32] = []
            for _ in 0..<50 { workerCPUs += loop(pinWorker: false) }
            XCTAssertFalse(workerCPUs.isEmpty, "the worker took no part in 50 loops")
            // The first loop after the pin may still start on the caller's CPU; every later one must not.
            XCTAssertTrue(workerCPUs.dropFirst().allSatisfy { $0 != Int32(first) },
                          "the worker kept running on its caller's CPU \(first): \(workerCPUs)")
        }
    }

    /// A worker whose part another process keeps off its core (here: the part sleeps, so its
    /// thread's CPU clock stands still) while the caller waits for it is moved onto the caller's
    /// CPU. Fails without the move in pool.c (MARK: Stalled parts).
    func testAStalledWorkersPartMovesOntoItsWaitingCallersCPU() throws {
        try withMovingTwoThreadPool { affinity in
            let first = affinity.allowed[0]
            XCTAssertTrue(affinity.pinCallingThread(to: first))
            let caller = pthread_self()
            try untilTheWorkerTakesAPart {
                let workerStarted = SharedFlag()
                var workerCPUs: [Int] = []
                let before = Threads.statistics
                parallelRun(2) { _ in
                    if pthread_equal(pthread_self(), caller) != 0 {          // the caller: wait for the worker to take a part
                        workerStarted.spinUntilSet()
                    } else {
                        workerStarted.set()
                        usleep(20_000)                                       // stalled: its CPU clock stands still
                        workerCPUs = affinity.callingThreadCPUs()
                    }
                }
                guard workerStarted.isSet else { return false }   // the caller ran both parts; again
                XCTAssertGreaterThanOrEqual(Threads.statistics.since(before).stalledParts, 1)
                XCTAssertEqual(workerCPUs, [first], "the stalled worker was not moved onto its caller's CPU")
                return true
            }
        }
    }

    /// A caller whose part stalls while a worker that has finished its parts waits is moved onto
    /// the worker's CPU, and leaves the loop with the affinity it came with.
    func testAStalledCallerMovesOntoTheWorkersCPUAndGetsItsAffinityBack() throws {
        try withMovingTwoThreadPool { affinity in
            let caller = pthread_self()
            try untilTheWorkerTakesAPart {
                let workerDone = SharedFlag()
                var callerCPUsInside: [Int] = []
                let before = Threads.statistics
                parallelRun(2) { _ in
                    if pthread_equal(pthread_self(), caller) != 0 {
                        guard workerDone.spinUntilSet() else { return }
                        usleep(20_000)                                       // stalled while the worker waits
                        callerCPUsInside = affinity.callingThreadCPUs()
                    } else {
                        workerDone.set()
                    }
                }
                guard workerDone.isSet else { return false }
                XCTAssertGreaterThanOrEqual(Threads.statistics.since(before).stalledParts, 1)
                XCTAssertEqual(callerCPUsInside.count, 1, "the stalled caller was not moved onto the worker's CPU")
                XCTAssertEqual(affinity.callingThreadCPUs(), affinity.allowed, "the caller left the loop with a narrowed affinity")
                return true
            }
        }
    }

    /// Runs `body` with a started 2-thread pool whose placement moves are on (the pool read the
    /// process's CPUs unpinned), then restores the thread count and the caller's affinity. Skips
    /// with SLATE_MOVE_WORKERS=0 or a single CPU.
    private func withMovingTwoThreadPool(_ body: (ThreadAffinity) throws -> Void) throws {
        let affinity = try ThreadAffinity()
        guard ProcessInfo.processInfo.environment["SLATE_MOVE_WORKERS"] != "0" else { throw XCTSkip("SLATE_MOVE_WORKERS=0") }
        guard affinity.allowed.count > 1 else { throw XCTSkip("only one CPU available") }
        let savedThreads = Threads.count
        Threads.count = 2
        defer { Threads.count = savedThreads; affinity.restoreCallingThread() }
        parallelRun(2) { _ in }
        try body(affinity)
    }

    /// Repeats `attempt` (a loop that needs the worker to take a part; true when it did) up to
    /// `attempts` times, and skips if the worker never took one.
    private func untilTheWorkerTakesAPart(attempts: Int = 20, _ attempt: () -> Bool) throws {
        for _ in 0..<attempts {
            if attempt() { return }
        }
        throw XCTSkip("the worker never took a part of a loop")
    }
    #endif
}

#if os(Linux)
/// The calling thread's CPU affinity through glibc's sched_getaffinity / sched_setaffinity
/// (declared only under _GNU_SOURCE, which Swift's Glibc module leaves out, hence dlsym), with the
/// mask it had when made, to restore.
private struct ThreadAffinity: @unchecked Sendable {
    private typealias Affinity = @convention(c) (pid_t, Int, UnsafeMutableRawPointer) -> Int32
    private let getAffinity: Affinity
    private let setAffinity: Affinity
    private let saved: [UInt8]                                   // cpu_set_t, 1024 CPUs
    /// The CPUs of the saved mask, in order.
    let allowed: [Int]

    init() throws {
        guard let get = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "sched_getaffinity"),
              let set = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "sched_setaffinity") else {
            throw XCTSkip("no sched_getaffinity")
        }
        setAffinity = unsafeBitCast(set, to: Affinity.self)
        getAffinity = unsafeBitCast(get, to: Affinity.self)
        var mask = [UInt8](repeating: 0, count: 128)
        guard getAffinity(0, 128, &mask) == 0 else { throw XCTSkip("sched_getaffinity failed") }
        saved = mask
        allowed = Self.cpus(in: mask)
    }

    private static func cpus(in mask: [UInt8]) -> [Int] {
        (0..<128 * 8).filter { mask[$0 / 8] & (1 << ($0 % 8)) != 0 }
    }

    /// The CPUs the calling thread may run on now.
    func callingThreadCPUs() -> [Int] {
        var mask = [UInt8](repeating: 0, count: 128)
        return getAffinity(0, 128, &mask) == 0 ? Self.cpus(in: mask) : []
    }

    /// Confines the calling thread to `cpu`; true when the kernel accepted it.
    func pinCallingThread(to cpu: Int) -> Bool {
        var one = [UInt8](repeating: 0, count: 128)
        one[cpu / 8] = 1 << (cpu % 8)
        return setAffinity(0, 128, &one) == 0
    }

    /// Gives the calling thread the saved mask back.
    func restoreCallingThread() {
        var mask = saved
        _ = setAffinity(0, 128, &mask)
    }
}
#endif

#if os(Linux)
/// A flag the pool's threads share in a test.
private final class SharedFlag: Sendable {
    private let value = Atomic<Int32>(0)
    var isSet: Bool { value.load(ordering: .sequentiallyConsistent) != 0 }
    func set() { value.store(1, ordering: .sequentiallyConsistent) }
    /// Polls until set or 50 ms have passed; whether it was set.
    @discardableResult
    func spinUntilSet() -> Bool {
        let start = DispatchTime.now().uptimeNanoseconds
        while !isSet && DispatchTime.now().uptimeNanoseconds - start < 50_000_000 {}
        return isSet
    }
}
#endif
