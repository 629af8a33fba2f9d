import Foundation
import Slate

/// Training settings with nanoGPT's names; the defaults are its shakespeare-char CPU recipe
/// (`config/train_shakespeare_char.py` with the README's CPU overrides).
public struct GPTTrainingConfig: Codable, Equatable, Sendable {
    public var nLayer = 4, nHead = 4, nEmbd = 128, blockSize = 64
    public var bias = false
    public var dropout: Float = 0
    public var batchSize = 12
    public var maxIters = 2000
    public var learningRate: Float = 1e-3
    public var minLR: Float = 1e-4
    public var warmupIters = 100
    public var lrDecayIters = 2000
    public var weightDecay: Float = 0.1
    public var beta1: Float = 0.9, beta2: Float = 0.99
    public var gradClip: Float = 1.0
    public var evalInterval = 250
    public var evalIters = 20
    public var seed: UInt64 = 1337

    public init() {}

    enum CodingKeys: String, CodingKey {
        case nLayer = "n_layer", nHead = "n_head", nEmbd = "n_embd", blockSize = "block_size", bias, dropout
        case batchSize = "batch_size", maxIters = "max_iters", learningRate = "learning_rate", minLR = "min_lr"
        case warmupIters = "warmup_iters", lrDecayIters = "lr_decay_iters", weightDecay = "weight_decay"
        case beta1, beta2, gradClip = "grad_clip", evalInterval = "eval_interval", evalIters = "eval_iters", seed
    }

    /// The settings a resumed run must keep to continue the same run: the architecture, the
    /// batch shape and the seed (the stream of batches is rebuilt from it). `(key, value)` pairs.
    public var resumeInvariants: [(String, String)] {
        [("n_layer", "\(nLayer)"), ("n_head", "\(nHead)"), ("n_embd", "\(nEmbd)"), ("block_size", "\(blockSize)"),
         ("bias", "\(bias)"), ("dropout", "\(dropout)"), ("batch_size", "\(batchSize)"), ("seed", "\(seed)")]
    }

    /// The model architecture for a vocabulary of `vocabSize`.
    public func model(vocabSize: Int) -> GPTConfig {
        GPTConfig(nLayer: nLayer, nHead: nHead, nEmbd: nEmbd, blockSize: blockSize,
                  vocabSize: vocabSize, bias: bias, dropout: dropout)
    }

    /// Throws on values no run can use.
    public func validate() throws {
        try model(vocabSize: 1).validate()
        for (name, v) in [("batch_size", batchSize), ("eval_interval", evalInterval), ("eval_iters", evalIters)] where v <= 0 {
            throw GPTError.badConfig("\(name) must be positive, got \(v)")
        }
        guard maxIters >= 0, warmupIters >= 0, lrDecayIters >= 0 else {
            throw GPTError.badConfig("max_iters, warmup_iters and lr_decay_iters must not be negative")
        }
        for (name, v) in [("learning_rate", learningRate), ("min_lr", minLR), ("grad_clip", gradClip),
                          ("weight_decay", weightDecay), ("beta1", beta1), ("beta2", beta2), ("dropout", dropout)] where !v.isFinite {
            throw GPTError.badConfig("\(name) must be a finite number, got \(v)")
        }
        guard learningRate > 0, minLR >= 0, gradClip >= 0, weightDecay >= 0 else {
            throw GPTError.badConfig("learning_rate must be positive; min_lr, grad_clip and weight_decay must not be negative")
        }
        guard (0..<1).contains(beta1), (0..<1).contains(beta2) else {
            throw GPTError.badConfig("beta1 and beta2 must be in [0, 1)")
        }
    }

    /// nanoGPT's learning-rate schedule for this run.
    public var schedule: LearningRateSchedule {
        .warmupCosine(maxRate: learningRate, warmupIters: warmupIters, decayIters: lrDecayIters, minRate: minLR)
    }
}

