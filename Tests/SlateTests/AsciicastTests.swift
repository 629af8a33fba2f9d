import XCTest
@testable import Slate

/// An asciicast v2 file parsed back: the header's fields, events in time order, and — through a
/// small terminal that understands the few sequences the writer uses — the screen after each
/// event equals the frame recorded, so the episode replays frame for frame.
final class AsciicastTests: XCTestCase {
    func testHeaderAndFramesReplayFrameForFrame() throws {
        let frames = [
            "+--------+\n|   o    |\n|   |    |\n+--------+",
            "+--------+\n|    o   |\n+--------+",                       // fewer lines: rest erased
            "ok\n\"quoted\" \\ é ✓",                                    // shorter lines, JSON escapes, UTF-8
        ]
        let size = frames.map(AsciicastWriter.size(of:))
        XCTAssertEqual(size.map(\.width), [10, 10, 14])
        XCTAssertEqual(size.map(\.height), [4, 3, 2])
        let url = scratchDirectory().appendingPathComponent("episode.cast")
        let cast = try AsciicastWriter(url: url, width: 14, height: 4, title: "CartPole-v1",
                                       timestamp: Date(timeIntervalSince1970: 1_700_000_000))
        for (i, frame) in frames.enumerated() { try cast.frame(frame, at: Double(i) / 30) }
        XCTAssertThrowsError(try cast.frame("late", at: 0.01)) { XCTAssertTrue("\($0)".contains("non-decreasing"), "\($0)") }

        let lines = try String(contentsOf: url, encoding: .utf8).split(separator: "\n").map { Data($0.utf8) }
        let header = try XCTUnwrap(try JSONSerialization.jsonObject(with: lines[0]) as? [String: Any])
        XCTAssertEqual(header["version"] as? Int, 2)
        XCTAssertEqual(header["width"] as? Int, 14)
        XCTAssertEqual(header["height"] as? Int, 4)
        XCTAssertEqual(header["timestamp"] as? Int, 1_700_000_000)
        XCTAssertEqual(header["title"] as? String, "CartPole-v1")
        XCTAssertEqual((header["env"] as? [String: String])?["TERM"], "xterm-256color")

        XCTAssertEqual(lines.count, 1 + frames.count)
        var screen = Screen(width: 14, height: 4)
        for (i, line) in lines.dropFirst().enumerated() {
            let event = try XCTUnwrap(try JSONSerialization.jsonObject(with: line) as? [Any])
            XCTAssertEqual(event.count, 3)
            XCTAssertEqual((event[0] as? NSNumber)?.doubleValue ?? -1, Double(i) / 30, accuracy: 1e-6)
            XCTAssertEqual(event[1] as? String, "o")
            screen.feed(try XCTUnwrap(event[2] as? String))
            let expected = frames[i].split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            XCTAssertEqual(screen.lines, expected + Array(repeating: "", count: 4 - expected.count), "frame \(i)")
        }
    }

    func testBadSizesAndTimesAreClearErrors() throws {
        let url = scratchDirectory().appendingPathComponent("episode.cast")
        XCTAssertThrowsError(try AsciicastWriter(url: url, width: 0, height: 3)) { XCTAssertTrue("\($0)".contains("1x1"), "\($0)") }
        let cast = try AsciicastWriter(url: url, width: 3, height: 1)
        XCTAssertThrowsError(try cast.output("x", at: .nan))
        XCTAssertThrowsError(try cast.output("x", at: -1))
    }

    /// `write(frames:)` sizes the terminal to the largest frame, spaces frames 1/fps apart, and
    /// `AsciicastRecording` reads back the header, the events and the frames as drawn.
    func testRecordingReadsBackItsFrames() throws {
        let frames = ["|o   |\n+----+", "| o  |\n+----+\nstep 1", "", "  o|"]
        let url = scratchDirectory().appendingPathComponent("episode.cast")
        try AsciicastWriter.write(frames: frames, to: url, fps: 20, title: "test")
        let recording = try AsciicastRecording(contentsOf: url)
        XCTAssertEqual([recording.version, recording.width, recording.height], [2, 6, 3])
        XCTAssertEqual(recording.title, "test")
        XCTAssertEqual(recording.events.map(\.time), [0, 0.05, 0.1, 0.15])
        XCTAssertEqual(recording.events.map(\.code), ["o", "o", "o", "o"])
        XCTAssertEqual(recording.frames, frames)
        var screen = Screen(width: 6, height: 3)
        for (event, frame) in zip(recording.events, frames) {   // the reader agrees with a terminal
            screen.feed(event.data)
            XCTAssertEqual(screen.lines.joined(separator: "\n").trimmingCharacters(in: .newlines),
                           frame.trimmingCharacters(in: .newlines))
        }
        XCTAssertThrowsError(try AsciicastWriter.write(frames: frames, to: url, fps: 0))

        let bad = url.deletingLastPathComponent().appendingPathComponent("bad.cast")
        for (text, message) in [("{\"version\": 1, \"width\": 80, \"height\": 24}\n", ":1 is not asciicast v2"),
                                ("{\"version\": 2, \"width\": 80, \"height\": 24}\n[0.5, \"o\", \"a\"]\n[0.1, \"o\", \"b\"]\n", ":3 is not"),
                                ("{\"version\": 2, \"width\": 80, \"height\": 24}\n[0.5, \"o\"]\n", ":2 is not")] {
            try text.write(to: bad, atomically: true, encoding: .utf8)
            XCTAssertThrowsError(try AsciicastRecording(contentsOf: bad)) { XCTAssertTrue("\($0)".contains(message), "\($0)") }
        }
    }

    /// Just enough of a VT100 for the writer's output: ESC[H, ESC[K, ESC[J, \r, \n and text.
    struct Screen {
        let width: Int, height: Int
        var cells: [[Character]]
        var row = 0, column = 0

        init(width: Int, height: Int) {
            self.width = width; self.height = height
            cells = Array(repeating: Array(repeating: " ", count: width), count: height)
        }

        /// Rows with trailing blanks removed.
        var lines: [String] {
            cells.map { String($0).replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression) }
        }

        mutating func feed(_ data: String) {
            var chars = Array(data)[...]
            while let c = chars.popFirst() {
                switch c {
                case "\u{1B}":
                    XCTAssertEqual(chars.popFirst(), "[")
                    switch chars.popFirst() {
                    case "H": (row, column) = (0, 0)
                    case "K": clear(row: row, from: column)
                    case "J": clear(row: row, from: column); for r in row + 1..<max(height, row + 1) { clear(row: r, from: 0) }
                    case let other: XCTFail("unexpected escape ESC[\(String(describing: other))")
                    }
                case "\r\n": (row, column) = (row + 1, 0)                 // Swift keeps CR LF as one Character
                case "\r": column = 0
                case "\n": row += 1
                default:
                    if row < height && column < width { cells[row][column] = c }
                    column += 1
                }
            }
        }

        mutating func clear(row r: Int, from c: Int) {
            guard r < height else { return }
            for i in min(c, width)..<width { cells[r][i] = " " }
        }
    }
}
