import Foundation
import Slate

/// A checkpoint file as SlateGPT edits it: named tensors in file order plus `__metadata__`.
/// Parsing and writing are Slate's `SafeTensors` (validated header, F32/F16/BF16/F64 read,
/// atomic writes); this wrapper keeps the order, creates the directory and turns every problem
/// into a `GPTError` that names the file and says what to do.
public struct GPTCheckpointFile {
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

    /// The file's bytes (F32 tensors in order, header as Slate's `SafeTensors.encode` writes it).
    public func encoded() throws -> Data {
        try SafeTensors.encode(tensors.map { ($0.name, $0.tensor) }, metadata: metadata)
    }

    /// Writes atomically (temporary file, then rename), creating the directory if needed.
    public func write(to path: String) throws {
        let url = URL(fileURLWithPath: path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try SafeTensors.write(tensors.map { ($0.name, $0.tensor) }, metadata: metadata, to: url)
    }

    /// Reads and validates a file.
    public static func read(_ path: String) throws -> GPTCheckpointFile {
        guard FileManager.default.fileExists(atPath: path) else {
            throw GPTError.missingFile("checkpoint \(path) not found; pass --checkpoint with a model.safetensors written by `slate gpt train`")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw GPTError.missingFile("checkpoint \(path) cannot be read; check its permissions")
        }
        return try decode(data, name: path)
    }

    /// Parses the bytes of a safetensors file; `name` labels error messages.
    public static func decode(_ data: Data, name: String) throws -> GPTCheckpointFile {
        do {
            let file = try SafeTensors.decode(data, path: name)
            return GPTCheckpointFile(tensors: file.ordered.map { ($0.0, $0.1) }, metadata: file.metadata)
        } catch {
            throw GPTError.badCheckpoint("\(error)")
        }
    }
}

/// The earlier name of ``GPTCheckpointFile``, which read as a second spelling of Slate's `SafeTensorsFile`.
@available(*, deprecated, renamed: "GPTCheckpointFile")
public typealias SafetensorsFile = GPTCheckpointFile
