import Foundation

/// The architecture of a GPT, with nanoGPT's `GPTConfig` field names (also its JSON keys in a
/// checkpoint's `__metadata__.config`).
public struct GPTConfig: Codable, Equatable, CustomStringConvertible {
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

    /// Throws when a size is not positive, the width does not split into heads, or dropout is
    /// outside [0, 1).
    public func validate() throws {
        for (name, v) in [("n_layer", nLayer), ("n_head", nHead), ("n_embd", nEmbd),
                          ("block_size", blockSize), ("vocab_size", vocabSize)] where v <= 0 {
            throw GPTError.badConfig("\(name) must be positive, got \(v)")
        }
        guard nEmbd % nHead == 0 else {
            throw GPTError.badConfig("n_embd (\(nEmbd)) must be divisible by n_head (\(nHead))")
        }
        guard dropout >= 0 && dropout < 1 else {
            throw GPTError.badConfig("dropout must be in [0, 1), got \(dropout)")
        }
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
