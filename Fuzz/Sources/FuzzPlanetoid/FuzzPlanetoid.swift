import Foundation
import FuzzSupport
import SlateGraph

/// Input: `nodes.tsv @@ edges.tsv @@ split.tsv` for Cora; the same bytes are also read as the
/// karate club's `labels.tsv @@ edges.tsv` (both are node tables followed by an edge list).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzPlanetoid(_ bytes: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let parts = Fuzz.sections(Fuzz.data(bytes, count)) + [Data(), Data(), Data()]
    Fuzz.expectCleanFailure {
        let ds = try NodeDataset.cora(nodes: parts[0], edges: parts[1], split: parts[2])
        let all = ds.trainNodes + ds.validationNodes + ds.testNodes
        precondition(Set(all).count == all.count, "a node is in one split only")
        precondition(ds.labels.allSatisfy { (0..<ds.classCount).contains($0) }, "labels are in range")
    }
    Fuzz.expectCleanFailure {
        let ds = try NodeDataset.karate(edges: parts[1], labels: parts[0])
        precondition(ds.graph.nodeCount >= 2, "a graph has 2 or more nodes")
    }
    return 0
}

@main enum Main { static func main() { Fuzz.main(fuzzPlanetoid) } }
