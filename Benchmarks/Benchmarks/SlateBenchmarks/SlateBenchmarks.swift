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

/// Tolerance for checks against Thresholds/: shared 2-core machines are noisy, so a regression
/// means p90 wall time more than 25% (and at least 2 ms) above the recorded value.
let tolerance = BenchmarkThresholds(relative: [.p90: 25.0], absolute: [.p90: 2_000_000])

/// Wall clock and throughput for every benchmark; one thread, so results do not depend on how
/// busy the other cores are (set SLATE_NUM_THREADS to override).
func configuration(seconds: Int = 2, iterations: Int = 50) -> Benchmark.Configuration {
    .init(metrics: [.wallClock, .throughput], timeUnits: .microseconds, warmupIterations: 2,
          maxDuration: .seconds(seconds), maxIterations: iterations,
          thresholds: [.wallClock: tolerance, .throughput: tolerance])
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
        Benchmark("Matmul \(n)x\(n)x\(n)", configuration: configuration(iterations: n >= 1024 ? 30 : 1000)) { benchmark in
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
