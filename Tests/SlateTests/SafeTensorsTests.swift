import Foundation
import XCTest
@testable import Slate

final class SafeTensorsTests: XCTestCase {
    let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    func temporaryDirectory() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("slate-st-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
        return dir
    }

    /// Fixture written by Python safetensors 0.8.0 (see Fixtures/make_reference_safetensors.py).
    func testReadsFileWrittenByReferenceLibrary() throws {
        let file = try SafeTensors.read(from: fixtures.appendingPathComponent("reference.safetensors"))
        XCTAssertEqual(file.metadata, ["format": "pt", "model": "fixture", "note": "généré par safetensors 0.8.0"])
        XCTAssertEqual(Set(file.names), ["weight_f32", "half_f16", "double_f64", "steps_i64", "scalar_f32", "bias_bf16"])
        XCTAssertEqual(file.names.first, "steps_i64")   // file order = data-offset order
        XCTAssertEqual(file.dtypes["bias_bf16"], "BF16")
        let t = file.tensors
        XCTAssertEqual(t["weight_f32"]!.shape, [2, 3])
        XCTAssertEqual(t["weight_f32"]!.toArray(), [1.5, -2.25, 3.0, 0.125, -0.0, 1e-3])
        XCTAssertEqual(t["half_f16"]!.toArray(), [1, -2.5, 65504, 0x1p-14, 0x1p-24, Float(1365) / 4096])
        XCTAssertEqual(t["double_f64"]!.shape, [2, 1])
        XCTAssertEqual(t["double_f64"]!.toArray(), [Float(Double.pi), -1e10])
        XCTAssertEqual(t["steps_i64"]!.toArray(), [0, -7, Float(123_456_789 as Int64)])  // rounds to 123456792
        XCTAssertEqual(t["scalar_f32"]!.shape, [])
        XCTAssertEqual(t["scalar_f32"]!.item(), 42)
        XCTAssertEqual(t["bias_bf16"]!.toArray(), [1, -0.5, 3.140625, 256])
    }

    func testHalfConversionEdgeCases() {
        XCTAssertEqual(SafeTensors.halfToFloat(0x0000), 0)
        XCTAssertEqual(SafeTensors.halfToFloat(0x8000).sign, .minus)
        XCTAssertEqual(SafeTensors.halfToFloat(0x7C00), .infinity)
        XCTAssertEqual(SafeTensors.halfToFloat(0xFC00), -.infinity)
        XCTAssertTrue(SafeTensors.halfToFloat(0x7E00).isNaN)
        XCTAssertEqual(SafeTensors.halfToFloat(0x03FF), 1023 * 0x1p-24)   // largest subnormal
    }

