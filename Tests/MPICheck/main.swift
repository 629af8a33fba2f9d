// slate-mpi-check: the multi-rank tests, run by scripts/test-mpi.sh under
//   mpirun --allow-run-as-root --oversubscribe -np N slate-mpi-check <check>
// Every rank asserts; any failed check prints "FAIL ..." and ends the whole job with exit 1.
//
//   collectives  sums, averages, broadcasts, allgathers, the fused gradient average, replica and
//                configuration checks, local rank and thread defaults
//   gpt-sgd      N ranks × B rows equal one process × N·B rows after 10 SGD steps on a tiny GPT
//                (max |Δw| ≤ 1e-5), replicas bit-identical
//   gpt-adamw    the same through GPTTrainer (AdamW, clipping, schedule); prints max |Δw|
//   compare A B TOL   (one process) two GPT checkpoints hold the same tensors within TOL
//   allreduce-bench [FLOATS] [REPS]   median and best ms of one in-place allreduce (after a barrier)
import Foundation
import Slate
import SlateDistributed
import SlateGPT

let comm: Communicator
do { comm = try Distributed.start(threads: 1) } catch {
    print("FAIL: \(error)")
    exit(1)
}
let (rank, size) = (comm.rank, comm.size)

@MainActor func expect(_ ok: Bool, _ what: @autoclosure () -> String) {
    guard !ok else { return }
    print("FAIL rank \(rank)/\(size): \(what())")
    fflush(nil)
    comm.abort(exitCode: 1)
}

@MainActor func collectives() {
    // Sum over ranks of (r + 1)·(i mod 7): (i mod 7)·N(N+1)/2 — exact in Float at these sizes.
    // An odd length that fills no SIMD width or chunk evenly.
    let n = 1_000_003
    let tri = Float(size * (size + 1) / 2)
    var x = (0..<n).map { Float(rank + 1) * Float($0 % 7) }
    x.withUnsafeMutableBufferPointer { comm.allreduceSum($0) }
    expect((0..<n).allSatisfy { x[$0] == Float($0 % 7) * tri }, "Float allreduce sum")
    var d = [Double(rank), 1e-300 * Double(rank + 1)]
    d.withUnsafeMutableBufferPointer { comm.allreduceSum($0) }
    expect(d[0] == Double(size * (size - 1) / 2) && abs(d[1] / (1e-300 * Double(tri)) - 1) < 1e-12, "Double allreduce sum \(d)")
    let avg = Tensor((0..<5).map { Float(rank) + Float($0) })
    comm.average(avg)
    let meanRank = Float(size - 1) / 2
    expect(avg.toArray() == (0..<5).map { meanRank + Float($0) }, "average of a tensor: \(avg.toArray())")
    expect(comm.average([Double(rank)]) == [Double(size - 1) / 2], "average of values")

    // Broadcast from the last rank: everyone ends with its values.
    let root = size - 1
    let b = Tensor((0..<1000).map { Float(rank * 1000 + $0) })
    comm.broadcast(b, root: root)
    expect(b.toArray() == (0..<1000).map { Float(root * 1000 + $0) }, "broadcast from rank \(root)")

    expect(comm.allgather(UInt64(rank) * 0x1_0000_0001) == (0..<size).map { UInt64($0) * 0x1_0000_0001 }, "allgather UInt64")
    expect(comm.allgather(Double(rank) + 0.25) == (0..<size).map { Double($0) + 0.25 }, "allgather Double")
    comm.barrier()

    // Fused gradient average: three parameters, one without a gradient on every rank.
    let ps = [Tensor.zeros([3, 4]), Tensor.zeros([7]), Tensor.zeros([2])]
    ps[0].grad = Tensor((0..<12).map { Float(rank) * Float($0) }, shape: [3, 4])
    ps[1].grad = Tensor([Float](repeating: Float(rank + 1), count: 7))
    let averager = GradientAverager(comm)
    for _ in 0..<2 {                                        // the second call reuses the buffer
        averager.average(ps)
        expect(ps[0].grad!.toArray() == (0..<12).map { meanRank * Float($0) }, "averaged gradient 0")
        expect(ps[1].grad!.toArray().allSatisfy { abs($0 - (meanRank + 1)) < 1e-6 }, "averaged gradient 1")
        expect((ps[2].grad?.toArray() ?? [0, 0]) == [0, 0], "a missing gradient averages as zeros")
    }

    // Replicas: different on each rank, equal after the broadcast from rank 0.
    let w = [Tensor([Float(rank), 1, 2])]
    if size > 1 {
        var threw = false
        do { try Replicas.verify(w, comm, when: "before the broadcast") } catch { threw = true }
        expect(threw, "differing replicas must be reported")
        threw = false
        do { try Distributed.checkSameConfiguration("lr=\(rank == 0 ? 1 : 2)", comm) } catch { threw = true }
        expect(threw, "a differing configuration must be reported")
    }
    Replicas.broadcast(w, comm)
    do { try Replicas.verify(w, comm, when: "after the broadcast") } catch { expect(false, "\(error)") }
    do { try Distributed.checkSameConfiguration("lr=1", comm) } catch { expect(false, "\(error)") }

    // One machine: every rank is local; threads default to the node's cores split over them.
    expect(comm.localSize == size && comm.localRank == rank, "local rank \(comm.localRank) of \(comm.localSize)")
    let cores = Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))
    expect(comm.defaultThreads == max(1, cores / size), "default threads \(comm.defaultThreads) for \(cores) cores")
    if rank == 0 { print("collectives OK on \(size) ranks") }
}

