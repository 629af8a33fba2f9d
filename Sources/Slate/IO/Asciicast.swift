import Foundation

/// Records text frames (e.g. an environment's `render()`, one per step) as an asciicast v2 file,
/// the terminal recording format that `asciinema play` replays and asciinema's web player
/// embeds: the terminal version of a video capture.
///
/// The file is newline-delimited JSON. Line 1, the header:
///
///     {"env":{"SHELL":"/bin/sh","TERM":"xterm-256color"},"height":12,"timestamp":1700000000,"title":"...","version":2,"width":80}
///
/// then one event per line, `[seconds since start, "o", "bytes written to the terminal"]`, times
/// never decreasing. Each frame is drawn in place the way a terminal program would: cursor home
/// (`ESC[H`), every line followed by erase-to-end-of-line (`ESC[K`) and `\r\n`, then erase below
/// (`ESC[J`), so a shorter or narrower frame leaves nothing of the previous one behind. Events
/// are written as they come (no buffering in the process), so a killed recording keeps the
/// frames it had.
///
/// ```swift
/// let cast = try AsciicastWriter(url: out.appendingPathComponent("episode.cast"),
///                                width: 60, height: 12, title: "CartPole-v1, PPO")
/// for (step, frame) in frames.enumerated() { try cast.frame(frame, at: Double(step) / 30) }
/// ```
public final class AsciicastWriter {
    /// The recording file.
    public let url: URL
    /// Terminal columns and rows in the header.
    public let width: Int, height: Int
    private let handle: FileHandle
    private var lastTime = 0.0

    /// Creates (or replaces) `url` and writes the header. `timestamp` is the recording's start
    /// (Unix seconds); `env` the terminal it claims, as `asciinema rec` records it.
    public init(url: URL, width: Int, height: Int, title: String? = nil, timestamp: Date = Date(),
                env: [String: String] = ["TERM": "xterm-256color", "SHELL": "/bin/sh"]) throws {
        guard width > 0, height > 0 else {
            throw FileWriteError(description: "a recording needs a terminal of at least 1x1, got \(width)x\(height); pass the frame's size")
        }
        self.url = url
        self.width = width
        self.height = height
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        guard FileManager.default.createFile(atPath: url.path, contents: nil) else {
            throw FileWriteError(description: "cannot create \(url.path): is the directory writable?")
        }
        handle = try FileHandle(forWritingTo: url)
        try writeLine(try Self.json(Header(width: width, height: height, timestamp: Int64(timestamp.timeIntervalSince1970),
                                           env: env, title: title)))
    }

    deinit { try? handle.close() }

    /// The columns and rows a frame needs (its longest line, its line count).
    public static func size(of frame: String) -> (width: Int, height: Int) {
        let lines = frame.split(separator: "\n", omittingEmptySubsequences: false)
        return (lines.map(\.count).max() ?? 0, lines.count)
    }

    /// Writes `frames` to `url` as one recording, `1 / fps` seconds apart, in a terminal as large
    /// as the largest frame.
    public static func write(frames: [String], to url: URL, fps: Double, title: String? = nil) throws {
        guard fps > 0, fps.isFinite else {
            throw FileWriteError(description: "a recording needs a positive frame rate, got \(fps) frames per second")
        }
        let sizes = frames.map(size(of:))
        let cast = try AsciicastWriter(url: url, width: max(1, sizes.map(\.width).max() ?? 1),
                                       height: max(1, sizes.map(\.height).max() ?? 1), title: title)
        for (i, frame) in frames.enumerated() { try cast.frame(frame, at: Double(i) / fps) }
    }

    /// Shows `frame` (lines separated by `\n`) at `time` seconds from the start, replacing the
    /// previous frame on screen.
    public func frame(_ frame: String, at time: Double) throws {
        let lines = frame.split(separator: "\n", omittingEmptySubsequences: false)
        try output("\u{1B}[H" + lines.map { $0 + "\u{1B}[K" }.joined(separator: "\r\n") + "\u{1B}[J", at: time)
    }