/// What a training run reports while it runs.
public enum GPTTrainingEvent: Sendable {
    /// One optimisation step: its loss, learning rate, wall time and throughput.
    case step(iter: Int, loss: Float, lr: Float, ms: Double, tokensPerSec: Double)
    /// A periodic estimate over `eval_iters` batches of each split; `saved` when it is the best
    /// validation loss so far and the checkpoint was written.
    case eval(iter: Int, trainLoss: Float, valLoss: Float, saved: Bool)
}

/// Final figures of a run.
public struct GPTTrainingSummary: Codable, Sendable {
    public var valLoss: Float
    public var trainLoss: Float
    public var bestValLoss: Float
    public var iters: Int
    public var msPerIter: Double
    public var tokensPerSec: Double
    public var wallSeconds: Double

    enum CodingKeys: String, CodingKey {
        case valLoss = "val_loss", trainLoss = "train_loss", bestValLoss = "best_val_loss", iters
        case msPerIter = "ms_per_iter", tokensPerSec = "tokens_per_sec", wallSeconds = "wall_seconds"
    }
}

/// nanoGPT's training loop: AdamW (decay on ≥ 2-D tensors), warmup + cosine learning rate,
/// gradient clipping, evaluation every `eval_interval` steps and at the end.
///
/// Two files in `outputDirectory`:
/// - `checkpoint.safetensors`, the training checkpoint, written at every evaluation and at the
///   end: weights, AdamW state, the next iteration, the best validation loss, the position of the
///   batch stream and the dropout generator's state, in one file replaced atomically — so a run
///   killed at any instant resumes (``init(resuming:dataset:outputDirectory:)``) to exactly the
///   weights of a run never killed;
/// - `model.safetensors`, the weights with the best validation loss so far (nanoGPT's `ckpt.pt`),
///   for `sample` and `eval`.
///
/// Initialisation and batches come from one PyTorch-compatible stream seeded with `seed`, taken
/// in nanoGPT's order: the model, the first batch, then at every iteration the evaluation batches
/// (when due) and the next training batch (nanoGPT fetches it while the GPU would be busy). With
/// dropout 0 a run therefore starts from the weights and sees the batches of nanoGPT's
/// `train.py` with the same seed.
public final class GPTTrainer {
    public let config: GPTTrainingConfig
    public let dataset: TextDataset
    public let model: GPT
    public let optimizer: AdamW
    public let outputDirectory: String
    /// The next iteration to run (0 for a fresh run; the saved step after a resume).
    public private(set) var iter = 0
    public private(set) var bestValLoss = Float.infinity
    /// Data-parallel training (default: one process). With N replicas each step draws a global
    /// batch of N × `batch_size` windows and this replica trains on its own `batch_size` of them,
    /// gradients are averaged after the backward pass, and only replica 0 writes files.
    /// Setting it redraws the prefetched batch from the same point of the stream.
    public var dataParallel = DataParallel.single { didSet { redrawNextBatch() } }
    /// Micro-batches per optimizer step (nanoGPT's `gradient_accumulation_steps`): each step draws
    /// A × N × `batch_size` windows at once, this replica runs its A micro-batches of `batch_size`
    /// and sums their gradients (each loss scaled by 1/A). So 1 replica × A equals A replicas × 1
    /// and one process at A × `batch_size`. Setting it redraws the prefetched batch.
    public var gradientAccumulationSteps = 1 {
        didSet {
            precondition(gradientAccumulationSteps >= 1, "gradient_accumulation_steps must be at least 1")
            redrawNextBatch()
        }
    }

    /// The PyTorch-compatible stream of initialisation and batches.
    private var stream: TorchGenerator
    /// The batch of the next step, and how many draws the stream had taken before drawing it
    /// (what a checkpoint records so that `--resume` can rebuild the stream).
    private var nextBatch: (inputs: [Int], targets: [Int]) = ([], [])
    private var drawsBeforeNextBatch = 0