    func testRoundTripOfShapesAndMetadata() throws {
        var rng = RandomGenerator(seed: 4)
        let tensors: [(String, Tensor)] = [
            ("h.0.attn.c_attn.weight", Tensor.randn([3, 4, 5], generator: &rng)),
            ("bias", Tensor.randn([7], generator: &rng)),
            ("scalar", Tensor(scalar: -3.5)),
            ("empty", Tensor.zeros([0, 3])),
        ]
        let url = try temporaryDirectory().appendingPathComponent("sub/model.safetensors")
        try SafeTensors.write(tensors, metadata: ["config": "{\"n_layer\": 2}", "version": "1"], to: url)
        let file = try SafeTensors.read(from: url)
        XCTAssertEqual(file.names, tensors.map { $0.0 })
        XCTAssertEqual(file.metadata, ["config": "{\"n_layer\": 2}", "version": "1"])
        for (name, t) in tensors {
            XCTAssertEqual(file.tensors[name]!.shape, t.shape)
            XCTAssertEqual(file.tensors[name]!.toArray(), t.toArray())
        }
        // Header is padded so the data section starts 8-byte aligned.
        let data = try Data(contentsOf: url)
        let n = data.withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }
        XCTAssertEqual(n % 8, 0)
        // No temporary files are left next to the output.
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: url.deletingLastPathComponent().path), ["model.safetensors"])
    }

    /// Builds a file from a header string and a data section.
    func file(header: String, dataBytes: Int) -> Data {
        var d = Data()
        withUnsafeBytes(of: UInt64(header.utf8.count).littleEndian) { d.append(contentsOf: $0) }
        d.append(Data(header.utf8))
        d.append(Data(count: dataBytes))
        return d
    }

    func assertRejects(_ data: Data, mentioning phrase: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try SafeTensors.decode(data, path: "x.safetensors"), file: file, line: line) { error in
            XCTAssertTrue(error is SafeTensorsError, file: file, line: line)
            XCTAssertTrue("\(error)".contains(phrase), "'\(error)' should mention '\(phrase)'", file: file, line: line)
        }
    }

    func testCorruptFilesGiveClearErrors() throws {
        let good = try SafeTensors.encode([("a", Tensor([1, 2, 3])), ("b", Tensor([4]))])
        XCTAssertNoThrow(try SafeTensors.decode(good))
        assertRejects(good.prefix(5), mentioning: "too short")
        assertRejects(good.dropLast(1), mentioning: "truncated")
        assertRejects(good.prefix(20), mentioning: "runs past the end")
        var corrupted = good
        corrupted[8] = UInt8(ascii: "x")
        assertRejects(corrupted, mentioning: "not a valid JSON object")
        var huge = good
        huge.replaceSubrange(0..<8, with: [0, 0, 0, 0, 0, 0, 1, 0])
        assertRejects(huge, mentioning: "exceeds")
        var invalidUTF8 = file(header: "{\"a\":{}} ", dataBytes: 0)
        invalidUTF8[15] = 0xFF
        assertRejects(invalidUTF8, mentioning: "UTF-8")
        assertRejects(good + Data([0, 0, 0, 0]), mentioning: "unexpected bytes")
    }

    func testBadOffsetsShapesAndDtypes() {
        let f32 = #""dtype":"F32","shape""#
        let cases: [(header: String, dataBytes: Int, phrase: String)] = [
            (#"{"a":{"# + f32 + #":[1],"data_offsets":[0,4]},"b":{"# + f32 + #":[1],"data_offsets":[8,12]}}"#, 12, "gap before tensor 'b'"),
            (#"{"a":{"# + f32 + #":[2],"data_offsets":[0,8]},"b":{"# + f32 + #":[1],"data_offsets":[4,8]}}"#, 8, "overlaps"),
            (#"{"a":{"# + f32 + #":[2,2],"data_offsets":[0,12]}}"#, 12, "needs 16"),
            (#"{"a":{"# + f32 + #":[4],"data_offsets":[0,16]}}"#, 8, "truncated"),
            (#"{"a":{"# + f32 + #":[1],"data_offsets":[4,0]}}"#, 4, "invalid data_offsets"),
            (#"{"a":{"dtype":"C64","shape":[1],"data_offsets":[0,8]}}"#, 8, "dtype C64"),
            (#"{"a":{"# + f32 + #":[-1],"data_offsets":[0,4]}}"#, 4, "invalid shape"),
            (#"{"a":{"# + f32 + #":[1.5],"data_offsets":[0,4]}}"#, 4, "invalid shape"),
            (#"{"a":{"# + f32 + #":[4294967296,4294967296],"data_offsets":[0,4]}}"#, 4, "tensor 'a'"),
            (#"{"__metadata__":{"k":3}}"#, 0, "not a string"),
        ]
        for c in cases { assertRejects(file(header: c.header, dataBytes: c.dataBytes), mentioning: c.phrase) }
        XCTAssertThrowsError(try SafeTensors.encode([("a", Tensor([1])), ("a", Tensor([2]))]))
    }

    func testMissingFileNamesThePath() {
        XCTAssertThrowsError(try SafeTensors.read(from: URL(fileURLWithPath: "/nonexistent/m.safetensors"))) { error in
            XCTAssertTrue("\(error)".contains("/nonexistent/m.safetensors"))
        }
    }

    func testModuleSaveLoadAndMismatchErrors() throws {
        var rng = RandomGenerator(seed: 8)
        let a = MLP(sizes: [3, 5, 2], generator: &rng), b = MLP(sizes: [3, 5, 2], generator: &rng)
        let url = try temporaryDirectory().appendingPathComponent("mlp.safetensors")
        try a.save(to: url, metadata: ["kind": "mlp"])
        XCTAssertEqual(try b.load(from: url), ["kind": "mlp"])
        for (pa, pb) in zip(a.parameters(), b.parameters()) { XCTAssertEqual(pa.toArray(), pb.toArray()) }

        let wider = MLP(sizes: [3, 6, 2], generator: &rng)
        XCTAssertThrowsError(try wider.load(from: url)) { error in
            XCTAssertTrue("\(error)".contains("'0.weight' has shape [5, 3]"), "\(error)")
        }
        let deeper = MLP(sizes: [3, 5, 5, 2], generator: &rng)
        let before = deeper.linears[0].weight.toArray()
        XCTAssertThrowsError(try deeper.load(from: url)) { error in
            XCTAssertTrue("\(error)".contains("missing 4.weight, 4.bias"), "\(error)")
        }
        XCTAssertEqual(deeper.linears[0].weight.toArray(), before, "a failed load must not modify the model")
        var state = Dictionary(uniqueKeysWithValues: a.stateDict())
        state["extra"] = Tensor([1])
        XCTAssertThrowsError(try b.loadStateDict(state)) { XCTAssertTrue("\($0)".contains("unexpected extra")) }
        XCTAssertNoThrow(try b.loadStateDict(state, strict: false))
    }
}
