import Foundation
import Slate

/// A minimal safetensors file: 8-byte little-endian header length, a JSON header naming each
/// tensor's dtype, shape and byte range (plus a string-to-string `__metadata__`), then raw
/// little-endian data. Only F32 tensors are read and written.
public struct SafetensorsFile {
    /// Tensors by name, in file order.
    public var tensors: [(name: String, tensor: Tensor)]
    /// The `__metadata__` map.
    public var metadata: [String: String]

    public init(tensors: [(name: String, tensor: Tensor)], metadata: [String: String]) {
        self.tensors = tensors
        self.metadata = metadata
    }

    /// The tensor called `name`, if present.
    public subscript(name: String) -> Tensor? { tensors.first { $0.name == name }?.tensor }

    /// Serialises to bytes (header padded with spaces to a multiple of 8, as the reference writer does).
    public func encoded() -> Data {
        var header: [String: Any] = ["__metadata__": metadata]
        var offset = 0
        for (name, t) in tensors {
            header[name] = ["dtype": "F32", "shape": t.shape, "data_offsets": [offset, offset + 4 * t.count]]
            offset += 4 * t.count
        }
        var json = try! JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
        while (json.count + 8) % 8 != 0 { json.append(0x20) }
        var out = Data(capacity: 8 + json.count + offset)
        withUnsafeBytes(of: UInt64(json.count).littleEndian) { out.append(contentsOf: $0) }
        out.append(json)
        for (_, t) in tensors { out.append(UnsafeBufferPointer(start: t.pointer, count: t.count)) }
        return out
    }

    /// Writes atomically: a temporary file in the same directory, then a rename.
    public func write(to path: String) throws {
        let url = URL(fileURLWithPath: path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try encoded().write(to: url, options: .atomic)
    }

    /// Reads and validates a file; every problem is a `GPTError.badCheckpoint` naming the file.
    public static func read(_ path: String) throws -> SafetensorsFile {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw GPTError.missingFile("checkpoint \(path) not found or unreadable; pass --checkpoint with a model.safetensors written by `slate gpt train`")
        }
        return try decode(data, name: path)
    }

    /// Parses bytes of a safetensors file; `name` labels error messages.
    public static func decode(_ data: Data, name: String) throws -> SafetensorsFile {
        func bad(_ why: String) -> GPTError { .badCheckpoint("\(name) is not a valid safetensors file: \(why)") }
        guard data.count >= 8 else { throw bad("only \(data.count) bytes") }
        let n = data.prefix(8).enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
        guard n <= UInt64(data.count - 8) else { throw bad("header length \(n) exceeds the file size \(data.count)") }
        let headerEnd = 8 + Int(n)
        guard let header = try? JSONSerialization.jsonObject(with: data.subdata(in: 8..<headerEnd)) as? [String: Any] else {
            throw bad("the header is not a JSON object")
        }
        let metadata = (header["__metadata__"] as? [String: String]) ?? [:]
        var entries: [(String, Tensor, Int)] = []
        for (key, value) in header where key != "__metadata__" {
            guard let info = value as? [String: Any], let dtype = info["dtype"] as? String,
                  let shape = info["shape"] as? [Int], let offsets = info["data_offsets"] as? [Int], offsets.count == 2 else {
                throw bad("entry \(key) lacks dtype, shape or data_offsets")
            }
            guard dtype == "F32" else { throw bad("tensor \(key) has dtype \(dtype); only F32 is supported (save with torch.float32)") }
            let count = shape.reduce(1, *)
            guard shape.allSatisfy({ $0 >= 0 }), offsets[0] >= 0, offsets[1] - offsets[0] == 4 * count,
                  headerEnd + offsets[1] <= data.count else {
                throw bad("tensor \(key) of shape \(shape) does not match its byte range \(offsets) in a file of \(data.count) bytes")
            }
            let t = Tensor(uninitialized: shape)
            data.withUnsafeBytes { raw in
                let src = raw.baseAddress! + headerEnd + offsets[0]
                UnsafeMutableRawPointer(t.pointer).copyMemory(from: src, byteCount: 4 * count)
            }
            entries.append((key, t, offsets[0]))
        }
        entries.sort { $0.2 < $1.2 }
        return SafetensorsFile(tensors: entries.map { ($0.0, $0.1) }, metadata: metadata)
    }
}
