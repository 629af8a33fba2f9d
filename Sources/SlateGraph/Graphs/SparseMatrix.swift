import Slate

/// A sparse matrix in compressed sparse row (CSR) form with `Float` values.
///
/// Row `r` holds the entries `columns[rowStart[r]..<rowStart[r+1]]` with values
/// `values[...]` at the same positions; columns are ascending within a row.
/// Used for (normalised) adjacency matrices: shape (N, N).
public final class SparseMatrix: @unchecked Sendable {
    public let rows: Int
    public let cols: Int
    /// (rows + 1) offsets into `columns`/`values`.
    public let rowStart: [Int32]
    public let columns: [Int32]
    public let values: [Float]
    /// True when the matrix equals its transpose (then `transposed` is `self`).
    public let isSymmetric: Bool
    private var cachedTranspose: SparseMatrix?
    private var cachedTransposeIndex: (rowStart: [Int32], columns: [Int32], entry: [Int32])?

    /// Wraps CSR arrays (validated: monotone offsets, columns in range).
    public init(rows: Int, cols: Int, rowStart: [Int32], columns: [Int32], values: [Float], isSymmetric: Bool = false) {
        precondition(rowStart.count == rows + 1 && rowStart.first == 0 && Int(rowStart[rows]) == columns.count,
                     "SparseMatrix: rowStart must have rows+1 offsets ending at nnz")
        precondition(columns.count == values.count, "SparseMatrix: one value per column index")
        precondition(columns.allSatisfy { $0 >= 0 && Int($0) < cols }, "SparseMatrix: column index out of range")
        self.rows = rows; self.cols = cols
        self.rowStart = rowStart; self.columns = columns; self.values = values
        self.isSymmetric = isSymmetric && rows == cols
    }

    /// Number of stored entries.
    public var nonZeros: Int { columns.count }

    /// The transpose in CSR form, computed once (the matrix itself when symmetric).
    /// SpMM backward needs Aᵀ·G; the row-normalised adjacency is not symmetric.
    public var transposed: SparseMatrix {
        if isSymmetric { return self }
        if let t = cachedTranspose { return t }
        let index = transposeIndex
        let t = SparseMatrix(rows: cols, cols: rows, rowStart: index.rowStart, columns: index.columns,
                             values: index.entry.map { values[Int($0)] })
        cachedTranspose = t
        return t
    }

    /// The structure of the transpose with, for each of its entries, the position of the same entry
    /// in `self` (computed once, also for symmetric matrices). Row c of the transpose lists the rows r
    /// with a stored (r, c), ascending: the backward of an edge op gathers per source through it,
    /// race-free, instead of scattering.
    public var transposeIndex: (rowStart: [Int32], columns: [Int32], entry: [Int32]) {
        if let t = cachedTransposeIndex { return t }
        var counts = [Int32](repeating: 0, count: cols + 1)
        for c in columns { counts[Int(c) + 1] += 1 }
        for i in 0..<cols { counts[i + 1] += counts[i] }
        var next = counts
        var tColumns = [Int32](repeating: 0, count: nonZeros)
        var entry = [Int32](repeating: 0, count: nonZeros)
        for r in 0..<rows {
            for k in Int(rowStart[r])..<Int(rowStart[r + 1]) {
                let c = Int(columns[k])
                let slot = Int(next[c]); next[c] += 1
                tColumns[slot] = Int32(r); entry[slot] = Int32(k)   // rows visited in order: columns stay sorted
            }
        }
        cachedTransposeIndex = (counts, tColumns, entry)
        return (counts, tColumns, entry)
    }

    /// Dense copy, row-major (rows × cols). For tests and small graphs.
    public func dense() -> [Float] {
        var out = [Float](repeating: 0, count: rows * cols)
        for r in 0..<rows {
            for k in Int(rowStart[r])..<Int(rowStart[r + 1]) { out[r * cols + Int(columns[k])] += values[k] }
        }
        return out
    }
}

/// How the adjacency is normalised before message passing.
public enum AdjacencyNormalization: String, CaseIterable, Sendable {
    /// Â = D^-1/2 (A + I) D^-1/2 (Kipf & Welling), symmetric.
    case symmetric
    /// Â = D^-1 (A + I): each node averages itself and its neighbours. Not symmetric.
    case row
}

