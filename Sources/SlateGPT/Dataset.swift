import Foundation
import Slate

/// A tokenized corpus split as nanoGPT's `prepare.py`: the first 90% of tokens train, the rest
/// validate. Batches are random windows drawn with a seeded generator, as nanoGPT's `get_batch`.
public struct TextDataset {
    /// The tokenizer built from the whole text.
    public let tokenizer: CharTokenizer
    /// Token ids of the first 90% of the text.
    public let train: [Int32]
    /// Token ids of the last 10%.
    public let val: [Int32]

    /// Tokenizes `text` and splits it 90/10. Throws when either split cannot hold one window of
    /// `blockSize + 1` tokens.
    public init(text: String, blockSize: Int) throws {
        let tokenizer = CharTokenizer(text: text)
        let ids = try tokenizer.encode(text).map(Int32.init)
        let n = ids.count
        let cut = Int(Double(n) * 0.9)
        self.tokenizer = tokenizer
        self.train = Array(ids[..<cut])
        self.val = Array(ids[cut...])
        guard val.count > blockSize, train.count > blockSize else {
            throw GPTError.textTooShort("the text has \(n) characters; a block size of \(blockSize) needs at least \(Int(Double(blockSize + 1) / 0.1) + 1) so that the 10% validation split holds one window (lower --block-size or use a longer --text)")
        }
    }

    /// Reads and prepares a UTF-8 text file.
    public init(file: String, blockSize: Int) throws {
        guard FileManager.default.fileExists(atPath: file) else {
            throw GPTError.missingFile("text file \(file) not found; run `make data` to fetch tiny shakespeare, or pass --text FILE")
        }
        guard let data = FileManager.default.contents(atPath: file) else {
            throw GPTError.missingFile("cannot read \(file); check that it is a readable file")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw GPTError.badText("\(file) is not UTF-8 text; convert it (e.g. iconv -t UTF-8) or pass another --text")
        }
        guard !text.isEmpty else { throw GPTError.textTooShort("text file \(file) is empty") }
        try self.init(text: text, blockSize: blockSize)
    }
}

/// Which split to sample from.
public enum Split: String, Sendable { case train, val }

extension TextDataset {
    /// The tokens of a split.
    public func tokens(_ split: Split) -> [Int32] { split == .train ? train : val }

    /// A random batch as nanoGPT's `get_batch`: `batchSize` windows at offsets
    /// `torch.randint(n − blockSize, (batchSize,))`; inputs x = tokens[i ..< i+T], targets
    /// y = tokens[i+1 ..< i+T+1]. Both (B·T) row-major.
    public func batch(_ split: Split, batchSize: Int, blockSize: Int,
                      generator: inout TorchGenerator) -> (inputs: [Int], targets: [Int]) {
        let data = tokens(split)
        var x = [Int](repeating: 0, count: batchSize * blockSize)
        var y = x
        let limit = data.count - blockSize
        for b in 0..<batchSize {
            let start = generator.nextInt(limit)
            for t in 0..<blockSize {
                x[b * blockSize + t] = Int(data[start + t])
                y[b * blockSize + t] = Int(data[start + t + 1])
            }
        }
        return (x, y)
    }
}
