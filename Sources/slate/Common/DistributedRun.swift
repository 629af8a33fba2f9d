import Foundation
import Slate
import SlateDistributed

/// The start and end of every `--distributed` trainer: the CLI side of SlateDistributed. No
/// math: sharding and averaging live in each trainer's `DataParallel` hook.
enum DistributedRun {
    /// The communicator for `--distributed` (MPI under mpirun, else one process) with its thread
    /// count set, or nil for a plain run (threads set from `--threads`).
    static func start(_ distributed: Bool, _ common: RunOptions) throws -> Communicator? {
        let comm = distributed ? try Distributed.start(threads: common.threading.threads) : nil
        if comm == nil { common.applyThreads() }
        return comm
    }

    /// Joins a rank to the others: checks that every rank resolved the same `configuration`, copies
    /// rank 0's `parameters` to all (fresh, loaded or resumed) and checks the replicas are
    /// bit-identical.
    static func join(_ comm: Communicator, configuration: String, parameters: [Tensor]) throws {
        try Distributed.checkSameConfiguration(configuration, comm)
        Replicas.broadcast(parameters, comm)
        try Replicas.verify(parameters, comm, when: "after the start-up broadcast")
    }

    /// Runs `body` and leaves MPI; an error on any rank of several ends them all (after printing
    /// it with the rank), so that no rank waits forever for one that has stopped.
    static func run(_ comm: Communicator?, _ body: () throws -> Void) throws {
        guard let comm, comm.size > 1 else {
            defer { comm?.finalize() }
            return try body()
        }
        do { try body() } catch {
            let (message, status) = report(for: error)
            FileHandle.standardError.write(Data("Error: rank \(comm.rank): \(message)\n".utf8))
            comm.abort(exitCode: status.rawValue)
        }
        comm.finalize()
    }
}
