/// How a trainer cooperates with copies of itself in data-parallel training.
///
/// N replicas hold the same parameters. At every step each one draws the whole global batch of
/// N·B rows from the same seeded stream and trains on its own rows r·B ..< (r+1)·B; after the
/// backward pass the gradients are averaged, g = (1/N) Σ_r g_r, so every replica takes the same
/// optimizer step as one process on all N·B rows would (up to the order of float sums). The
/// engine knows nothing of how the averaging travels: `SlateDistributed` builds this value from a
/// communicator (one process or MPI). The default, `.single`, is one process and changes nothing.
public struct DataParallel {
    /// This replica's index r in `0..<count`; replica 0 alone prints and writes files.
    public let rank: Int
    /// The number of replicas N.
    public let count: Int
    /// Replaces each parameter's gradient by its mean over the replicas, in place.
    public let averageGradients: ([Tensor]) -> Void
    /// The mean over the replicas of each value (losses and other figures to report).
    public let averageValues: ([Double]) -> [Double]
    /// Every replica's bytes, in replica order (lengths may differ): what each replica alone
    /// knows, such as its episodes or its environments' state, gathered for logs and checkpoints.
    public let gatherBytes: ([UInt8]) -> [[UInt8]]

    /// A replica `rank` of `count`, averaging and gathering through the closures.
    public init(rank: Int, count: Int, averageGradients: @escaping ([Tensor]) -> Void,
                averageValues: @escaping ([Double]) -> [Double],
                gatherBytes: @escaping ([UInt8]) -> [[UInt8]]) {
        precondition(count >= 1 && (0..<count).contains(rank), "replica \(rank) of \(count)")
        self.rank = rank
        self.count = count
        self.averageGradients = averageGradients
        self.averageValues = averageValues
        self.gatherBytes = gatherBytes
    }

    /// One process: nothing to average or gather.
    public static var single: DataParallel {
        DataParallel(rank: 0, count: 1, averageGradients: { _ in }, averageValues: { $0 }, gatherBytes: { [$0] })
    }

    /// Every replica's `values`, in replica order (lengths may differ), bit for bit.
    public func gather(_ values: [Double]) -> [[Double]] {
        guard count > 1 else { return [values] }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(values.count * 8)
        for v in values { withUnsafeBytes(of: v.bitPattern.littleEndian) { bytes.append(contentsOf: $0) } }
        return gatherBytes(bytes).map { part in
            stride(from: 0, to: part.count, by: 8).map { start in
                Double(bitPattern: part[start..<(start + 8)].reversed().reduce(0) { $0 << 8 | UInt64($1) })   // little-endian
            }
        }
    }

    /// True on the replica that prints progress and writes outputs and checkpoints.
    public var isWriter: Bool { rank == 0 }

    /// This replica's part of a global batch made of consecutive groups of `count` shards of
    /// `shardLength` elements each (one group per micro-batch): shard r of every group, in order.
    /// With one group of B rows of length T per replica, that is rows r·B ..< (r+1)·B. One replica
    /// gets the batch unchanged.
    public func shard<T>(_ global: [T], shardLength: Int) -> [T] {
        guard count > 1 else { return global }
        let group = shardLength * count                 // (A·N·B·T) -> A groups of (N·B·T)
        precondition(shardLength > 0 && global.count % group == 0,
                     "a global batch of \(global.count) elements does not split into groups of \(count) shards of \(shardLength)")
        var mine: [T] = []
        mine.reserveCapacity(global.count / count)
        for start in stride(from: rank * shardLength, to: global.count, by: group) {
            mine.append(contentsOf: global[start..<(start + shardLength)])   // (A·B·T)
        }
        return mine
    }
}
