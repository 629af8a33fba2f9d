// Training a GPT from code: a tiny char-level GPT learns a short text in a few seconds.
import Foundation
import Slate
import SlateGPT

let verse = """
    The quick brown fox jumps over the lazy dog. A slate is clean; write on it.
    Pack my box with five dozen liquor jugs. How vexingly quick daft zebras jump!

    """
let text = String(repeating: verse, count: 40)

var config = GPTTrainingConfig()      // nanoGPT's shakespeare-char recipe, shrunk
config.nLayer = 2; config.nHead = 2; config.nEmbd = 48; config.blockSize = 32
config.batchSize = 8
config.maxIters = 200; config.lrDecayIters = 200; config.warmupIters = 20
config.evalInterval = 100; config.evalIters = 5

let dataset = try TextDataset(text: text, blockSize: config.blockSize)
let out = FileManager.default.temporaryDirectory.appendingPathComponent("gpt-from-code-\(getpid())").path
defer { try? FileManager.default.removeItem(atPath: out) }
let trainer = try GPTTrainer(config: config, dataset: dataset, outputDirectory: out)

var firstLoss: Float?
let summary = try trainer.train { event in
    if case let .eval(iter, trainLoss, valLoss, _) = event {
        if firstLoss == nil { firstLoss = valLoss }
        print("iter \(iter): train loss \(trainLoss), val loss \(valLoss)")
    }
}
print(String(format: "val loss %.2f -> %.2f", firstLoss!, summary.valLoss))

var generator = RandomGenerator(seed: 7)
let prompt = try dataset.tokenizer.encode("The ")
let sample = trainer.model.generate(prompt: prompt, options: SamplingOptions(maxNewTokens: 60, temperature: 0.5),
                                    generator: &generator)
print("sample: The " + dataset.tokenizer.decode(sample))
