/// Summary statistics of measured values — accuracies over folds or seeds, returns over
/// episodes, regrets over runs, step times — written once for every showcase and the CLI.
///
/// ```swift
/// let accuracies = [0.84, 0.79, 0.88]
/// Statistics.mean(accuracies)                                  // 0.8367
/// Statistics.standardDeviation(accuracies)                     // sample (n − 1), as torch.std
/// Statistics.standardDeviation(accuracies, correction: 0)      // population (n), as numpy.std
/// Statistics.median([3, 1, 2, 10])                             // 2.5
/// ```
public enum Statistics {
    /// The arithmetic mean Σx / n, summed in order; 0 for no values.
    public static func mean<C: Collection>(_ values: C) -> Double where C.Element == Double {
        values.isEmpty ? 0 : values.reduce(0, +) / Double(values.count)
    }

    /// The variance Σ(x − x̄)² / (n − `correction`): `correction` 1 (the default) is the sample
    /// variance (`torch.var`), 0 the population variance (`numpy.var`). 0 when n ≤ `correction`.
    public static func variance<C: Collection>(_ values: C, correction: Int = 1) -> Double where C.Element == Double {
        guard values.count > correction else { return 0 }
        let m = mean(values)
        return values.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(values.count - correction)
    }

    /// The standard deviation √``variance(_:correction:)``: sample (n − 1) by default, as
    /// `torch.std`; `correction: 0` for the population one. 0 when n ≤ `correction`.
    public static func standardDeviation<C: Collection>(_ values: C, correction: Int = 1) -> Double where C.Element == Double {
        variance(values, correction: correction).squareRoot()
    }

    /// The middle value in sorted order, or the mean of the two middle values for an even count
    /// (`numpy.median`); 0 for no values.
    public static func median<C: Collection>(_ values: C) -> Double where C.Element == Double {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return 0 }
        let mid = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
    }
}
