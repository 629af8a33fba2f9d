import Foundation
import Slate

extension GPTConfig {
    /// The number of weights, the tied head counted once: per block 12·C² in its four matrices
    /// and 2·C in its layer norms (13·C with biases), plus V·C + T·C for the embeddings and C
    /// (2·C) for the final layer norm; nil when it overflows. A loader compares it with what a
    /// file holds before allocating anything.
    public var parameterCount: Int? {
        let (L, C, T, V) = (nLayer, nEmbd, blockSize, vocabSize)
        let perBlock = try? sizeSum(sizeProduct(12, C, C), sizeProduct(bias ? 13 : 2, C))
        return try? sizeSum(sizeProduct(L, perBlock ?? -1), sizeProduct(V, C), sizeProduct(T, C), sizeProduct(bias ? 2 : 1, C))
    }

    /// An estimate of the bytes a training step needs at `batchSize`: weights, gradients and the
    /// two AdamW moments (4 floats per parameter), plus the activations kept for the backward —
    /// per block about 16·C floats per token and 2·nh·T floats per token for the attention
    /// weights, and 3·V per token for logits and their gradient. nil when the product overflows
    /// (a size no machine can hold). Within a factor of about two of the measured peak RSS.
    public func trainingMemoryBytes(batchSize: Int) -> Int? {
        let (L, C, T, V, nh, B) = (nLayer, nEmbd, blockSize, vocabSize, nHead, batchSize)
        guard B > 0, let parameters = parameterCount else { return nil }
        return try? {
            let tokens = try sizeProduct(B, T)
            let activations = try sizeSum(sizeProduct(tokens, L, 16, C), sizeProduct(tokens, L, 2, nh, T), sizeProduct(tokens, 3, V))
            return try sizeProduct(sizeSum(sizeProduct(parameters, 4), activations), 4)
        }()
    }

    /// Throws a `GPTError.badConfig` before anything is allocated when ``trainingMemoryBytes(batchSize:)``
    /// exceeds this machine's physical memory (`MemoryBudget`), naming the estimate and the machine's memory.
    public func checkFitsInMemory(batchSize: Int) throws {
        let what = "training (n_layer \(nLayer), n_embd \(nEmbd), block_size \(blockSize), batch_size \(batchSize))"
        guard let bytes = trainingMemoryBytes(batchSize: batchSize) else {
            throw GPTError.badConfig("this configuration needs more memory than can be counted for \(what); this machine has \(MemoryBudget.format(MemoryBudget.physicalBytes)); make the model or the batch smaller")
        }
        do { try MemoryBudget.check(bytes: bytes, what: what) } catch { throw GPTError.badConfig("\(error)") }
    }
}

/// `MemoryBudget.product` and `.sum` for the GPT's own size formulas (an overflow or a negative
/// size throws; the callers turn that into nil).
private func sizeProduct(_ factors: Int...) throws -> Int { try MemoryBudget.product(factors, what: "the GPT") }
private func sizeSum(_ terms: Int...) throws -> Int { try MemoryBudget.sum(terms, what: "the GPT") }