/// A deterministic text of a few thousand characters (no data files needed).
@MainActor func corpus() -> String {
    var g = TorchGenerator(seed: 7)
    let words = ["the ", "king ", "and ", "queen ", "of ", "rome ", "speak ", "now.\n", "O, ", "my ", "lord, "]
    return (0..<1500).map { _ in words[g.nextInt(words.count)] }.joined()
}

let tiny = GPTConfig(nLayer: 2, nHead: 2, nEmbd: 32, blockSize: 16, vocabSize: 1)
let steps = 10, rows = 2

/// Max |a − b| over every parameter.
@MainActor func compare(_ a: GPT, _ b: GPT) -> Float {
    var worst: Float = 0
    for ((_, x), (_, y)) in zip(a.namedParameters(), b.namedParameters()) {
        for i in 0..<x.count { worst = max(worst, abs(x.data[i] - y.data[i])) }
    }
    return worst
}

@MainActor func gptSGD() throws {
    let data = try TextDataset(text: corpus(), blockSize: tiny.blockSize)
    var cfg = tiny
    cfg.vocabSize = data.tokenizer.count
    func train(_ dp: DataParallel) throws -> GPT {
        var g = TorchGenerator(seed: 1337)
        let model = try GPT(cfg, generator: &g)
        Replicas.broadcast(model.parameters(), comm)
        let sgd = SGD(model.parameters(), learningRate: 0.1)
        for _ in 0..<steps {
            let (x, y) = data.batch(.train, batchSize: rows * size, blockSize: cfg.blockSize, generator: &g)  // (N·B·T)
            let loss = model.loss(dp.shard(x, shardLength: rows * cfg.blockSize), targets: dp.shard(y, shardLength: rows * cfg.blockSize), batch: rows * size / dp.count)
            loss.backward()
            dp.averageGradients(model.parameters())
            sgd.step()
            sgd.zeroGrad()
        }
        return model
    }
    let averager = GradientAverager(comm)
    let distributed = try train(DataParallel(comm, averager: averager))
    let single = try train(.single)
    var g = TorchGenerator(seed: 1337)
    let initial = try GPT(cfg, generator: &g)
    let diff = compare(distributed, single), moved = compare(distributed, initial)
    try Replicas.verify(distributed.parameters(), comm, when: "after \(steps) SGD steps")
    if rank == 0 { print(String(format: "gpt-sgd: %d ranks × %d rows vs 1 × %d rows, %d steps: max |Δw| %.3g (weights moved up to %.3g); replicas bit-identical", size, rows, rows * size, steps, diff, moved)) }
    expect(diff <= 1e-5, "SGD: max |Δw| \(diff) > 1e-5")
    expect(moved > 1e-2, "SGD did not train (max move \(moved))")
}

