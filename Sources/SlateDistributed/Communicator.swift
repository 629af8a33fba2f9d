import Foundation
import Slate

/// A group of processes (ranks) that train one model together: collective operations over
/// buffers, in the vocabulary of MPI.
///
/// Every collective must be called by every rank of the group, in the same order, with buffers
/// of the same length; otherwise the group waits forever (MPI's rule, kept by the one-process
/// implementation trivially). `SingleProcessCommunicator` is a group of one; `MPICommunicator`
/// runs over Open MPI under `mpirun`.
public protocol Communicator: AnyObject {
    /// This process's index in `0..<size`.
    var rank: Int { get }
    /// The number of ranks.
    var size: Int { get }
    /// This process's index among the ranks on the same machine.
    var localRank: Int { get }
    /// The number of ranks on this machine.
    var localSize: Int { get }
    /// In-place sum over the ranks: afterwards every rank holds x_i = Σ_r x_i^(r).
    func allreduceSum(_ buffer: UnsafeMutableBufferPointer<Float>)
    /// In-place sum over the ranks, in double precision.
    func allreduceSum(_ buffer: UnsafeMutableBufferPointer<Double>)
    /// Copies `root`'s bytes into the same buffer on every other rank.
    func broadcast(_ bytes: UnsafeMutableRawBufferPointer, root: Int)
    /// Every rank's `value`, in rank order.
    func allgather(_ value: UInt64) -> [UInt64]
    /// Returns once every rank has called it.
    func barrier()
    /// Ends every rank of the group with `exitCode` (after an error on one rank, so that the
    /// others do not wait for it forever).
    func abort(exitCode: Int32) -> Never
    /// Leaves the group; call once, last. No collective may follow.
    func finalize()
}

extension Communicator {
    /// In-place mean over the ranks: x_i = (1/N) Σ_r x_i^(r).
    public func average(_ buffer: UnsafeMutableBufferPointer<Float>) {
        guard size > 1 else { return }
        allreduceSum(buffer)
        let scale = 1 / Float(size)
        for i in buffer.indices { buffer[i] *= scale }
    }

    /// In-place sum of a tensor's elements over the ranks.
    public func allreduceSum(_ tensor: Tensor) { allreduceSum(tensor.data) }

    /// In-place mean of a tensor's elements over the ranks.
    public func average(_ tensor: Tensor) { average(tensor.data) }

    /// The mean over the ranks of each value (double precision).
    public func average(_ values: [Double]) -> [Double] {
        guard size > 1 else { return values }
        var v = values
        v.withUnsafeMutableBufferPointer { allreduceSum($0) }
        return v.map { $0 / Double(size) }
    }

    /// Copies `root`'s elements of `tensor` into the same tensor on every other rank.
    public func broadcast(_ tensor: Tensor, root: Int = 0) {
        broadcast(UnsafeMutableRawBufferPointer(tensor.data), root: root)
    }

    /// Every rank's `value`, in rank order (e.g. a metric to report from rank 0).
    public func allgather(_ value: Double) -> [Double] {
        allgather(value.bitPattern).map(Double.init(bitPattern:))
    }

    /// Every rank's `bytes`, in rank order; the lengths may differ. One allgather of the lengths,
    /// then one broadcast from each rank: meant for small messages (episodes, environment states).
    public func allgather(bytes: [UInt8]) -> [[UInt8]] {
        guard size > 1 else { return [bytes] }
        let lengths = allgather(UInt64(bytes.count)).map { Int($0) }
        return lengths.enumerated().map { root, length in
            var part = root == rank ? bytes : [UInt8](repeating: 0, count: length)
            part.withUnsafeMutableBytes { broadcast($0, root: root) }
            return part
        }
    }
}

/// A group of one process: every collective returns at once and leaves the data as it is, so a
/// run with it is bit-identical to a run without distribution.
public final class SingleProcessCommunicator: Communicator {
    public init() {}
    public var rank: Int { 0 }
    public var size: Int { 1 }
    public var localRank: Int { 0 }
    public var localSize: Int { 1 }
    public func allreduceSum(_ buffer: UnsafeMutableBufferPointer<Float>) {}
    public func allreduceSum(_ buffer: UnsafeMutableBufferPointer<Double>) {}
    public func broadcast(_ bytes: UnsafeMutableRawBufferPointer, root: Int) {
        precondition(root == 0, "broadcast root \(root) in a group of one")
    }
    public func allgather(_ value: UInt64) -> [UInt64] { [value] }
    public func barrier() {}
    public func abort(exitCode: Int32) -> Never { exit(exitCode) }
    public func finalize() {}
}
