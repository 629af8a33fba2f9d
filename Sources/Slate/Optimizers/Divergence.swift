/// A training run's loss or gradient norm became NaN or infinite.
///
/// Trainers check after every step and stop with this error before anything is saved, so the
/// last good checkpoint stays as it was. The usual causes are a learning rate too large for the
/// model, or non-finite values in the data.
public struct TrainingDivergedError: Error, CustomStringConvertible, Sendable {
    /// What stopped being finite: "loss", "gradient norm", "validation loss" ...
    public let quantity: String
    /// Where: "step 35", "epoch 12 of fold 3", "update 7".
    public let position: String
    /// The offending value (NaN, +inf or -inf).
    public let value: Double

    public init(quantity: String, position: String, value: Double) {
        self.quantity = quantity
        self.position = position
        self.value = value
    }

    public var description: String {
        "the \(quantity) became \(value) at \(position), so training stopped (the last saved checkpoint is kept); "
            + "lower the learning rate or check the data for NaN or infinite values"
    }
}

/// Throws ``TrainingDivergedError`` unless `value` is finite.
/// - Parameters:
///   - value: the number to check.
///   - quantity: what the value is ("loss", "gradient norm").
///   - position: where the run stands ("step 35").
public func requireFinite<F: BinaryFloatingPoint>(_ value: F, _ quantity: String, at position: @autoclosure () -> String) throws {
    guard value.isFinite else {
        throw TrainingDivergedError(quantity: quantity, position: position(), value: Double(value))
    }
}
