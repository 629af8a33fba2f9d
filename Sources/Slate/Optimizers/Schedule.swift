import Foundation

/// Learning-rate schedules: the rate to use at iteration `it` (0-based).
public enum LearningRateSchedule: Sendable {
    /// The same rate throughout.
    case constant(Float)
    /// `initial · gamma^⌊it / stepSize⌋` (`torch.optim.lr_scheduler.StepLR`).
    case step(initial: Float, stepSize: Int, gamma: Float)
    /// nanoGPT's `get_lr`: linear warmup `maxRate·(it+1)/(warmupIters+1)` for `it < warmupIters`,
    /// then cosine decay from `maxRate` to `minRate` at `decayIters`, then `minRate`.
    case warmupCosine(maxRate: Float, warmupIters: Int, decayIters: Int, minRate: Float)
    /// Linear interpolation from `start` (it = 0) to `end` (it ≥ `steps`), as CleanRL's
    /// `anneal_lr` does with `end = 0` and `it = update − 1`.
    case linear(start: Float, end: Float, steps: Int)

    /// The learning rate at iteration `it`.
    public func rate(at it: Int) -> Float {
        switch self {
        case .constant(let r):
            return r
        case let .step(initial, stepSize, gamma):
            return initial * Float(Foundation.pow(Double(gamma), Double(it / max(stepSize, 1))))
        case let .warmupCosine(maxRate, warmup, decay, minRate):
            if it < warmup { return Float(Double(maxRate) * Double(it + 1) / Double(warmup + 1)) }
            if it > decay { return minRate }
            let ratio = Double(it - warmup) / Double(max(decay - warmup, 1))
            let coefficient = 0.5 * (1 + Foundation.cos(Double.pi * ratio))  // 1 -> 0
            return Float(Double(minRate) + coefficient * Double(maxRate - minRate))
        case let .linear(start, end, steps):
            let fraction = min(Double(it) / Double(max(steps, 1)), 1)
            return Float(Double(start) + fraction * Double(end - start))
        }
    }
}
