import XCTest
@testable import SlateGraph

/// The loaders against the real files in ../shared/data and the figures verified in its README.
final class LoaderTests: XCTestCase {
    func testMUTAGParsesExactly() throws {
        _ = try TestData.require("tu/MUTAG")
        let ds = try TUDataset.load(name: "MUTAG", root: TestData.root)
        XCTAssertEqual(ds.graphs.count, 188)
        XCTAssertEqual(ds.rawLabels, [-1, 1])               // remapped: -1 -> 0, 1 -> 1
        XCTAssertEqual(ds.labels.filter { $0 == 1 }.count, 125)
        XCTAssertEqual(ds.labels.filter { $0 == 0 }.count, 63)
        XCTAssertEqual(ds.nodeCount, 3371)
        XCTAssertEqual(ds.edgeCount, 7442)
        XCTAssertEqual(ds.featureCount, 7)                  // one-hot of 7 atom types, no attributes
        XCTAssertEqual(ds.graphs.map(\.nodeCount).min(), 10)
        XCTAssertEqual(ds.graphs.map(\.nodeCount).max(), 28)
        // One-hot rows: each node has exactly one 1; column sums are the label counts of the README.
        var columnSums = [Float](repeating: 0, count: 7)
        for g in ds.graphs { for i in 0..<g.features.count { columnSums[i % 7] += g.features[i] } }
        XCTAssertEqual(columnSums, [2395, 345, 593, 12, 1, 23, 2])
        // Edge labels follow their edges into CSR order: counts per type as in the README.
        var edgeTypes = [Int](repeating: 0, count: 4)
        for g in ds.graphs { for l in g.edgeLabels! { edgeTypes[l] += 1 } }
        XCTAssertEqual(edgeTypes, [4708, 2008, 724, 2])
        // Every undirected edge is stored both ways and CSR columns are sorted.
        for g in ds.graphs {
            XCTAssertTrue(SparseMatrix.isStructurallySymmetric(rowStart: g.rowStart, columns: g.neighbours))
        }
    }

    func testPROTEINSParsesExactly() throws {
        _ = try TestData.require("tu/PROTEINS")
        let ds = try TUDataset.load(name: "PROTEINS", root: TestData.root)
        XCTAssertEqual(ds.graphs.count, 1113)
        XCTAssertEqual(ds.nodeCount, 43471)
        XCTAssertEqual(ds.edgeCount, 162_088)
        XCTAssertEqual(ds.rawLabels, [1, 2])
        XCTAssertEqual(ds.labels.filter { $0 == 0 }.count, 663)
        XCTAssertEqual(ds.featureCount, 4)                  // 3 node-label one-hots + 1 attribute
        XCTAssertEqual(ds.graphs.map(\.nodeCount).max(), 620)
        // First node's attribute is " 23.000000" in the file (leading space tolerated).
        XCTAssertEqual(ds.graphs[0].features[3], 23)
        let attributes = ds.graphs.flatMap { g in (0..<g.nodeCount).map { g.features[$0 * 4 + 3] } }
        XCTAssertEqual(attributes.min(), -538)
        XCTAssertEqual(attributes.max(), 798)
    }

    func testCoraParsesExactly() throws {
        _ = try TestData.require("cora")
        let ds = try NodeDataset.cora(root: TestData.root)
        XCTAssertEqual(ds.graph.nodeCount, 2708)
        XCTAssertEqual(ds.undirectedEdgeCount, 5278)
        XCTAssertEqual(ds.graph.featureCount, 1433)
        XCTAssertEqual(ds.graph.features.reduce(0, +), 49216)
        XCTAssertEqual(ds.classCount, 7)
        XCTAssertEqual((0..<7).map { c in ds.labels.filter { $0 == c }.count }, [351, 217, 418, 818, 426, 298, 180])
        XCTAssertEqual(ds.trainNodes, Array(0..<140))
        XCTAssertEqual(ds.validationNodes, Array(140..<640))
        XCTAssertEqual(ds.testNodes.count, 1000)
        XCTAssertEqual(ds.testNodes, Array(1708..<2708))
        XCTAssertFalse(ds.graph.degrees.contains(0))        // no isolated nodes
        // Row normalisation makes every row sum to 1.
        let norm = ds.rowNormalizedFeatures().graph
        for r in [0, 1, 2707] {
            XCTAssertEqual(norm.features[r * 1433..<(r + 1) * 1433].reduce(0, +), 1, accuracy: 1e-5)
        }
    }

    func testKarate() throws {
        _ = try TestData.require("karate")
        let ds = try NodeDataset.karate(root: TestData.root)
        XCTAssertEqual(ds.graph.nodeCount, 34)
        XCTAssertEqual(ds.undirectedEdgeCount, 78)
        XCTAssertEqual(ds.labels.filter { $0 == 0 }.count, 17)
        XCTAssertEqual(ds.trainNodes, [0, 33])
        XCTAssertEqual(ds.labels[0], 0)
        XCTAssertEqual(ds.labels[33], 1)
        XCTAssertEqual(ds.testNodes.count, 32)
        XCTAssertTrue(ds.validationNodes.isEmpty)
        XCTAssertEqual(ds.graph.degrees[0], 16)            // Mr. Hi has 16 neighbours in Zachary's graph
        XCTAssertEqual(ds.graph.degrees[33], 17)
    }

    func testMissingDatasetSaysWhereToPutFiles() throws {
        let dir = try TestData.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        XCTAssertThrowsError(try TUDataset.load(name: "NOPE", root: dir)) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("make data"), text)
            XCTAssertTrue(text.contains("tu/NOPE"), text)
            XCTAssertTrue(text.contains("SLATE_DATA"), text)
        }
        XCTAssertThrowsError(try NodeDataset.cora(root: dir)) { error in
            XCTAssertTrue("\(error)".contains("nodes.tsv"))
        }
    }
}
