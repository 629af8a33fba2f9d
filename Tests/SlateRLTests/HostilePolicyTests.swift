import Foundation
import XCTest
import Slate
@testable import SlateRL

/// Hostile policy checkpoints, built at test time from the shipped CartPole policy: another
/// tool's checkpoint, absurd sizes in the metadata, shapes that do not fit the environment,
/// NaN weights. Each is a one-line `PolicyCheckpointError` naming the file.
final class HostilePolicyTests: XCTestCase {
    static let shipped = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../models/cartpole-ppo/policy.safetensors").standardized

    /// The shipped policy with its metadata and tensors edited, written to a temporary file.
    func variant(_ edit: (inout [String: String], inout [(String, Tensor)]) -> Void) throws -> String {
        let file = try SafeTensors.read(from: Self.shipped)
        var meta = file.metadata, tensors = file.ordered
        edit(&meta, &tensors)
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("hostile-\(UUID().uuidString).safetensors")
        try SafeTensors.write(tensors, metadata: meta, to: url)
        addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url.path
    }

    func testShippedPolicyLoads() throws {
        XCTAssertNoThrow(try loadPolicy(checkpoint: Self.shipped.path, for: makeEnvironment(id: "CartPole-v1")))
    }

    /// Rules: wrong tool, wrong environment, sizes out of range or beyond memory, shapes that do
    /// not match the environment's spaces, non-finite weights, malformed fields.
    func testHostilePoliciesAreRefused() throws {
        let gpt = "slate.gpt", gcn = "slate-gcn"
        let cases: [(String, (inout [String: String], inout [(String, Tensor)]) -> Void, String)] = [
            ("a GPT checkpoint", { m, _ in m["format"] = gpt }, "is a 'slate.gpt' checkpoint, not a slate-rl-policy one"),
            ("a GCN checkpoint", { m, _ in m["format"] = gcn }, "is a 'slate-gcn' checkpoint"),
            ("no format", { m, _ in m["format"] = nil }, "has no 'format' in its metadata"),
            ("hidden 2^40", { m, _ in m["hidden_sizes"] = "1099511627776,64" }, "each size must be at most"),
            ("obs_size 2^62", { m, _ in m["obs_size"] = "4611686018427387904" }, "each size must be at most"),
            ("network beyond memory", { m, _ in m["hidden_sizes"] = "1048576,1048576,1048576" }, "this machine has"),
            ("hidden not numbers", { m, _ in m["hidden_sizes"] = "64,x" }, "malformed hidden_sizes '64,x'"),
            ("negative action count", { m, _ in m["action_count"] = "-2" }, "malformed metadata"),
            ("shape mismatch", { m, _ in m["hidden_sizes"] = "32,64" }, "has shape"),
            ("missing tensor", { _, t in t.removeAll { $0.0 == "actor.2.weight" } }, "missing 2.weight"),
            ("NaN weights", { _, t in
                let k = t.firstIndex { $0.0 == "actor.4.weight" }!
                let copy = Tensor(t[k].1.toArray(), shape: t[k].1.shape)
                copy.pointer[0] = .nan; copy.pointer[1] = .nan
                t[k].1 = copy
            }, "tensor 'actor.4.weight' holds 2 NaN or infinite values"),
        ]
        let env = try makeEnvironment(id: "CartPole-v1")
        for (name, edit, expected) in cases {
            let path = try variant(edit)
            XCTAssertThrowsError(try loadPolicy(checkpoint: path, for: env), name) { error in
                let message = "\(error)"
                XCTAssertTrue(error is PolicyCheckpointError, "\(name): typed")
                XCTAssertTrue(message.contains(path), "\(name): '\(message)' names the file")
                XCTAssertTrue(message.contains(expected), "\(name): '\(message)' should mention '\(expected)'")
                XCTAssertFalse(message.contains(where: \.isNewline), "\(name): one line")
            }
        }
        // Observation and action sizes against the environment's spaces.
        let acrobotSized = try variant { m, _ in m["env_id"] = "Acrobot-v1" }
        XCTAssertThrowsError(try loadPolicy(checkpoint: acrobotSized, for: makeEnvironment(id: "Acrobot-v1"))) {
            XCTAssertTrue("\($0)".contains("expects 4 observations and 2 actions; Acrobot-v1 has 6 and 3"), "\($0)")
        }
    }
}
