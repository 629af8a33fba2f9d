// slate-mpi-check: the multi-rank tests, run by scripts/test-mpi.sh under
//   mpirun --allow-run-as-root --oversubscribe -np N slate-mpi-check <check>
// Every rank asserts; any failed check prints "FAIL ..." and ends the whole job with exit 1.
//
//   collectives  sums, averages, broadcasts, allgathers, the fused gradient average, replica and
//                configuration checks, local rank and thread defaults
//   gpt-sgd      N ranks × B rows equal one process × N·B rows after 10 SGD steps on a tiny GPT
//                (max |Δw| ≤ 1e-5), replicas bit-identical
//   gpt-adamw    the same through GPTTrainer (AdamW, clipping, schedule); prints max |Δw|
//   ppo-update   N ranks × b samples per minibatch equal one process × N·b after 10 PPO minibatch
//                steps on a fixed rollout: SGD within 1e-5; Adam (PPO's) and AdamW printed, within 1e-3
//   ppo-train    PPOTrainer on N ranks: replicas bit-identical after training, rank 0 reports
//                every rank's episodes, and a collective checkpoint resumes each rank bit for bit
//   gcn-step     N ranks × B whole graphs equal one process × N·B after 10 steps of a 2-layer GCN
//                with sum pooling, short batches included (a rank may get fewer graphs, or none):
//                SGD within 1e-5; Adam printed, within 1e-3; replicas bit-identical
//   compare A B TOL [metadata]   (one process) two checkpoints hold the same tensors within TOL
//                (and, with `metadata`, the same metadata but for the CLI's timing keys `cli.*`)
//   allreduce-bench [FLOATS] [REPS]   median and best ms of one in-place allreduce (after a barrier)
import Foundation
import Slate
import SlateDistributed
import SlateGPT
import SlateGraph
import SlateRL

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

    // Messages of different lengths (rank 0's empty), bytes and doubles bit for bit.
    let parts = comm.allgather(bytes: [UInt8](repeating: UInt8(rank), count: rank * 3))
    expect(parts == (0..<size).map { [UInt8](repeating: UInt8($0), count: $0 * 3) }, "allgather of bytes: \(parts)")
    let dp = DataParallel(comm, averager: GradientAverager(comm))
    let doubles = { (r: Int) in (0..<r).map { Double($0) + 0.1 * Double(r) - 1e-300 } }
    expect(dp.gather(doubles(rank)) == (0..<size).map(doubles), "DataParallel.gather of doubles")

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

/// Max |a − b| over two lists of tensors.
@MainActor func maxDifference(_ a: [Tensor], _ b: [Tensor]) -> Float {
    var worst: Float = 0
    for (x, y) in zip(a, b) { for i in 0..<x.count { worst = max(worst, abs(x.data[i] - y.data[i])) } }
    return worst
}