    /// The best-validation weights, for sampling and evaluation.
    public var modelPath: String { outputDirectory + "/model.safetensors" }
    /// The training checkpoint `--resume` continues from.
    public var checkpointPath: String { outputDirectory + "/checkpoint.safetensors" }

    /// A fresh run.
    public init(config: GPTTrainingConfig, dataset: TextDataset, outputDirectory: String) throws {
        try config.validate()
        let modelConfig = config.model(vocabSize: dataset.tokenizer.count)
        try modelConfig.checkFitsInMemory(batchSize: config.batchSize)   // before any allocation
        self.config = config
        self.dataset = dataset
        self.outputDirectory = outputDirectory
        stream = TorchGenerator(seed: config.seed)
        model = try GPT(modelConfig, generator: &stream, dropoutSeed: config.seed)
        let groups = ParameterGroup.decaySplit(model, weightDecay: config.weightDecay)
        optimizer = AdamW(groups, learningRate: config.learningRate, beta1: config.beta1, beta2: config.beta2)
        prefetchBatch()                                   // nanoGPT's first get_batch, before the loop
    }

    /// Continues the run whose training checkpoint is in `outputDirectory`, exactly where it was
    /// saved. `config` may change what does not alter the run so far (`max_iters`, the schedule,
    /// the evaluation cadence); a change of architecture, batch size or seed is refused, naming
    /// the setting, as is a text with another vocabulary.
    public convenience init(resuming config: GPTTrainingConfig, dataset: TextDataset, outputDirectory: String) throws {
        let path = outputDirectory + "/checkpoint.safetensors"
        let file = try GPTCheckpointFile.read(path)
        func bad(_ why: String) -> GPTError { .badCheckpoint("\(path): \(why)") }
        guard file.metadata["kind"] == GPTCheckpoint.trainingKind,
              let savedJSON = file.metadata["train_config"],
              let saved = try? JSONDecoder().decode(GPTTrainingConfig.self, from: Data(savedJSON.utf8)) else {
            throw bad("not a training checkpoint of `slate gpt train` (no train_config); resume needs the checkpoint.safetensors of a run")
        }
        for ((key, was), (_, now)) in zip(saved.resumeInvariants, config.resumeInvariants) where was != now {
            throw GPTError.badConfig("--resume continues a run with \(key) = \(was), but \(key) = \(now) was given; drop that setting or start a new run in another --out")
        }
        let (savedModel, tokenizer) = try GPTCheckpoint.load(file, name: path)
        guard tokenizer == dataset.tokenizer else {
            throw GPTError.badCheckpoint("the run in \(outputDirectory) was trained on a text with a different vocabulary; pass the same --text")
        }
        guard let iter = Int(file.metadata["iter"] ?? ""), iter >= 0,
              let draws = Int(file.metadata["rng_draws"] ?? ""), draws >= 0,
              let best = Float(file.metadata["best_val_loss"] ?? ""),
              let dropoutState = file.metadata["dropout_rng"].flatMap(RandomGenerator.init(text:)) else {
            throw bad("metadata lacks iter, rng_draws, best_val_loss or dropout_rng; the file is damaged")
        }
        try self.init(config: config, dataset: dataset, outputDirectory: outputDirectory)
        for ((_, dst), (_, src)) in zip(model.namedParameters(), savedModel.namedParameters()) {
            dst.pointer.update(from: src.pointer, count: dst.count)
        }
        var state: [String: Tensor] = [:]
        for (name, tensor) in file.tensors where name.hasPrefix(GPTCheckpoint.optimizerPrefix) {
            state[String(name.dropFirst(GPTCheckpoint.optimizerPrefix.count))] = tensor
        }
        do { try optimizer.loadStateDict(state) } catch { throw bad("optimizer state: \(error)") }
        self.iter = iter
        bestValLoss = best
        model.dropoutGenerator = dropoutState
        // Rebuild the batch stream where the saved run stood before drawing its next batch.
        stream = TorchGenerator(seed: config.seed)
        stream.discard(draws)
        prefetchBatch()
    }

