import Foundation
import Slate

/// Result of `evaluate`: mean next-token cross-entropy over every position of every window.
public struct EvaluationResult: Codable, Equatable, Sendable {
    public var loss: Double
    public var windows: Int
    public var tokens: Int
}

extension GPT {
    /// Cuts `tokens` into consecutive non-overlapping windows of `block_size` inputs (window k:
    /// inputs tokens[k·T ..< k·T+T], targets shifted by one; only full windows) and returns the
    /// mean cross-entropy over all their positions. Throws when not even one window fits.
    public func evaluate(tokens: [Int], windowsPerBatch: Int = 32) throws -> EvaluationResult {
        let t = config.blockSize
        let windows = tokens.count > t ? (tokens.count - 1) / t : 0
        guard windows > 0 else {
            throw GPTError.textTooShort("the text has \(tokens.count) tokens; evaluation needs at least block_size + 1 = \(t + 1)")
        }
        let wasTraining = training
        eval()
        defer { train(wasTraining) }
        var total = 0.0
        var k = 0
        while k < windows {
            let n = min(windowsPerBatch, windows - k)
            let x = Array(tokens[(k * t)..<((k + n) * t)])
            let y = Array(tokens[(k * t + 1)..<((k + n) * t + 1)])
            let loss = withNoGrad { self.loss(x, targets: y, batch: n) }.item()
            total += Double(loss) * Double(n * t)
            k += n
        }
        return EvaluationResult(loss: total / Double(windows * t), windows: windows, tokens: windows * t)
    }
}
