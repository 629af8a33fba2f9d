import Foundation
import XCTest
import Slate
@testable import SlateDistributed

/// A rank 0 whose "other ranks" are simulated: each allreduce adds `peerValue(i)` once per peer,
/// allgathers return `peerHashes` for the peers. Counts calls, so tests can see one fused
/// allreduce per step.
final class SimulatedPeers: Communicator {
    let size: Int
    var rank: Int { 0 }
    var localRank: Int { 0 }
    let localSize: Int
    var peerValue: (Int) -> Float = { _ in 0 }
    var peerHashes: [UInt64]? = nil
    private(set) var allreduceLengths: [Int] = []

    init(size: Int, localSize: Int? = nil) { self.size = size; self.localSize = localSize ?? size }
    func allreduceSum(_ buffer: UnsafeMutableBufferPointer<Float>) {
        allreduceLengths.append(buffer.count)
        for i in buffer.indices { buffer[i] += Float(size - 1) * peerValue(i) }
    }
    func allreduceSum(_ buffer: UnsafeMutableBufferPointer<Double>) {}
    func broadcast(_ bytes: UnsafeMutableRawBufferPointer, root: Int) {}
    func allgather(_ value: UInt64) -> [UInt64] { [value] + (peerHashes ?? Array(repeating: value, count: size - 1)) }
    func barrier() {}
    func abort(exitCode: Int32) -> Never { fatalError("abort \(exitCode)") }
    func finalize() {}
}

final class SingleProcessTests: XCTestCase {
    func testOneProcessCollectivesLeaveDataAsItIs() {
        let c = SingleProcessCommunicator()
        XCTAssertEqual([c.rank, c.size, c.localRank, c.localSize], [0, 1, 0, 1])
        let t = Tensor([1.5, -2, .pi])
        let bits = t.toArray().map(\.bitPattern)
        c.allreduceSum(t)
        c.average(t)
        c.broadcast(t)
        XCTAssertEqual(t.toArray().map(\.bitPattern), bits)
        XCTAssertEqual(c.allgather(UInt64(42)), [42])
        XCTAssertEqual(c.allgather(0.25), [0.25])
        XCTAssertEqual(c.average([3.0, -1]), [3.0, -1])
    }

    func testLauncherDetectionFromTheEnvironment() {
        XCTAssertFalse(Launcher.isPresent([:]))
        XCTAssertFalse(Launcher.isPresent(["PATH": "/bin", "OMPI_MCA_btl": "tcp"]))
        XCTAssertTrue(Launcher.isPresent(["OMPI_COMM_WORLD_RANK": "1", "OMPI_COMM_WORLD_SIZE": "4"]))
        XCTAssertTrue(Launcher.isPresent(["PMIX_RANK": "0"]))
        XCTAssertTrue(Launcher.isPresent(["PMI_RANK": "0", "PMI_SIZE": "2"]))
        XCTAssertEqual(Launcher.expectedSize(["OMPI_COMM_WORLD_SIZE": "4"]), 4)
        XCTAssertEqual(Launcher.expectedSize(["PMI_SIZE": "2"]), 2)
        XCTAssertNil(Launcher.expectedSize(["PMIX_RANK": "0"]))
    }

    func testStartWithoutLauncherIsOneProcessAndSetsThreads() throws {
        let saved = Threads.count
        defer { Threads.count = saved }
        let c = try Distributed.start(threads: 3, environment: [:])
        XCTAssertTrue(c is SingleProcessCommunicator)
        XCTAssertEqual(Threads.count, 3)
        _ = try Distributed.start(threads: nil, environment: [:])
        XCTAssertEqual(Threads.count, Threads.cores)
        Threads.count = 2
        _ = try Distributed.start(threads: nil, environment: ["SLATE_NUM_THREADS": "2"])
        XCTAssertEqual(Threads.count, 2, "SLATE_NUM_THREADS is left in charge")
    }

    func testDefaultThreadsSplitTheNodeOverItsRanks() {
        let cores = nodeCores()
        XCTAssertEqual(SimulatedPeers(size: 8, localSize: 1).defaultThreads, cores)
        XCTAssertEqual(SimulatedPeers(size: 8, localSize: 2).defaultThreads, max(1, cores / 2))
        XCTAssertEqual(SimulatedPeers(size: 64, localSize: 64).defaultThreads, max(1, cores / 64))
        XCTAssertGreaterThanOrEqual(SimulatedPeers(size: 1000, localSize: 1000).defaultThreads, 1)
    }

