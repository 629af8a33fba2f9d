import Foundation

/// A small reader for the plain-text dataset files: comma- or tab-separated numbers,
/// one record per line. Leading/trailing blanks and spaces after commas are tolerated;
/// anything else wrong is an error naming the file and the 1-based line.
struct TextTable {
    /// File name used in error messages (last path component).
    let fileName: String
    /// The records, one per non-empty line, with their 1-based line numbers.
    let lines: [(number: Int, text: Substring)]

    /// Reads `url`. `skipHeader` drops the first line (TSV files start with a header).
    init(url: URL, skipHeader: Bool = false) throws {
        fileName = url.lastPathComponent
        let text: String
        do {
            text = try String(contentsOf: url, encoding: .utf8)
        } catch {
            throw GraphDataError.inconsistent(file: url.path, reason: "cannot read file as UTF-8 text (\(error.localizedDescription))")
        }
        var records: [(number: Int, text: Substring)] = []
        var number = 0
        var sawBlank = 0
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
            number += 1
            if skipHeader && number == 1 { continue }
            let line = raw.hasSuffix("\r") ? raw.dropLast() : raw
            if line.allSatisfy({ $0 == " " || $0 == "\t" }) {
                if sawBlank == 0 { sawBlank = number }
                continue
            }
            if sawBlank != 0 {
                throw GraphDataError.malformed(file: fileName, line: sawBlank, reason: "empty line inside the data")
            }
            records.append((number, line))
        }
        lines = records
    }

    var count: Int { lines.count }

    /// Splits record `i` into trimmed fields on `separator`, checking the field count
    /// (`expected` exact count, or at least `minimum`).
    func fields(_ i: Int, separator: Character, expected: Int? = nil, minimum: Int = 1) throws -> [Substring] {
        let (number, text) = lines[i]
        let parts = text.split(separator: separator, omittingEmptySubsequences: false).map(Self.trim)
        if let expected, parts.count != expected {
            throw GraphDataError.malformed(file: fileName, line: number,
                                           reason: "expected \(expected) field(s) separated by '\(separator == "\t" ? "\\t" : String(separator))', found \(parts.count): '\(text)'")
        }
        if parts.count < minimum {
            throw GraphDataError.malformed(file: fileName, line: number, reason: "expected at least \(minimum) field(s), found \(parts.count)")
        }
        return parts
    }

    /// Parses an integer field of record `i`, optionally requiring it to lie in `range`.
    func int(_ field: Substring, record i: Int, what: String, in range: ClosedRange<Int>? = nil) throws -> Int {
        guard let value = Int(field) else {
            throw GraphDataError.malformed(file: fileName, line: lines[i].number, reason: "\(what) '\(field)' is not an integer")
        }
        if let range, !range.contains(value) {
            throw GraphDataError.malformed(file: fileName, line: lines[i].number,
                                           reason: "\(what) \(value) is out of range \(range.lowerBound)...\(range.upperBound)")
        }
        return value
    }

    /// Parses a real-valued field of record `i` (finite values only).
    func double(_ field: Substring, record i: Int, what: String) throws -> Double {
        guard let value = Double(field), value.isFinite else {
            throw GraphDataError.malformed(file: fileName, line: lines[i].number, reason: "\(what) '\(field)' is not a finite number")
        }
        return value
    }

    /// The one integer on each line (e.g. graph_indicator, labels).
    func singleInts(what: String) throws -> [Int] {
        var out = [Int](); out.reserveCapacity(count)
        for i in 0..<count {
            let f = try fields(i, separator: ",", expected: 1)
            out.append(try int(f[0], record: i, what: what))
        }
        return out
    }

    /// Error for record `i` with a custom reason.
    func error(record i: Int, _ reason: String) -> GraphDataError {
        .malformed(file: fileName, line: lines[i].number, reason: reason)
    }

    private static func trim(_ s: Substring) -> Substring {
        var s = s
        while let c = s.first, c == " " || c == "\t" { s = s.dropFirst() }
        while let c = s.last, c == " " || c == "\t" || c == "\r" { s = s.dropLast() }
        return s
    }
}
