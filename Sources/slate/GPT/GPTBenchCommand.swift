import ArgumentParser
import Foundation
import Slate
import SlateGPT

/// `slate gpt bench`: ms/iter and tokens/s of training steps for a configuration.
struct GPTBenchCommand: ParsableCommand, Exemplified {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Time GPT training steps (default: nanoGPT's shakespeare-char CPU config; --large: 6×384, block 256, batch 64)."
    )

    @Flag(help: "nanoGPT's larger config (6 layers, 6 heads, 384 wide, block 256, batch 64), forward+backward only.") var large = false
    @Option(help: "Timed steps.") var iters: Int?
    @Option(help: "Dropout (the large config is quoted with 0 and 0.2).") var dropout: Float = 0
    @OptionGroup var threads: ThreadsOption
    @Flag(help: "Print JSON.") var json = false

    static let examples = ["slate gpt bench --threads 2 --json", "slate gpt bench --large --dropout 0.2 --iters 3"]

    func validate() throws {
        if let iters, !(1...100_000).contains(iters) {
            throw ValidationError("--iters must be between 1 and 100000 (got \(iters)).")
        }
        guard dropout.isFinite, dropout >= 0, dropout < 1 else {
            throw ValidationError("--dropout must be in [0, 1) (got \(dropout)).")
        }
    }

    func run() throws {
        threads.apply()
        let config = large
            ? GPTConfig(nLayer: 6, nHead: 6, nEmbd: 384, blockSize: 256, vocabSize: 65, bias: false, dropout: dropout)
            : GPTConfig(nLayer: 4, nHead: 4, nEmbd: 128, blockSize: 64, vocabSize: 65, bias: false, dropout: dropout)
        let batch = large ? 64 : 12
        let model = try GPT(config, seed: 1337)
        let optimizer = large ? nil : AdamW(ParameterGroup.decaySplit(model, weightDecay: 0.1), learningRate: 1e-3, beta1: 0.9, beta2: 0.99)
        let result = model.benchmark(batch: batch, iters: iters ?? (large ? 3 : 100), warmup: large ? 1 : 10, optimizer: optimizer)
        let rss = peakRSSMegabytes()
        if json {
            print(String(format: "{\"config\": \"%@\", \"threads\": %d, \"ms_per_iter\": %.2f, \"cpu_ms_per_iter\": %.2f, \"tokens_per_sec\": %.0f, \"peak_rss_mb\": %.0f}",
                         large ? "large" : "default", Threads.count, result.msPerIter, result.cpuMsPerIter, result.tokensPerSec, rss))
        } else {
            print("GPT \(config) batch \(batch), \(large ? "forward+backward" : "forward+backward+AdamW"), \(Threads.count) threads")
            print(String(format: "%.2f ms/iter median, %.0f tokens/s, %.2f CPU-ms/iter, peak RSS %.0f MB",
                         result.msPerIter, result.tokensPerSec, result.cpuMsPerIter, rss))
        }
    }
}
