import Foundation
import Slate

/// One row of `slate bench matmul`: a shape at a thread count, timed three ways.
/// Figures are rounded to 0.1 once, here, so the table and the JSON print the same numbers.
struct MatmulResult: Codable, Equatable {
    var label: String
    var m: Int, k: Int, n: Int
    var transA: Bool, transB: Bool
    var threads: Int
    /// `Tensor.matmul` inside `withNoGrad`, output tensor allocated per call (as in training).
    var gflopsSlate: Double
    /// Raw `sgemm` on the same buffers into a preallocated output: BLAS, or Slate's AVX-512
    /// kernel where `GEMMKernels` chose it (the report's `gemm` line says which).
    var gflopsBLAS: Double
    /// `naiveGemm`, the reference triple loop (small shapes only).
    var gflopsNaive: Double?
    /// Slate's GFLOP/s as % of the measured FP32 peak of the cores in use.
    var percentOfPeak: Double
    /// Raw BLAS as % of the same peak.
    var percentOfPeakBLAS: Double
    /// Slate's GFLOP/s as % of raw BLAS: the tensor layer's overhead.
    var slatePercentOfBLAS: Double

    enum CodingKeys: String, CodingKey {
        case label, m, k, n, threads
        case transA = "trans_a", transB = "trans_b"
        case gflopsSlate = "gflops_slate", gflopsBLAS = "gflops_blas", gflopsNaive = "gflops_naive"
        case percentOfPeak = "percent_of_peak", percentOfPeakBLAS = "percent_of_peak_blas"
        case slatePercentOfBLAS = "slate_percent_of_blas"
    }
}

/// Times `Tensor.matmul`, raw `sgemm` and `naiveGemm` over shapes × thread counts.
struct MatmulBench {
    var cases: [MatmulCase]
    var threads: [Int]
    /// Measuring time per implementation per row (after two warm-up calls each).
    var repeatSeconds: Double
    /// `naiveGemm` runs only when M, K and N are all at most this.
    var naiveMaxSize = 256
    /// Median time (default) or best time: on a machine shared with other work the best of
    /// many runs is the least disturbed figure.
    var statistic: Timing.Statistic = .median
    /// Single-thread FP32 peak in GFLOP/s; % of peak uses peak × min(threads, cores).
    var peakPerCore: Double
    var cores: Int

    /// Runs every row; `progress(done, total, row)` is called before each row.
    func run(progress: (Int, Int, String) -> Void) -> [MatmulResult] {
        let savedThreads = Threads.count
        defer { Threads.count = savedThreads }
        var rng = RandomGenerator(seed: 6)
        var results: [MatmulResult] = []
        let total = cases.count * threads.count
        for shape in cases {
            // Stored layouts: A is (K, M) when transposed, B is (N, K) when transposed.
            let a = Tensor.randn(shape.transA ? [shape.k, shape.m] : [shape.m, shape.k], generator: &rng)
            let b = Tensor.randn(shape.transB ? [shape.n, shape.k] : [shape.k, shape.n], generator: &rng)
            let c = Tensor(uninitialized: [shape.m, shape.n])
            for t in threads {
                progress(results.count, total, "\(shape.name) \(shape.label), \(t) thread\(t == 1 ? "" : "s")")
                Threads.count = t
                results.append(measure(shape, a: a, b: b, c: c, threads: t))
            }
        }
        return results
    }

    /// One row: Slate and raw BLAS interleaved (so a busy machine slows both alike), then naive.
    func measure(_ s: MatmulCase, a: Tensor, b: Tensor, c: Tensor, threads t: Int) -> MatmulResult {
        let (lda, ldb) = (a.shape[1], b.shape[1])
        let slate = { withNoGrad { _ = a.matmul(b, transposeA: s.transA, transposeB: s.transB) } }
        let raw = {
            sgemm(transA: s.transA, transB: s.transB, m: s.m, n: s.n, k: s.k,
                  a: a.pointer, lda: lda, b: b.pointer, ldb: ldb, c: c.pointer, ldc: s.n)
        }
        let times = Timing.interleaved([slate, raw], seconds: repeatSeconds, statistic: statistic)
        var naive: Double?
        if max(s.m, s.k, s.n) <= naiveMaxSize {
            let seconds = Timing.interleaved([{
                naiveGemm(transA: s.transA, transB: s.transB, m: s.m, n: s.n, k: s.k,
                          a: a.pointer, lda: lda, b: b.pointer, ldb: ldb, c: c.pointer, ldc: s.n)
            }], seconds: 0, statistic: statistic, warmUp: 0, minSamples: 3)[0]
            naive = s.flops / seconds / 1e9
        }
        let gSlate = s.flops / times[0] / 1e9, gBLAS = s.flops / times[1] / 1e9
        let peak = peakPerCore * Double(min(t, cores))
        return MatmulResult(
            label: s.label, m: s.m, k: s.k, n: s.n, transA: s.transA, transB: s.transB, threads: t,
            gflopsSlate: round1(gSlate), gflopsBLAS: round1(gBLAS), gflopsNaive: naive.map(round2),
            percentOfPeak: round1(100 * gSlate / peak), percentOfPeakBLAS: round1(100 * gBLAS / peak),
            slatePercentOfBLAS: round1(100 * gSlate / gBLAS))
    }
}

/// Wall-clock timing helpers for the benchmarks.
enum Timing {
    /// Monotonic seconds.
    static func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) * 1e-9 }

    /// How a row's samples become one time.
    enum Statistic: String, CaseIterable {
        case median, best
    }

    /// Runs each body `warmUp` times, then round-robin until every body has had `seconds` of
    /// measuring time and at least `minSamples` runs; returns each body's median or best seconds.
    static func interleaved(_ bodies: [() -> Void], seconds: Double, statistic: Statistic,
                            warmUp: Int = 2, minSamples: Int = 5) -> [Double] {
        for body in bodies { for _ in 0..<warmUp { body() } }
        var samples = [[Double]](repeating: [], count: bodies.count)
        let start = now()
        while samples[0].count < minSamples || now() - start < seconds * Double(bodies.count) {
            for (i, body) in bodies.enumerated() {
                let t0 = now()
                body()
                samples[i].append(now() - t0)
            }
        }
        return samples.map { statistic == .median ? Statistics.median($0) : $0.min()! }
    }
}

fileprivate func round1(_ x: Double) -> Double { (x * 10).rounded() / 10 }
fileprivate func round2(_ x: Double) -> Double { (x * 100).rounded() / 100 }
