import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes a TensorBoard event file, `events.out.tfevents.<unix time>.<host>`, into a run's
/// directory, so `tensorboard --logdir runs` shows the run's scalars and text with nothing else
/// installed.
///
/// The file holds TFRecord-framed `Event` messages: first `file_version: "brain.Event:2"`, then
/// one event per call. Every call writes its record straight to the file (no buffering in the
/// process), so a run that is killed keeps everything it logged, and TensorBoard can follow the
/// file while training runs; a record cut short by the kill is ignored by readers.
///
/// **Resuming.** Each writer starts a new file; it never appends to an old one. A run resumed
/// from a checkpoint at step `s` passes `resumingAt: s`: the new file then starts with a
/// `SessionLog` START event at step `s`, and both of TensorBoard's readers drop what the killed
/// process logged at step `s` or later (the steps between the checkpoint and the kill), so the
/// resumed run's values replace them instead of appearing twice. TensorBoard reads a run's files
/// in name order, which is creation order here (ten-digit seconds, then `.1`, `.2`... when two
/// files share a second). Without the START event, TensorBoard's default (Rust) reader still
/// keeps only the last value of a repeated step (a step at or below one already seen evicts
/// that tag's records from that step on), but the Python `EventAccumulator` keeps both.
///
/// ```swift
/// let events = try EventFileWriter(directory: URL(fileURLWithPath: "runs/gpt"))
/// try events.addText("config", "```toml\nlearning_rate = 0.001\n```")
/// try events.addScalars([("train/loss", 2.31), ("train/lr", 1e-3)], step: 10)
/// ```
public final class EventFileWriter {
    /// The event file.
    public let url: URL
    private let handle: FileHandle
    private let wallClock: () -> Double

    /// Creates a new event file in `directory` (created if missing).
    ///
    /// - Parameters:
    ///   - directory: the folder the event file goes into.
    ///   - step: the first step a resumed run logs; readers then discard older events
    ///     from this step on. `nil` for a fresh run.
    ///   - wallClock: seconds since 1970 for each event's `wall_time` (tests pass a fixed clock).
    public init(directory: URL, resumingAt step: Int? = nil,
                wallClock: @escaping () -> Double = { Date().timeIntervalSince1970 }) throws {
        if let step { try Self.check(step: step) }
        self.wallClock = wallClock
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw FileWriteError(description: "cannot create directory \(directory.path): \(error.localizedDescription)")
        }
        let now = wallClock()
        let base = "events.out.tfevents." + String(format: "%010lld", Int64(now)) + "." + Self.hostName()
        var (url, fd) = (directory.appendingPathComponent(base), Int32(-1))
        for n in 0..<1000 {
            url = directory.appendingPathComponent(n == 0 ? base : "\(base).\(n)")
            fd = open(url.path, O_WRONLY | O_CREAT | O_EXCL | O_APPEND, 0o644)
            if fd >= 0 || errno != EEXIST { break }
        }
        guard fd >= 0 else {
            throw FileWriteError(description: "cannot create \(url.path): \(String(cString: strerror(errno))); is the directory writable?")
        }
        self.url = url
        self.handle = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
        try write(TensorBoardEvent.header(wallTime: now, writer: "slate"))
        if let step { try write(TensorBoardEvent.sessionStart(step: Int64(step), wallTime: now)) }
    }

    /// Logs scalars at `step`, as one event (TensorBoard stores them as 32-bit floats).
    public func addScalars(_ values: [(tag: String, value: Double)], step: Int) throws {
        try Self.check(step: step)
        for (tag, _) in values { try Self.check(tag: tag) }
        try write(TensorBoardEvent.scalars(values.map { ($0.tag, Float($0.value)) },
                                           step: Int64(step), wallTime: wallClock()))
    }

    /// Logs one scalar at `step`.
    public func addScalar(_ tag: String, _ value: Double, step: Int) throws {
        try addScalars([(tag, value)], step: step)
    }

    /// Logs `markdown` under `tag` for TensorBoard's Text tab (wrap literal text such as a TOML
    /// config in a fenced code block to keep its layout).
    public func addText(_ tag: String, _ markdown: String, step: Int = 0) throws {
        try Self.check(step: step)
        try Self.check(tag: tag)
        try write(TensorBoardEvent.text(tag: tag, markdown, step: Int64(step), wallTime: wallClock()))
    }

    private func write(_ event: [UInt8]) throws {
        do {
            try handle.write(contentsOf: TFRecord.frame(event))
        } catch {
            throw FileWriteError(description: "cannot write to \(url.path): \(error.localizedDescription) (disk full?)")
        }
    }

    private static func check(step: Int) throws {
        guard step >= 0 else {
            throw FileWriteError(description: "step \(step) is negative; log steps as a count from 0")
        }
    }

    private static func check(tag: String) throws {
        guard !tag.isEmpty else {
            throw FileWriteError(description: "a TensorBoard tag is empty; name every logged value, e.g. 'train/loss'")
        }
    }

    /// This machine's name, as in TensorFlow's file names (characters that cannot go in a file
    /// name become '_').
    static func hostName() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        let ok = gethostname(&buffer, buffer.count - 1) == 0
        let name = ok ? String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self) : ""
        let clean = String(name.map { $0 == "/" || $0.isWhitespace ? "_" : $0 })
        return clean.isEmpty ? "localhost" : clean
    }
}
