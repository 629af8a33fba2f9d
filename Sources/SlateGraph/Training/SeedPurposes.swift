import Slate

/// The graph trainers' random streams, each derived from the run's `--seed` by its own rule
/// (index: the fold or seed, from 0). The rules are the ones the documented results were made
/// with (RESULTS.md, models/), so the same `--seed` replays them.
extension SeedPurpose {
    /// Which fold each graph lands in (``StratifiedKFold``'s shuffles); one split per run.
    static let foldSplit = SeedPurpose("fold split") { seed, _ in seed }
    /// Initial weights of fold k's model.
    static let foldWeights = SeedPurpose("fold weights") { seed, k in seed &* 1_000_003 &+ k }
    /// Dropout masks of fold k.
    static let foldDropout = SeedPurpose("fold dropout") { seed, k in seed &+ 7919 &* (k + 1) }
    /// Training order of fold k: the ``SplitMix64`` stream its epochs' shuffles draw from.
    static let foldShuffle = SeedPurpose("fold shuffle") { seed, k in seed ^ (k + 1) &* 0x9E37 }
    /// Ensemble member m's stream of a fold's purpose (index: m): member 0 keeps the fold's own
    /// seed, so a one-member ensemble is the single model; the others are SplitMix64-mixed apart.
    static let ensembleMember = SeedPurpose("ensemble member") { seed, m in
        var mix = SplitMix64(seed: seed ^ (m &* 0xD1B5_4A32_D192_ED03))
        return m == 0 ? seed : mix.next()
    }
    /// Initial weights of node-classification run k (seed `--seed` + k).
    static let nodeWeights = SeedPurpose("node weights") { seed, k in seed &+ k }
    /// Dropout masks of node-classification run k.
    static let nodeDropout = SeedPurpose("node dropout") { seed, k in (seed &+ k) ^ 0xD20_0047 }
}
