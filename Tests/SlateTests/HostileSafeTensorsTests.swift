import Foundation
import XCTest
@testable import Slate

/// Hostile safetensors files, built at test time from a real checkpoint (the shipped CartPole
/// policy), and the memory budget. Every case must throw an error whose one-line message names
/// the file and the problem — never trap, never allocate what the header claims.
final class HostileSafeTensorsTests: XCTestCase {
    static let realFile = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../models/cartpole-ppo/policy.safetensors").standardized

    /// The real file split into its header (as a JSON object) and its data bytes.
    func realParts() throws -> (header: [String: Any], data: Data) {
        let bytes = try Data(contentsOf: Self.realFile)
        let n = Int(bytes.prefix(8).withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)) })
        let header = try XCTUnwrap(JSONSerialization.jsonObject(with: bytes.subdata(in: 8..<8 + n)) as? [String: Any])
        return (header, bytes.subdata(in: 8 + n..<bytes.count))
    }

    /// A file from raw header text and data.
    func file(headerText: String, data: Data) -> Data {
        var out = Data()
        withUnsafeBytes(of: UInt64(headerText.utf8.count).littleEndian) { out.append(contentsOf: $0) }
        return out + Data(headerText.utf8) + data
    }

    /// The real file with its first tensor (in offset order) changed by `edit`.
    func withFirstTensor(_ edit: (inout [String: Any]) -> Void) throws -> Data {
        var (header, data) = try realParts()
        let name = header.keys.filter { $0 != "__metadata__" }.min { offsets(header[$0])[0] < offsets(header[$1])[0] }!
        var entry = header[name] as! [String: Any]
        edit(&entry)
        header[name] = entry
        return file(headerText: String(decoding: try JSONSerialization.data(withJSONObject: header), as: UTF8.self), data: data)
    }

    private func offsets(_ entry: Any?) -> [Int] { (entry as! [String: Any])["data_offsets"] as! [Int] }

    func assertRejected(_ bytes: Data, _ expected: String, case name: String, line: UInt = #line) {
        XCTAssertThrowsError(try SafeTensors.decode(bytes, path: "bad.safetensors"), name, line: line) { error in
            let message = "\(error)"
            XCTAssertTrue(message.contains("bad.safetensors"), "\(name): '\(message)' should name the file", line: line)
            XCTAssertTrue(message.contains(expected), "\(name): '\(message)' should mention '\(expected)'", line: line)
            XCTAssertFalse(message.contains(where: \.isNewline), "\(name): one line", line: line)
        }
    }

    func testRealFileLoads() throws {
        let file = try SafeTensors.read(from: Self.realFile)
        XCTAssertFalse(file.names.isEmpty)
        XCTAssertNoThrow(try file.checkFinite())
    }

    /// Rule: header length, offsets, dtype × shape products (overflow-checked) and sizes against
    /// the file are all checked before anything is allocated.
    func testHostileHeadersAreRefused() throws {
        let real = try Data(contentsOf: Self.realFile)
        let (header, data) = try realParts()
        let headerText = String(decoding: try JSONSerialization.data(withJSONObject: header), as: UTF8.self)
        var huge = real; huge.replaceSubrange(0..<8, with: [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F])
        var pastEnd = real; pastEnd.replaceSubrange(0..<8, with: withUnsafeBytes(of: UInt64(real.count).littleEndian, Array.init))
        let cases: [(String, Data, String)] = [
            ("empty file", Data(), "too short"),
            ("header length 2^63-1", huge, "exceeds"),
            ("header length past the end", pastEnd, "runs past the end"),
            ("header not JSON", file(headerText: "{\"a\": ", data: Data()), "not a valid JSON object"),
            ("header a JSON array", file(headerText: "[1, 2]", data: Data()), "not a valid JSON object"),
            ("truncated data", real.dropLast(4), "truncated"),
            ("extra bytes", real + Data([1, 2, 3, 4]), "unexpected bytes"),
            ("duplicate tensor name", file(headerText: String(headerText.dropLast()) + ",\"" + header.keys.first { $0 != "__metadata__" }! + "\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[0,0]}}", data: data), "twice"),
            ("shape product overflows", try withFirstTensor { $0["shape"] = [1 << 40, 1 << 40, 0] }, "impossible number"),
            ("shape 2^62 elements", try withFirstTensor { $0["shape"] = [1 << 62] }, "impossible number"),
            ("negative dimension", try withFirstTensor { $0["shape"] = [-1, 4] }, "invalid shape"),
            ("fractional dimension", try withFirstTensor { $0["shape"] = [2.5] }, "invalid shape"),
            ("shape disagrees with offsets", try withFirstTensor { $0["shape"] = [1] }, "spans"),
            ("offsets reversed", try withFirstTensor { $0["data_offsets"] = [8, 0] }, "invalid data_offsets"),
            ("offsets huge", try withFirstTensor { $0["data_offsets"] = [0, Int.max] }, "spans"),
            ("unknown dtype", try withFirstTensor { $0["dtype"] = "F8_E4M3" }, "dtype F8_E4M3"),
            ("dtype missing", try withFirstTensor { $0["dtype"] = nil }, "no dtype"),
            // Fuzz finding (FuzzSafeTensors): a name with a line break made a two-line message.
            ("tensor name with a line break", file(headerText: "{\"_\\n0at#__\":{\"shape\":[1]}}", data: Data()), "tensor '_\\n0at#__' has no dtype"),
            ("tensor name with an escape sequence", file(headerText: "{\"\\u001b[2J\":{\"shape\":[1]}}", data: Data()), "tensor '\\u{1B}[2J' has no dtype"),
            ("metadata value not a string", file(headerText: "{\"__metadata__\":{\"a\":1}}", data: Data()), "not a string"),
        ]
        XCTAssertGreaterThanOrEqual(cases.count, 18)
        for (name, bytes, expected) in cases { assertRejected(bytes, expected, case: name) }
    }

    /// Rule: non-finite values are reported by `checkFinite()` (and by `loadStateDict`), naming the
    /// tensor and how many values are bad.
    func testNonFiniteWeightsAreNamedAndCounted() throws {
        let (header, _) = try realParts()
        let file = try SafeTensors.read(from: Self.realFile)
        let name = file.names[0]
        for bad: Float in [.nan, .infinity, -.infinity] {
            var tensors = file.ordered
            let t = tensors[0].1
            let poisoned = Tensor(t.toArray(), shape: t.shape)
            poisoned.pointer[0] = bad; poisoned.pointer[t.count - 1] = bad
            tensors[0] = (name, poisoned)
            let bytes = try SafeTensors.encode(tensors, metadata: file.metadata)
            let decoded = try SafeTensors.decode(bytes, path: "nan.safetensors")
            XCTAssertThrowsError(try decoded.checkFinite()) { error in
                let message = "\(error)"
                XCTAssertTrue(message.contains("nan.safetensors") && message.contains("'\(name)'") && message.contains("holds 2 NaN or infinite values"), message)
            }
            let module = Linear(inFeatures: 1, outFeatures: 1)
            XCTAssertThrowsError(try module.loadStateDict(["weight": Tensor([bad], shape: [1, 1]), "bias": Tensor([0], shape: [1])])) { error in
                XCTAssertTrue("\(error)".contains("'weight' holds 1 NaN or infinite value"), "\(error)")
            }
        }
        XCTAssertNotNil(header["__metadata__"])
    }

    /// Rule: `MemoryBudget` overflow-checks products and refuses what the machine cannot hold,
    /// with the figure, the machine's memory, and what to do.
    func testMemoryBudget() throws {
        XCTAssertEqual(try MemoryBudget.product([3, 4, 5], what: "x"), 60)
        XCTAssertThrowsError(try MemoryBudget.product([1 << 32, 1 << 32], what: "the logits")) { error in
            XCTAssertTrue("\(error)".contains("the logits needs more than"), "\(error)")
        }
        XCTAssertThrowsError(try MemoryBudget.product([4, -1], what: "x")) { XCTAssertTrue("\($0)".contains("negative")) }
        XCTAssertThrowsError(try MemoryBudget.sum([Int.max, 1], what: "x"))
        XCTAssertNoThrow(try MemoryBudget.check(bytes: 1 << 20, what: "a small buffer"))
        let limit = 24 << 30
        XCTAssertThrowsError(try MemoryBudget.check(bytes: 100_000_000_000 * 8 * 4, what: "activations (batch 100000000000)", limit: limit)) { error in
            XCTAssertEqual("\(error)", "this configuration needs ≈ 2.9 TB for activations (batch 100000000000); this machine has 24 GB; lower the sizes")
        }
        XCTAssertThrowsError(try MemoryBudget.check(shape: [1 << 31, 1 << 31, 4], what: "x"))   // overflows before the check
        XCTAssertGreaterThan(MemoryBudget.physicalBytes, 1 << 28)
        XCTAssertEqual(MemoryBudget.format(512), "512 B")
        XCTAssertEqual(MemoryBudget.format(3 << 29), "1.5 GB")
    }
}
