import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A file could not be written.
public struct FileWriteError: Error, CustomStringConvertible {
    public let description: String
}

/// Writes `data` to `url` atomically: into a temporary file in the same directory, flushed, then
/// renamed over the destination. A reader (or a crash) never sees a half-written file.
/// Creates the parent directory if it does not exist.
public func writeAtomically(_ data: Data, to url: URL) throws {
    let dir = url.deletingLastPathComponent()
    do {
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    } catch {
        throw FileWriteError(description: "cannot create directory \(dir.path): \(error.localizedDescription)")
    }
    let temp = dir.appendingPathComponent(".\(url.lastPathComponent).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
    guard FileManager.default.createFile(atPath: temp.path, contents: nil) else {
        throw FileWriteError(description: "cannot create \(temp.path): is \(dir.path) writable?")
    }
    do {
        let handle = try FileHandle(forWritingTo: temp)
        defer { try? handle.close() }
        try handle.write(contentsOf: data)
        try handle.synchronize()
    } catch {
        try? FileManager.default.removeItem(at: temp)
        throw FileWriteError(description: "cannot write \(temp.path): \(error.localizedDescription) (disk full?)")
    }
    if rename(temp.path, url.path) != 0 {
        let reason = String(cString: strerror(errno))
        try? FileManager.default.removeItem(at: temp)
        throw FileWriteError(description: "cannot move the finished file to \(url.path): \(reason)")
    }
}

/// Writes `text` as UTF-8, atomically.
public func writeAtomically(_ text: String, to url: URL) throws {
    try writeAtomically(Data(text.utf8), to: url)
}

/// Writes a JSON object (e.g. a run summary or resolved configuration) with sorted keys and
/// indentation, atomically. Values must be JSON-compatible (String, numbers, Bool, arrays, dicts).
public func writeJSON(_ object: [String: Any], to url: URL) throws {
    guard JSONSerialization.isValidJSONObject(object) else {
        throw FileWriteError(description: "cannot encode \(url.lastPathComponent) as JSON: a value is not a string, number, bool, array or dictionary (NaN and infinity are not allowed)")
    }
    var data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
    data.append(0x0A)
    try writeAtomically(data, to: url)
}

/// The process's peak resident memory in megabytes (getrusage `ru_maxrss`, kB on Linux).
public func peakRSSMegabytes() -> Double {
    var usage = rusage()
    #if os(Linux)
    guard getrusage(RUSAGE_SELF.rawValue, &usage) == 0 else { return 0 }
    return Double(usage.ru_maxrss) / 1024
    #else
    guard getrusage(RUSAGE_SELF, &usage) == 0 else { return 0 }
    return Double(usage.ru_maxrss) / (1024 * 1024)   // bytes on macOS
    #endif
}