    /// Draws the next step's training batch, noting how far the stream was before it.
    private func prefetchBatch() {
        drawsBeforeNextBatch = stream.draws
        nextBatch = shardedBatch(.train, microBatches: gradientAccumulationSteps)
    }

    /// Draws the prefetched batch again from where the stream stood before it.
    private func redrawNextBatch() {
        stream = TorchGenerator(seed: config.seed)
        stream.discard(drawsBeforeNextBatch)
        prefetchBatch()
    }

    /// This replica's rows of a global batch of A × N × `batch_size` windows from the stream.
    private func shardedBatch(_ split: Split, microBatches: Int = 1) -> (inputs: [Int], targets: [Int]) {
        let (x, y) = dataset.batch(split, batchSize: config.batchSize * dataParallel.count * microBatches,
                                   blockSize: config.blockSize, generator: &stream)  // (A·N·B·T)
        let n = config.batchSize * config.blockSize
        return (dataParallel.shard(x, shardLength: n), dataParallel.shard(y, shardLength: n))  // (A·B·T)
    }

    /// Where each micro-batch of `batch_size` rows lies in this replica's (A·B·T) batch.
    private var microBatchRanges: [Range<Int>] {
        let n = config.batchSize * config.blockSize
        return (0..<gradientAccumulationSteps).map { ($0 * n)..<(($0 + 1) * n) }
    }

    /// Tokens processed per step, by all replicas and micro-batches together.
    public var tokensPerStep: Int { config.batchSize * config.blockSize * dataParallel.count * gradientAccumulationSteps }

    /// Mean loss over `eval_iters` random batches of each split (train first, as nanoGPT's
    /// `estimate_loss`, drawn from the run's stream), dropout off, no graph.
    public func estimateLoss() -> (train: Float, val: Float) {
        model.eval()
        defer { model.train() }
        var result: [Float] = []
        for split in [Split.train, .val] {
            var total = 0.0
            for _ in 0..<config.evalIters {
                let (x, y) = shardedBatch(split, microBatches: gradientAccumulationSteps)   // (A·B·T)
                for part in microBatchRanges {
                    total += Double(withNoGrad { model.loss(Array(x[part]), targets: Array(y[part]), batch: config.batchSize) }.item())
                }
            }
            result.append(Float(total / Double(config.evalIters * gradientAccumulationSteps)))
        }
        let mean = dataParallel.averageValues(result.map(Double.init)).map(Float.init)   // over replicas
        return (mean[0], mean[1])
    }

    /// One optimisation step at iteration `it` on the prefetched batch (then draws the next one);
    /// returns the loss before the update. Throws `TrainingDivergedError` (before updating the
    /// weights) when the loss or the gradient norm is not finite.
    public func step(_ it: Int) throws -> Float {
        let (x, y) = nextBatch                            // (A·B·T)
        optimizer.learningRate = config.schedule.rate(at: it)
        let micro = gradientAccumulationSteps
        var total: Float = 0
        for (m, part) in microBatchRanges.enumerated() {  // (A·B·T) -> (B·T)
            let loss = model.loss(Array(x[part]), targets: Array(y[part]), batch: config.batchSize)
            if m == micro - 1 { prefetchBatch() }         // as nanoGPT: before the (last) backward
            let lossValue = loss.item()
            try requireFinite(lossValue, "training loss", at: "step \(it)")
            (micro == 1 ? loss : loss * (1 / Float(micro))).backward()
            total += lossValue
        }
        dataParallel.averageGradients(model.parameters())
        if config.gradClip > 0 {
            try requireFinite(clipGradNorm(model.parameters(), maxNorm: config.gradClip), "gradient norm", at: "step \(it)")
        }
        optimizer.step()
        optimizer.zeroGrad()
        let mean = total / Float(micro)
        return dataParallel.count == 1 ? mean : Float(dataParallel.averageValues([Double(mean)])[0])
    }

