import Slate

/// Weisfeiler–Lehman subtree features (Shervashidze et al., "Weisfeiler-Lehman Graph Kernels",
/// JMLR 2011): every node's colour is refined `iterations` times from its own colour and the
/// multiset of its neighbours' colours, and a graph is described by how often each colour of
/// iterations 0…h occurs in it. The dot product of two graphs' count vectors is the WL subtree
/// kernel, a strong graph-classification baseline that no GNN of `GraphClassifier` computes: it
/// counts exact rooted subtrees, where a convolution smooths.
///
///     c⁰(v) = hash(v's node label) (`nodeLabels`), else hash(v's feature row)
///     cᵗ(v) = hash(t, cᵗ⁻¹(v), cᵗ⁻¹(u₁), …, cᵗ⁻¹(u_d))   u₁…u_d: v's neighbours, colours sorted
///     φ(G)[cᵗ(v) mod D] += 1   for every node v of G and t = 0…h;   φ(G) ← φ(G) / ‖φ(G)‖₂   (G, D)
///
/// Colours are 64-bit hashes folded into D buckets (the hashing trick, Weinberger et al. 2009),
/// so the features need no vocabulary: a colour never seen in training lands in a bucket the
/// model learnt little about, as an unseen colour adds nothing to the kernel. Scaling every
/// graph's counts to unit length makes φ(G)·φ(G′) the cosine-normalised WL kernel, which puts
/// graphs of every size on one scale; on PROTEINS it validated best of the scalings tried
/// (RESULTS.md).
public struct WLSubtreeFeatures: Hashable, Sendable {
    /// Refinement rounds h (0: the node labels' histogram alone).
    public let iterations: Int
    /// Buckets D the colours are folded into.
    public let buckets: Int
    /// Whether the first colours are the node labels (`GraphBatch.nodeLabels`, needed then) or the
    /// feature rows (one-hot rows are categories too; a continuous column makes every node unique).
    public let nodeLabels: Bool
    /// D of `slate gcn train`'s wl family.
    public static let defaultBuckets = 16_384
    /// The rounds `slate gcn train`'s wl family counts by default: 4, the best of 1–4 on PROTEINS'
    /// validation folds (RESULTS.md).
    public static let defaultIterations = 4

    /// Features of `iterations` rounds in `buckets` buckets, first colouring nodes by their labels
    /// (`nodeLabels`) or by their feature rows.
    public init(iterations: Int, buckets: Int = defaultBuckets, nodeLabels: Bool) {
        precondition(iterations >= 0 && buckets >= 1, "WLSubtreeFeatures: need iterations ≥ 0 and buckets ≥ 1, got \(iterations), \(buckets)")
        self.iterations = iterations
        self.buckets = buckets
        self.nodeLabels = nodeLabels
    }

    /// φ for every graph of `batch`: a constant (G, D) sparse matrix, columns ascending in each row.
    public func callAsFunction(_ batch: GraphBatch) -> SparseMatrix {
        let colours = self.colours(batch)                                  // (h + 1) × N
        var rowStart: [Int32] = [0], columns: [Int32] = [], values: [Float] = []
        columns.reserveCapacity(colours.count * batch.nodeCount)
        values.reserveCapacity(colours.count * batch.nodeCount)
        var graphBuckets: [Int32] = []                                      // one graph's, reused
        for g in 0..<batch.graphCount {
            let lo = Int(batch.graphStart[g]), hi = Int(batch.graphStart[g + 1])
            graphBuckets.removeAll(keepingCapacity: true)
            for round in colours {
                for v in lo..<hi { graphBuckets.append(Int32(truncatingIfNeeded: round[v] % UInt64(buckets))) }
            }
            graphBuckets.sort()
            // Runs of equal buckets are the counts; their squares are small integers, so the norm is exact.
            let first = columns.count
            var sumOfSquares: Float = 0, k = 0
            while k < graphBuckets.count {
                var end = k + 1
                while end < graphBuckets.count && graphBuckets[end] == graphBuckets[k] { end += 1 }
                let count = Float(end - k)
                columns.append(graphBuckets[k])
                values.append(count)
                sumOfSquares += count * count
                k = end
            }
            let scale = 1 / sumOfSquares.squareRoot()
            for i in first..<values.count { values[i] *= scale }
            rowStart.append(Int32(columns.count))
        }
        return SparseMatrix(rows: batch.graphCount, cols: buckets, rowStart: rowStart, columns: columns, values: values)
    }

