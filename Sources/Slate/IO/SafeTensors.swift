import Foundation

/// The safetensors format (https://github.com/huggingface/safetensors), read and written.
///
/// Layout: an 8-byte little-endian header length `n`, then `n` bytes of UTF-8 JSON, then the
/// raw little-endian tensor data. The JSON maps each tensor name to
/// `{"dtype": "F32", "shape": [2, 3], "data_offsets": [begin, end]}` (offsets relative to the
/// data section) and may hold a `"__metadata__"` map of strings to strings.
/// Slate writes F32 and reads F32, F16, BF16, F64, I64 and I32 (converted to Float).

/// Why a safetensors file was rejected.
public struct SafeTensorsError: Error, CustomStringConvertible {
    public let description: String
    init(_ path: String, _ problem: String) { description = "safetensors file \(path): \(oneLine(problem))" }
}

/// The former spelling of ``SafeTensorsError``.
@available(*, deprecated, renamed: "SafeTensorsError")
public typealias SafetensorsError = SafeTensorsError

/// The contents of a safetensors file.
public struct SafeTensorsFile {
    /// Tensor names in file (data offset) order.
    public var names: [String]
    /// Tensors by name, converted to Float.
    public var tensors: [String: Tensor]
    /// The stored dtype of each tensor ("F32", "BF16", ...).
    public var dtypes: [String: String]
    /// The `__metadata__` map (empty when absent).
    public var metadata: [String: String]
    /// The path (or label) the file was read from, for error messages.
    public var source: String = "(in memory)"

    /// `(name, tensor)` pairs in file order.
    public var ordered: [(String, Tensor)] { names.map { ($0, tensors[$0]!) } }

    /// Throws when a tensor holds NaN or ±Inf, naming the first such tensor (in file order) and
    /// how many of its values are bad. Loaders call this before using weights: a non-finite
    /// weight can only come from a corrupt file or a diverged run.
    public func checkFinite() throws {
        for name in names {
            let bad = tensors[name]!.nonFiniteCount
            guard bad == 0 else {
                throw SafeTensorsError(source, "tensor '\(name)' holds \(bad) NaN or infinite value\(bad == 1 ? "" : "s") out of \(tensors[name]!.count); the weights are corrupt or come from a diverged run, so load an earlier checkpoint")
            }
        }
    }
}


/// Reading and writing safetensors files.
public enum SafeTensors {
    /// Largest accepted JSON header (as the reference implementation: 100 MB).
    public static let maxHeaderBytes = 100_000_000

    /// Bytes per element of the dtypes Slate reads.
    static let dtypeSizes: [String: Int] = ["F32": 4, "F16": 2, "BF16": 2, "F64": 8, "I64": 8, "I32": 4]

    // MARK: writing

    /// The file's bytes for `tensors` (stored as F32 in the given order) and `metadata`.
    public static func encode(_ tensors: [(String, Tensor)], metadata: [String: String] = [:]) throws -> Data {
        var header: [String: Any] = [:]
        var offset = 0
        for (name, t) in tensors {
            guard !name.isEmpty, name != "__metadata__" else {
                throw SafeTensorsError("(being written)", "invalid tensor name '\(name)'")
            }
            guard header[name] == nil else {
                throw SafeTensorsError("(being written)", "tensor name '\(name)' appears twice")
            }
            header[name] = ["dtype": "F32", "shape": t.shape, "data_offsets": [offset, offset + 4 * t.count]] as [String: Any]
            offset += 4 * t.count
        }
        if !metadata.isEmpty { header["__metadata__"] = metadata }
        var json = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
        while json.count % 8 != 0 { json.append(0x20) }   // pad with spaces so data starts aligned

        var data = Data(capacity: 8 + json.count + offset)
        withUnsafeBytes(of: UInt64(json.count).littleEndian) { data.append(contentsOf: $0) }
        data.append(json)
        for (_, t) in tensors {
            #if _endian(little)
            data.append(UnsafeBufferPointer(start: t.pointer, count: t.count))
            #else
            for i in 0..<t.count { withUnsafeBytes(of: t.pointer[i].bitPattern.littleEndian) { data.append(contentsOf: $0) } }
            #endif
        }
        return data
    }

    /// Writes `tensors` (F32, in this order) and `metadata` to `url`, atomically.
    public static func write(_ tensors: [(String, Tensor)], metadata: [String: String] = [:], to url: URL) throws {
        try writeAtomically(encode(tensors, metadata: metadata), to: url)
    }

    // MARK: reading

