// Slate's package-benchmark suite: one benchmark per workload people care about.
//
//   cd Benchmarks && swift package benchmark
//
// Each benchmark builds its inputs in `setup` (not timed) and times one unit of work per
// iteration: a matmul, 10k environment steps, a training step, an epoch, an update.
// Thresholds in Thresholds/ hold the p90 of each metric on the reference machine; the
// tolerances below say how far a run may drift before `thresholds check` calls it a regression.
import Benchmark
import Foundation
import Slate

/// Tolerance for `thresholds check` against Thresholds/: p90 wall time may be up to 50% worse
/// than recorded. Wide on purpose: the reference machine is a shared 2-core VM whose run-to-run
/// spread under load reaches 30–40%; a real regression (an extra copy, a lost BLAS call) is larger.
let tolerance = BenchmarkThresholds(relative: [.p90: 50.0])

/// Wall-clock time (µs) for every benchmark, checked against Thresholds/; one thread,
/// so results do not depend on how busy the other cores are (set SLATE_NUM_THREADS to override).
func configuration(seconds: Int = 2, iterations: Int = 50) -> Benchmark.Configuration {
    .init(metrics: [.wallClock], timeUnits: .microseconds, warmupIterations: 2,
          maxDuration: .seconds(seconds), maxIterations: iterations,
          thresholds: [.wallClock: tolerance])
}

/// State built by a benchmark's `setup`, read by its timed closure.
final class Fixture<State>: @unchecked Sendable {
    var state: State?
    var value: State { state! }
}

let benchmarks: @Sendable () -> Void = {
    if ProcessInfo.processInfo.environment["SLATE_NUM_THREADS"] == nil { Threads.count = 1 }
    matmulBenchmarks()
    reinforcementLearningBenchmarks()
    gptBenchmarks()
    graphBenchmarks()
}

/// `Tensor.matmul` (forward only, no grad) at three square sizes.
func matmulBenchmarks() {
    for n in [64, 256, 1024] {
        let fixture = Fixture<(Tensor, Tensor)>()
        Benchmark("Matmul-\(n)", configuration: configuration(iterations: n >= 1024 ? 30 : 1000)) { benchmark in
            let (a, b) = fixture.value
            for _ in benchmark.scaledIterations {
                withNoGrad { blackHole(a.matmul(b)) }
            }
        } setup: {
            var rng = RandomGenerator(seed: 1)
            fixture.state = (Tensor.randn([n, n], generator: &rng), Tensor.randn([n, n], generator: &rng))
        } teardown: {
            fixture.state = nil
        }
    }
}