    func testShardTakesThisRanksRows() {
        let global = Array(0..<24)                                   // N=3 ranks × B=2 rows × T=4
        let dp = { (r: Int) in DataParallel(rank: r, count: 3, averageGradients: { _ in }, averageValues: { $0 }, gatherBytes: { [$0] }) }
        XCTAssertEqual(dp(0).shard(global, shardLength: 8), Array(0..<8))
        XCTAssertEqual(dp(1).shard(global, shardLength: 8), Array(8..<16))
        XCTAssertEqual(dp(2).shard(global, shardLength: 8), Array(16..<24))
        XCTAssertEqual(DataParallel.single.shard(global, shardLength: 8), global)
        // Two micro-batches (gradient accumulation): rank r's shard of each group of N·B rows.
        let twoGroups = Array(0..<48)
        XCTAssertEqual(dp(1).shard(twoGroups, shardLength: 8), Array(8..<16) + Array(32..<40))
        XCTAssertEqual(dp(2).shard(twoGroups, shardLength: 8), Array(16..<24) + Array(40..<48))
    }

    func testGradientAverageIsOneFusedAllreduceScaledByOneOverN() {
        let peers = SimulatedPeers(size: 4)
        peers.peerValue = { Float($0) }                              // peer r holds g_i = i everywhere
        let ps = [Tensor.zeros([2, 3]), Tensor.zeros([4]), Tensor.zeros([1])]
        let averager = GradientAverager(peers)
        for step in 0..<3 {
            ps[0].grad = Tensor([Float](repeating: 8, count: 6), shape: [2, 3])
            ps[1].grad = Tensor([1, 2, 3, 4])
            ps[2].grad = nil                                         // unused this step: zeros
            averager.average(ps)
            // mean = (mine + 3·i) / 4 at flat index i (0..<6 for ps[0], 6..<10 for ps[1], 10 for ps[2])
            XCTAssertEqual(ps[0].grad!.toArray(), (0..<6).map { (8 + 3 * Float($0)) / 4 }, "step \(step)")
            XCTAssertEqual(ps[1].grad!.toArray(), (0..<4).map { (Float($0 + 1) + 3 * Float($0 + 6)) / 4 })
            XCTAssertEqual(ps[2].grad!.toArray(), [Float(3 * 10) / 4])
        }
        XCTAssertEqual(peers.allreduceLengths, [11, 11, 11], "one allreduce of all 11 elements per step")
        XCTAssertGreaterThanOrEqual(averager.lastAllreduceMilliseconds, 0)
    }

    func testGradientAverageDoesNothingOnOneRank() {
        let p = Tensor.zeros([3])
        p.grad = Tensor([0.1, 0.2, 0.3])
        let bits = p.grad!.toArray().map(\.bitPattern)
        GradientAverager(SingleProcessCommunicator()).average([p])
        XCTAssertEqual(p.grad!.toArray().map(\.bitPattern), bits)
    }

    func testChecksumSeesOneFlippedBit() {
        let a = [Tensor([1, 2, 3]), Tensor([4, 5])]
        let b = a.map { $0.copy() }
        XCTAssertEqual(Replicas.checksum(a), Replicas.checksum(b))
        b[1].data[1] = Float(bitPattern: b[1].data[1].bitPattern ^ 1)
        XCTAssertNotEqual(Replicas.checksum(a), Replicas.checksum(b))
        // Same values, split differently between tensors, would hash the same; order matters.
        XCTAssertNotEqual(Replicas.checksum(a), Replicas.checksum(a.reversed()))
    }

    func testMismatchesNameTheOddRanks() {
        let peers = SimulatedPeers(size: 4)
        let w = [Tensor([1, 2])]
        XCTAssertNoThrow(try Replicas.verify(w, peers, when: "now"))
        XCTAssertNoThrow(try Distributed.checkSameConfiguration("lr=1", peers))
        let mine = Replicas.checksum(w)
        peers.peerHashes = [mine, mine &+ 1, mine &+ 2]
        XCTAssertThrowsError(try Replicas.verify(w, peers, when: "after the start-up broadcast")) {
            XCTAssertEqual("\($0)", "the model on ranks 2, 3 differs from rank 0's after the start-up broadcast; the ranks ran different code or data (same binary and files on every host?)")
        }
        peers.peerHashes = [0, fnv1a("lr=1".utf8), fnv1a("lr=1".utf8)]
        XCTAssertThrowsError(try Distributed.checkSameConfiguration("lr=1", peers)) {
            XCTAssertTrue("\($0)".hasPrefix("rank 1 resolved a different configuration from rank 0"), "\($0)")
        }
    }

    func testFNV1aMatchesPublishedVectors() {
        // Test vectors of the FNV reference (draft-eastlake-fnv): "" and "a", 64-bit FNV-1a.
        XCTAssertEqual(fnv1a("".utf8), 0xcbf2_9ce4_8422_2325)
        XCTAssertEqual(fnv1a("a".utf8), 0xaf63_dc4c_8601_ec8c)
        XCTAssertEqual(fnv1a("foobar".utf8), 0x8594_4171_f739_67e8)
    }
}