/// A fixed rollout of N·b samples (identical on every rank, like a global batch) run through
/// `ppoMinibatchStep` twice: on N ranks, rank r holding samples r·b ..< (r+1)·b and stepping on
/// its own minibatches of m; and in one process on all of them, each minibatch the union of the
/// ranks' ones. Advantage normalisation, gradient averaging and clipping must all be global.
@MainActor func ppoUpdate() throws {
    let obsDim = 4, actionCount = 3, perRank = 64, mb = 16
    let total = perRank * size
    var cfg = PPOConfig()
    cfg.hiddenSizes = [16, 16]
    var g = RandomGenerator(seed: 11)
    let observations = (0..<(total * obsDim)).map { _ in Float(g.nextNormal()) }
    let actions = (0..<total).map { _ in g.nextInt(actionCount) }
    var init0 = RandomGenerator(seed: 3)
    let probe = ActorCritic(observationSize: obsDim, actionCount: actionCount, hiddenSizes: cfg.hiddenSizes, generator: &init0)
    let logits = withNoGrad { probe.actor(Tensor(observations, shape: [total, obsDim])).toArray() }   // (N·b, A)
    let logProbs = (0..<total).map { i -> Float in                      // the policy's own, jittered so ratios move
        let row = logits[(i * actionCount)..<((i + 1) * actionCount)]
        let m = row.max()!, lse = m + log(row.reduce(0) { $0 + exp($1 - m) })
        return row[row.startIndex + actions[i]] - lse + Float(g.nextNormal()) * 0.2
    }
    let values = (0..<total).map { _ in Float(g.nextNormal()) }
    let advantages = (0..<total).map { _ in Float(g.nextNormal()) * 2 + 0.5 }
    let global = PPOSamples(observations: observations, obsDim: obsDim, actions: actions, logProbs: logProbs, values: values,
                            advantages: advantages, returns: zip(values, advantages).map { $0 + $1 })
    let lo = rank * perRank, hi = lo + perRank
    let local = PPOSamples(observations: Array(observations[(lo * obsDim)..<(hi * obsDim)]), obsDim: obsDim,
                           actions: Array(actions[lo..<hi]), logProbs: Array(logProbs[lo..<hi]), values: Array(values[lo..<hi]),
                           advantages: Array(advantages[lo..<hi]), returns: Array(global.returns[lo..<hi]))
    var plan = RandomGenerator(seed: 5)                                // every rank draws every rank's minibatches
    var minibatches: [[[Int]]] = []                                    // [step][rank] local indices
    for _ in 0..<steps {
        minibatches.append((0..<size).map { _ in
            var idx = Array(0..<perRank)
            for i in stride(from: perRank - 1, to: 0, by: -1) { idx.swapAt(i, plan.nextInt(i + 1)) }
            return Array(idx[0..<mb])
        })
    }
    func train(_ dp: DataParallel, _ makeOptimizer: ([Tensor]) -> Optimizer) throws -> [Tensor] {
        var gen = RandomGenerator(seed: 3)
        let agent = ActorCritic(observationSize: obsDim, actionCount: actionCount, hiddenSizes: cfg.hiddenSizes, generator: &gen)
        let optimizer = makeOptimizer(agent.parameters())
        for step in minibatches {
            let (samples, idx) = dp.count > 1
                ? (local, step[rank])
                : (global, step.enumerated().flatMap { q, part in part.map { q * perRank + $0 } })
            let moments = dp.count > 1 ? advantageMoments(samples.advantages, minibatches: [idx[...]], dataParallel: dp)[0] : nil
            _ = try ppoMinibatchStep(agent: agent, optimizer: optimizer, config: cfg, samples: samples, indices: idx[...],
                                     advantageMoments: moments, dataParallel: dp, check: { v, what in if !v.isFinite { throw TrainingConfigurationError("\(what) \(v)") } })
        }
        return agent.parameters()
    }
    let optimizers: [(String, Float, ([Tensor]) -> Optimizer)] = [
        ("SGD lr 0.1", 1e-5, { SGD($0, learningRate: 0.1) }),
        ("Adam lr 2.5e-4 eps 1e-5 (PPO's)", 1e-3, { Adam($0, learningRate: 2.5e-4, eps: 1e-5) }),
        ("AdamW lr 1e-3 wd 0.01", 1e-3, { AdamW($0, learningRate: 1e-3) }),
    ]
    for (name, tolerance, make) in optimizers {
        let distributed = try train(DataParallel(comm, averager: GradientAverager(comm)), make)
        let single = try train(.single, make)
        var gen = RandomGenerator(seed: 3)
        let initial = ActorCritic(observationSize: obsDim, actionCount: actionCount, hiddenSizes: cfg.hiddenSizes, generator: &gen).parameters()
        let diff = maxDifference(distributed, single), moved = maxDifference(distributed, initial)
        try Replicas.verify(distributed, comm, when: "after \(steps) PPO steps with \(name)")
        if rank == 0 { print(String(format: "ppo-update: %d ranks × %d vs 1 × %d samples per minibatch, %d steps, %@: max |Δw| %.3g (weights moved up to %.3g); replicas bit-identical", size, mb, mb * size, steps, name, diff, moved)) }
        expect(diff <= tolerance, "PPO \(name): max |Δw| \(diff) > \(tolerance)")
        expect(moved > 1e-3, "PPO \(name) did not train (max move \(moved))")
    }
}

