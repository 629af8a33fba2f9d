import Foundation
import FuzzSupport
import Slate
import SlateGPT

/// Input: the JSON of a checkpoint's `config`. A config that decodes is in range; a small one is
/// built, written as a checkpoint and read back through the full metadata path.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzGPTConfig(_ bytes: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let json = String(decoding: Fuzz.data(bytes, count), as: UTF8.self)
    Fuzz.expectCleanFailure {
        let config = try GPTConfig.decode(json: json, source: "fuzz")
        guard let n = config.parameterCount, n <= 20_000, config.vocabSize <= 128 else { return }
        let model = try GPT(config, seed: 0)
        let vocab = CharTokenizer(vocabulary: (0..<config.vocabSize).map { Unicode.Scalar(UInt32(0x100 + $0))! })
        let data = try GPTCheckpoint.file(model, tokenizer: vocab).encoded()
        let back = try GPTCheckpoint.load(SafetensorsFile.decode(data, name: "fuzz"), name: "fuzz")
        precondition(back.model.config == config, "a checkpoint round-trips its config")
    }
    return 0
}

@main enum Main { static func main() { Fuzz.main(fuzzGPTConfig) } }
