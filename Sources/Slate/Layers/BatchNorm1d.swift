/// `BatchNorm1d` (PyTorch `nn.BatchNorm1d` on (N, C) input): normalises every channel with the
/// batch's statistics in training and with running estimates in evaluation; see `Tensor.batchNorm`.
///
///     training:   y = (x − μ_batch) / √(σ²_batch + eps) · weight + bias     (biased σ²)
///                 running ← (1 − momentum)·running + momentum·batch         (unbiased σ² for running_var)
///     evaluation: y = (x − running_mean) / √(running_var + eps) · weight + bias
///
/// Parameters `weight` (ones) and `bias` (zeros); buffers `running_mean` (zeros) and
/// `running_var` (ones), PyTorch's names and initial values.
public final class BatchNorm1d: Layer {
    /// (C), or nil without affine.
    public let weight: Tensor?
    /// (C), or nil without affine.
    public let bias: Tensor?
    /// (C) running estimate of the mean.
    public let runningMean: Tensor
    /// (C) running estimate of the (unbiased) variance.
    public let runningVar: Tensor
    /// Weight of each new batch in the running estimates (PyTorch's 0.1).
    public let momentum: Float
    /// Added to the variance inside the square root.
    public let eps: Float
    public var training = true

    public init(_ features: Int, eps: Float = 1e-5, momentum: Float = 0.1, affine: Bool = true) {
        precondition(features > 0, "BatchNorm1d needs a positive feature count, got \(features)")
        weight = affine ? Tensor.ones([features], requiresGrad: true) : nil
        bias = affine ? Tensor.zeros([features], requiresGrad: true) : nil
        runningMean = Tensor.zeros([features])
        runningVar = Tensor.ones([features])
        self.momentum = momentum
        self.eps = eps
    }

    /// Number of channels C.
    public var features: Int { runningMean.count }

    public var localParameters: [(String, Tensor)] {
        guard let weight, let bias else { return [] }
        return [("weight", weight), ("bias", bias)]
    }

    public var localBuffers: [(String, Tensor)] { [("running_mean", runningMean), ("running_var", runningVar)] }

    /// (N, C) -> (N, C). Training updates the running statistics.
    public func forward(_ x: Tensor) -> Tensor {
        x.batchNorm(weight: weight, bias: bias, runningMean: runningMean, runningVar: runningVar,
                    training: training, momentum: momentum, eps: eps)
    }
}
