import Slate

/// An exponential moving average of a model's weights (Polyak–Ruppert averaging, as timm's
/// `ModelEmaV2` or `torch.optim.swa_utils.AveragedModel` with an EMA rule), kept in a second
/// model of the same configuration:
///
///     θ̄ ← β θ̄ + (1 − β) θ          after every optimiser step (θ̄ starts at the initial θ)
///
/// Buffers (BatchNorm's running statistics, a standardiser's mean and std) are not averaged but
/// copied from the trained model before the average is evaluated, as `AveragedModel` does by default.
/// The average moves over the last ≈ 1/(1 − β) steps, so it is smoother than any single step's
/// weights; `GraphTrainingConfig.weightAverage` evaluates, chooses and saves it instead of θ.
enum WeightAverage {
    /// θ̄ ← β θ̄ + (1 − β) θ for every parameter of `average` and its twin in `model`.
    static func update(_ average: Module, toward model: Module, decay β: Float) {
        for (a, p) in zip(average.parameters(), model.parameters()) {
            let pa = a.pointer, pp = p.pointer
            for i in 0..<a.count { pa[i] = β * pa[i] + (1 - β) * pp[i] }
        }
    }

    /// Copies every buffer of `model` into its twin in `average`.
    static func copyBuffers(from model: Module, to average: Module) {
        for ((_, a), (_, b)) in zip(average.namedBuffers(), model.namedBuffers()) {
            a.pointer.update(from: b.pointer, count: a.count)
        }
    }

    /// A fresh average of `model`: a model of `config` holding a copy of `model`'s weights and buffers.
    static func start(_ config: GraphClassifierConfig, from model: GraphClassifier) throws -> GraphClassifier {
        try GraphClassifier.restored(config, state: Dictionary(model.namedState()))
    }
}
