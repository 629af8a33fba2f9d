/// Creating tensors: constants, ranges and random draws.
extension Tensor {
    /// All zeros.
    public static func zeros(_ shape: [Int], requiresGrad: Bool = false) -> Tensor {
        let t = Tensor(storage: Storage(count: shape.reduce(1, *), zeroed: true), shape: shape)
        t.requiresGrad = requiresGrad
        return t
    }

    /// All ones.
    public static func ones(_ shape: [Int], requiresGrad: Bool = false) -> Tensor {
        full(shape, value: 1, requiresGrad: requiresGrad)
    }

    /// Every element equal to `value`.
    public static func full(_ shape: [Int], value: Float, requiresGrad: Bool = false) -> Tensor {
        let t = Tensor(uninitialized: shape)
        t.pointer.update(repeating: value, count: t.count)
        t.requiresGrad = requiresGrad
        return t
    }

    /// `0, 1, ..., n-1` as floats.
    public static func arange(_ n: Int) -> Tensor {
        let t = Tensor(uninitialized: [n])
        for i in 0..<n { t.pointer[i] = Float(i) }
        return t
    }

    /// Normal draws with mean `mean` and standard deviation `std`.
    public static func randn(_ shape: [Int], mean: Float = 0, std: Float = 1,
                             generator: inout RandomGenerator, requiresGrad: Bool = false) -> Tensor {
        let t = Tensor(uninitialized: shape)
        for i in 0..<t.count { t.pointer[i] = mean + std * Float(generator.nextNormal()) }
        t.requiresGrad = requiresGrad
        return t
    }

    /// Uniform draws in `[low, high)`.
    public static func uniform(_ shape: [Int], low: Float = 0, high: Float = 1,
                               generator: inout RandomGenerator, requiresGrad: Bool = false) -> Tensor {
        let t = Tensor(uninitialized: shape)
        let span = high - low
        for i in 0..<t.count { t.pointer[i] = low + span * generator.nextFloat() }
        t.requiresGrad = requiresGrad
        return t
    }

    /// Normal draws from the global generator (see `Random.seed`).
    public static func randn(_ shape: [Int], std: Float = 1, requiresGrad: Bool = false) -> Tensor {
        Random.withGlobal { randn(shape, std: std, generator: &$0, requiresGrad: requiresGrad) }
    }

    /// Uniform draws in `[low, high)` from the global generator.
    public static func uniform(_ shape: [Int], low: Float = 0, high: Float = 1,
                               requiresGrad: Bool = false) -> Tensor {
        Random.withGlobal { uniform(shape, low: low, high: high, generator: &$0, requiresGrad: requiresGrad) }
    }
}
