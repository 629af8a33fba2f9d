import ArgumentParser
import Foundation
import Slate
import SlateBench

struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure FMA peak, matmul throughput and steadiness.",
        subcommands: [BenchPeakCommand.self, BenchMatmulCommand.self, BenchSteadyCommand.self]
    )
}

/// `slate bench peak`: the FP32 peak of this build on this machine, per core and all cores.
struct BenchPeakCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "peak",
        abstract: "Measure the FP32 multiply-add peak (GFLOP/s, FLOP/cycle), single- and multi-threaded."
    )

    @Option(help: "Comma-separated thread counts (default: 1 and all cores).")
    var threads: String?

    @Option(help: "Measuring time per loop and thread count, in seconds.")
    var seconds: Double = 0.4

    @Flag(help: "Print one JSON document instead of the table.")
    var json = false

    func validate() throws {
        if let threads { _ = try parseThreads(threads) }
        guard seconds > 0, seconds.isFinite else { throw ValidationError("--seconds must be a positive number") }
    }

    func run() throws {
        let counts = try threads.map(parseThreads) ?? defaultThreadCounts()
        let cpu = CPUInfo.current
        let clock = PeakFLOPS.measuredClockGHz()
        var rows: [PeakRow] = []
        for t in counts {
            progressLine("measuring peak with \(t) thread\(t == 1 ? "" : "s")…")
            let loops = PeakFLOPS.availableLoops
            let rates = loops.map { PeakFLOPS.measure($0, threads: t, seconds: seconds) }
            for (loop, g) in zip(loops, rates) {
                let perCore = g / Double(min(t, cpu.logicalCores))
                rows.append(PeakRow(loop: loop.rawValue, threads: t, gflops: g, gflopsPerCore: perCore,
                                    flopPerCycle: perCore / clock, best: g == rates.max()))
            }
        }
        progressLine(nil)
        let report = PeakReport(cpu: cpu.summary, measuredClockGHz: clock, reportedMHz: cpu.reportedMHz,
                                cpufreqMHz: cpu.cpufreqMHz, rows: rows, note: fmaNote(cpu: cpu, rows: rows))
        print(json ? try report.json() : report.table())
    }

    private func parseThreads(_ text: String) throws -> [Int] {
        do { return try BenchArguments.positiveInts(text, what: "--threads") }
        catch let e as BenchArgumentError { throw ValidationError(e.description) }
    }

    /// Explains rows that look wrong: a Swift fused loop far below the best one means this build
    /// has no FMA instructions (baseline x86-64 is SSE2, so `addingProduct` calls `fmaf`).
    private func fmaNote(cpu: CPUInfo, rows: [PeakRow]) -> String? {
        let first = rows.filter { $0.threads == rows.first?.threads }
        guard let best = first.first(where: \.best),
              let swiftFused = first.first(where: { $0.loop == PeakFLOPS.Loop.fused.rawValue }),
              swiftFused.gflops < 0.5 * best.gflops else { return nil }
        let why = "The Swift fused loop is slow because this build targets baseline x86-64 (SSE2), "
            + "which has no FMA instruction: `addingProduct` becomes a call to fmaf per lane."
        if best.loop == PeakFLOPS.Loop.avx2FMA.rawValue || best.loop == PeakFLOPS.Loop.avx512FMA.rawValue {
            return why + " The C loops (AVX2, AVX-512) are compiled for FMA and chosen at run time after "
                + "checking the CPU flags, so the best row is the hardware's FMA peak."
        }
        return why + " The best row is the separate multiply + add peak, about half of an FMA core's; "
            + "OpenBLAS picks FMA kernels at run time, so its matmul can exceed it. To measure the FMA "
            + "peak, build for this CPU: swift build -c release -Xswiftc -target-cpu -Xswiftc znver4 (or haswell …)."
    }
}

/// One line of the peak table.
struct PeakRow: Codable {
    var loop: String
    var threads: Int
    var gflops: Double
    var gflopsPerCore: Double
    var flopPerCycle: Double
    /// The faster loop at this thread count.
    var best: Bool

    enum CodingKeys: String, CodingKey {
        case loop, threads, gflops, best
        case gflopsPerCore = "gflops_per_core", flopPerCycle = "flop_per_cycle"
    }
}

/// The result of `slate bench peak`.
struct PeakReport: Codable {
    var cpu: String
    var measuredClockGHz: Double
    var reportedMHz: Double?
    var cpufreqMHz: Double?
    var rows: [PeakRow]
    var note: String?

    enum CodingKeys: String, CodingKey {
        case cpu, rows, note
        case measuredClockGHz = "measured_clock_ghz", reportedMHz = "cpuinfo_mhz", cpufreqMHz = "cpufreq_mhz"
    }

    func json() throws -> String { try prettyJSON(self) }

    func table() -> String {
        var clockLine = String(format: "Clock: %.2f GHz measured under load (a chain of one-cycle integer ops)", measuredClockGHz)
        if let reportedMHz { clockLine += String(format: "; /proc/cpuinfo says %.0f MHz", reportedMHz) }
        if let cpufreqMHz { clockLine += String(format: "; cpufreq %.0f MHz", cpufreqMHz) }
        var lines = ["CPU:   \(cpu)", clockLine, "",
                     "loop                          threads   GFLOP/s  per core  FLOP/cycle/core"]
        for r in rows {
            lines.append(r.loop.padding(toLength: 28, withPad: " ", startingAt: 0)
                         + String(format: "%9d  %8.1f  %8.1f  %15.1f", r.threads, r.gflops, r.gflopsPerCore, r.flopPerCycle)
                         + (r.best ? "  ← best" : ""))
        }
        if let note { lines += ["", "Note: " + note] }
        return lines.joined(separator: "\n")
    }
}

/// Thread counts to try by default: 1 and every core (just 1 on a single-core machine).
func defaultThreadCounts() -> [Int] {
    let cores = Threads.cores
    return cores > 1 ? [1, cores] : [1]
}

/// Writes a one-line progress message to stderr (overwriting itself on a terminal);
/// `nil` ends it.
func progressLine(_ message: String?) {
    let tty = isatty(STDERR_FILENO) == 1
    guard let message else {
        if tty { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
        return
    }
    FileHandle.standardError.write(Data((tty ? "\r\u{1B}[K" + message : message + "\n").utf8))
}
