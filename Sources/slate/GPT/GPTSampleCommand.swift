import ArgumentParser
import Foundation
import Slate
import SlateGPT

/// `slate gpt sample`: streams text from a checkpoint (KV-cached decoding).
struct GPTSampleCommand: ParsableCommand, Exemplified {
    static let configuration = CommandConfiguration(
        commandName: "sample",
        abstract: "Generate text from a trained GPT checkpoint."
    )
    static let examples = [#"slate gpt sample --checkpoint models/shakespeare-char/model.safetensors --prompt "ROMEO:" --max-new-tokens 300"#]

    @Option(help: "A model.safetensors written by `slate gpt train` (or nanoGPT in that layout).") var checkpoint: String
    @Option(help: "Text to continue (default: a newline, as nanoGPT's sample.py).") var prompt: String?
    @Option(help: "Characters to generate per sample.") var maxNewTokens = 500
    @Option(help: "Softmax temperature (0: always the most likely character).") var temperature: Float = 0.8
    @Option(help: "Sample only among the k most likely characters (0: all).") var topK = 200
    @Option(help: "Random seed.") var seed: UInt64 = 1337
    @Option(help: "Number of samples.") var numSamples = 1
    @OptionGroup var threads: ThreadsOption

    func validate() throws {
        guard temperature.isFinite, temperature >= 0 else {
            throw ValidationError("--temperature must be a finite number ≥ 0 (got \(temperature)).")
        }
        guard maxNewTokens >= 0, maxNewTokens <= 10_000_000 else {
            throw ValidationError("--max-new-tokens must be between 0 and 10000000 (got \(maxNewTokens)).")
        }
        guard topK >= 0 else { throw ValidationError("--top-k must not be negative (got \(topK)); 0 samples among all characters.") }
        guard (1...10_000).contains(numSamples) else { throw ValidationError("--num-samples must be between 1 and 10000 (got \(numSamples)).") }
        guard prompt != "" else { throw ValidationError("--prompt must not be empty; leave it out to start from a newline.") }
    }

    func run() throws {
        threads.apply()
        let (model, tokenizer) = try GPTCheckpoint.load(checkpoint)
        let text = prompt ?? "\n"
        let start = try tokenizer.encode(text)
        var rng = RandomGenerator(seed: seed)
        let options = SamplingOptions(maxNewTokens: maxNewTokens, temperature: temperature, topK: topK == 0 ? nil : topK)
        var seconds = 0.0
        for i in 0..<numSamples {
            if i > 0 { print("\n---------------") }
            print(text, terminator: "")
            let clock = DispatchTime.now().uptimeNanoseconds
            model.generate(prompt: start, options: options, generator: &rng) { token in
                print(tokenizer.decode([token]), terminator: "")
                fflush(nil)
            }
            seconds += Double(DispatchTime.now().uptimeNanoseconds - clock) / 1e9
            print("")
        }
        let tokens = numSamples * maxNewTokens
        FileHandle.standardError.write(Data(String(format: "%d tokens in %.3f s: %.0f tokens/s\n",
                                                   tokens, seconds, Double(tokens) / max(seconds, 1e-9)).utf8))
    }
}

/// `slate gpt eval`: mean next-token loss of a checkpoint on a split of a text, over consecutive
/// full windows (the figure a model card quotes as "loss over the whole val split").
struct GPTEvalCommand: ParsableCommand, Exemplified {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Mean next-token cross-entropy of a checkpoint on a split of a text file.",
        discussion: """
            The text is split as nanoGPT's prepare.py does: the first 90% of its characters are the \
            train split, the rest the val split. --split val (the default) scores the val split, the \
            figure the model cards quote.
            """
    )
    static let examples = ["slate gpt eval --checkpoint models/shakespeare-char/model.safetensors --json",
                           "slate gpt eval --checkpoint runs/gpt/model.safetensors --text data/tinyshakespeare.txt --split all"]

    /// Which part of the text to score.
    enum SplitChoice: String, ExpressibleByArgument, CaseIterable { case val, train, all }

    @Option(help: "A model.safetensors written by `slate gpt train`.") var checkpoint: String
    @Option(help: "Text file (default: $SLATE_DATA/tinyshakespeare.txt); its characters must be in the checkpoint's vocabulary.") var text: String?
    @Option(help: "Part of the text to score: val (last 10%), train (first 90%) or all.") var split = SplitChoice.val
    @Flag(help: "Print {\"loss\": ..., \"split\": ..., \"windows\": ..., \"tokens\": ...} on stdout.") var json = false
    @OptionGroup var threads: ThreadsOption

    func run() throws {
        threads.apply()
        let (model, tokenizer) = try GPTCheckpoint.load(checkpoint)
        let path = text ?? gptDefaultTextPath()
        guard let data = FileManager.default.contents(atPath: path) else {
            throw GPTError.missingFile("cannot read the text \(path); pass --text or run `make data`")
        }
        guard let content = String(data: data, encoding: .utf8) else {
            throw GPTError.badText("\(path) is not UTF-8 text; convert it (e.g. iconv -t UTF-8) or pass another --text")
        }
        let tokens = try tokenizer.encode(content)
        let cut = Int(Double(tokens.count) * 0.9)                 // nanoGPT's prepare.py split
        let part: [Int]
        switch split {
        case .val: part = Array(tokens[cut...])
        case .train: part = Array(tokens[..<cut])
        case .all: part = tokens
        }
        let result = try model.evaluate(tokens: part)
        guard result.loss.isFinite else {
            throw GPTError.badCheckpoint("\(checkpoint) gives a non-finite loss (\(result.loss)); its weights hold NaN or infinite values")
        }
        if json {
            print(String(format: "{\"loss\": %.6f, \"split\": \"%@\", \"windows\": %d, \"tokens\": %d}",
                         result.loss, split.rawValue, result.windows, result.tokens))
        } else {
            print(String(format: "%@ split of %@: loss %.4f over %d windows of %d (%d tokens)", split.rawValue, path,
                         result.loss, result.windows, model.config.blockSize, result.tokens))
        }
    }
}
