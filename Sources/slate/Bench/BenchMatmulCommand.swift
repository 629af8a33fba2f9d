import ArgumentParser
import Foundation
import Slate
import SlateBench

/// `slate bench matmul`: Slate's `Tensor.matmul` against raw BLAS and the hardware peak.
struct BenchMatmulCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "matmul",
        abstract: "GFLOP/s of Tensor.matmul, raw sgemm and the naive kernel, as % of the measured peak.",
        discussion: """
            With neither --sizes nor --shapes: square sizes 64…2048 plus the GPT training shapes \
            (forward x·Wᵀ and the two backward products of each linear layer).
            """
    )

    @Option(help: "Comma-separated square sizes n (n×n×n), e.g. 64,128,256,512,1024,2048.")
    var sizes: String?

    @Option(help: "Comma-separated shapes MxKxN, each optionally :ta / :tb (transposed A / B), e.g. 768x128x384:tb.")
    var shapes: String?

    @Flag(help: "Add the GPT training shapes to --sizes / --shapes.")
    var gpt = false

    @Option(help: "Comma-separated thread counts (default: 1 and all cores). On a Raspberry Pi try 1,2,3,4.")
    var threads: String?

    @Option(help: "Measuring time per implementation per row, in seconds (after warm-up).")
    var repeatSeconds: Double = 0.3

    @Option(help: "Time per row: median (default) or best (least disturbed on a busy machine).")
    var statistic: String = "median"

    @Flag(help: "Print one JSON document instead of the table.")
    var json = false

    @Option(help: "Also write the JSON document to this file (atomically), next to the table.")
    var jsonOutput: String?

    func validate() throws {
        let (cases, _) = try plan()
        // A, B and C, plus the naive kernel's copies: refuse before allocating what cannot fit.
        let physical = Double(ProcessInfo.processInfo.physicalMemory)
        for c in cases {
            let bytes = 4 * 2 * (Double(c.m) * Double(c.k) + Double(c.k) * Double(c.n) + Double(c.m) * Double(c.n))
            guard bytes < physical / 2 else {
                throw ValidationError(String(format: "%@ needs ≈ %.0f GB for its matrices; this machine has %.0f GB, so choose smaller sizes.",
                                             c.name, bytes / 1e9, physical / 1e9))
            }
        }
        guard repeatSeconds >= 0, repeatSeconds.isFinite else {
            throw ValidationError("--repeat-seconds must be a number ≥ 0, e.g. 0.3")
        }
    }

    /// The shapes and thread counts the flags ask for.
    func plan() throws -> (cases: [MatmulCase], threads: [Int]) {
        do {
            var cases: [MatmulCase] = []
            if let sizes { cases += try BenchArguments.positiveInts(sizes, what: "--sizes").map(MatmulCase.square) }
            if let shapes { cases += try BenchArguments.shapes(shapes) }
            if sizes == nil && shapes == nil {
                cases = [64, 128, 256, 512, 1024, 2048].map(MatmulCase.square) + MatmulCase.gptShapes
            } else if gpt {
                cases += MatmulCase.gptShapes
            }
            guard Timing.Statistic(rawValue: statistic) != nil else {
                throw BenchArgumentError(description: "--statistic: '\(statistic)' is not median or best")
            }
            let counts = try threads.map { try BenchArguments.positiveInts($0, what: "--threads") }
            return (cases, counts ?? defaultThreadCounts())
        } catch let e as BenchArgumentError {
            throw ValidationError(e.description)
        }
    }

    func run() throws {
        let (cases, counts) = try plan()
        let cpu = CPUInfo.current
        progressLine("measuring the single-core FP32 peak…")
        let peak = PeakFLOPS.peak(threads: 1, seconds: 0.3)
        let bench = MatmulBench(cases: cases, threads: counts, repeatSeconds: repeatSeconds,
                                statistic: Timing.Statistic(rawValue: statistic)!,
                                peakPerCore: peak.gflops, cores: cpu.logicalCores)
        let results = bench.run { done, total, row in progressLine("[\(done + 1)/\(total)] \(row)") }
        progressLine(nil)
        let report = MatmulReport(
            slateVersion: Slate.version, cpu: cpu.summary, cpuInfo: cpu,
            blas: BLASInfo.config, blasCore: BLASInfo.coreName, gemm: GEMMKernels.summary,
            peakGflopsPerCore: (peak.gflops * 10).rounded() / 10, peakLoop: peak.loop.rawValue,
            statistic: statistic,
            results: results)
        let document = try report.json()
        if let jsonOutput {
            let url = URL(fileURLWithPath: jsonOutput)
            do { try Data((document + "\n").utf8).write(to: url, options: .atomic) }
            catch { throw ValidationError("cannot write --json-output \(jsonOutput): \(error.localizedDescription)") }
        }
        print(json ? document : report.table())
    }
}
