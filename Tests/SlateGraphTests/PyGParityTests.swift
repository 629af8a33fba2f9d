import Foundation
import XCTest
import Slate
@testable import SlateGraph

/// GINConv, SAGEConv and GATConv against PyTorch Geometric for fixed weights: outputs and input
/// gradients of sum(out ⊙ proj), from Fixtures/pyg-layers.json (written once by
/// scripts/make-pyg-fixtures.py with torch_geometric 2.8.1, computed in float64).
/// Tolerance: max |slate − pyg| ≤ 1e-4 on every value (Float32 here).
final class PyGParityTests: XCTestCase {
    struct Fixture: Decodable {
        struct Entry: Decodable { let shape: [Int]; let values: [Float] }
        struct Layer: Decodable {
            let name: String
            let config: [String: Value]
            let state: [String: Entry]
            let outputs: [String: [Float]]
            let proj: [Float]
        }
        enum Value: Decodable {
            case int(Int), bool(Bool), string(String)
            init(from decoder: Decoder) throws {
                let c = try decoder.singleValueContainer()
                if let b = try? c.decode(Bool.self) { self = .bool(b) }
                else if let i = try? c.decode(Int.self) { self = .int(i) }
                else { self = .string(try c.decode(String.self)) }
            }
            var int: Int { if case .int(let i) = self { return i }; return 0 }
            var bool: Bool { if case .bool(let b) = self { return b }; return false }
        }
        let nodes: Int, features: Int
        let entries: [[Int]]
        let x: [Float]
        let layers: [Layer]
    }

    static let fixture: Fixture = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/pyg-layers.json")
        return try! JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url))
    }()

    /// Builds the layer a fixture entry describes, with the fixture's weights.
    func layer(_ l: Fixture.Layer) throws -> GraphConvolution {
        var rng = RandomGenerator(seed: 0)
        let (fin, fout) = (l.config["in"]!.int, l.config["out"]!.int)
        let conv: GraphConvolution
        switch l.config["kind"] {
        case .string("gin"): conv = GINConv(fin, fout, trainEps: l.config["train_eps"]!.bool, generator: &rng)
        case .string("sage"): conv = SAGEConv(fin, fout, generator: &rng)
        default: conv = GATConv(fin, fout, heads: l.config["heads"]!.int, concat: l.config["concat"]!.bool, generator: &rng)
        }
        try conv.loadState(l.state.mapValues { Tensor($0.values, shape: $0.shape) })
        return conv
    }

    func testLayersMatchPyG() throws {
        let f = Self.fixture
        let graph = Graph(nodeCount: f.nodes, featureCount: f.features, features: f.x,
                          edges: f.entries.map { ($0[0], $0[1]) })
        var report: [String] = []
        for l in f.layers {
            let conv = try layer(l)
            let a = graph.adjacency(conv.adjacencyKind)
            for mode in ["train", "eval"] {
                guard let expected = l.outputs[mode] else { continue }
                conv.train(mode == "train")
                let x = Tensor(f.x, shape: [f.nodes, f.features], requiresGrad: true)
                var rng = RandomGenerator(seed: 1)
                let y = conv.forward(x, adjacency: a, generator: &rng)
                XCTAssertEqual(y.shape, [f.nodes, expected.count / f.nodes], l.name)
                (y * Tensor(l.proj, shape: y.shape)).sumAll().backward()
                let outDiff = maxAbsDiff(y.toArray(), expected)
                let gradDiff = maxAbsDiff(x.grad!.toArray(), l.outputs["dx_" + mode]!)
                XCTAssertLessThan(outDiff, 1e-4, "\(l.name) \(mode) output")
                XCTAssertLessThan(gradDiff, 1e-4, "\(l.name) \(mode) dx")
                var line = "\(l.name) \(mode): out \(outDiff), dx \(gradDiff)"
                if let running = l.outputs["running_after_" + mode], let gin = conv as? GINConv {
                    let bn = gin.mlp.layers[1] as! BatchNorm1d
                    let diff = maxAbsDiff(bn.runningMean.toArray() + bn.runningVar.toArray(), running)
                    XCTAssertLessThan(diff, 1e-5, "\(l.name) running statistics after \(mode)")
                    line += ", running stats \(diff)"
                }
                report.append(line)
            }
        }
        print("PyG parity (max abs diff):\n  " + report.joined(separator: "\n  "))
    }

    func maxAbsDiff(_ a: [Float], _ b: [Float]) -> Float {
        XCTAssertEqual(a.count, b.count)
        return zip(a, b).map { abs($0 - $1) }.max() ?? .infinity
    }
}
