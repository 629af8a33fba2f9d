import Foundation

/// The matrix products `slate bench matmul` times, and how its command-line lists are read.

/// One GEMM shape: `op(A)` is `M×K`, `op(B)` is `K×N`, with BLAS transpose flags.
struct MatmulCase: Equatable {
    var m: Int, k: Int, n: Int
    var transA = false, transB = false
    /// Where the shape comes from ("square", "gpt fwd x·Wᵀ", ...).
    var label: String

    /// Floating-point operations of one product: a multiply and an add per term.
    var flops: Double { 2 * Double(m) * Double(k) * Double(n) }

    /// "768×128×384 ᵀB" style name for tables and progress.
    var name: String {
        "\(m)×\(k)×\(n)" + (transA ? " ᵀA" : "") + (transB ? " ᵀB" : "")
    }

    /// Square `n×n×n` products.
    static func square(_ n: Int) -> MatmulCase { MatmulCase(m: n, k: n, n: n, label: "square") }

    /// The products of a GPT block's linear layers at the default training shape (B·T = 768 rows,
    /// C = 128 channels): qkv (C → 3C), attention projection (C → C), MLP up (C → 4C) and down
    /// (4C → C). A PyTorch-layout `Linear` computes `x·Wᵀ` (transB); its backward computes
    /// `dX = dY·W` (no transpose) and `dWᵀ`-shaped `dYᵀ·X` (transA), as `Tensor.matmul` does.
    static var gptShapes: [MatmulCase] {
        let layers = [(768, 128, 384, "qkv"), (768, 128, 128, "proj"), (768, 512, 128, "mlp down"),
                      (768, 128, 512, "mlp up")]
        return layers.flatMap { rows, fanIn, fanOut, name -> [MatmulCase] in
            [MatmulCase(m: rows, k: fanIn, n: fanOut, transB: true, label: "gpt \(name) fwd x·Wᵀ"),
             MatmulCase(m: rows, k: fanOut, n: fanIn, label: "gpt \(name) bwd dX=dY·W"),
             MatmulCase(m: fanOut, k: rows, n: fanIn, transA: true, label: "gpt \(name) bwd dW=dYᵀ·X")]
        }
    }
}

/// A bad value on the `bench` command line; the message says what was expected.
struct BenchArgumentError: Error, CustomStringConvertible {
    var description: String
}

/// Parsers for the comma-separated lists `bench matmul` takes.
enum BenchArguments {
    /// "64,128,256" -> [64, 128, 256]; every entry a positive integer.
    static func positiveInts(_ text: String, what: String) throws -> [Int] {
        let parts = text.split(separator: ",", omittingEmptySubsequences: false)
        let values = try parts.map { part -> Int in
            let trimmed = part.trimmingCharacters(in: .whitespaces)
            guard let value = Int(trimmed), value > 0 else {
                throw BenchArgumentError(description:
                    "\(what): '\(trimmed)' is not a positive integer; give a comma-separated list such as 1,2,4")
            }
            return value
        }
        guard !values.isEmpty else { throw BenchArgumentError(description: "\(what): the list is empty") }
        return values
    }

    /// "768x128x384,512x512x512:ta:tb" -> cases. Each entry `MxKxN` with optional `:ta` / `:tb`.
    static func shapes(_ text: String) throws -> [MatmulCase] {
        try text.split(separator: ",", omittingEmptySubsequences: false).map { entry in
            let pieces = entry.trimmingCharacters(in: .whitespaces).lowercased().split(separator: ":")
            let dims = pieces.first.map { $0.split(separator: "x").map { Int($0) } } ?? []
            let flags = pieces.dropFirst().map(String.init)
            guard dims.count == 3, dims.allSatisfy({ ($0 ?? 0) > 0 }),
                  flags.allSatisfy({ $0 == "ta" || $0 == "tb" }) else {
                throw BenchArgumentError(description:
                    "--shapes: '\(entry)' is not MxKxN with positive sizes (optionally :ta / :tb), e.g. 768x128x384:tb")
            }
            return MatmulCase(m: dims[0]!, k: dims[1]!, n: dims[2]!,
                              transA: flags.contains("ta"), transB: flags.contains("tb"), label: "custom")
        }
    }
}
