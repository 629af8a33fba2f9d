import Foundation
import XCTest
@testable import SlateGraph

/// Corrupt TU, Cora and karate files, built at test time from the real files in the shared data
/// folder. Each case must be refused with a one-line error naming the file (and line) — never a
/// crash, an oversized allocation, or a silently dropped or merged row. CRLF and trailing blanks
/// are accepted.
final class HostileDatasetTests: XCTestCase {
    /// A table row: case name, an edit of the real files (by name), and what the message must say.
    typealias Case = (String, (inout [String: String]) -> Void, [String])

    /// The real files of a dataset folder, by file name.
    func real(_ folder: String) throws -> [String: String] {
        let dir = try TestData.require(folder)
        var files: [String: String] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: dir.path) where name.hasSuffix(".txt") || name.hasSuffix(".tsv") {
            files[name] = try String(contentsOf: dir.appendingPathComponent(name), encoding: .utf8)
        }
        return files
    }

    /// `text` with line `n` (1-based) replaced (or removed when `with` is nil).
    func replacing(line n: Int, in text: String, with new: String?) -> String {
        var lines = text.components(separatedBy: "\n")
        if let new { lines[n - 1] = new } else { lines.remove(at: n - 1) }
        return lines.joined(separator: "\n")
    }

    func assertRefused(_ parse: () throws -> Any, _ parts: [String], case name: String, line: UInt = #line) {
        XCTAssertThrowsError(try parse(), name, line: line) { error in
            let message = "\(error)"
            for p in parts { XCTAssertTrue(message.contains(p), "\(name): '\(message)' should mention '\(p)'", line: line) }
            XCTAssertFalse(message.contains(where: \.isNewline), "\(name): one line", line: line)
        }
    }

    // MARK: TU (MUTAG, PROTEINS)

    func mutag(_ edit: (inout [String: String]) -> Void) throws -> TUDataset {
        var files = try real("tu/MUTAG")
        edit(&files)
        var data: [String: Data] = [:]
        for (name, text) in files where name.hasPrefix("MUTAG_") {
            data[String(name.dropFirst("MUTAG_".count).dropLast(".txt".count))] = Data(text.utf8)
        }
        return try TUDataset(name: "MUTAG", files: data)
    }

    func testTUAcceptsCRLFAndTrailingBlanks() throws {
        let plain = try mutag { _ in }
        let crlf = try mutag { files in
            for (k, v) in files { files[k] = v.replacingOccurrences(of: "\n", with: " \t\r\n") }
        }
        XCTAssertEqual(crlf.graphs.count, 188)
        XCTAssertEqual(crlf.labels, plain.labels)
        XCTAssertEqual(crlf.graphs.map(\.edgeCount), plain.graphs.map(\.edgeCount))
        XCTAssertEqual(crlf.graphs[7].features, plain.graphs[7].features)
    }

    /// Rules: ragged rows, non-numbers, ids out of range, repeated edges, 1-node graphs and
    /// counts that disagree between files are errors naming the file and line.
    func testTUHostileFiles() throws {
        let cases: [Case] = [
            ("ragged edge row", { $0["MUTAG_A.txt"] = self.replacing(line: 3, in: $0["MUTAG_A.txt"]!, with: "2, 3, 4") }, ["MUTAG_A.txt:3", "expected 2 field"]),
            ("non-number", { $0["MUTAG_A.txt"] = self.replacing(line: 5, in: $0["MUTAG_A.txt"]!, with: "2, x") }, ["MUTAG_A.txt:5", "'x' is not an integer"]),
            ("node id past the end", { $0["MUTAG_A.txt"] = self.replacing(line: 1, in: $0["MUTAG_A.txt"]!, with: "2, 1000000000000") }, ["MUTAG_A.txt:1", "out of range"]),
            ("node id 0", { $0["MUTAG_A.txt"] = self.replacing(line: 1, in: $0["MUTAG_A.txt"]!, with: "0, 2") }, ["MUTAG_A.txt:1", "out of range"]),
            ("repeated edge", { $0["MUTAG_A.txt"] = self.replacing(line: 2, in: $0["MUTAG_A.txt"]!, with: $0["MUTAG_A.txt"]!.components(separatedBy: "\n")[0]) }, ["MUTAG_A.txt:2", "repeats line 1"]),
            ("edge across graphs", { $0["MUTAG_A.txt"] = self.replacing(line: 1, in: $0["MUTAG_A.txt"]!, with: "1, 30") }, ["MUTAG_A.txt:1", "joins graphs"]),
            ("graph id out of range", { $0["MUTAG_graph_indicator.txt"] = self.replacing(line: 1, in: $0["MUTAG_graph_indicator.txt"]!, with: "1000000000000") }, ["MUTAG_graph_indicator.txt:1", "out of range"]),
            ("graph ids out of order", { $0["MUTAG_graph_indicator.txt"] = self.replacing(line: 20, in: $0["MUTAG_graph_indicator.txt"]!, with: "5") }, ["MUTAG_graph_indicator.txt:20", "breaks the order"]),
            ("one-node graph", { f in
                var ind = f["MUTAG_graph_indicator.txt"]!.components(separatedBy: "\n").filter { !$0.isEmpty }
                ind = ind.map { $0 == "1" ? "2" : $0 }; ind[0] = "1"           // graph 1 keeps one node
                f["MUTAG_graph_indicator.txt"] = ind.joined(separator: "\n")
                f["MUTAG_A.txt"] = f["MUTAG_A.txt"]!.components(separatedBy: "\n").filter { !$0.hasPrefix("1,") && !$0.hasSuffix(" 1") }.joined(separator: "\n")
            }, ["MUTAG_graph_indicator.txt:1", "graph 1 has only 1 node"]),
            ("more labels than graphs", { $0["MUTAG_graph_labels.txt"]! += "1\n" }, ["MUTAG_graph_indicator.txt", "189 labels"]),
            ("node labels short", { $0["MUTAG_node_labels.txt"] = self.replacing(line: 3, in: $0["MUTAG_node_labels.txt"]!, with: nil) }, ["MUTAG_node_labels.txt", "3370 lines", "3371 nodes"]),
            ("edge labels short", { $0["MUTAG_edge_labels.txt"] = self.replacing(line: 3, in: $0["MUTAG_edge_labels.txt"]!, with: nil) }, ["MUTAG_edge_labels.txt", "7441 lines"]),
            ("label not a number", { $0["MUTAG_graph_labels.txt"] = self.replacing(line: 4, in: $0["MUTAG_graph_labels.txt"]!, with: "-1x") }, ["MUTAG_graph_labels.txt:4", "not an integer"]),
            ("empty line inside", { $0["MUTAG_node_labels.txt"] = self.replacing(line: 5, in: $0["MUTAG_node_labels.txt"]!, with: "") }, ["MUTAG_node_labels.txt:5", "empty line"]),
            ("carriage return inside a field", { $0["MUTAG_A.txt"] = self.replacing(line: 2, in: $0["MUTAG_A.txt"]!, with: "2,\r\u{2028}x") }, ["MUTAG_A.txt:2", "'\\r\\u{2028}x' is not an integer"]),
            ("garbage line", { $0["MUTAG_A.txt"] = String(decoding: [0xFF, 0xFE, 0x31], as: UTF8.self) + "\u{FFFF}" }, ["MUTAG_A.txt"]),
        ]
        for (name, edit, parts) in cases { assertRefused({ try self.mutag(edit) }, parts, case: name) }
    }

    func testTUHostileAttributes() throws {
        var files = try real("tu/PROTEINS")
        func load() throws -> TUDataset {
            var data: [String: Data] = [:]
            for (name, text) in files where name.hasPrefix("PROTEINS_") {
                data[String(name.dropFirst("PROTEINS_".count).dropLast(".txt".count))] = Data(text.utf8)
            }
            return try TUDataset(name: "PROTEINS", files: data)
        }
        let attributes = files["PROTEINS_node_attributes.txt"]!
        files["PROTEINS_node_attributes.txt"] = replacing(line: 7, in: attributes, with: "1.0, 2.0")
        assertRefused(load, ["PROTEINS_node_attributes.txt:7", "ragged"], case: "ragged attributes")
        files["PROTEINS_node_attributes.txt"] = replacing(line: 7, in: attributes, with: "nan")
        assertRefused(load, ["PROTEINS_node_attributes.txt:7", "not a finite number"], case: "NaN attribute")
    }

    // MARK: Cora (Planetoid)

    func cora(_ edit: (inout [String: String]) -> Void) throws -> NodeDataset {
        var files = try real("cora")
        edit(&files)
        return try NodeDataset.cora(nodes: Data(files["nodes.tsv"]!.utf8), edges: Data(files["edges.tsv"]!.utf8),
                                    split: Data(files["split.tsv"]!.utf8))
    }

    func testCoraAcceptsCRLFAndTrailingBlanks() throws {
        let crlf = try cora { files in for (k, v) in files { files[k] = v.replacingOccurrences(of: "\n", with: " \t\r\n") } }
        XCTAssertEqual(crlf.graph.nodeCount, 2708)
        XCTAssertEqual(crlf.undirectedEdgeCount, 5278)
        XCTAssertEqual([crlf.trainNodes.count, crlf.validationNodes.count, crlf.testNodes.count], [140, 500, 1000])
        XCTAssertEqual(crlf.graph.featureCount, 1433)
    }

    /// Rules: a label of 10^12, a feature index past the width, repeated ids, a node in two
    /// splits, an empty split, a repeated edge or self-loop, ragged rows, 0 or 1 node.
    func testCoraHostileFiles() throws {
        let cases: [Case] = [
            ("label 10^12", { $0["nodes.tsv"] = self.replacing(line: 2, in: $0["nodes.tsv"]!, with: "0\t1000000000000\t1,2") }, ["nodes.tsv:2", "label 1000000000000 is out of range 0...2707"]),
            ("negative label", { $0["nodes.tsv"] = self.replacing(line: 3, in: $0["nodes.tsv"]!, with: "1\t-1\t1,2") }, ["nodes.tsv:3", "out of range"]),
            ("feature index past the width", { $0["nodes.tsv"] = self.replacing(line: 2, in: $0["nodes.tsv"]!, with: "0\t3\t1,99999999999") }, ["nodes.tsv:2", "feature index 99999999999 is out of range"]),
            ("feature indices not ascending", { $0["nodes.tsv"] = self.replacing(line: 2, in: $0["nodes.tsv"]!, with: "0\t3\t19,19") }, ["nodes.tsv:2", "ascending and distinct"]),
            ("duplicate node id", { $0["nodes.tsv"] = self.replacing(line: 4, in: $0["nodes.tsv"]!, with: "1\t4\t5") }, ["nodes.tsv:4", "node id 1 appears twice (first on line 3)"]),
            ("ragged node row", { $0["nodes.tsv"] = self.replacing(line: 2, in: $0["nodes.tsv"]!, with: "0\t3") }, ["nodes.tsv:2", "expected 3 field"]),
            ("non-number", { $0["nodes.tsv"] = self.replacing(line: 2, in: $0["nodes.tsv"]!, with: "zero\t3\t1") }, ["nodes.tsv:2", "not an integer"]),
            ("node in two splits", { $0["split.tsv"]! += "5\ttest\n" }, ["split.tsv:1642", "node 5 already has a split on line 7"]),
            ("empty val split", { $0["split.tsv"] = $0["split.tsv"]!.components(separatedBy: "\n").filter { !$0.hasSuffix("\tval") }.joined(separator: "\n") }, ["split.tsv", "the val split is empty"]),
            ("unknown split", { $0["split.tsv"] = self.replacing(line: 2, in: $0["split.tsv"]!, with: "0\ttrian") }, ["split.tsv:2", "'trian' is not train, val or test"]),
            ("split id out of range", { $0["split.tsv"] = self.replacing(line: 2, in: $0["split.tsv"]!, with: "99999\ttrain") }, ["split.tsv:2", "out of range"]),
            ("repeated edge", { $0["edges.tsv"]! += "633\t0\n" }, ["edges.tsv:5280", "edge 633–0 repeats line 2"]),
            ("self-loop", { $0["edges.tsv"]! += "7\t7\n" }, ["edges.tsv:5280", "self-loop on node 7"]),
            ("edge endpoint out of range", { $0["edges.tsv"]! += "7\t2708\n" }, ["edges.tsv:5280", "out of range"]),
            ("one node", { $0["nodes.tsv"] = $0["nodes.tsv"]!.components(separatedBy: "\n").prefix(2).joined(separator: "\n") }, ["nodes.tsv", "lists 1 node", "at least 2"]),
            ("no nodes", { $0["nodes.tsv"] = "node\tlabel\tfeature_indices\n" }, ["nodes.tsv", "lists 0 nodes"]),
        ]
        for (name, edit, parts) in cases { assertRefused({ try self.cora(edit) }, parts, case: name) }
    }

    // MARK: Karate

    func karate(_ edit: (inout [String: String]) -> Void) throws -> NodeDataset {
        var files = try real("karate")
        edit(&files)
        return try NodeDataset.karate(edges: Data(files["edges.tsv"]!.utf8), labels: Data(files["labels.tsv"]!.utf8))
    }

    /// Rules: a one-node file (the heap corruption of `1..<(n-1)`), labels out of range, ragged
    /// edge rows, non-numeric weights, duplicate ids — and CRLF accepted.
    func testKarateHostileFiles() throws {
        let crlf = try karate { files in for (k, v) in files { files[k] = v.replacingOccurrences(of: "\n", with: "\t \r\n") } }
        XCTAssertEqual(crlf.graph.nodeCount, 34)
        XCTAssertEqual(crlf.testNodes.count, 32)
        let cases: [Case] = [
            ("one node", { $0["labels.tsv"] = "node\tlabel\tclub\n0\t0\tMr. Hi\n"; $0["edges.tsv"] = "source\ttarget\tweight\n" }, ["labels.tsv", "lists 1 node"]),
            ("no nodes", { $0["labels.tsv"] = "node\tlabel\tclub\n" }, ["labels.tsv", "lists 0 nodes"]),
            ("label 2", { $0["labels.tsv"] = self.replacing(line: 2, in: $0["labels.tsv"]!, with: "0\t2\tMr. Hi") }, ["labels.tsv:2", "label 2 is out of range 0...1"]),
            ("duplicate id", { $0["labels.tsv"] = self.replacing(line: 3, in: $0["labels.tsv"]!, with: "0\t0\tMr. Hi") }, ["labels.tsv:3", "node id 0 appears twice"]),
            ("ragged edge row", { $0["edges.tsv"] = self.replacing(line: 3, in: $0["edges.tsv"]!, with: "0\t2") }, ["edges.tsv:3", "ragged line: 2 fields"]),
            ("weight not a number", { $0["edges.tsv"] = self.replacing(line: 3, in: $0["edges.tsv"]!, with: "0\t2\tfive") }, ["edges.tsv:3", "edge value 'five' is not a finite number"]),
            ("repeated edge", { $0["edges.tsv"]! += "1\t0\t4\n" }, ["edges.tsv:80", "edge 1–0 repeats line 2"]),
        ]
        for (name, edit, parts) in cases { assertRefused({ try self.karate(edit) }, parts, case: name) }
    }

    /// Rule: sizes that come from the input are checked against memory before allocating.
    func testKarateOfAMillionNodesIsRefusedBeforeAllocating() throws {
        setenv("SLATE_MEMORY_LIMIT", "\(64 << 20)", 1)
        defer { unsetenv("SLATE_MEMORY_LIMIT") }
        var labels = "node\tlabel\tclub\n"
        for i in 0..<5000 { labels += "\(i)\t0\tx\n" }
        assertRefused({ try NodeDataset.karate(edges: Data("source\ttarget\n".utf8), labels: Data(labels.utf8)) },
                      ["one-hot node features (5000 nodes)", "this machine has 64 MB"], case: "identity features beyond the limit")
    }
}
