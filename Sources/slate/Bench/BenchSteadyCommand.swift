import ArgumentParser
import Foundation
import Slate

/// `slate bench steady`: repeats one GPT-shaped product many times and reports its slowest
/// repetition against the median — a 2-thread product that now and then runs at one core's
/// speed (two threads sharing a core, a worker that is not getting one) shows up as a ratio
/// near 2, however good the median looks.
struct BenchSteadyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "steady",
        abstract: "Repeat a GPT-shaped product; report the slowest repetition against the median.",
        discussion: """
            The default shape is the MLP's up-projection of the default GPT step: \
            (B·T, C)·(C, 4C) = 768×128×512. Each repetition is one `sgemm` into a preallocated \
            output, split over --threads (default: all cores). Also prints what the worker pool did: \
            how often a waiting thread blocked, and how often the worker ran on its caller's CPU.
            """
    )

    @Option(help: "The product MxKxN, optionally :ta / :tb (transposed A / B).")
    var shape: String = "768x128x512"

    @Option(help: "Repetitions to time (after 10 warm-up repetitions).")
    var repeats: Int = 200

    @Option(help: "Microseconds a waiting pool thread polls before blocking (default: the library's).")
    var spinMicroseconds: Int?

    @OptionGroup var threads: ThreadsOption

    @Flag(help: "Print one JSON document instead of the text.")
    var json = false

    func validate() throws {
        guard repeats >= 2 else { throw ValidationError("--repeats must be at least 2 (got \(repeats)), e.g. 200") }
        if let spinMicroseconds, spinMicroseconds < 0 {
            throw ValidationError("--spin-microseconds must be 0 or more (got \(spinMicroseconds)); 0 blocks at once")
        }
        _ = try product()
    }

    func product() throws -> MatmulCase {
        do {
            let cases = try BenchArguments.shapes(shape)
            guard cases.count == 1 else { throw BenchArgumentError(description: "--shape takes one product, e.g. 768x128x512") }
            return cases[0]
        } catch let e as BenchArgumentError { throw ValidationError(e.description) }
    }

    func run() throws {
        threads.apply()
        if let spinMicroseconds { Threads.spinMicroseconds = spinMicroseconds }
        let s = try product()
        var rng = RandomGenerator(seed: 7)
        let a = Tensor.randn(s.transA ? [s.k, s.m] : [s.m, s.k], generator: &rng)
        let b = Tensor.randn(s.transB ? [s.n, s.k] : [s.k, s.n], generator: &rng)
        let c = Tensor(uninitialized: [s.m, s.n])
        let multiply = {
            sgemm(transA: s.transA, transB: s.transB, m: s.m, n: s.n, k: s.k,
                  a: a.pointer, lda: a.shape[1], b: b.pointer, ldb: b.shape[1], c: c.pointer, ldc: s.n)
        }
        for _ in 0..<10 { multiply() }
        let before = Threads.statistics
        var seconds: [Double] = []
        seconds.reserveCapacity(repeats)
        for _ in 0..<repeats {
            let t0 = Timing.now()
            multiply()
            seconds.append(Timing.now() - t0)
        }
        let report = SteadyReport(shape: s.name, threads: Threads.count, spinMicroseconds: Threads.spinMicroseconds,
                                  seconds: seconds, flops: s.flops, pool: Threads.statistics.since(before))
        print(json ? try prettyJSON(report) : report.text())
    }
}

/// The result of `slate bench steady`: times in microseconds, rates in GFLOP/s.
struct SteadyReport: Codable {
    var shape: String
    var threads: Int
    var spinMicroseconds: Int
    var repeats: Int
    var medianMicroseconds: Double
    var p90Microseconds: Double
    var slowestMicroseconds: Double
    var fastestMicroseconds: Double
    /// Slowest ÷ median: about 2 on 2 threads when one repetition ran at one core's speed.
    var slowestOverMedian: Double
    var medianGflops: Double
    /// Repetitions slower than 1.5 × the median.
    var slowRepeats: Int
    var callerBlocks: Int
    var workerBlocks: Int
    /// Repetitions in which the worker ran on the caller's CPU (the two sharing one core).
    var workerOnCallersCPU: Int
    /// Parts whose thread another process kept off its core, moved onto the waiting thread's CPU.
    var stalledParts: Int

    enum CodingKeys: String, CodingKey {
        case shape, threads, repeats
        case spinMicroseconds = "spin_us", medianMicroseconds = "median_us", p90Microseconds = "p90_us"
        case slowestMicroseconds = "slowest_us", fastestMicroseconds = "fastest_us"
        case slowestOverMedian = "slowest_over_median", medianGflops = "median_gflops", slowRepeats = "slow_repeats"
        case callerBlocks = "caller_blocks", workerBlocks = "worker_blocks", workerOnCallersCPU = "worker_on_callers_cpu"
        case stalledParts = "stalled_parts"
    }

    init(shape: String, threads: Int, spinMicroseconds: Int, seconds: [Double], flops: Double, pool: PoolStatistics) {
        let sorted = seconds.sorted(), median = Statistics.median(seconds)
        let round1 = { (x: Double) in (x * 10).rounded() / 10 }
        self.shape = shape; self.threads = threads; self.spinMicroseconds = spinMicroseconds
        repeats = seconds.count
        medianMicroseconds = round1(median * 1e6)
        p90Microseconds = round1(sorted[(sorted.count * 9) / 10] * 1e6)
        slowestMicroseconds = round1(sorted.last! * 1e6)
        fastestMicroseconds = round1(sorted.first! * 1e6)
        slowestOverMedian = (sorted.last! / median * 100).rounded() / 100
        medianGflops = round1(flops / median / 1e9)
        slowRepeats = seconds.filter { $0 > 1.5 * median }.count
        callerBlocks = pool.callerBlocks; workerBlocks = pool.workerBlocks; workerOnCallersCPU = pool.workerOnCallersCPU
        stalledParts = pool.stalledParts
    }

    func text() -> String {
        """
        product     \(shape), \(threads) thread\(threads == 1 ? "" : "s"), \(repeats) repetitions, pool spin \(spinMicroseconds) µs
        median      \(medianMicroseconds) µs (\(medianGflops) GFLOP/s); fastest \(fastestMicroseconds) µs, p90 \(p90Microseconds) µs
        slowest     \(slowestMicroseconds) µs = \(slowestOverMedian) × median; \(slowRepeats) repetition\(slowRepeats == 1 ? "" : "s") over 1.5 × median
        pool        caller blocked \(callerBlocks)×, workers blocked \(workerBlocks)×, worker on the caller's CPU \(workerOnCallersCPU)×, stalled parts moved \(stalledParts)×
        """
    }
}
