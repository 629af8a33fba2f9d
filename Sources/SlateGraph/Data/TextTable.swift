import Foundation
import Slate

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
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw GraphDataError.inconsistent(file: url.path, reason: "cannot be read (\(error.localizedDescription)); check the path and its permissions")
        }
        try self.init(data: data, fileName: url.lastPathComponent, skipHeader: skipHeader)
    }

    /// Parses the bytes of a file called `fileName` (used in messages). Lines end in LF or CRLF.
    init(data: Data, fileName: String, skipHeader: Bool = false) throws {
        self.fileName = fileName
        guard let text = String(data: data, encoding: .utf8) else {
            throw GraphDataError.inconsistent(file: fileName, reason: "is not UTF-8 text; save it as plain UTF-8")
        }
        var records: [(number: Int, text: Substring)] = []
        var number = 0
        var sawBlank = 0
        // "\r\n" is one Character in Swift, so it is a separator of its own.
        for line in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            number += 1
            if skipHeader && number == 1 { continue }
            if line.allSatisfy({ $0 == " " || $0 == "\t" }) {
                if sawBlank == 0 { sawBlank = number }
                continue
            }
            if sawBlank != 0 {
                throw GraphDataError.malformed(file: fileName, line: sawBlank, reason: "empty line inside the data")
            }
            records.append((number, Self.trim(line)))   // trailing blanks (tabs too) are not a field
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
                                           reason: "expected \(expected) field(s) separated by '\(separator == "\t" ? "\\t" : String(separator))', found \(parts.count): '\(oneLine(text, limit: 80))'")
        }
        if parts.count < minimum {
            throw GraphDataError.malformed(file: fileName, line: number, reason: "expected at least \(minimum) field(s), found \(parts.count)")
        }
        return parts
    }

    /// Parses an integer field of record `i`, optionally requiring it to lie in `range`.
    func int(_ field: Substring, record i: Int, what: String, in range: ClosedRange<Int>? = nil) throws -> Int {
        guard let value = Int(field) else {
            throw GraphDataError.malformed(file: fileName, line: lines[i].number, reason: "\(what) '\(oneLine(field, limit: 40))' is not an integer")
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
            throw GraphDataError.malformed(file: fileName, line: lines[i].number, reason: "\(what) '\(oneLine(field, limit: 40))' is not a finite number")
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
