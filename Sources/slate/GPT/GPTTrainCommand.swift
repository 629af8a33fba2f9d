import ArgumentParser
import Foundation
import Slate
import SlateDistributed
import SlateGPT

/// `slate gpt train`: nanoGPT's flags in kebab case; defaults are its shakespeare-char CPU recipe.
struct GPTTrainCommand: ParsableCommand, Exemplified {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train a char-level GPT on a text file (defaults: nanoGPT's shakespeare-char CPU recipe).",
        discussion: """
            Every flag is also a run-file key (snake_case, nanoGPT's names). The run writes \
            config.toml, metrics.csv, eval.csv, loss.svg, summary.json, checkpoint.safetensors (the \
            training state, for --resume) and model.safetensors (the best validation loss) to --out.
            """
    )
    static let examples = ["slate gpt train --config configs/shakespeare-char.toml",
                           "slate gpt train --max-iters 500 --out runs/short",
                           "slate gpt train --resume --out runs/short --max-iters 1000",
                           "mpirun -np 2 --bind-to none slate gpt train --distributed --batch-size 6 --out runs/2x6"]

    @Option(help: "Number of transformer blocks.") var nLayer = 4
    @Option(help: "Attention heads per block.") var nHead = 4
    @Option(help: "Embedding width.") var nEmbd = 128
    @Option(help: "Context length in characters.") var blockSize = 64
    @Option(help: "Sequences per step (per rank with --distributed).") var batchSize = 12
    @Option(help: "Micro-batches of --batch-size per optimizer step, gradients summed (a step sees A × batch-size sequences).") var gradientAccumulationSteps = 1
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
    @Option(help: "Evaluate train and val loss (and save the checkpoint) every this many steps.") var evalInterval = 250
    @Option(help: "Batches per loss estimate.") var evalIters = 20
    @Flag(inversion: .prefixedNo, help: "Biases in Linear and LayerNorm layers.") var bias = false
    @Option(help: "Training text (default: $SLATE_DATA/tinyshakespeare.txt; SLATE_DATA defaults to ./data).") var text: String?
    @Option(help: "Random seed (initialisation, batches, dropout); --seed N retraces nanoGPT's seed N.") var seed: UInt64 = 1337
    @Flag(help: "Data-parallel training under mpirun: N ranks at --batch-size B train the model one process would at N×B; rank 0 alone prints and writes (without mpirun: a plain run).") var distributed = false
    @OptionGroup var common: RunOptions

    var trainConfig: GPTTrainingConfig {
        var c = GPTTrainingConfig()
        (c.nLayer, c.nHead, c.nEmbd, c.blockSize, c.bias, c.dropout) = (nLayer, nHead, nEmbd, blockSize, bias, dropout)
        (c.batchSize, c.maxIters, c.learningRate, c.minLR) = (batchSize, maxIters, learningRate, minLr)
        (c.warmupIters, c.lrDecayIters, c.weightDecay, c.beta1, c.beta2) = (warmupIters, lrDecayIters, weightDecay, beta1, beta2)
        (c.gradClip, c.evalInterval, c.evalIters, c.seed) = (gradClip, evalInterval, evalIters, seed)
        return c
    }

    func validate() throws {
        do { try trainConfig.validate() } catch let error as GPTError { throw ValidationError(error.description) }
        if gradientAccumulationSteps < 1 {
            throw ValidationError("--gradient-accumulation-steps must be at least 1 (micro-batches per step), got \(gradientAccumulationSteps).")
        }
    }

    func run() throws {
        let comm = try DistributedRun.start(distributed, common)
        try DistributedRun.run(comm) { try train(comm) }
    }

