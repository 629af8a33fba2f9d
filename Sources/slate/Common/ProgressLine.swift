import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A progress display for long runs.
///
/// On a terminal: one line rewritten in place (`\r`) at most ~10 times a second, with a bar,
/// the caller's message and an ETA. Not on a terminal (CI logs, pipes, files): a plain line at
/// most every `plainInterval` seconds, so logs stay short. `finish()` ends the line.
final class ProgressLine {
    let total: Int
    let label: String
    let isTerminal: Bool
    let plainInterval: TimeInterval
    private let start = Date()
    private var lastPrint = Date.distantPast
    private var lastWidth = 0

    /// - Parameters:
    ///   - total: the number of units (steps, episodes) the run will do.
    ///   - label: a short prefix such as "train".
    init(total: Int, label: String, plainInterval: TimeInterval = 10,
         isTerminal: Bool = isatty(STDOUT_FILENO) == 1) {
        self.total = max(total, 1)
        self.label = label
        self.plainInterval = plainInterval
        self.isTerminal = isTerminal
    }

    /// Seconds since the progress line was created.
    var elapsed: TimeInterval { Date().timeIntervalSince(start) }

    /// Reports that `done` of `total` units are complete; `message` carries the metrics
    /// ("loss 1.234 | 52 ms/step"). Prints only when enough time has passed, or at the end.
    func update(_ done: Int, _ message: String) {
        let now = Date()
        let interval = isTerminal ? 0.1 : plainInterval
        guard now.timeIntervalSince(lastPrint) >= interval || done >= total else { return }
        lastPrint = now
        let fraction = min(Double(done) / Double(total), 1)
        let eta = done > 0 ? elapsed / Double(done) * Double(total - done) : .nan
        let counter = "\(label) \(done)/\(total)"
        if isTerminal {
            let width = 20, filled = Int(fraction * Double(width))
            let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled)
            var line = "\(counter) \(bar) \(message) | ETA \(formatDuration(eta))"
            let visible = line.count
            if visible < lastWidth { line += String(repeating: " ", count: lastWidth - visible) }
            lastWidth = visible
            FileHandle.standardOutput.write(Data(("\r" + line).utf8))
        } else {
            print("\(counter) (\(Int(fraction * 100))%) \(message) | elapsed \(formatDuration(elapsed)) | ETA \(formatDuration(eta))")
            fflush(nil)
        }
    }

    /// Prints `message` as a permanent line above the progress display (e.g. an evaluation).
    func note(_ message: String) {
        if isTerminal && lastWidth > 0 {
            FileHandle.standardOutput.write(Data(("\r" + String(repeating: " ", count: lastWidth) + "\r").utf8))
            lastWidth = 0
        }
        print(message)
        fflush(nil)
    }

    /// Ends the progress display (moves to a fresh line on a terminal) and prints `message`.
    func finish(_ message: String? = nil) {
        if isTerminal && lastWidth > 0 { FileHandle.standardOutput.write(Data("\n".utf8)) }
        lastWidth = 0
        if let message { print(message) }
        fflush(nil)
    }
}

/// "42s", "3m05s", "1h02m"; "?" when unknown.
func formatDuration(_ seconds: TimeInterval) -> String {
    guard seconds.isFinite, seconds >= 0 else { return "?" }
    let s = Int(seconds.rounded())
    if s < 60 { return seconds < 10 ? String(format: "%.1fs", seconds) : "\(s)s" }
    if s < 3600 { return String(format: "%dm%02ds", s / 60, s % 60) }
    return String(format: "%dh%02dm", s / 3600, (s % 3600) / 60)
}
