import COpenMPI
import Dispatch
import Foundation

/// The ranks started by Open MPI's `mpirun`, as one `Communicator` over `MPI_COMM_WORLD`.
///
/// MPI is started with `MPI_Init_thread(MPI_THREAD_FUNNELED)`: Slate's worker threads compute,
/// only the thread that created the communicator calls MPI. The local rank and size come from
/// splitting the world by shared memory (`MPI_Comm_split_type` with `MPI_COMM_TYPE_SHARED`).
/// MPI's default error handler stays in place: a failed collective ends the whole job with
/// Open MPI's message rather than leaving the other ranks waiting.
///
/// A rank waiting in a collective yields its core (`mpi_yield_when_idle = 1`) unless the launch
/// sets `OMPI_MCA_mpi_yield_when_idle`: Open MPI otherwise spins unless it counts more ranks than
/// slots, and on a machine shared with other work a spinning rank burns the time slice its
/// partner needs (MUTAG epochs on 2 ranks of a loaded 2-core machine: 75–115 ms spinning, 6–26 ms
/// yielding).
public final class MPICommunicator: Communicator {
    public let rank: Int
    public let size: Int
    public let localRank: Int
    public let localSize: Int
    private let world: MPI_Comm
    private var finalized = false

    /// Starts MPI. Throws when MPI was started already, lacks funneled threading, or when the
    /// process was launched by a launcher this Open MPI cannot join (each rank would then run
    /// alone). If `MPI_Init_thread` has not returned after `initTimeout` seconds, prints why and
    /// exits with status 69 (EX_UNAVAILABLE) instead of hanging.
    public init(initTimeout: Double = 120, environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        var started: Int32 = 0
        MPI_Initialized(&started)
        guard started == 0 else { throw DistributedError.launch("MPI was initialised twice in one process; create one MPICommunicator and share it") }
        let watchdog = DispatchWorkItem {
            FileHandle.standardError.write(Data("Error: MPI did not start within \(Int(initTimeout)) s; check that every host in the hostfile is reachable over ssh and runs the same Open MPI (4.1), or run without mpirun for one process.\n".utf8))
            exit(69)
        }
        DispatchQueue.global().asyncAfter(deadline: .now() + initTimeout, execute: watchdog)
        if environment["OMPI_MCA_mpi_yield_when_idle"] == nil { setenv("OMPI_MCA_mpi_yield_when_idle", "1", 0) }
        var provided: Int32 = 0
        let rc = MPI_Init_thread(nil, nil, Int32(MPI_THREAD_FUNNELED), &provided)
        watchdog.cancel()
        guard rc == MPI_SUCCESS else { throw DistributedError.launch("MPI_Init_thread failed with code \(rc); run under Open MPI's mpirun") }
        world = slate_mpi_comm_world()
        var r: Int32 = 0, n: Int32 = 0
        MPI_Comm_rank(world, &r)
        MPI_Comm_size(world, &n)
        (rank, size) = (Int(r), Int(n))
        var node: MPI_Comm? = nil
        MPI_Comm_split_type(world, Int32(MPI_COMM_TYPE_SHARED), 0, slate_mpi_info_null(), &node)
        MPI_Comm_rank(node, &r)
        MPI_Comm_size(node, &n)
        (localRank, localSize) = (Int(r), Int(n))
        MPI_Comm_free(&node)
        if provided < Int32(MPI_THREAD_FUNNELED) {
            finalize()
            throw DistributedError.launch("this MPI library does not support MPI_THREAD_FUNNELED, which Slate's worker threads need; use Open MPI 4.1 or newer")
        }
        if let expected = Launcher.expectedSize(environment), expected != size {
            finalize()
            throw DistributedError.launch("the launcher started \(expected) processes but MPI sees a world of \(size): this program uses Open MPI, so launch it with Open MPI's mpirun (not MPICH's mpiexec or srun without PMIx)")
        }
    }

    deinit { finalize() }

    public func allreduceSum(_ buffer: UnsafeMutableBufferPointer<Float>) {
        reduce(UnsafeMutableRawBufferPointer(buffer), stride: 4, slate_mpi_float())
    }

    public func allreduceSum(_ buffer: UnsafeMutableBufferPointer<Double>) {
        reduce(UnsafeMutableRawBufferPointer(buffer), stride: 8, slate_mpi_double())
    }

    /// In-place MPI_Allreduce(SUM) in pieces of at most Int32.max elements (MPI counts are int).
    private func reduce(_ bytes: UnsafeMutableRawBufferPointer, stride: Int, _ type: MPI_Datatype) {
        guard size > 1, let base = bytes.baseAddress else { return }
        let count = bytes.count / stride
        var start = 0
        while start < count {
            let n = min(count - start, Int(Int32.max))
            check(MPI_Allreduce(slate_mpi_in_place(), base + start * stride, Int32(n), type, slate_mpi_sum(), world), "MPI_Allreduce")
            start += n
        }
    }

    public func broadcast(_ bytes: UnsafeMutableRawBufferPointer, root: Int) {
        precondition((0..<size).contains(root), "broadcast root \(root) outside 0..<\(size)")
        guard size > 1, let base = bytes.baseAddress else { return }
        var start = 0
        while start < bytes.count {
            let n = min(bytes.count - start, Int(Int32.max))
            check(MPI_Bcast(base + start, Int32(n), slate_mpi_byte(), Int32(root), world), "MPI_Bcast")
            start += n
        }
    }

    public func allgather(_ value: UInt64) -> [UInt64] {
        var mine = value
        var all = [UInt64](repeating: 0, count: size)
        all.withUnsafeMutableBufferPointer { out in
            check(MPI_Allgather(&mine, 1, slate_mpi_uint64(), out.baseAddress, 1, slate_mpi_uint64(), world), "MPI_Allgather")
        }
        return all
    }

    public func barrier() { check(MPI_Barrier(world), "MPI_Barrier") }

    public func abort(exitCode: Int32) -> Never {
        MPI_Abort(world, exitCode)
        exit(exitCode)
    }

    public func finalize() {
        guard !finalized else { return }
        finalized = true
        MPI_Finalize()
    }

    /// MPI's default handler ends the job on an error; this catches a library set otherwise.
    private func check(_ rc: Int32, _ call: String) {
        if rc != MPI_SUCCESS {
            FileHandle.standardError.write(Data("Error: \(call) failed on rank \(rank) with MPI error \(rc).\n".utf8))
            abort(exitCode: 70)
        }
    }
}
