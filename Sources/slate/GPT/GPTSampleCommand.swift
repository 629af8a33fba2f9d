import ArgumentParser
import Foundation
import Slate
import SlateGPT

/// `slate gpt sample`: streams text from a checkpoint (KV-cached decoding).
struct GPTSampleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "sample", abstract: "Generate text from a trained GPT checkpoint.")

    @Option(help: "A model.safetensors written by `slate gpt train` (or nanoGPT in that layout).") var checkpoint: String
    @Option(help: "Text to continue (default: a newline, as nanoGPT's sample.py).") var prompt = "\n"
    @Option(help: "Characters to generate per sample.") var maxNewTokens = 500
    @Option(help: "Softmax temperature (0: always the most likely character).") var temperature: Float = 0.8
    @Option(help: "Sample only among the k most likely characters (0: all).") var topK = 200
    @Option(help: "Random seed.") var seed: UInt64 = 1337
    @Option(help: "Number of samples.") var numSamples = 1
    @Option(help: "Threads (default: all cores).") var threads: Int?

    func run() throws {
        if let threads { Threads.count = threads }
        do {
            guard maxNewTokens >= 0, numSamples >= 1, temperature >= 0, topK >= 0 else {
                throw GPTError.badConfig("max-new-tokens, top-k and temperature must not be negative; num-samples must be at least 1")
            }
            let (model, tokenizer) = try GPTCheckpoint.load(checkpoint)
            guard !prompt.isEmpty else { throw GPTError.badConfig("--prompt must not be empty") }
            let start = try tokenizer.encode(prompt)
            var rng = RandomGenerator(seed: seed)
            let options = SamplingOptions(maxNewTokens: maxNewTokens, temperature: temperature, topK: topK == 0 ? nil : topK)
            for i in 0..<numSamples {
                if i > 0 { print("\n---------------") }
                print(prompt, terminator: "")
                model.generate(prompt: start, options: options, generator: &rng) { token in
                    print(tokenizer.decode([token]), terminator: "")
                    fflush(nil)
                }
                print("")
            }
        } catch let error as GPTError {
            throw ValidationError(error.description)
        }
    }
}

/// `slate gpt eval`: mean next-token loss of a checkpoint on a text, over consecutive full windows.
struct GPTEvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "eval", abstract: "Mean next-token cross-entropy of a checkpoint on a text file.")

    @Option(help: "A model.safetensors written by `slate gpt train`.") var checkpoint: String
    @Option(help: "Text file to evaluate (its characters must be in the checkpoint's vocabulary).") var text: String
    @Flag(help: "Print {\"loss\": ..., \"windows\": ..., \"tokens\": ...}.") var json = false
    @Option(help: "Threads (default: all cores).") var threads: Int?

    func run() throws {
        if let threads { Threads.count = threads }
        do {
            let (model, tokenizer) = try GPTCheckpoint.load(checkpoint)
            guard let data = FileManager.default.contents(atPath: text), let content = String(data: data, encoding: .utf8) else {
                throw GPTError.missingFile("cannot read \(text) as UTF-8 text")
            }
            let result = try model.evaluate(tokens: tokenizer.encode(content))
            if json {
                print(String(format: "{\"loss\": %.6f, \"windows\": %d, \"tokens\": %d}", result.loss, result.windows, result.tokens))
            } else {
                print(String(format: "loss %.4f over %d windows of %d (%d tokens)", result.loss, result.windows,
                             model.config.blockSize, result.tokens))
            }
        } catch let error as GPTError {
            throw ValidationError(error.description)
        }
    }
}
