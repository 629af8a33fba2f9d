import ArgumentParser
import Slate
import SlateBench

struct InfoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "info",
        abstract: "Show Slate's version, BLAS library, threads and CPU."
    )

    @OptionGroup var threads: ThreadsOption

    func run() throws {
        threads.apply()
        let cpu = CPUInfo.current
        var rows: [(String, String)] = [
            ("Slate", Slate.version),
            ("BLAS", BLASInfo.config.trimmingCharacters(in: .whitespaces)),
            ("BLAS core", BLASInfo.coreName),
            ("Slate threads", "\(Threads.count)"),
            ("BLAS threads", "\(BLASInfo.threads) per product (Slate splits products over its threads)"),
            ("GEMM", GEMMKernels.summary),
            ("Row kernels", VectorKernels.avx2 ? "AVX2 + FMA (SLATE_AVX2=0: portable Swift SIMD)" : "portable Swift SIMD"),
            ("CPU", cpu.model),
            ("Logical CPUs", "\(cpu.logicalCores)"),
        ]
        if let board = cpu.board { rows.append(("Board", board)) }
        if !cpu.features.isEmpty { rows.append(("CPU features", cpu.features.joined(separator: " "))) }
        let width = rows.map { $0.0.count }.max() ?? 0
        for (key, value) in rows {
            print(key.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + value)
        }
    }
}
