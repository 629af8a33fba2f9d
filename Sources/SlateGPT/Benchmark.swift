import Foundation
import Slate

/// Timing of training steps on random tokens: what `slate gpt bench` prints.
public struct GPTBenchResult: Codable, Sendable {
    /// Median wall time of one step (ms).
    public var msPerIter: Double
    /// Tokens per second at the median step time.
    public var tokensPerSec: Double
    /// Process CPU time (user + system, all threads) per step (ms): comparable across runs even
    /// on a busy machine, where wall time is not.
    public var cpuMsPerIter: Double
    /// Steps timed (after the warm-up ones).
    public var iters: Int

    enum CodingKeys: String, CodingKey {
        case msPerIter = "ms_per_iter", tokensPerSec = "tokens_per_sec", cpuMsPerIter = "cpu_ms_per_iter", iters
    }
}

/// Seconds of CPU time this process has used (all threads).
func processCPUSeconds() -> Double {
    var usage = rusage()
    #if os(Linux)
    getrusage(RUSAGE_SELF.rawValue, &usage)
    #else
    getrusage(RUSAGE_SELF, &usage)
    #endif
    func seconds(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
    return seconds(usage.ru_utime) + seconds(usage.ru_stime)
}

extension GPT {
    /// Times `iters` steps after `warmup` untimed ones on random batches of `batch` × block_size
    /// tokens: forward, backward and, when `optimizer` is given, clipping and the AdamW update.
    public func benchmark(batch: Int, iters: Int, warmup: Int = 3, optimizer: AdamW?, gradClip: Float = 1,
                          seed: UInt64 = 1) -> GPTBenchResult {
        var rng = RandomGenerator(seed: seed)
        let t = config.blockSize, v = config.vocabSize
        train()
        var times: [Double] = []
        var cpuStart = 0.0
        for i in 0..<(warmup + iters) {
            if i == warmup { cpuStart = processCPUSeconds() }
            let x = (0..<(batch * t)).map { _ in rng.nextInt(v) }
            let y = (0..<(batch * t)).map { _ in rng.nextInt(v) }
            let start = DispatchTime.now().uptimeNanoseconds
            let loss = self.loss(x, targets: y, batch: batch)
            loss.backward()
            if let optimizer {
                if gradClip > 0 { _ = clipGradNorm(parameters(), maxNorm: gradClip) }
                optimizer.step()
                optimizer.zeroGrad()
            } else {
                zeroGrad()
            }
            if i >= warmup { times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6) }
        }
        let cpu = (processCPUSeconds() - cpuStart) * 1000 / Double(max(iters, 1))
        let median = Statistics.median(times)
        return GPTBenchResult(msPerIter: median, tokensPerSec: Double(batch * t) / (median / 1000),
                              cpuMsPerIter: cpu, iters: iters)
    }
}