/// PPOTrainer itself on N ranks: trains a few rollouts, checks the replicas, that every rank's
/// episodes reach the events, and that a checkpoint taken mid-run resumes each rank to the end
/// bit for bit (each rank's generator and environments come back from rank 0's file).
@MainActor func ppoTrain() throws {
    var c = PPOConfig()
    (c.numEnvs, c.numSteps, c.numMinibatches, c.updateEpochs, c.hiddenSizes) = (2, 32, 2, 2, [16])
    let perRollout = c.numEnvs * c.numSteps * size
    let settings = RunSettings(environmentID: "CartPole-v1", totalSteps: perRollout * 6, seed: 9)
    func trainer() throws -> PPOTrainer {
        let t = try PPOTrainer(settings: settings, config: c, dataParallel: DataParallel(comm, averager: GradientAverager(comm)))
        Replicas.broadcast(t.agent.parameters(), comm)
        return t
    }
    let whole = try trainer()
    var episodes = 0, mid: TrainingCheckpoint?
    try whole.train { event in
        if case .episode = event { episodes += 1 }
        if case .boundary(_, let update) = event, update == 3 { mid = try whole.checkpoint() }
    }
    try Replicas.verify(whole.agent.parameters(), comm, when: "after PPOTrainer.train")
    let local = try whole.checkpoint().metadata["envs.episode_count"].flatMap { Int($0) } ?? -1
    let counts = comm.allgather(UInt64(max(local, 0)))
    expect(UInt64(episodes) == counts.reduce(0, +), "rank \(rank) saw \(episodes) episode events, the ranks finished \(counts)")
    // Resume: every rank reads rank 0's checkpoint (the file a run writes) and trains to the end.
    var bytes = [UInt8]()
    if rank == 0, let mid {
        let url = URL(fileURLWithPath: NSTemporaryDirectory() + "slate-mpi-ppo-\(getpid()).safetensors")
        try mid.write(to: url)
        bytes = Array(try Data(contentsOf: url))
        try? FileManager.default.removeItem(at: url)
    }
    let file = comm.allgather(bytes: bytes)[0]
    let url = URL(fileURLWithPath: NSTemporaryDirectory() + "slate-mpi-ppo-\(getpid())-\(rank).safetensors")
    try Data(file).write(to: url)
    defer { try? FileManager.default.removeItem(at: url) }
    let resumed = try trainer()
    try resumed.restore(from: TrainingCheckpoint(contentsOf: url))
    try resumed.train { _ in }
    let diff = maxDifference(resumed.agent.parameters(), whole.agent.parameters())
    let envsSame = try resumed.checkpoint().metadata.filter { $0.key.hasPrefix("envs.") } == whole.checkpoint().metadata.filter { $0.key.hasPrefix("envs.") }
    if rank == 0 { print(String(format: "ppo-train: %d ranks × %d envs, %d updates: %d episodes reported on every rank; resumed at update 3: max |Δw| %.3g, environments equal %@", size, c.numEnvs, 6, episodes, diff, envsSame ? "yes" : "no")) }
    expect(diff == 0, "resumed PPO differs from the uninterrupted run by \(diff)")
    expect(envsSame, "resumed environments differ from the uninterrupted run's")
}