    /// Writes the training checkpoint for a run that stands before iteration `iter`: weights,
    /// optimizer state, stream position, dropout state, best loss and settings, in one file
    /// replaced atomically.
    public func saveCheckpoint(iter: Int) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys                       // the same bytes for the same run
        let configJSON = String(decoding: try encoder.encode(config), as: UTF8.self)
        let meta = ["kind": GPTCheckpoint.trainingKind, "iter": String(iter), "best_val_loss": String(bestValLoss),
                    "rng_draws": String(drawsBeforeNextBatch), "dropout_rng": model.dropoutGenerator.text,
                    "train_config": configJSON]
        var file = GPTCheckpoint.file(model, tokenizer: dataset.tokenizer, extraMetadata: meta)
        file.tensors += optimizer.stateDict().map { (GPTCheckpoint.optimizerPrefix + $0.0, $0.1) }
        try file.write(to: checkpointPath)
    }

    /// Writes the current weights as the best-validation model (`model.safetensors`).
    public func saveBestModel(iter: Int, valLoss: Float) throws {
        try GPTCheckpoint.save(model, tokenizer: dataset.tokenizer, to: modelPath,
                               extraMetadata: ["iter": String(iter), "val_loss": String(valLoss)])
    }

    /// Runs from the current iteration to `max_iters`, reporting through `report`.
    public func train(onEvent report: (GPTTrainingEvent) -> Void = { _ in }) throws -> GPTTrainingSummary {
        let start = Date()
        var stepTimes: [Double] = []
        var last = (train: Float.nan, val: Float.nan)
        model.train()
        while true {
            if iter % config.evalInterval == 0 || iter == config.maxIters {
                last = estimateLoss()
                try requireFinite(last.train, "estimated training loss", at: "step \(iter)")
                try requireFinite(last.val, "validation loss", at: "step \(iter)")
                var saved = false
                if last.val < bestValLoss || !FileManager.default.fileExists(atPath: modelPath) {
                    bestValLoss = min(bestValLoss, last.val)
                    if dataParallel.isWriter { try saveBestModel(iter: iter, valLoss: last.val) }   // first: a kill between the two re-saves it on resume
                    saved = true
                }
                if dataParallel.isWriter { try saveCheckpoint(iter: iter) }
                report(.eval(iter: iter, trainLoss: last.train, valLoss: last.val, saved: saved))
            }
            if iter >= config.maxIters { break }
            let t0 = DispatchTime.now().uptimeNanoseconds
            let loss = try step(iter)
            let ms = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e6
            stepTimes.append(ms)
            report(.step(iter: iter, loss: loss, lr: optimizer.learningRate, ms: ms,
                         tokensPerSec: Double(tokensPerStep) / (ms / 1000)))
            iter += 1
        }
        let median = Statistics.median(stepTimes)
        return GPTTrainingSummary(valLoss: last.val, trainLoss: last.train, bestValLoss: bestValLoss, iters: iter,
                            msPerIter: median, tokensPerSec: median > 0 ? Double(tokensPerStep) / (median / 1000) : 0,
                            wallSeconds: Date().timeIntervalSince(start))
    }
}

/// Earlier names, kept so code written against Slate 0.1 still builds.
@available(*, deprecated, renamed: "GPTTrainingConfig")
public typealias TrainConfig = GPTTrainingConfig
@available(*, deprecated, renamed: "GPTTrainingEvent")
public typealias TrainEvent = GPTTrainingEvent
@available(*, deprecated, renamed: "GPTTrainingSummary")
public typealias TrainSummary = GPTTrainingSummary

extension GPTTrainer {
    /// Earlier name of ``train(onEvent:)``.
    @available(*, deprecated, renamed: "train(onEvent:)")
    public func run(report: (GPTTrainingEvent) -> Void = { _ in }) throws -> GPTTrainingSummary {
        try train(onEvent: report)
    }
}
