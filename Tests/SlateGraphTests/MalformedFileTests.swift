import XCTest
@testable import SlateGraph

/// Broken TU/TSV fixtures written to a temp dir must give errors naming the file and line.
final class MalformedFileTests: XCTestCase {
    /// A valid two-graph dataset "T": a triangle (graph 1, label 5) and an edge (graph 2, label 7).
    private let valid: [String: String] = [
        "A": "1, 2\n2, 1\n2, 3\n3, 2\n1, 3\n3, 1\n4, 5\n5, 4\n",
        "graph_indicator": "1\n1\n1\n2\n2\n",
        "graph_labels": "5\n7\n",
        "node_labels": "0\n1\n0\n2\n0\n",
    ]

    private func write(_ files: [String: String]) throws -> URL {
        let root = try TestData.temporaryDirectory()
        let dir = root.appendingPathComponent("tu/T")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        for (suffix, text) in files { try text.write(to: dir.appendingPathComponent("T_\(suffix).txt"), atomically: true, encoding: .utf8) }
        return root
    }

    private func assertError(_ change: [String: String], contains parts: [String], line: UInt = #line) throws {
        let root = try write(valid.merging(change) { $1 })
        defer { try? FileManager.default.removeItem(at: root) }
        XCTAssertThrowsError(try TUDataset.load(name: "T", root: root), line: line) { error in
            let text = "\(error)"
            for p in parts { XCTAssertTrue(text.contains(p), "'\(text)' should mention '\(p)'", line: line) }
        }
    }

    func testValidFixtureLoads() throws {
        let root = try write(valid.merging(["A": " 1,2\n2 , 1\n2, 3\n3, 2\n1, 3\n3, 1\n4, 5\n5, 4\n\n"]) { $1 })
        defer { try? FileManager.default.removeItem(at: root) }
        let ds = try TUDataset.load(name: "T", root: root)
        XCTAssertEqual(ds.graphs.map(\.nodeCount), [3, 2])
        XCTAssertEqual(ds.labels, [0, 1])
        XCTAssertEqual(ds.rawLabels, [5, 7])
        XCTAssertEqual(ds.featureCount, 3)
        XCTAssertEqual(ds.graphs[1].features, [0, 0, 1, 1, 0, 0])   // labels 2 and 0 one-hot
        XCTAssertEqual(ds.graphs[1].edgeList.map { [$0.0, $0.1] }, [[0, 1], [1, 0]])
    }

    func testDegreeFeaturesWhenNoLabels() throws {
        var files = valid; files["node_labels"] = nil
        let root = try write(files)
        defer { try? FileManager.default.removeItem(at: root) }
        let ds = try TUDataset.load(name: "T", root: root)
        XCTAssertEqual(ds.featureCount, 3)                           // degrees 0...2
        XCTAssertEqual(ds.graphs[0].features, [0, 0, 1, 0, 0, 1, 0, 0, 1])
        XCTAssertEqual(ds.graphs[1].features, [0, 1, 0, 0, 1, 0])
    }

    func testRaggedEdgeLine() throws {
        try assertError(["A": "1, 2\n2, 1, 3\n"], contains: ["T_A.txt:2", "expected 2 field"])
    }

    func testNonNumber() throws {
        try assertError(["A": "1, 2\n2, x\n"], contains: ["T_A.txt:2", "'x' is not an integer"])
        try assertError(["graph_labels": "5\nseven\n"], contains: ["T_graph_labels.txt:2"])
    }

    func testNodeIdOutOfRange() throws {
        try assertError(["A": "1, 2\n2, 1\n1, 9\n"], contains: ["T_A.txt:3", "9", "out of range"])
        try assertError(["A": "0, 2\n"], contains: ["T_A.txt:1", "out of range"])
        try assertError(["graph_indicator": "1\n1\n1\n2\n3\n"], contains: ["T_graph_indicator.txt:5", "out of range"])
    }

    func testShortGraphIndicator() throws {
        // 5 lines but A mentions node 6: the indicator is shorter than the node count.
        try assertError(["A": valid["A"]! + "6, 5\n"], contains: ["T_A.txt:9", "T_graph_indicator.txt", "5 nodes"])
        // A graph of one node is refused where the indicator gives it.
        try assertError(["graph_indicator": "1\n1\n1\n1\n2\n", "A": "1, 2\n"], contains: ["T_graph_indicator.txt:5", "graph 2 has only 1 node"])
    }

    func testNodeLabelsCountMismatch() throws {
        try assertError(["node_labels": "0\n1\n0\n"], contains: ["T_node_labels.txt", "line 4"])
    }

    func testGraphsOutOfOrderAndEdgesAcrossGraphs() throws {
        try assertError(["graph_indicator": "1\n2\n1\n2\n2\n", "A": "1, 3\n"], contains: ["T_graph_indicator.txt:3", "contiguous"])
        try assertError(["A": "1, 4\n"], contains: ["T_A.txt:1", "joins graphs 1 and 2"])
    }

    func testRaggedAttributesAndBadDoubles() throws {
        try assertError(["node_attributes": "1.0, 2\n1, 2\n3\n1,1\n1,1\n"], contains: ["T_node_attributes.txt:3", "ragged"])
        try assertError(["node_attributes": "1\n2\nnan\n4\n5\n"], contains: ["T_node_attributes.txt:3", "finite"])
    }

    func testBlankLineInsideData() throws {
        try assertError(["graph_indicator": "1\n1\n\n1\n2\n2\n"], contains: ["T_graph_indicator.txt:3", "empty line"])
    }

    func testCoraErrors() throws {
        let root = try TestData.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let dir = root.appendingPathComponent("cora")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        func put(_ name: String, _ text: String) throws { try text.write(to: dir.appendingPathComponent(name), atomically: true, encoding: .utf8) }
        try put("nodes.tsv", "node\tlabel\tfeature_indices\n0\t1\t0,2\n1\t0\t1\n2\t0\t2\n")
        try put("edges.tsv", "source\ttarget\n0\t1\n")
        try put("split.tsv", "node\tsplit\n0\ttrain\n1\tval\n2\ttest\n")
        let ok = try NodeDataset.cora(root: root)
        XCTAssertEqual(ok.graph.features, [1, 0, 1, 0, 1, 0, 0, 0, 1])
        XCTAssertEqual(ok.graph.edgeCount, 2)
        try put("edges.tsv", "source\ttarget\n0\t1\n1\t3\n")
        XCTAssertThrowsError(try NodeDataset.cora(root: root)) { XCTAssertTrue("\($0)".contains("edges.tsv:3"), "\($0)") }
        try put("edges.tsv", "source\ttarget\n0\t1\n")
        try put("nodes.tsv", "node\tlabel\tfeature_indices\n0\t1\n1\t0\t1\n")
        XCTAssertThrowsError(try NodeDataset.cora(root: root)) { XCTAssertTrue("\($0)".contains("nodes.tsv:2"), "\($0)") }
        try put("nodes.tsv", "node\tlabel\tfeature_indices\n0\t1\t0,a\n1\t0\t1\n")
        XCTAssertThrowsError(try NodeDataset.cora(root: root)) { XCTAssertTrue("\($0)".contains("nodes.tsv:2"), "\($0)") }
    }
}
