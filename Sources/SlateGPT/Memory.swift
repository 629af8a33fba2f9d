import Foundation
import Slate

extension GPTConfig {
    /// An estimate of the bytes a training step needs at `batchSize`: weights, gradients and the
    /// two AdamW moments (4 floats per parameter), plus the activations kept for the backward —
    /// per block about 16·C floats per token and 2·nh·T floats per token for the attention
    /// weights, and 3·V per token for logits and their gradient. nil when the product overflows
    /// (a size no machine can hold). Within a factor of about two of the measured peak RSS.
    public func trainingMemoryBytes(batchSize: Int) -> Int? {
        let (L, C, T, V, nh, B) = (nLayer, nEmbd, blockSize, vocabSize, nHead, batchSize)
        func product(_ xs: Int...) -> Int? {
            xs.reduce(Optional(1)) { acc, x in
                acc.flatMap { a in let (p, o) = a.multipliedReportingOverflow(by: x); return o ? nil : p }
            }
        }
        func sum(_ xs: Int?...) -> Int? {
            xs.reduce(Optional(0)) { acc, x in
                guard let a = acc, let x else { return nil }
                let (s, o) = a.addingReportingOverflow(x); return o ? nil : s
            }
        }
        let parameters = sum(product(12, L, C, C), product(V, C), product(T, C))
        let tokens = product(B, T)
        let activations = sum(product(tokens ?? -1, L, 16, C), product(tokens ?? -1, L, 2, nh, T), product(tokens ?? -1, 3, V))
        guard tokens != nil, let floats = sum(product(parameters ?? -1, 4), activations), floats >= 0 else { return nil }
        return product(floats, 4)
    }

    /// Throws a `GPTError.badConfig` before anything is allocated when ``trainingMemoryBytes(batchSize:)``
    /// exceeds this machine's physical memory, naming the estimate and the machine's memory.
    public func checkFitsInMemory(batchSize: Int) throws {
        let physical = Int(clamping: ProcessInfo.processInfo.physicalMemory)
        guard let bytes = trainingMemoryBytes(batchSize: batchSize) else {
            throw GPTError.badConfig("this configuration (n_layer \(nLayer), n_embd \(nEmbd), block_size \(blockSize), batch_size \(batchSize)) needs more memory than can be counted; this machine has \(formatBytes(physical))")
        }
        guard bytes <= physical else {
            throw GPTError.badConfig("this configuration needs ≈ \(formatBytes(bytes)) to train (n_layer \(nLayer), n_embd \(nEmbd), block_size \(blockSize), batch_size \(batchSize)); this machine has \(formatBytes(physical)); make the model or the batch smaller")
        }
    }
}

/// "3.1 TB", "24 GB", "512 MB".
private func formatBytes(_ bytes: Int) -> String {
    let units = ["B", "KB", "MB", "GB", "TB", "PB", "EB"]
    var value = Double(bytes), unit = 0
    while value >= 1000 && unit < units.count - 1 { value /= 1000; unit += 1 }
    return value < 10 && unit > 0 ? String(format: "%.1f %@", value, units[unit]) : String(format: "%.0f %@", value, units[unit])
}