extension SparseMatrix {
    /// Â for an unweighted adjacency given in CSR (`rowStart`, `columns`, N nodes):
    /// adds a self loop to every node that lacks one, then normalises with the degrees of A + I.
    public static func normalizedAdjacency(nodes n: Int, rowStart: [Int32], columns: [Int32],
                                           normalization: AdjacencyNormalization) -> SparseMatrix {
        let (start, cols) = withSelfLoops(nodes: n, rowStart: rowStart, columns: columns)   // A + I
        // Degrees of A + I (every entry has weight 1).
        var degree = [Float](repeating: 0, count: n)
        for r in 0..<n { degree[r] = Float(start[r + 1] - start[r]) }
        var vals = [Float](repeating: 0, count: cols.count)
        switch normalization {
        case .symmetric:
            let inv = degree.map { 1 / $0.squareRoot() }
            for r in 0..<n {
                for k in Int(start[r])..<Int(start[r + 1]) { vals[k] = inv[r] * inv[Int(cols[k])] }
            }
        case .row:
            for r in 0..<n {
                for k in Int(start[r])..<Int(start[r + 1]) { vals[k] = 1 / degree[r] }
            }
        }
        let symmetric = normalization == .symmetric && isStructurallySymmetric(rowStart: start, columns: cols)
        return SparseMatrix(rows: n, cols: n, rowStart: start, columns: cols, values: vals, isSymmetric: symmetric)
    }

    /// The CSR structure of A + I: a self loop added to every row that lacks one (never doubled),
    /// columns kept sorted. PyG's `remove_self_loops` then `add_self_loops` on an unweighted graph.
    public static func withSelfLoops(nodes n: Int, rowStart: [Int32], columns: [Int32]) -> (rowStart: [Int32], columns: [Int32]) {
        var start = [Int32](repeating: 0, count: n + 1)
        var cols = [Int32](); cols.reserveCapacity(columns.count + n)
        for r in 0..<n {
            let row = columns[Int(rowStart[r])..<Int(rowStart[r + 1])]
            var placed = false
            for c in row {
                if !placed && Int(c) >= r {
                    if Int(c) != r { cols.append(Int32(r)) }
                    placed = true
                }
                cols.append(c)
            }
            if !placed { cols.append(Int32(r)) }
            start[r + 1] = Int32(cols.count)
        }
        return (start, cols)
    }

    /// True when every stored (r, c) has a stored (c, r). Columns must be sorted per row.
    public static func isStructurallySymmetric(rowStart: [Int32], columns: [Int32]) -> Bool {
        let n = rowStart.count - 1
        for r in 0..<n {
            for k in Int(rowStart[r])..<Int(rowStart[r + 1]) {
                let c = Int(columns[k])
                guard c < n else { return false }
                var lo = Int(rowStart[c]), hi = Int(rowStart[c + 1])
                while lo < hi {
                    let mid = (lo + hi) / 2
                    if Int(columns[mid]) < r { lo = mid + 1 } else { hi = mid }
                }
                if lo == Int(rowStart[c + 1]) || Int(columns[lo]) != r { return false }
            }
        }
        return true
    }
}

extension SparseMatrix {
    /// The non-zero entries of a dense row-major (rows, cols) matrix, e.g. bag-of-words features.
    public convenience init(dense: [Float], rows: Int, cols: Int) {
        precondition(dense.count == rows * cols, "SparseMatrix(dense:): \(dense.count) values for \(rows)×\(cols)")
        var start: [Int32] = [0], columns: [Int32] = [], values: [Float] = []
        for r in 0..<rows {
            for c in 0..<cols where dense[r * cols + c] != 0 {
                columns.append(Int32(c)); values.append(dense[r * cols + c])
            }
            start.append(Int32(columns.count))
        }
        self.init(rows: rows, cols: cols, rowStart: start, columns: columns, values: values)
    }

    /// Dropout on the stored entries (Kipf & Welling's `sparse_dropout`): each value is zeroed with
    /// probability p, survivors scaled by 1/(1−p). The structure is kept; the result is a new matrix.
    public func droppingOut(p: Float, generator: inout RandomGenerator) -> SparseMatrix {
        let scale = 1 / (1 - p)
        var kept = values
        for k in 0..<kept.count { kept[k] = generator.nextFloat() < p ? 0 : kept[k] * scale }
        return SparseMatrix(rows: rows, cols: cols, rowStart: rowStart, columns: columns, values: kept)
    }
}
