import FuzzSupport
import Slate

/// Any bytes as a safetensors file: a file, or a clear error; a file that decodes re-encodes.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSafeTensors(_ bytes: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    Fuzz.expectCleanFailure {
        let file = try SafeTensors.decode(Fuzz.data(bytes, count), path: "fuzz.safetensors")
        try file.checkFinite()
        let again = try SafeTensors.decode(SafeTensors.encode(file.ordered, metadata: file.metadata))
        precondition(again.names.count == file.names.count, "a decoded file must survive re-encoding")
    }
    return 0
}

@main enum Main { static func main() { Fuzz.main(fuzzSafeTensors) } }
