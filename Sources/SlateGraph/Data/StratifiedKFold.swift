import Slate

/// Stratified K-fold cross-validation with a validation part held out of each training fold,
/// as PyTorch Geometric's TU benchmark (`benchmark/kernel`) does: the samples of each class are
/// shuffled (seeded) and dealt round-robin to K folds, so every fold has nearly the class mix of
/// the whole set. Fold k is the test set; fold (k + 1) mod K is the validation set that chooses
/// the epoch; the remaining K - 2 folds are trained on. The test fold never chooses anything.
public struct StratifiedKFold: Sendable {
    /// One split of sample indices (each sorted ascending).
    public struct Split: Sendable, Equatable {
        public let train: [Int]
        public let validation: [Int]
        public let test: [Int]
    }

    /// The K splits, fold k testing on fold k.
    public let splits: [Split]
    /// The samples of each of the K folds (sorted ascending).
    public let folds: [[Int]]

    /// - Parameters:
    ///   - labels: class of each sample.
    ///   - folds: K ≥ 3 (train, validation and test need a fold each).
    ///   - seed: shuffling seed; the same seed gives the same splits.
    public init(labels: [Int], folds: Int, seed: UInt64) throws {
        guard folds >= 3 else {
            throw GraphDataError.invalidArgument("--folds must be at least 3 (test, validation and training folds), got \(folds)")
        }
        guard labels.count >= folds else {
            throw GraphDataError.invalidArgument("cannot make \(folds) folds from \(labels.count) samples; use fewer folds")
        }
        var rng = SplitMix64(seed: seed)
        var members = [[Int]](repeating: [], count: folds)
        var next = 0   // continue dealing where the previous class stopped, so fold sizes differ by at most 1
        for cls in Array(Set(labels)).sorted() {
            var idx = labels.indices.filter { labels[$0] == cls }
            rng.shuffle(&idx)
            for i in idx { members[next].append(i); next = (next + 1) % folds }
        }
        let sorted = members.map { $0.sorted() }
        self.folds = sorted
        splits = (0..<folds).map { Self.split(sorted, test: $0, validation: ($0 + 1) % folds) }
    }

    /// Fold `test` as the test set, fold `validation` (another one) as the validation set, and the
    /// remaining K − 2 folds as the training set.
    public func split(test k: Int, validation v: Int) -> Split { Self.split(folds, test: k, validation: v) }

    private static func split(_ folds: [[Int]], test k: Int, validation v: Int) -> Split {
        precondition(k != v && folds.indices.contains(k) && folds.indices.contains(v), "test and validation need two different folds")
        let train = folds.indices.filter { $0 != k && $0 != v }.flatMap { folds[$0] }.sorted()
        return Split(train: train, validation: folds[v], test: folds[k])
    }
}

extension SplitMix64 {
    /// Fisher–Yates shuffle drawing `next() mod (i + 1)` for i = n−1 … 1: the order the graph
    /// splits and training shuffles are defined by (independent of the standard library's algorithm).
    mutating func shuffle<T>(_ a: inout [T]) {
        guard a.count > 1 else { return }
        for i in stride(from: a.count - 1, to: 0, by: -1) {
            let j = Int(next() % UInt64(i + 1))
            a.swapAt(i, j)
        }
    }
}