    func train(_ comm: Communicator?) throws {
        let started = Date()
        let writer = comm?.rank ?? 0 == 0                 // other ranks train, print and write nothing
        let textPath = text ?? gptDefaultTextPath()
        let config = trainConfig
        let out = common.outputDirectory(tool: "gpt", name: ((textPath as NSString).lastPathComponent as NSString).deletingPathExtension)
        let dataset = try TextDataset(file: textPath, blockSize: config.blockSize)
        try config.model(vocabSize: dataset.tokenizer.count).checkFitsInMemory(batchSize: config.batchSize)
        if writer { try RunDirectory.prepare(out, resume: common.resume, overwrite: common.overwrite, checkpoint: "checkpoint.safetensors") }
        let trainer = common.resume
            ? try GPTTrainer(resuming: config, dataset: dataset, outputDirectory: out)
            : try GPTTrainer(config: config, dataset: dataset, outputDirectory: out)
        trainer.gradientAccumulationSteps = gradientAccumulationSteps
        let averager = try comm.map { try GPTDistributed.attach(trainer, $0, resume: common.resume) }
        if let comm, !writer {
            _ = try trainer.train()
            try Replicas.verify(trainer.model.parameters(), comm, when: "after training")
            return
        }
        let configTOML = try ResolvedConfig.write(self, name: "slate gpt train", to: out)
        let say: (String) -> Void = common.quiet ? { _ in } : { print($0) }
        say("slate gpt train — \(config.model(vocabSize: dataset.tokenizer.count))")
        say("  text \(textPath): \(dataset.train.count) train / \(dataset.val.count) val tokens, vocab \(dataset.tokenizer.count)")
        say("  batch_size=\(config.batchSize) gradient_accumulation_steps=\(gradientAccumulationSteps) max_iters=\(config.maxIters) learning_rate=\(config.learningRate) min_lr=\(config.minLR) warmup_iters=\(config.warmupIters) lr_decay_iters=\(config.lrDecayIters)")
        say("  weight_decay=\(config.weightDecay) beta1=\(config.beta1) beta2=\(config.beta2) grad_clip=\(config.gradClip) eval_interval=\(config.evalInterval) eval_iters=\(config.evalIters) seed=\(config.seed) threads=\(Threads.count)")
        if let comm { say("  distributed: \(comm.size) ranks (\(comm.localSize) on this machine) × batch_size \(config.batchSize) = global batch \(comm.size * config.batchSize)") }
        say("  parameters: \(trainer.model.nonEmbeddingParameterCount) (without position embedding); out: \(out)\(common.resume ? "; resuming at iter \(trainer.iter)" : "")")

        let log = try GPTRunLog(directory: out, resumingAt: common.resume ? trainer.iter : nil, configTOML: configTOML)
        let progress = ProgressLine(total: config.maxIters, label: "iter", isTerminal: !common.quiet && isatty(STDOUT_FILENO) == 1)
        var logError: Error?
        var allreduceMs: [Double] = []
        let summary = try trainer.train { event in
            do { try log.record(event) } catch { logError = logError ?? error }
            if case .step = event, let averager { allreduceMs.append(averager.lastAllreduceMilliseconds) }
            guard !common.quiet else { return }
            switch event {
            case let .step(iter, loss, _, ms, tps):
                progress.update(iter + 1, String(format: "loss %.4f %.1f ms/iter %.0f tok/s", loss, ms, tps))
            case let .eval(iter, trainLoss, valLoss, saved):
                progress.note(String(format: "step %d: train loss %.4f, val loss %.4f%@", iter, trainLoss, valLoss, saved ? " (best, saved)" : ""))
            }
        }
        if let logError { throw logError }
        progress.finish()
        if let comm { try Replicas.verify(trainer.model.parameters(), comm, when: "after training") }
        if let comm, comm.size > 1, !allreduceMs.isEmpty {
            say(String(format: "allreduce: %.2f ms/step median, waiting for the slowest rank included (%d floats, %d ranks)",
                       Statistics.median(allreduceMs), trainer.model.parameterCount, comm.size))
        }
        try log.drawPlot()
        let result = RunSummary(tool: "gpt", command: "train", out: out, wallSeconds: Date().timeIntervalSince(started),
                                metrics: GPTTrainMetrics(summary))
        try result.write(printJSON: common.json)
        say(String(format: "done: val loss %.4f (best %.4f), train loss %.4f, %.2f ms/iter median, %.0f tokens/s, %.1f s, peak RSS %.0f MB",
                   summary.valLoss, summary.bestValLoss, summary.trainLoss, summary.msPerIter, summary.tokensPerSec,
                   result.wallSeconds, result.peakRSSMegabytes))
        say("wrote \(out)/: model.safetensors (best val), checkpoint.safetensors, config.toml, metrics.csv, eval.csv, loss.svg, summary.json")
    }
}

/// The GPT trainer's headline metrics in `summary.json`.
struct GPTTrainMetrics: Codable, SummaryMetrics {
    static let nonNumericKeys: [CodingKeys] = []

    var valLoss, trainLoss, bestValLoss: Double?
    var iters: Int
    var msPerIter, tokensPerSec: Double

    init(_ s: GPTTrainingSummary) {
        (valLoss, trainLoss, bestValLoss) = (finite(s.valLoss), finite(s.trainLoss), finite(s.bestValLoss))
        (iters, msPerIter, tokensPerSec) = (s.iters, s.msPerIter, s.tokensPerSec)
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case valLoss = "val_loss", bestValLoss = "best_val_loss", trainLoss = "train_loss", iters
        case msPerIter = "ms_per_iter", tokensPerSec = "tokens_per_sec"
    }
}

/// `$SLATE_DATA/tinyshakespeare.txt`, with SLATE_DATA defaulting to ./data.
func gptDefaultTextPath() -> String {
    let dir = ProcessInfo.processInfo.environment["SLATE_DATA"].flatMap { $0.isEmpty ? nil : $0 } ?? "./data"
    return dir + "/tinyshakespeare.txt"
}
