import Foundation

/// Writes one CSV row per call (step, loss, learning rate, ...) to a file in the run's output
/// directory, shared by every trainer.
///
/// The header is written once, when the file is created. Each row is written straight to the
/// file (no buffering in the process), so a crashed or interrupted run keeps every row logged
/// before it and a reader can follow the file while training runs. Reopening with `append: true`
/// continues an existing log (e.g. a resumed run) after checking the header matches; with
/// `keepingRowsBefore: s` it first drops every row whose first column is ≥ `s`, so a run resumed
/// from its checkpoint at step `s` logs each step once. A log whose rows are ordered by several
/// leading columns (fold, then epoch) passes them all: `keepingRowsBefore: [fold, epoch]` keeps
/// the rows that sort before that position.
public final class MetricsLogger {
    /// Column names, in order.
    public let columns: [String]
    /// The CSV file.
    public let url: URL
    private let handle: FileHandle

    /// Opens `url` for logging `columns`. Without `append`, an existing file is replaced.
    public convenience init(url: URL, columns: [String], append: Bool = false, keepingRowsBefore step: Double? = nil) throws {
        try self.init(url: url, columns: columns, append: append, keepingRowsBefore: step.map { [$0] })
    }

    /// Opens `url` for logging `columns`, appending when `append`; an existing file keeps only the
    /// rows whose leading columns sort (lexicographically) before `position`, e.g. `[fold, epoch]`.
    public init(url: URL, columns: [String], append: Bool, keepingRowsBefore position: [Double]?) throws {
        precondition(!columns.isEmpty, "a metrics log needs at least one column")
        self.columns = columns
        self.url = url
        let header = columns.map(Self.escape).joined(separator: ",")
        let fm = FileManager.default
        try fm.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        let exists = fm.fileExists(atPath: url.path)
        if append && exists {
            let text = (try? String(contentsOf: url, encoding: .utf8)) ?? ""
            let firstLine = text.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
            guard firstLine == header || text.isEmpty else {
                throw FileWriteError(description: "cannot append to \(url.path): its columns are '\(firstLine)', this run logs '\(header)'; use a new output directory")
            }
            if let position, !text.isEmpty {
                let rows = text.split(separator: "\n").dropFirst().filter { row in
                    let fields = row.split(separator: ",", omittingEmptySubsequences: false).prefix(position.count)
                    let values = fields.compactMap { Double($0) }
                    guard values.count == position.count, row.split(separator: ",", omittingEmptySubsequences: false).count == columns.count
                    else { return false }   // a torn last line goes too
                    return values.lexicographicallyPrecedes(position)
                }
                try writeAtomically(Data(([header] + rows.map(String.init)).map { $0 + "\n" }.joined().utf8), to: url)
            }
            handle = try FileHandle(forWritingTo: url)
            try handle.seekToEnd()
            if text.isEmpty { try handle.write(contentsOf: Data((header + "\n").utf8)) }
        } else {
            guard fm.createFile(atPath: url.path, contents: Data((header + "\n").utf8)) else {
                throw FileWriteError(description: "cannot create \(url.path): is the directory writable?")
            }
            handle = try FileHandle(forWritingTo: url)
            try handle.seekToEnd()
        }
    }

    deinit { try? handle.close() }

    /// Appends one row. Missing columns are left empty; names not in `columns` are an error.
    public func log(_ values: [String: Double]) throws {
        for key in values.keys where !columns.contains(key) {
            throw FileWriteError(description: "metric '\(key)' is not one of the log's columns \(columns)")
        }
        try write(columns.map { values[$0].map(Self.format) ?? "" })
    }

    /// Appends one row of numbers in column order.
    public func log(_ row: [Double]) throws {
        precondition(row.count == columns.count, "\(row.count) values for \(columns.count) columns")
        try write(row.map(Self.format))
    }

    private func write(_ fields: [String]) throws {
        try handle.write(contentsOf: Data((fields.joined(separator: ",") + "\n").utf8))
    }

    /// Integers without a decimal point, other numbers with 7 significant digits.
    static func format(_ v: Double) -> String {
        if v.isNaN { return "nan" }
        if v.isInfinite { return v > 0 ? "inf" : "-inf" }
        if v == v.rounded() && abs(v) < 1e15 { return String(Int64(v)) }
        return String(format: "%.7g", v)
    }

    /// Quotes a header field that holds a comma, quote or newline.
    static func escape(_ s: String) -> String {
        s.contains(where: { ",\"\n".contains($0) }) ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
    }
}
