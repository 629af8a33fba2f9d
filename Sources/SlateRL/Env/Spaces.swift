import Slate

/// A finite set of actions `{0, 1, ..., n-1}`, as Gymnasium's `spaces.Discrete(n)`.
///
/// Agents read the number of logits / Q-values from `n`.
public struct DiscreteSpace: Equatable, CustomStringConvertible, Sendable {
    /// Number of actions.
    public let n: Int

    /// Creates `Discrete(n)`; `n` must be positive.
    public init(_ n: Int) {
        precondition(n > 0, "DiscreteSpace needs at least one action, got \(n)")
        self.n = n
    }

    /// Whether `action` is one of `0..<n`.
    public func contains(_ action: Int) -> Bool { action >= 0 && action < n }

    /// A uniformly random action.
    public func sample(using rng: inout RandomGenerator) -> Int { rng.nextInt(n) }

    public var description: String { "Discrete(\(n))" }
}

/// A box of real vectors `low <= x <= high` with a shape, as Gymnasium's `spaces.Box`
/// (float32 observations). Bounds are stored flat in row-major order.
public struct BoxSpace: Equatable, CustomStringConvertible, Sendable {
    /// Lower bound of every element (may be `-Float.greatestFiniteMagnitude` for "unbounded").
    public let low: [Float]
    /// Upper bound of every element.
    public let high: [Float]
    /// Shape of one observation, e.g. `[4]` for CartPole.
    public let shape: [Int]

    /// Creates a box; `low` and `high` must both hold `shape.reduce(1, *)` values.
    public init(low: [Float], high: [Float], shape: [Int]) {
        let count = shape.reduce(1, *)
        precondition(low.count == count && high.count == count,
                     "BoxSpace bounds need \(count) values for shape \(shape)")
        self.low = low
        self.high = high
        self.shape = shape
    }

    /// A 1-D box with the given bounds.
    public init(low: [Float], high: [Float]) {
        self.init(low: low, high: high, shape: [low.count])
    }

    /// Number of scalars in one observation: the input width of a policy network.
    public var flatDimension: Int { shape.reduce(1, *) }

    /// Whether every element of `x` lies within the bounds.
    public func contains(_ x: [Float]) -> Bool {
        guard x.count == flatDimension else { return false }
        for i in 0..<x.count where !(x[i] >= low[i] && x[i] <= high[i]) { return false }
        return true
    }

    public var description: String { "Box(low: \(low), high: \(high), shape: \(shape))" }
}