    /// Reads and validates the file at `url`.
    public static func read(from url: URL) throws -> SafeTensorsFile {
        let data: Data
        do {
            data = try Data(contentsOf: url, options: .mappedIfSafe)
        } catch {
            throw SafeTensorsError(url.path, "cannot be read (\(error.localizedDescription)); check the path")
        }
        return try decode(data, path: url.path)
    }

    /// Parses and validates safetensors bytes; `path` only labels errors.
    public static func decode(_ data: Data, path: String = "(in memory)") throws -> SafeTensorsFile {
        func fail(_ problem: String) -> SafeTensorsError { SafeTensorsError(path, problem) }
        guard data.count >= 8 else { throw fail("only \(data.count) bytes, too short for the 8-byte header length (truncated?)") }
        let headerLength = data.withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)) }
        guard headerLength <= UInt64(maxHeaderBytes) else {
            throw fail("header length \(headerLength) exceeds the \(maxHeaderBytes)-byte limit (not a safetensors file, or corrupted)")
        }
        let n = Int(headerLength)
        guard 8 + n <= data.count else {
            throw fail("header length \(n) runs past the end of the \(data.count)-byte file (truncated?)")
        }
        let headerBytes = data.subdata(in: data.startIndex + 8 ..< data.startIndex + 8 + n)
        guard String(data: headerBytes, encoding: .utf8) != nil else { throw fail("header is not valid UTF-8") }
        guard headerBytes.first == UInt8(ascii: "{"),
              let json = try? JSONSerialization.jsonObject(with: headerBytes),
              let header = json as? [String: Any] else {
            throw fail("header is not a valid JSON object (corrupted?)")
        }
        if let repeated = repeatedTopLevelKey(headerBytes, distinctKeys: header.count) {
            throw fail("the header names '\(repeated)' twice; each tensor name must appear once (the file is corrupt)")
        }
        let dataStart = 8 + n, dataSize = data.count - dataStart

        var metadata: [String: String] = [:]
        struct Entry { var name: String; var dtype: String; var shape: [Int]; var begin: Int; var end: Int }
        var entries: [Entry] = []
        for (name, value) in header {
            if name == "__metadata__" {
                guard let map = value as? [String: Any] else { throw fail("__metadata__ is not an object") }
                for (k, v) in map {
                    guard let s = v as? String else { throw fail("__metadata__ value for '\(k)' is not a string") }
                    metadata[k] = s
                }
                continue
            }
            guard let info = value as? [String: Any] else { throw fail("entry '\(name)' is not an object") }
            guard let dtype = info["dtype"] as? String else { throw fail("tensor '\(name)' has no dtype") }
            guard let size = dtypeSizes[dtype] else {
                throw fail("tensor '\(name)' has dtype \(dtype); Slate reads \(dtypeSizes.keys.sorted().joined(separator: ", "))")
            }
            guard let shape = integers(info["shape"]), shape.allSatisfy({ $0 >= 0 }) else {
                throw fail("tensor '\(name)' has an invalid shape (expected a list of non-negative integers)")
            }
            guard let offsets = integers(info["data_offsets"]), offsets.count == 2,
                  offsets[0] >= 0, offsets[0] <= offsets[1] else {
                throw fail("tensor '\(name)' has invalid data_offsets (expected [begin, end] with 0 ≤ begin ≤ end)")
            }
            // Elements × bytes per element, overflow-checked: a hostile shape must not wrap around.
            let bytes = try? MemoryBudget.product(shape + [size], what: "tensor '\(name)'")
            guard let bytes, offsets[1] - offsets[0] == bytes else {
                throw fail("tensor '\(name)' spans \(offsets[1] - offsets[0]) bytes but shape \(shape) of \(dtype) needs \(bytes.map(String.init) ?? "an impossible number of") bytes")
            }
            entries.append(Entry(name: name, dtype: dtype, shape: shape, begin: offsets[0], end: offsets[1]))
        }

        entries.sort { ($0.begin, $0.end) < ($1.begin, $1.end) }
        var expected = 0
        for e in entries {
            guard e.begin == expected else {
                throw fail(e.begin < expected
                    ? "tensor '\(e.name)' at bytes \(e.begin)..<\(e.end) overlaps the previous tensor (ends at \(expected))"
                    : "gap before tensor '\(e.name)': data_offsets start at \(e.begin), expected \(expected)")
            }
            expected = e.end
        }
        guard expected == dataSize else {
            throw fail(expected > dataSize
                ? "tensor data needs \(expected) bytes but the file holds \(dataSize) after the header (truncated?)"
                : "\(dataSize - expected) unexpected bytes after the last tensor")
        }

        var file = SafeTensorsFile(names: [], tensors: [:], dtypes: [:], metadata: metadata, source: path)
        data.withUnsafeBytes { raw in
            for e in entries {
                let t = Tensor(uninitialized: e.shape)
                convert(UnsafeRawBufferPointer(rebasing: raw[(dataStart + e.begin)..<(dataStart + e.end)]),
                        dtype: e.dtype, into: t.pointer, count: t.count)
                file.names.append(e.name)
                file.tensors[e.name] = t
                file.dtypes[e.name] = e.dtype
            }
        }
        return file
    }

    /// The first key that the top-level object of the (valid) JSON `bytes` repeats, or nil when its
    /// keys are `distinctKeys` many. JSON parsers keep one value of a repeated key silently; a
    /// safetensors header with a name twice is corrupt (which tensor is meant?), so it is refused.
    static func repeatedTopLevelKey(_ bytes: Data, distinctKeys: Int) -> String? {
        var keys: [Data] = []
        var depth = 0, i = bytes.startIndex
        while i < bytes.endIndex {
            let c = bytes[i]
            if c == UInt8(ascii: "\"") {                          // a string: find its end
                var j = i + 1
                while j < bytes.endIndex, bytes[j] != UInt8(ascii: "\"") { j += bytes[j] == UInt8(ascii: "\\") ? 2 : 1 }
                guard j < bytes.endIndex else { return nil }
                var k = j + 1                                      // a key is followed by ':'
                while k < bytes.endIndex, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[k]) { k += 1 }
                if depth == 1, k < bytes.endIndex, bytes[k] == UInt8(ascii: ":") { keys.append(bytes[i...j]) }
                i = j + 1
                continue
            }
            if c == UInt8(ascii: "{") || c == UInt8(ascii: "[") { depth += 1 }
            if c == UInt8(ascii: "}") || c == UInt8(ascii: "]") { depth -= 1 }
            i += 1
        }
        guard keys.count != distinctKeys else { return nil }
        var seen = Set<String>()
        for raw in keys {
            let name = (try? JSONSerialization.jsonObject(with: Data("[".utf8) + raw + Data("]".utf8)) as? [String])?.first ?? ""
            if !seen.insert(name).inserted { return name }
        }
        return ""
    }

    /// A JSON array of integers, or nil.
    private static func integers(_ value: Any?) -> [Int]? {
        guard let array = value as? [Any] else { return nil }
        var out: [Int] = []
        for v in array {
            guard let i = v as? Int else { return nil }   // exact: 2.5 or 1e30 give nil
            out.append(i)
        }
        return out
    }

    /// Little-endian `dtype` elements to Float.
    static func convert(_ src: UnsafeRawBufferPointer, dtype: String, into dst: UnsafeMutablePointer<Float>, count: Int) {
        switch dtype {
        case "F32":
            for i in 0..<count { dst[i] = Float(bitPattern: UInt32(littleEndian: src.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self))) }
        case "F64":
            for i in 0..<count { dst[i] = Float(Double(bitPattern: UInt64(littleEndian: src.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self)))) }
        case "I64":
            for i in 0..<count { dst[i] = Float(Int64(littleEndian: src.loadUnaligned(fromByteOffset: 8 * i, as: Int64.self))) }
        case "I32":
            for i in 0..<count { dst[i] = Float(Int32(littleEndian: src.loadUnaligned(fromByteOffset: 4 * i, as: Int32.self))) }
        case "BF16":  // the top 16 bits of an IEEE float
            for i in 0..<count {
                let bits = UInt16(littleEndian: src.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))
                dst[i] = Float(bitPattern: UInt32(bits) << 16)
            }
        case "F16":
            for i in 0..<count { dst[i] = halfToFloat(UInt16(littleEndian: src.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))) }
        default:
            preconditionFailure("unchecked dtype \(dtype)")
        }
    }

    /// IEEE 754 binary16 bits to Float (subnormals, infinities and NaN included).
    static func halfToFloat(_ h: UInt16) -> Float {
        let sign = UInt32(h >> 15) << 31
        let exponent = Int((h >> 10) & 0x1F), mantissa = UInt32(h & 0x3FF)
        if exponent == 0x1F { return Float(bitPattern: sign | 0x7F80_0000 | (mantissa << 13)) }
        if exponent == 0 {                          // zero or subnormal: mantissa · 2⁻²⁴
            let magnitude = Float(mantissa) * Float(sign: .plus, exponent: -24, significand: 1)
            return sign != 0 ? -magnitude : magnitude
        }
        return Float(bitPattern: sign | UInt32(exponent - 15 + 127) << 23 | (mantissa << 13))
    }
}
