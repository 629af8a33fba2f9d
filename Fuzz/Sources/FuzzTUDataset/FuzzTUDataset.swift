import Foundation
import FuzzSupport
import SlateGraph

/// Input: the files of a TU dataset separated by lines `@@`, in the order of
/// `TUDataset.fileSuffixes` (A, graph_indicator, graph_labels, then the optional ones; an empty
/// section is an absent file).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTUDataset(_ bytes: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let parts = Fuzz.sections(Fuzz.data(bytes, count))
    var files: [String: Data] = [:]
    for (suffix, part) in zip(TUDataset.fileSuffixes, parts) where !part.isEmpty { files[suffix] = part }
    Fuzz.expectCleanFailure {
        let ds = try TUDataset(name: "FUZZ", files: files)
        precondition(ds.graphs.allSatisfy { $0.nodeCount >= 2 }, "every graph has 2 or more nodes")
    }
    return 0
}

@main enum Main { static func main() { Fuzz.main(fuzzTUDataset) } }
