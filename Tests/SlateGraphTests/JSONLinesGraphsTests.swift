import Foundation
import Slate
import SlateGraph
import XCTest

/// `slate gcn train --data FILE`: the JSON-lines format read into the in-memory datasets, and bad
/// files refused with the file and line named.
final class JSONLinesGraphsTests: XCTestCase {
    private func parse(_ text: String) throws -> JSONLinesGraphs.Content {
        try JSONLinesGraphs.parse(Data(text.utf8), fileName: "g.jsonl", name: "g")
    }

    func testGraphLinesBecomeTheSameGraphsAsTheInMemoryAPI() throws {
        let text = """
        {"edges": [[0, 1], [1, 2]], "x": [[1, 0], [0, 1], [1, 1]], "y": 1}

        {"edges": [[1, 0], [0, 1], [2, 2]], "x": [[0, 0], [1, 0], [0, 1]], "y": 0}
        """
        guard case .graphs(let data) = try parse(text) else { return XCTFail("expected graphs") }
        XCTAssertEqual(data.name, "g")
        XCTAssertEqual(data.graphs.count, 2)
        XCTAssertEqual(data.classCount, 2)
        let twin = try GraphDataset.graph(nodeFeatures: [[1, 0], [0, 1], [1, 1]], edges: [(0, 1), (1, 2)], label: 1)
        XCTAssertEqual(data.graphs[0].features, twin.features)
        XCTAssertEqual(data.graphs[0].rowStart, twin.rowStart)
        XCTAssertEqual(data.graphs[0].neighbours, twin.neighbours)
        // A pair listed in both directions is one undirected edge; a self-loop is stored once.
        XCTAssertEqual(data.graphs[1].edgeList.map { [$0.0, $0.1] }, [[0, 1], [1, 0], [2, 2]])
        XCTAssertEqual(data.graphs[1].label, 0)
    }

    func testANodeLineBecomesANodeDataset() throws {
        let text = #"{"edges": [[0, 1], [1, 2], [2, 3]], "x": [[1], [0], [1], [0]], "y": [0, 1, 0, 1], "train": [0, 1], "val": [2], "test": [3]}"#
        guard case .nodes(let data) = try parse(text + "\n") else { return XCTFail("expected nodes") }
        XCTAssertEqual(data.labels, [0, 1, 0, 1])
        XCTAssertEqual(data.classCount, 2)
        XCTAssertEqual([data.trainNodes, data.validationNodes, data.testNodes], [[0, 1], [2], [3]])
        XCTAssertEqual(data.undirectedEdgeCount, 3)
    }

    /// Each bad file names its line (1-based, blank lines counted) and what is wrong.
    func testBadFilesNameTheLine() {
        let good = #"{"edges": [[0, 1]], "x": [[1], [0]], "y": 0}"#
        let cases: [(String, String, [String])] = [
            ("not JSON", good + "\n\n{edges: 1}", ["g.jsonl:3", "JSON object"]),
            ("missing x", good + "\n" + #"{"edges": [], "y": 1}"#, ["g.jsonl:2", "`x`"]),
            ("edge out of range", good + "\n" + #"{"edges": [[0, 5]], "x": [[1], [0]], "y": 1}"#, ["g.jsonl:2", "outside 0..<2"]),
            ("edge of three", #"{"edges": [[0, 1, 1]], "x": [[1], [0]], "y": 1}"#, ["g.jsonl:1", "pair"]),
            ("ragged x", #"{"edges": [], "x": [[1], [0, 1]], "y": 1}"#, ["g.jsonl:1", "same number of features"]),
            ("feature width changes", good + "\n" + #"{"edges": [], "x": [[1, 2]], "y": 1}"#, ["g.jsonl:2", "same features"]),
            ("string feature", #"{"edges": [], "x": [[1], ["a"]], "y": 1}"#, ["g.jsonl:1", "`x[1][0]`"]),
            ("fractional class", good + "\n" + #"{"edges": [], "x": [[1]], "y": 1.5}"#, ["g.jsonl:2", "`y`"]),
            ("negative class", good + "\n" + #"{"edges": [], "x": [[1]], "y": -1}"#, ["g.jsonl:2", "-1"]),
            ("one class", good + "\n" + good, ["g.jsonl", "two classes"]),
            ("empty file", "\n\n", ["g.jsonl", "no graph"]),
            ("node labels count", #"{"edges": [], "x": [[1], [0]], "y": [0, 1, 1], "train": [0], "test": [1]}"#, ["g.jsonl:1", "3 classes for 2 nodes"]),
            ("node in two splits", #"{"edges": [], "x": [[1], [0]], "y": [0, 1], "train": [0], "test": [0]}"#, ["g.jsonl:1", "both `train` and `test`"]),
            ("split id out of range", #"{"edges": [], "x": [[1], [0]], "y": [0, 1], "train": [7], "test": [1]}"#, ["g.jsonl:1", "node 7"]),
            ("no test nodes", #"{"edges": [], "x": [[1], [0]], "y": [0, 1], "train": [0]}"#, ["g.jsonl:1", "`test`"]),
            ("node line then more", #"{"edges": [], "x": [[1], [0]], "y": [0, 1], "train": [0], "test": [1]}"# + "\n" + good, ["g.jsonl:2", "one graph on one line"]),
            ("graphs then a node line", good + "\n" + #"{"edges": [], "x": [[1], [0]], "y": [0, 1], "train": [0], "test": [1]}"#, ["g.jsonl:2", "one kind per file"]),
        ]
        for (name, text, mentions) in cases {
            XCTAssertThrowsError(try parse(text), name) { error in
                let message = "\(error)"
                for m in mentions { XCTAssertTrue(message.contains(m), "\(name): \(message) lacks \(m)") }
                XCTAssertFalse(message.contains("\n"), "\(name): one line: \(message)")
            }
        }
    }
}