    /// Every node's colour after each round: element t is cᵗ for all N nodes of `batch`.
    public func colours(_ batch: GraphBatch) -> [[UInt64]] {
        precondition(!nodeLabels || batch.nodeLabels != nil, "WLSubtreeFeatures: colours by node labels, and the batch has none")
        var colour: [UInt64] = (0..<batch.nodeCount).map { v in
            if nodeLabels { return mix(0x4C41_4245_4C00_0000, UInt64(bitPattern: Int64(batch.nodeLabels![v]))) }
            let f = batch.featureCount
            return batch.features[(v * f)..<((v + 1) * f)].reduce(0x4645_4154_5552_4500) { mix($0, UInt64($1.bitPattern)) }
        }
        var rounds = [colour]
        var neighbourColours: [UInt64] = []
        for t in stride(from: 1, through: iterations, by: 1) {
            let previous = colour
            for v in 0..<batch.nodeCount {
                neighbourColours.removeAll(keepingCapacity: true)
                for k in Int(batch.rowStart[v])..<Int(batch.rowStart[v + 1]) { neighbourColours.append(previous[Int(batch.neighbours[k])]) }
                insertionSort(&neighbourColours)                          // a few neighbours: no call overhead
                colour[v] = neighbourColours.reduce(mix(UInt64(t), previous[v])) { mix($0, $1) }
            }
            rounds.append(colour)
        }
        return rounds
    }
}

/// Sorts a short array in place (node degrees are small; `sort()`'s generic machinery costs more).
private func insertionSort(_ a: inout [UInt64]) {
    a.withUnsafeMutableBufferPointer { a in
        for i in a.indices.dropFirst() {
            let x = a[i]
            var j = i
            while j > 0 && a[j - 1] > x { a[j] = a[j - 1]; j -= 1 }
            a[j] = x
        }
    }
}

/// Folds `value` into the running hash `state`: SplitMix64's finaliser over their combination,
/// so any change of either input changes all output bits with probability about ½.
private func mix(_ state: UInt64, _ value: UInt64) -> UInt64 {
    var z = state &* 0x9E37_79B9_7F4A_7C15 &+ value &+ 0x6A09_E667_F3BC_C909
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
}

/// The WL-subtree readout of a graph classifier: r = φ(G) W + b, a linear map of the graphs' WL
/// subtree histograms (`WLSubtreeFeatures`) to the readout width.   (G, D) -> (G, out)
/// Parameters: `weight` (D, out), N(0, 1), so that every output has variance ‖φ‖² = 1 at the start
/// (`nn.Linear`'s U(±1/√D) would leave it 1/(3D)); `bias` (out), zeros. φ is sparse, so the product
/// is an SpMM whose backward gives dW = φᵀ · dOut.
public final class WLReadout: Module {
    /// The features read.
    public let features: WLSubtreeFeatures
    /// (D, out)
    public let weight: Tensor
    /// (out)
    public let bias: Tensor
    public var training = true

    /// A readout of `features` to `outputs` columns.
    public init(_ features: WLSubtreeFeatures, outputs: Int, generator: inout RandomGenerator) {
        precondition(outputs >= 1, "WLReadout needs at least one output, got \(outputs)")
        self.features = features
        weight = Tensor.zeros([features.buckets, outputs], requiresGrad: true)
        bias = Tensor.zeros([outputs], requiresGrad: true)
        Init.normal(weight, std: 1, generator: &generator)                  // ‖φ‖ = 1: every output has variance 1
    }

    public var localParameters: [(String, Tensor)] { [("weight", weight), ("bias", bias)] }

    /// (G, out) for the graphs of `batch`.
    public func callAsFunction(_ batch: GraphBatch) -> Tensor {
        spmm(batch.wlSubtreeFeatures(features), weight) + bias
    }
}