@MainActor func gptAdamW() throws {
    let data = try TextDataset(text: corpus(), blockSize: tiny.blockSize)
    var c = GPTTrainingConfig()
    (c.nLayer, c.nHead, c.nEmbd, c.blockSize) = (tiny.nLayer, tiny.nHead, tiny.nEmbd, tiny.blockSize)
    (c.learningRate, c.warmupIters, c.maxIters, c.evalIters) = (1e-2, 0, steps, 1)
    let out = NSTemporaryDirectory() + "slate-mpi-check-\(getpid())"
    c.batchSize = rows
    let distributed = try GPTTrainer(config: c, dataset: data, outputDirectory: out)
    distributed.dataParallel = DataParallel(comm, averager: GradientAverager(comm))
    c.batchSize = rows * size
    let single = try GPTTrainer(config: c, dataset: data, outputDirectory: out)
    for it in 0..<steps {
        let a = try distributed.step(it), b = try single.step(it)
        expect(abs(a - b) < 1e-4, "step \(it): loss averaged over ranks \(a) vs one process \(b)")
    }
    try Replicas.verify(distributed.model.parameters(), comm, when: "after \(steps) AdamW steps")
    let diff = compare(distributed.model, single.model)
    if rank == 0 { print(String(format: "gpt-adamw: %d ranks × %d rows vs 1 × %d rows, %d GPTTrainer steps (AdamW, lr 1e-2, clip 1): max |Δw| %.3g; replicas bit-identical", size, rows, rows * size, steps, diff)) }
    expect(diff <= 1e-3, "AdamW: max |Δw| \(diff) > 1e-3")
}

/// Compares two checkpoint files tensor by tensor; fails beyond `tolerance`.
@MainActor func compareFiles(_ args: [String]) throws {
    guard args.count == 3, let tolerance = Float(args[2]) else { return expect(false, "usage: compare A.safetensors B.safetensors TOLERANCE") }
    let (a, b) = (try SafetensorsFile.read(args[0]), try SafetensorsFile.read(args[1]))
    expect(a.tensors.map(\.name) == b.tensors.map(\.name), "the files hold different tensors")
    var worst: Float = 0
    for (x, y) in zip(a.tensors, b.tensors) {
        expect(x.tensor.shape == y.tensor.shape, "\(x.name): shapes \(x.tensor.shape) and \(y.tensor.shape)")
        for i in 0..<x.tensor.count { worst = max(worst, abs(x.tensor.data[i] - y.tensor.data[i])) }
    }
    print(String(format: "compare: max |Δw| %.3g (tolerance %.3g) between %@ and %@", worst, tolerance, args[0], args[1]))
    expect(worst <= tolerance, "max |Δw| \(worst) > \(tolerance)")
}

/// Times the in-place allreduce of `floats` floats (the CPU-recipe GPT's gradients by default),
/// each after a barrier so that waiting for a slower rank is not counted.
@MainActor func allreduceBench(_ args: [String]) {
    let floats = args.first.flatMap(Int.init) ?? 804_096, reps = args.dropFirst().first.flatMap(Int.init) ?? 50
    var buffer = [Float](repeating: 1, count: floats)
    var times: [Double] = []
    for _ in 0..<reps {
        comm.barrier()
        let t0 = DispatchTime.now().uptimeNanoseconds
        buffer.withUnsafeMutableBufferPointer { comm.allreduceSum($0) }
        times.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e6)
        buffer.withUnsafeMutableBufferPointer { $0.update(repeating: 1) }
    }
    times.sort()
    if rank == 0 { print(String(format: "allreduce-bench: %d floats (%.1f MB), %d ranks: median %.2f ms, best %.2f ms over %d", floats, Double(floats * 4) / 1e6, size, times[reps / 2], times[0], reps)) }
}

let check = CommandLine.arguments.dropFirst().first ?? ""
do {
    switch check {
    case "collectives": collectives()
    case "gpt-sgd": try gptSGD()
    case "gpt-adamw": try gptAdamW()
    case "compare": try compareFiles(Array(CommandLine.arguments.dropFirst(2)))
    case "allreduce-bench": allreduceBench(Array(CommandLine.arguments.dropFirst(2)))
    default: expect(false, "usage: slate-mpi-check collectives|gpt-sgd|gpt-adamw|compare|allreduce-bench (got \"\(check)\")")
    }
} catch { expect(false, "\(error)") }
comm.finalize()
