import Benchmark
import Foundation
import Slate
import SlateGPT
import SlateGraph

/// One nanoGPT shakespeare-char training step at the default configuration: 4 layers, 4 heads,
/// 128 wide, block 64, batch 12 (768 token rows); forward, loss, backward and an AdamW update.
func gptBenchmarks() {
    let fixture = Fixture<(model: GPT, optimizer: AdamW, tokens: [Int], targets: [Int])>()
    let batch = 12
    Benchmark("GPT-train-step", configuration: configuration(seconds: 3, iterations: 30)) { benchmark in
        let (model, optimizer, tokens, targets) = fixture.value
        for _ in benchmark.scaledIterations {
            optimizer.zeroGrad()
            let loss = model.loss(tokens, targets: targets, batch: batch)
            loss.backward()
            optimizer.step()
            blackHole(loss.item())
        }
    } setup: {
        var rng = RandomGenerator(seed: 1337)
        let config = GPTConfig()
        let model = try GPT(config, seed: 1337)
        let optimizer = AdamW(ParameterGroup.decaySplit(model, weightDecay: 0.1), learningRate: 1e-3)
        let count = batch * config.blockSize
        let stream = (0...count).map { _ in rng.nextInt(config.vocabSize) }  // random "text"
        fixture.state = (model, optimizer, Array(stream[0..<count]), Array(stream[1...count]))
    } teardown: {
        fixture.state = nil
    }
}

/// One training epoch of the default graph classifier (3 GCN layers, 64 wide, sum readout,
/// dropout 0.5, Adam 0.01) over all 188 MUTAG graphs in batches of 32. Needs the TU data:
/// `make data` (or SLATE_DATA pointing at a folder with tu/MUTAG/).
func graphBenchmarks() {
    guard FileManager.default.fileExists(atPath: dataRoot().appendingPathComponent("tu/MUTAG").path) else {
        FileHandle.standardError.write(Data("GCN-epoch-MUTAG skipped: no tu/MUTAG under \(dataRoot().path) (run make data or set SLATE_DATA)\n".utf8))
        return
    }
    let fixture = Fixture<(model: GraphClassifier, adam: Adam, batches: [GraphBatch])>()
    Benchmark("GCN-epoch-MUTAG", configuration: configuration(seconds: 3, iterations: 50)) { benchmark in
        let (model, adam, batches) = fixture.value
        var rng = RandomGenerator(seed: 3)
        var total: Float = 0
        for batch in batches {
            let logits = model(batch, generator: &rng)                     // (G, classes)
            let loss = logits.crossEntropy(targets: batch.labels!)
            adam.zeroGrad()
            loss.backward()
            adam.step()
            total += loss.item()
        }
        blackHole(total)
    } setup: {
        let data = try TUDataset.load(name: "MUTAG", root: dataRoot())
        let model = GraphClassifier(GraphClassifierConfig(inputFeatures: data.featureCount, classes: data.classCount),
                                    seed: 0)
        model.train()
        let adam = Adam([ParameterGroup(parameters: model.parameters())], learningRate: 0.01)
        let batches = stride(from: 0, to: data.graphs.count, by: 32).map {
            GraphBatch(Array(data.graphs[$0..<min($0 + 32, data.graphs.count)]))
        }
        fixture.state = (model, adam, batches)
    } teardown: {
        fixture.state = nil
    }
}

/// The dataset folder: $SLATE_DATA, else the first of ../data, ./data, ../../shared/data that
/// holds tu/MUTAG (the benchmark runs from Benchmarks/).
func dataRoot() -> URL {
    if let env = ProcessInfo.processInfo.environment["SLATE_DATA"], !env.isEmpty {
        return URL(fileURLWithPath: env, isDirectory: true)
    }
    let candidates = ["../data", "./data", "../../shared/data", "../../../shared/data"]
    let found = candidates.first { FileManager.default.fileExists(atPath: $0 + "/tu/MUTAG") }
    return URL(fileURLWithPath: found ?? "../data", isDirectory: true)
}
