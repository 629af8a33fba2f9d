import XCTest
@testable import Slate

/// Event files byte for byte against TensorBoard's own Python writer, the CRC against its
/// published check values, and the file writer's naming, flushing and resume marker.
final class TensorBoardEventTests: XCTestCase {

    func testCRC32CMatchesPublishedCheckValues() {
        XCTAssertEqual(CRC32C.checksum(Array("123456789".utf8)), 0xE306_9283)   // the catalogue's check value
        XCTAssertEqual(CRC32C.checksum([]), 0)
        XCTAssertEqual(CRC32C.checksum([UInt8](repeating: 0, count: 32)), 0x8A91_36AA)     // RFC 3720 B.4
        XCTAssertEqual(CRC32C.checksum([UInt8](repeating: 0xFF, count: 32)), 0x62A8_AB43)  // RFC 3720 B.4
        XCTAssertEqual(CRC32C.checksum(Array(0...31)), 0x46DD_794E)                         // RFC 3720 B.4
    }

    func testMaskRotatesAndOffsetsAsTensorFlowDoes() {
        XCTAssertEqual(TFRecord.mask(0), 0xa282_ead8)
        XCTAssertEqual(TFRecord.mask(0x8000), 0xa282_ead9)          // bit 15 rotates to bit 0
        XCTAssertEqual(TFRecord.mask(1), 0xa284_ead8)               // bit 0 rotates to bit 17
    }

    func testVarintsAsTheProtobufDocsShowThem() {
        var e = ProtobufEncoder()
        e.appendVarint(1); e.appendVarint(150); e.appendVarint(300)
        XCTAssertEqual(e.bytes, [0x01, 0x96, 0x01, 0xAC, 0x02])
        var n = ProtobufEncoder()
        n.int64(2, -1)                                              // two's complement: ten bytes
        XCTAssertEqual(n.bytes, [0x10] + [UInt8](repeating: 0xFF, count: 9) + [0x01])
    }

    /// The six events of Fixtures/make_reference_tfevents.py, built with Slate's encoder and
    /// framing, equal the file TensorBoard's writer made, byte for byte.
    func testEncodesTheReferenceWritersBytes() throws {
        let reference = try [UInt8](Data(contentsOf: fixturesDirectory.appendingPathComponent("reference.tfevents")))
        let config = "```toml\n# résumé of the run\nlearning_rate = 0.001\nmax_iters = 5000\nn_embd = 384\n"
            + "dataset = \"shakespeare_char\"\n```"
        let events: [[UInt8]] = [
            TensorBoardEvent.header(wallTime: 1_700_000_000.25, writer: "slate"),
            TensorBoardEvent.scalars([("train/loss", 2.5), ("train/lr", 0.001)], step: 1, wallTime: 1_700_000_001.5),
            TensorBoardEvent.scalars([("val/loss", 0)], step: 0, wallTime: 1_700_000_002.0),
            TensorBoardEvent.scalars([("charts/episodic_return", -12.75), ("losses/approx_kl", 1e-8)],
                                     step: 300_000, wallTime: 1_700_000_002.75),
            TensorBoardEvent.text(tag: "config", config, step: 0, wallTime: 1_700_000_003.0),
            TensorBoardEvent.sessionStart(step: 40, wallTime: 1_700_000_004.0),
        ]
        let records = try readRecords(reference)
        XCTAssertEqual(records.count, events.count)
        for (i, (ours, theirs)) in zip(events, records).enumerated() {
            XCTAssertEqual(ours, theirs, "event \(i) differs from TensorBoard's serialization")
        }
        XCTAssertEqual(events.flatMap(TFRecord.frame), reference, "framing differs from TensorBoard's RecordWriter")
    }

    func testWriterNamesTheFileWritesTheHeaderFirstAndEachRecordAtOnce() throws {
        let dir = scratchDirectory()
        let writer = try EventFileWriter(directory: dir, wallClock: { 1_700_000_123.5 })
        XCTAssertEqual(writer.url.lastPathComponent, "events.out.tfevents.1700000123.\(EventFileWriter.hostName())")
        XCTAssertEqual(try readRecords(writer.url), [TensorBoardEvent.header(wallTime: 1_700_000_123.5, writer: "slate")])
        try writer.addScalars([("train/loss", 1.25)], step: 7)     // read back while the writer is open
        XCTAssertEqual(try readRecords(writer.url).last,
                       TensorBoardEvent.scalars([("train/loss", 1.25)], step: 7, wallTime: 1_700_000_123.5))
        try writer.addText("notes", "*hello*", step: 7)
        XCTAssertEqual(try readRecords(writer.url).count, 3)
    }

    func testResumedWriterStartsANewLaterFileWithTheStartMarker() throws {
        let dir = scratchDirectory()
        let first = try EventFileWriter(directory: dir, wallClock: { 1_700_000_000 })
        let resumed = try EventFileWriter(directory: dir, resumingAt: 40, wallClock: { 1_700_000_000 })
        XCTAssertNotEqual(first.url, resumed.url)
        XCTAssertLessThan(first.url.lastPathComponent, resumed.url.lastPathComponent, "readers take files in name order")
        XCTAssertEqual(try readRecords(resumed.url).last, TensorBoardEvent.sessionStart(step: 40, wallTime: 1_700_000_000))
    }

    func testBadStepsAndTagsAreClearErrors() throws {
        let writer = try EventFileWriter(directory: scratchDirectory())
        XCTAssertThrowsError(try writer.addScalar("train/loss", 1, step: -1)) {
            XCTAssertTrue("\($0)".contains("negative"), "\($0)")
        }
        XCTAssertThrowsError(try writer.addScalar("", 1, step: 0)) { XCTAssertTrue("\($0)".contains("empty"), "\($0)") }
    }

    // MARK: helpers


    func readRecords(_ url: URL) throws -> [[UInt8]] {
        try readRecords([UInt8](Data(contentsOf: url)))
    }

    /// Splits a TFRecord file into payloads, checking both masked CRCs of every record.
    func readRecords(_ bytes: [UInt8]) throws -> [[UInt8]] {
        var records: [[UInt8]] = [], at = 0
        func uint(_ offset: Int, _ count: Int) -> UInt64 {
            (0..<count).reduce(0) { $0 | UInt64(bytes[offset + $1]) << (8 * $1) }
        }
        while at < bytes.count {
            let length = Int(uint(at, 8))
            XCTAssertEqual(UInt32(uint(at + 8, 4)), TFRecord.maskedCRC32C(Array(bytes[at..<at + 8])), "length CRC at \(at)")
            let data = Array(bytes[at + 12..<at + 12 + length])
            XCTAssertEqual(UInt32(uint(at + 12 + length, 4)), TFRecord.maskedCRC32C(data), "data CRC at \(at)")
            records.append(data)
            at += 16 + length
        }
        return records
    }
}
