import ArgumentParser
import Foundation
import Slate
import SlateGPT

/// `slate gpt train`: nanoGPT's flags in kebab case; defaults are its shakespeare-char CPU recipe.
struct GPTTrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train a char-level GPT on a text file (defaults: nanoGPT's shakespeare-char CPU recipe)."
    )

    @Option(help: "Number of transformer blocks.") var nLayer = 4
    @Option(help: "Attention heads per block.") var nHead = 4
    @Option(help: "Embedding width.") var nEmbd = 128
    @Option(help: "Context length in characters.") var blockSize = 64
    @Option(help: "Sequences per step.") var batchSize = 12
    @Option(help: "Optimisation steps.") var maxIters = 2000
    @Option(help: "Peak learning rate.") var learningRate: Float = 1e-3
    @Option(help: "Final learning rate of the cosine decay.") var minLr: Float = 1e-4
    @Option(help: "Linear warmup steps.") var warmupIters = 100
    @Option(help: "Step at which the cosine decay reaches min-lr.") var lrDecayIters = 2000
    @Option(help: "Dropout probability.") var dropout: Float = 0
    @Option(help: "AdamW weight decay (matrices and embeddings only).") var weightDecay: Float = 0.1
    @Option(help: "AdamW beta1.") var beta1: Float = 0.9
    @Option(help: "AdamW beta2.") var beta2: Float = 0.99
    @Option(help: "Clip the global gradient norm to this (0: off).") var gradClip: Float = 1.0
    @Option(help: "Evaluate train and val loss every this many steps.") var evalInterval = 250
    @Option(help: "Batches per loss estimate.") var evalIters = 20
    @Flag(inversion: .prefixedNo, help: "Biases in Linear and LayerNorm layers.") var bias = false
    @Option(help: "Training text (default: $SLATE_DATA/tinyshakespeare.txt, SLATE_DATA defaults to ./data).") var text: String?
    @Option(help: "Output directory.") var out = "out/gpt"
    @Option(help: "Random seed (initialisation, batches, dropout).") var seed: UInt64 = 1337
    @Option(help: "Threads (default: all cores).") var threads: Int?
    @Flag(help: "Continue the run saved in --out (model, optimizer state and step).") var resume = false

    var trainConfig: TrainConfig {
        var c = TrainConfig()
        (c.nLayer, c.nHead, c.nEmbd, c.blockSize, c.bias, c.dropout) = (nLayer, nHead, nEmbd, blockSize, bias, dropout)
        (c.batchSize, c.maxIters, c.learningRate, c.minLR) = (batchSize, maxIters, learningRate, minLr)
        (c.warmupIters, c.lrDecayIters, c.weightDecay, c.beta1, c.beta2) = (warmupIters, lrDecayIters, weightDecay, beta1, beta2)
        (c.gradClip, c.evalInterval, c.evalIters, c.seed) = (gradClip, evalInterval, evalIters, seed)
        return c
    }

    func run() throws {
        do { try train() } catch let error as GPTError { throw ValidationError(error.description) }
    }

    func train() throws {
        if let threads { Threads.count = threads }
        let textPath = text ?? gptDefaultTextPath()
        let config = trainConfig
        try config.validate()
        let dataset = try TextDataset(file: textPath, blockSize: config.blockSize)
        let trainer = resume
            ? try GPTTrainer(resuming: config, dataset: dataset, outputDirectory: out)
            : try GPTTrainer(config: config, dataset: dataset, outputDirectory: out)
        let resolved = trainer.config
        print("slate gpt train — \(resolved.model(vocabSize: dataset.tokenizer.count))")
        print("  text \(textPath): \(dataset.train.count) train / \(dataset.val.count) val tokens, vocab \(dataset.tokenizer.count)")
        print("  batch_size=\(resolved.batchSize) max_iters=\(resolved.maxIters) learning_rate=\(resolved.learningRate) min_lr=\(resolved.minLR) warmup_iters=\(resolved.warmupIters) lr_decay_iters=\(resolved.lrDecayIters)")
        print("  weight_decay=\(resolved.weightDecay) beta1=\(resolved.beta1) beta2=\(resolved.beta2) grad_clip=\(resolved.gradClip) eval_interval=\(resolved.evalInterval) eval_iters=\(resolved.evalIters) seed=\(resolved.seed) threads=\(Threads.count)")
        print("  parameters: \(trainer.model.nonEmbeddingParameterCount) (without position embedding); out: \(out)\(resume ? "; resuming at iter \(trainer.iter)" : "")")
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        let configData = try JSONEncoder.gptPretty.encode(resolved)
        try configData.write(to: URL(fileURLWithPath: out + "/config.json"), options: .atomic)

        let log = try GPTRunLog(directory: out, append: resume)
        let progress = GPTProgress(total: resolved.maxIters)
        let summary = try trainer.run { event in
            log.record(event)
            switch event {
            case let .step(iter, loss, _, ms, tps):
                progress.update(iter: iter + 1, text: String(format: "iter %d loss %.4f %.1f ms/iter %.0f tok/s", iter, loss, ms, tps))
            case let .eval(iter, trainLoss, valLoss, saved):
                progress.line(String(format: "step %d: train loss %.4f, val loss %.4f%@", iter, trainLoss, valLoss, saved ? " (saved)" : ""))
            }
        }
        progress.finish()
        try log.finish(summary: summary, peakRSS: peakRSSMegabytes())
        print(String(format: "done: val loss %.4f (best %.4f), train loss %.4f, %.2f ms/iter median, %.0f tokens/s, %.1f s, peak RSS %.0f MB",
                     summary.valLoss, summary.bestValLoss, summary.trainLoss, summary.msPerIter, summary.tokensPerSec,
                     summary.wallSeconds, peakRSSMegabytes()))
        print("wrote \(out)/model.safetensors, metrics.csv, loss.svg, summary.json")
    }
}

/// `$SLATE_DATA/tinyshakespeare.txt`, with SLATE_DATA defaulting to ./data.
func gptDefaultTextPath() -> String {
    let dir = ProcessInfo.processInfo.environment["SLATE_DATA"].flatMap { $0.isEmpty ? nil : $0 } ?? "./data"
    return dir + "/tinyshakespeare.txt"
}

extension JSONEncoder {
    static var gptPretty: JSONEncoder {
        let e = JSONEncoder()
        e.outputFormatting = [.prettyPrinted, .sortedKeys]
        return e
    }
}
