import CFuzzDriver
import Foundation

/// What every fuzz target shares: running libFuzzer, and the rule each parser must keep.
public enum Fuzz {
    /// libFuzzer's callback type: `LLVMFuzzerTestOneInput(data, size)`.
    public typealias TestOneInput = @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt

    /// Runs libFuzzer with the process arguments, calling `test` on each input; exits with its status.
    public static func main(_ test: TestOneInput) -> Never {
        var argc = CommandLine.argc
        var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
        exit(LLVMFuzzerRunDriver(&argc, &argv, test))
    }

    /// The input as `Data` (a copy: libFuzzer owns its buffer).
    public static func data(_ bytes: UnsafePointer<UInt8>?, _ count: Int) -> Data {
        guard let bytes, count > 0 else { return Data() }
        return Data(bytes: bytes, count: count)
    }

    /// The input split into sections at lines holding only `@@` (one section per file of a
    /// multi-file dataset).
    public static func sections(_ data: Data) -> [Data] {
        var parts: [Data] = [], current = Data()
        for line in data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            if line.elementsEqual("@@".utf8) { parts.append(current); current = Data(); continue }
            current.append(line); current.append(UInt8(ascii: "\n"))
        }
        parts.append(current)
        return parts
    }

    /// Runs `parse`: returning or throwing an error with a one-line, non-empty message is fine;
    /// anything else (a crash, a trap, an empty or multi-line message) stops the fuzzer.
    public static func expectCleanFailure(_ parse: () throws -> Void) {
        do { try parse() } catch {
            let message = "\(error)"
            if message.isEmpty || message.contains(where: \.isNewline) {
                fatalError("error message must be one non-empty line, got: \(message.debugDescription)")
            }
        }
    }
}