/// `graphClassificationStep` on N ranks × B graphs against one process × N·B: every rank draws
/// the same global batches (every third one short, so that the split is uneven and the last rank
/// gets nothing); gradients are weighted by each rank's share of the batch.
@MainActor func gcnStep() throws {
    let perRank = 4
    var g = RandomGenerator(seed: 21)
    let graphs: [Graph] = (0..<37).map { _ in                  // rings with a chord, 3 features
        let n = 3 + g.nextInt(6)
        var edges: [(Int, Int)] = []
        for i in 0..<n { edges += [(i, (i + 1) % n), ((i + 1) % n, i)] }
        if n > 4 { edges += [(0, 2), (2, 0)] }
        return Graph(nodeCount: n, featureCount: 3, features: (0..<(n * 3)).map { _ in Float(g.nextNormal()) },
                     edges: edges, label: n % 2)
    }
    let cfg = GraphClassifierConfig(inputFeatures: 3, classes: 2, layers: 2, hidden: 16, pool: .sum, dropout: 0, convolutionDropout: 0)
    let full = perRank * size, short = max(1, full / 2 - 1)
    var draw = RandomGenerator(seed: 8)
    let batches = (0..<steps).map { s in (0..<(s % 3 == 2 ? short : full)).map { _ in graphs[draw.nextInt(graphs.count)] } }
    func train(_ dp: DataParallel, _ make: ([Tensor]) -> Optimizer) throws -> [Tensor] {
        let model = GraphClassifier(cfg, seed: 5)
        let optimizer = make(model.parameters())
        var rng = RandomGenerator(seed: 9)
        for batch in batches {
            _ = try graphClassificationStep(model, optimizer, graphs: batch, batchSize: dp.count > 1 ? perRank : full,
                                            dataParallel: dp, generator: &rng, at: "gcn-step")
        }
        return model.parameters()
    }
    let optimizers: [(String, Float, ([Tensor]) -> Optimizer)] = [
        ("SGD lr 0.05", 1e-5, { SGD($0, learningRate: 0.05) }),
        ("Adam lr 0.01 (the trainer's)", 1e-3, { Adam($0, learningRate: 0.01) }),
    ]
    for (name, tolerance, make) in optimizers {
        let distributed = try train(DataParallel(comm, averager: GradientAverager(comm)), make)
        let single = try train(.single, make)
        let diff = maxDifference(distributed, single), moved = maxDifference(distributed, GraphClassifier(cfg, seed: 5).parameters())
        try Replicas.verify(distributed, comm, when: "after \(steps) GCN steps with \(name)")
        if rank == 0 { print(String(format: "gcn-step: %d ranks × %d vs 1 × %d graphs (short batches of %d), %d steps, %@: max |Δw| %.3g (weights moved up to %.3g); replicas bit-identical", size, perRank, full, short, steps, name, diff, moved)) }
        expect(diff <= tolerance, "GCN \(name): max |Δw| \(diff) > \(tolerance)")
        expect(moved > 1e-3, "GCN \(name) did not train (max move \(moved))")
    }
}

/// Compares two checkpoint files tensor by tensor; fails beyond `tolerance`.
@MainActor func compareFiles(_ args: [String]) throws {
    guard args.count == 3 || args.count == 4 && args[3] == "metadata", let tolerance = Float(args[2]) else {
        return expect(false, "usage: compare A.safetensors B.safetensors TOLERANCE [metadata]")
    }
    let (a, b) = (try GPTCheckpointFile.read(args[0]), try GPTCheckpointFile.read(args[1]))
    expect(a.tensors.map(\.name) == b.tensors.map(\.name), "the files hold different tensors")
    var worst: Float = 0
    for (x, y) in zip(a.tensors, b.tensors) {
        expect(x.tensor.shape == y.tensor.shape, "\(x.name): shapes \(x.tensor.shape) and \(y.tensor.shape)")
        for i in 0..<x.tensor.count { worst = max(worst, abs(x.tensor.data[i] - y.tensor.data[i])) }
    }
    if args.count == 4 {
        let (ma, mb) = (a.metadata.filter { !$0.key.hasPrefix("cli.") }, b.metadata.filter { !$0.key.hasPrefix("cli.") })
        let differing = Set(ma.keys).union(mb.keys).filter { ma[$0] != mb[$0] }.sorted()
        expect(differing.isEmpty, "the metadata differ at \(differing.prefix(5))")
        print("compare: \(ma.count) metadata entries equal")
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
    case "ppo-update": try ppoUpdate()
    case "ppo-train": try ppoTrain()
    case "gcn-step": try gcnStep()
    case "compare": try compareFiles(Array(CommandLine.arguments.dropFirst(2)))
    case "allreduce-bench": allreduceBench(Array(CommandLine.arguments.dropFirst(2)))
    default: expect(false, "usage: slate-mpi-check collectives|gpt-sgd|gpt-adamw|ppo-update|ppo-train|gcn-step|compare|allreduce-bench (got \"\(check)\")")
    }
} catch { expect(false, "\(error)") }
comm.finalize()
