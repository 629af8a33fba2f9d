import Foundation
import Slate

/// The architecture of a GPT, with nanoGPT's `GPTConfig` field names (also its JSON keys in a
/// checkpoint's `__metadata__.config`).
public struct GPTConfig: Codable, Equatable, CustomStringConvertible, Sendable {
    /// Number of transformer blocks.
    public var nLayer: Int
    /// Attention heads per block.
    public var nHead: Int
    /// Embedding width C.
    public var nEmbd: Int
    /// Longest context T.
    public var blockSize: Int
    /// Vocabulary size V.
    public var vocabSize: Int
    /// Biases in the linear layers and LayerNorms.
    public var bias: Bool
    /// Dropout probability (embeddings, attention, residual branches).
    public var dropout: Float

    enum CodingKeys: String, CodingKey {
        case nLayer = "n_layer", nHead = "n_head", nEmbd = "n_embd", blockSize = "block_size"
        case vocabSize = "vocab_size", bias, dropout
    }

    /// nanoGPT's shakespeare-char CPU recipe: 4 layers, 4 heads, 128 wide, block 64, no dropout.
    public init(nLayer: Int = 4, nHead: Int = 4, nEmbd: Int = 128, blockSize: Int = 64,
                vocabSize: Int = 65, bias: Bool = false, dropout: Float = 0) {
        self.nLayer = nLayer; self.nHead = nHead; self.nEmbd = nEmbd; self.blockSize = blockSize
        self.vocabSize = vocabSize; self.bias = bias; self.dropout = dropout
    }

    /// Throws when a size is not positive (or the vocabulary exceeds every Unicode scalar), the
    /// width does not split into heads, dropout is outside [0, 1), or the weights alone need more
    /// memory than the machine has (`MemoryBudget`): a hostile size is an error before any allocation.
    public func validate() throws {
        for (name, v) in [("n_layer", nLayer), ("n_head", nHead), ("n_embd", nEmbd),
                          ("block_size", blockSize), ("vocab_size", vocabSize)] where v <= 0 {
            throw GPTError.badConfig("\(name) must be positive, got \(v)")
        }
        guard vocabSize <= CharTokenizer.maxVocabularySize else {
            throw GPTError.badConfig("vocab_size must be at most \(CharTokenizer.maxVocabularySize) (one token per Unicode character), got \(vocabSize)")
        }
        guard nEmbd % nHead == 0 else {
            throw GPTError.badConfig("n_embd (\(nEmbd)) must be divisible by n_head (\(nHead))")
        }
        guard dropout >= 0 && dropout < 1 else {
            throw GPTError.badConfig("dropout must be in [0, 1), got \(dropout)")
        }
        let what = "the weights (n_layer \(nLayer), n_embd \(nEmbd), block_size \(blockSize), vocab_size \(vocabSize))"
        guard let count = parameterCount else {
            throw GPTError.badConfig("\(what) need more memory than can be counted; this machine has \(MemoryBudget.format(MemoryBudget.physicalBytes)); lower the sizes")
        }
        do { try MemoryBudget.check(bytes: MemoryBudget.product([count, 4], what: what), what: what) } catch {
            throw GPTError.badConfig("\(error)")
        }
    }

    /// Decodes and validates the JSON of a checkpoint's `config` (nanoGPT's keys); `source` labels
    /// errors. Never returns a config that `validate` rejects.
    public static func decode(json: String, source: String) throws -> GPTConfig {
        let config: GPTConfig
        do { config = try JSONDecoder().decode(GPTConfig.self, from: Data(json.utf8)) } catch {
            throw GPTError.badCheckpoint("\(source): __metadata__ \"config\" is not a JSON object with integer n_layer, n_head, n_embd, block_size, vocab_size, boolean bias and number dropout; save the checkpoint again with `slate gpt train`")
        }
        do { try config.validate() } catch { throw GPTError.badCheckpoint("\(source): config \(error)") }
        return config
    }

    /// The config as compact JSON with nanoGPT's keys, sorted.
    public func json() -> String {
        let enc = JSONEncoder()
        enc.outputFormatting = [.sortedKeys]
        return String(decoding: try! enc.encode(self), as: UTF8.self)
    }

    public var description: String {
        "n_layer=\(nLayer) n_head=\(nHead) n_embd=\(nEmbd) block_size=\(blockSize) vocab_size=\(vocabSize) bias=\(bias) dropout=\(dropout)"
    }
}
