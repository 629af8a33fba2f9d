import Foundation
import Slate
import SlateBench

/// Everything one `slate bench matmul` run measured; printed as a table or as one JSON document
/// from the same values.
struct MatmulReport: Codable {
    var slateVersion: String
    /// One-line CPU description (model, board, core, features).
    var cpu: String
    var cpuInfo: CPUInfo
    /// BLAS library configuration and the kernel core it picked.
    var blas: String
    var blasCore: String
    /// Which kernel runs each single-threaded block of a product (`GEMMKernels.summary`): the
    /// BLAS, or Slate's AVX-512 kernel where the BLAS runs narrower ones.
    var gemm: String
    /// Single-thread FP32 peak that the % columns divide by.
    var peakGflopsPerCore: Double
    /// Which peak loop ran fastest in this build (see `slate bench peak`).
    var peakLoop: String
    /// "median" or "best": how each row's timed runs became one time.
    var statistic: String
    var results: [MatmulResult]

    enum CodingKeys: String, CodingKey {
        case slateVersion = "slate_version", cpu, cpuInfo = "cpu_info", blas, blasCore = "blas_core", gemm
        case peakGflopsPerCore = "peak_gflops_per_core", peakLoop = "peak_loop", statistic, results
    }

    /// Pretty-printed JSON with sorted keys.
    func json() throws -> String { try prettyJSON(self) }

    /// Header lines and an aligned table, one row per result.
    func table() -> String {
        var lines = [
            "Slate \(slateVersion) · matmul throughput (GFLOP/s = 2·M·K·N / \(statistic) time)",
            "CPU:  \(cpu)",
            "BLAS: \(blas) · core \(blasCore)",
            "GEMM: \(gemm) — the blas columns time this kernel",
            "Peak: \(fmt(peakGflopsPerCore)) GFLOP/s per core (\(peakLoop)); % peak = GFLOP/s ÷ (peak × min(threads, cores))",
            "",
        ]
        let header = ["shape M×K×N", "case", "thr", "slate", "blas", "naive", "slate/blas%", "slate%peak", "blas%peak"]
        var rows = [header]
        for r in results {
            let shape = "\(r.m)×\(r.k)×\(r.n)" + (r.transA ? " ᵀA" : "") + (r.transB ? " ᵀB" : "")
            rows.append([shape, r.label, "\(r.threads)", fmt(r.gflopsSlate), fmt(r.gflopsBLAS),
                         r.gflopsNaive.map { String(format: "%.2f", $0) } ?? "-",
                         fmt(r.slatePercentOfBLAS), fmt(r.percentOfPeak), fmt(r.percentOfPeakBLAS)])
        }
        let widths = header.indices.map { col in rows.map { $0[col].count }.max() ?? 0 }
        for (i, row) in rows.enumerated() {
            let cells = row.enumerated().map { col, cell in
                let pad = String(repeating: " ", count: widths[col] - cell.count)
                return col < 2 ? cell + pad : pad + cell  // text left, numbers right
            }
            lines.append(cells.joined(separator: "  "))
            if i == 0 { lines.append(widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ")) }
        }
        return lines.joined(separator: "\n")
    }

    private func fmt(_ x: Double) -> String { String(format: "%.1f", x) }
}

/// `value` as pretty-printed JSON with sorted keys (the `--json` output of every bench command).
func prettyJSON<T: Encodable>(_ value: T) throws -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    return String(decoding: try encoder.encode(value), as: UTF8.self)
}