    /// Writes raw terminal output (text and escape sequences) at `time` seconds from the start.
    public func output(_ data: String, at time: Double) throws {
        guard time.isFinite, time >= lastTime else {
            throw FileWriteError(description: "recording time \(time) s comes before the previous event's \(lastTime) s; give frames non-decreasing times")
        }
        lastTime = time
        try writeLine("[\(String(format: "%.6f", time)), \"o\", \(try Self.json(data))]")
    }

    private func writeLine(_ line: String) throws {
        do {
            try handle.write(contentsOf: Data((line + "\n").utf8))
        } catch {
            throw FileWriteError(description: "cannot write to \(url.path): \(error.localizedDescription) (disk full?)")
        }
    }

    /// The header line's fields (asciicast v2).
    private struct Header: Encodable {
        var version = 2
        let width: Int, height: Int, timestamp: Int64
        let env: [String: String]
        let title: String?
    }

    /// `value` as compact JSON (a string fragment for a String), keys sorted, '/' unescaped.
    private static func json<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }
}

/// An asciicast v2 file read back: its header, its events in order, and the frames an
/// ``AsciicastWriter`` drew (each `"o"` event of the form `ESC[H` line `ESC[K` `\r\n` ... `ESC[J`
/// turned back into its text), so a test can check that a recording replays an episode frame
/// for frame.
public struct AsciicastRecording: Sendable {
    /// The header's required fields (and the title, when there is one).
    public let version: Int, width: Int, height: Int
    public let timestamp: Int64?
    public let title: String?
    /// Every event: seconds from the start, its code (`"o"` output, `"i"` input, `"m"` marker,
    /// `"r"` resize) and its data.
    public let events: [(time: Double, code: String, data: String)]

    /// Parses `url`, checking the header (version 2, positive width and height) and that every
    /// later line is a `[time, code, data]` event with times never decreasing.
    public init(contentsOf url: URL) throws {
        let text: String
        do { text = try String(contentsOf: url, encoding: .utf8) } catch {
            throw FileWriteError(description: "cannot read the recording \(url.path): \(error.localizedDescription)")
        }
        let lines = text.split(separator: "\n").map { Data($0.utf8) }
        func bad(_ line: Int, _ what: String) -> FileWriteError {
            FileWriteError(description: "\(url.path):\(line) is not asciicast v2: \(what)")
        }
        guard let first = lines.first, let header = try? JSONSerialization.jsonObject(with: first) as? [String: Any] else {
            throw bad(1, "the first line must be the JSON header")
        }
        guard (header["version"] as? Int) == 2, let width = header["width"] as? Int, let height = header["height"] as? Int,
              width > 0, height > 0 else {
            throw bad(1, "the header needs version 2 and a positive width and height")
        }
        (version, self.width, self.height) = (2, width, height)
        timestamp = (header["timestamp"] as? NSNumber)?.int64Value
        title = header["title"] as? String
        var events: [(time: Double, code: String, data: String)] = []
        for (index, line) in lines.enumerated().dropFirst() {
            guard let event = try? JSONSerialization.jsonObject(with: line) as? [Any], event.count == 3,
                  let time = (event[0] as? NSNumber)?.doubleValue, let code = event[1] as? String,
                  let data = event[2] as? String else {
                throw bad(index + 1, "an event must be [time, code, data]")
            }
            guard time >= (events.last?.time ?? 0) else { throw bad(index + 1, "event times must not decrease") }
            events.append((time, code, data))
        }
        self.events = events
    }

    /// The text of each frame drawn by ``AsciicastWriter/frame(_:at:)``, in order.
    public var frames: [String] {
        let (home, eraseLine, eraseBelow) = ("\u{1B}[H", "\u{1B}[K", "\u{1B}[J")
        return events.compactMap { event in
            guard event.code == "o", event.data.hasPrefix(home), event.data.hasSuffix(eraseBelow) else { return nil }
            let body = event.data.dropFirst(home.count).dropLast(eraseBelow.count)
            return body.components(separatedBy: "\r\n").map { $0.hasSuffix(eraseLine) ? String($0.dropLast(eraseLine.count)) : $0 }
                .joined(separator: "\n")
        }
    }
}
