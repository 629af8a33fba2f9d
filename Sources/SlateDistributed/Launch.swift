import Foundation
import Slate

/// What went wrong starting or checking a distributed run; the message says what to do.
public enum DistributedError: Error, CustomStringConvertible {
    /// MPI could not start, or the launcher and the library disagree.
    case launch(String)
    /// The ranks disagree (configuration, replica weights).
    case mismatch(String)

    public var description: String {
        switch self {
        case let .launch(m), let .mismatch(m): return m
        }
    }
}

/// How this process was started: by an MPI launcher, or on its own.
public enum Launcher {
    /// Variables a launcher sets in every process it starts: Open MPI's mpirun, PMIx launchers
    /// (srun --mpi=pmix, prterun) and MPICH's Hydra / PMI-1 launchers.
    static let rankVariables = ["OMPI_COMM_WORLD_RANK", "PMIX_RANK", "PMI_RANK"]
    static let sizeVariables = ["OMPI_COMM_WORLD_SIZE", "PMI_SIZE"]

    /// True when a launcher started this process (so MPI must be initialised to join the others).
    public static func isPresent(_ environment: [String: String]) -> Bool {
        rankVariables.contains { environment[$0] != nil }
    }

    /// The number of processes the launcher says it started, when it says so.
    public static func expectedSize(_ environment: [String: String]) -> Int? {
        for name in sizeVariables { if let v = environment[name].flatMap(Int.init) { return v } }
        return nil
    }
}

extension Communicator {
    /// Threads per rank when `--threads` is not given: the node's cores split evenly over the
    /// ranks on the node, at least one. (The node's cores, not the process's affinity mask:
    /// mpirun binds each rank to one core by default; launch with `--bind-to none`.)
    public var defaultThreads: Int { max(1, nodeCores() / localSize) }
}

/// Online processors of this machine, ignoring the process's CPU affinity.
func nodeCores() -> Int { max(1, sysconf(Int32(_SC_NPROCESSORS_ONLN))) }

/// Starting a distributed run.
public enum Distributed {
    /// The communicator for this process: MPI when a launcher started it, otherwise one process
    /// (so `--distributed` without `mpirun` is a plain run). Sets `Threads.count` to
    /// `threads`, else to `SLATE_NUM_THREADS` if set, else to the rank's share of the node's cores.
    public static func start(threads: Int?, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> Communicator {
        let comm: Communicator = Launcher.isPresent(environment) ? try MPICommunicator(environment: environment) : SingleProcessCommunicator()
        if let threads {
            Threads.count = threads
        } else if environment["SLATE_NUM_THREADS"] == nil {
            Threads.count = comm.size == 1 ? Threads.cores : comm.defaultThreads
        }
        return comm
    }

    /// Throws unless every rank passes the same `configuration` text (compared by a 64-bit hash),
    /// naming the ranks that differ from rank 0.
    public static func checkSameConfiguration(_ configuration: String, _ comm: Communicator) throws {
        let hashes = comm.allgather(fnv1a(configuration.utf8))
        let odd = hashes.indices.filter { hashes[$0] != hashes[0] }
        guard odd.isEmpty else {
            throw DistributedError.mismatch("\(ranks(odd)) resolved a different configuration from rank 0 (flags, run file or data differ between hosts); launch every rank with the same arguments and the same files")
        }
    }
}

/// "rank 3" or "ranks 1, 2".
func ranks(_ list: [Int]) -> String {
    (list.count == 1 ? "rank " : "ranks ") + list.map(String.init).joined(separator: ", ")
}

/// 64-bit FNV-1a of a byte sequence: a stable hash (Swift's `Hasher` is seeded per process).
func fnv1a<S: Sequence>(_ bytes: S, into hash: UInt64 = 0xcbf2_9ce4_8422_2325) -> UInt64 where S.Element == UInt8 {
    var h = hash
    for b in bytes { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01b3 }
    return h
}
