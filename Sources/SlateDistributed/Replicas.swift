import Foundation
import Slate

/// Averages the gradients of a list of parameters over the ranks with one fused in-place
/// allreduce: copy every gradient into one flat buffer, sum it over the ranks, scale by 1/N while
/// copying back. The flat buffer is allocated once and reused at every step.
///
/// A parameter without a gradient (unused in this step) counts as zeros and receives the mean.
public final class GradientAverager {
    public let communicator: Communicator
    /// Milliseconds the last allreduce took (communication only, not the copies).
    public private(set) var lastAllreduceMilliseconds = 0.0
    private var flat = UnsafeMutableBufferPointer<Float>.allocate(capacity: 0)
    private var layout: [ObjectIdentifier] = []

    public init(_ communicator: Communicator) { self.communicator = communicator }
    deinit { flat.deallocate() }

    /// Replaces each parameter's gradient by its mean over the ranks (nothing with one rank).
    public func average(_ parameters: [Tensor]) {
        guard communicator.size > 1 else { return }
        let ids = parameters.map(ObjectIdentifier.init)
        if ids != layout {
            precondition(Set(ids).count == ids.count, "a parameter is listed twice; its gradient would be averaged twice")
            layout = ids
            flat.deallocate()
            flat = .allocate(capacity: parameters.reduce(0) { $0 + $1.count })
        }
        var offset = 0
        for p in parameters {                                     // gradients -> flat
            if let g = p.grad { (flat.baseAddress! + offset).update(from: g.pointer, count: p.count) }
            else { (flat.baseAddress! + offset).update(repeating: 0, count: p.count) }
            offset += p.count
        }
        let t0 = DispatchTime.now().uptimeNanoseconds
        communicator.allreduceSum(flat)
        lastAllreduceMilliseconds = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e6
        let scale = 1 / Float(communicator.size)
        offset = 0
        for p in parameters {                                     // flat / N -> gradients
            if p.grad == nil { p.grad = Tensor(uninitialized: p.shape) }
            let src = flat.baseAddress! + offset, dst = p.grad!.pointer
            for i in 0..<p.count { dst[i] = src[i] * scale }
            offset += p.count
        }
    }
}

/// Keeping the replicas of a model identical across ranks.
public enum Replicas {
    /// Copies rank `root`'s parameter values to every rank (start-up, after loading or resuming).
    public static func broadcast(_ parameters: [Tensor], from root: Int = 0, _ comm: Communicator) {
        for p in parameters { comm.broadcast(p, root: root) }
    }

    /// A 64-bit FNV-1a hash of the parameters' bit patterns, in order: equal iff bit-identical
    /// (up to hash collisions).
    public static func checksum(_ parameters: [Tensor]) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for p in parameters {
            h = fnv1a(UnsafeRawBufferPointer(p.data), into: h)
        }
        return h
    }

    /// Throws unless every rank's parameters are bit-identical to rank 0's; `when` names the moment.
    public static func verify(_ parameters: [Tensor], _ comm: Communicator, when: String) throws {
        let sums = comm.allgather(checksum(parameters))
        let odd = sums.indices.filter { sums[$0] != sums[0] }
        guard odd.isEmpty else {
            throw DistributedError.mismatch("the model on \(ranks(odd)) differs from rank 0's \(when); the ranks ran different code or data (same binary and files on every host?)")
        }
    }
}

extension DataParallel {
    /// Data parallelism over `comm`: gradients averaged by `averager` (one fused allreduce),
    /// reported values averaged in double precision, bytes gathered by `allgather(bytes:)`.
    public init(_ comm: Communicator, averager: GradientAverager) {
        self.init(rank: comm.rank, count: comm.size,
                  averageGradients: { averager.average($0) },
                  averageValues: { comm.average($0) },
                  gatherBytes: { comm.allgather(bytes: $0) })
    }
}
